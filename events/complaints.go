package events

import "math"

// The complaint platforms: the county hotline (R-HOT) and the online
// supervision QR platform (R-QR).

const (
	HotlineVerdict          Type = "HotlineVerdict"
	OnlineComplaintVerified Type = "OnlineComplaintVerified"
)

var _ = register(
	Spec{Type: HotlineVerdict, Code: 5, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &HotlineVerdictData{} }},
	Spec{Type: OnlineComplaintVerified, Code: 6, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &OnlineComplaintVerifiedData{} }},
)

type HotlineVerdictData struct {
	Item      HotlineItem `json:"item"`
	Points    float64     `json:"points"`
	Role      HotlineRole `json:"role"`
	SectionID string      `json:"section_id"`
}

func (*HotlineVerdictData) Type() Type       { return HotlineVerdict }
func (d *HotlineVerdictData) Stream() string { return sectionStream(d.SectionID) }
func (d *HotlineVerdictData) Check() *FieldError {
	if err := first(checkID("data.section_id", d.SectionID), HotlineRoles.check("data.role", d.Role)); err != nil {
		return err
	}
	it, ok := HotlineRules[d.Item]
	if !ok {
		return invalid("data.item", "must be one of %s", HotlineItems)
	}
	if d.Points != math.Trunc(d.Points) || d.Points < it.Min || d.Points > it.Max {
		if it.Min == it.Max {
			return invalid("data.points", "must be %s for item %s", num(it.Min), d.Item)
		}
		return invalid("data.points", "must be an integer from %s to %s for item %s", num(it.Min), num(it.Max), d.Item)
	}
	return nil
}

type OnlineComplaintVerifiedData struct {
	SectionID string `json:"section_id"`
}

func (*OnlineComplaintVerifiedData) Type() Type       { return OnlineComplaintVerified }
func (d *OnlineComplaintVerifiedData) Stream() string { return sectionStream(d.SectionID) }
func (d *OnlineComplaintVerifiedData) Check() *FieldError {
	return checkID("data.section_id", d.SectionID)
}
