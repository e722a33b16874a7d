package events

import "strconv"

// The online evaluation (R-ONL): the frozen candidate list, the voters'
// credentials and their ballots.

const (
	OnlineCandidatesFrozen Type = "OnlineCandidatesFrozen"
	VoterCredentialIssued  Type = "VoterCredentialIssued"
	BallotCast             Type = "BallotCast"
)

var _ = register(
	Spec{Type: OnlineCandidatesFrozen, Code: 13, Class: Online, New: func() Data { return &OnlineCandidatesFrozenData{} }},
	Spec{Type: VoterCredentialIssued, Code: 14, Class: Online, New: func() Data { return &VoterCredentialIssuedData{} }},
	Spec{Type: BallotCast, Code: 15, Class: Online, Retractable: true, New: func() Data { return &BallotCastData{} }},
)

const onlineStream = "online"

type OnlineCandidatesFrozenData struct {
	SectionIDs []string `json:"section_ids"`
}

func (*OnlineCandidatesFrozenData) Type() Type     { return OnlineCandidatesFrozen }
func (*OnlineCandidatesFrozenData) Stream() string { return onlineStream }
func (d *OnlineCandidatesFrozenData) Check() *FieldError {
	if len(d.SectionIDs) == 0 {
		return invalid("data.section_ids", "required: the frozen candidate list")
	}
	return checkIDList("data.section_ids", d.SectionIDs)
}

type VoterCredentialIssuedData struct {
	CredentialHash string     `json:"credential_hash"`
	Group          VoterGroup `json:"group"`
}

func (*VoterCredentialIssuedData) Type() Type     { return VoterCredentialIssued }
func (*VoterCredentialIssuedData) Stream() string { return onlineStream }
func (d *VoterCredentialIssuedData) Check() *FieldError {
	return first(checkHash("data.credential_hash", d.CredentialHash),
		VoterGroups.check("data.group", d.Group))
}

type BallotCastData struct {
	CredentialHash string   `json:"credential_hash"`
	Satisfied      []string `json:"satisfied"`
	Unsatisfied    []string `json:"unsatisfied"`
}

func (*BallotCastData) Type() Type     { return BallotCast }
func (*BallotCastData) Stream() string { return onlineStream }
func (d *BallotCastData) Check() *FieldError {
	if err := checkHash("data.credential_hash", d.CredentialHash); err != nil {
		return err
	}
	for _, l := range []struct {
		f   string
		ids []string
	}{{"data.satisfied", d.Satisfied}, {"data.unsatisfied", d.Unsatisfied}} {
		if len(l.ids) != BallotSize {
			return invalid(l.f, "must name exactly %d candidates, not %d", BallotSize, len(l.ids))
		}
		if err := checkIDList(l.f, l.ids); err != nil {
			return err
		}
	}
	in := make(map[string]bool, BallotSize)
	for _, id := range d.Satisfied {
		in[id] = true
	}
	for i, id := range d.Unsatisfied {
		if in[id] {
			return invalid("data.unsatisfied["+strconv.Itoa(i)+"]", "section %s is also marked satisfied", id)
		}
	}
	return nil
}
