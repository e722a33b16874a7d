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
	CredentialKey string     `json:"credential_key"`
	Group         VoterGroup `json:"group"`
}

func (*VoterCredentialIssuedData) Type() Type     { return VoterCredentialIssued }
func (*VoterCredentialIssuedData) Stream() string { return onlineStream }
func (d *VoterCredentialIssuedData) Check() *FieldError {
	return first(checkKey("data.credential_key", d.CredentialKey),
		VoterGroups.check("data.group", d.Group))
}

type BallotCastData struct {
	CredentialKey string   `json:"credential_key"`
	Satisfied     []string `json:"satisfied"`
	Signature     string   `json:"signature"`
	Unsatisfied   []string `json:"unsatisfied"`
}

func (*BallotCastData) Type() Type     { return BallotCast }
func (*BallotCastData) Stream() string { return onlineStream }
func (d *BallotCastData) Check() *FieldError {
	if err := checkKey("data.credential_key", d.CredentialKey); err != nil {
		return err
	}
	if d.Signature == "" {
		return invalid("data.signature", "required: the voter's Ed25519 signature of the ballot")
	}
	if !lowerHex(d.Signature, 128) {
		return invalid("data.signature", "must be 128 lowercase hex characters (an Ed25519 signature)")
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
	// Last, being the dearest check: whoever sends a ballot, only the
	// holder of the code's key can have signed it.
	if !d.verifySignature() {
		return invalid("data.signature", "does not verify: not signed by the key of credential_key over this ballot")
	}
	return nil
}
