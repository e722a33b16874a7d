package events

// Corrections and disputes (R-FIX).

const (
	EventRetracted     Type = "EventRetracted"
	DeductionContested Type = "DeductionContested"
	ContestResolved    Type = "ContestResolved"
)

var _ = register(
	Spec{Type: EventRetracted, Code: 18, Class: Correction, AfterWindow: true, New: func() Data { return &EventRetractedData{} }},
	Spec{Type: DeductionContested, Code: 19, Class: Correction, AfterWindow: true, New: func() Data { return &DeductionContestedData{} }},
	Spec{Type: ContestResolved, Code: 20, Class: Correction, AfterWindow: true, New: func() Data { return &ContestResolvedData{} }},
)

const fixStream = "fix"

type EventRetractedData struct {
	Reason   string `json:"reason"`
	TargetID string `json:"target_id"`
}

func (*EventRetractedData) Type() Type     { return EventRetracted }
func (*EventRetractedData) Stream() string { return fixStream }
func (d *EventRetractedData) Check() *FieldError {
	return first(checkUUID("data.target_id", d.TargetID), checkText("data.reason", d.Reason))
}

type DeductionContestedData struct {
	Grounds   string `json:"grounds"`
	SectionID string `json:"section_id"`
	TargetID  string `json:"target_id"`
}

func (*DeductionContestedData) Type() Type     { return DeductionContested }
func (*DeductionContestedData) Stream() string { return fixStream }
func (d *DeductionContestedData) Check() *FieldError {
	return first(checkUUID("data.target_id", d.TargetID), checkID("data.section_id", d.SectionID),
		checkText("data.grounds", d.Grounds))
}

type ContestResolvedData struct {
	Outcome  ContestOutcome `json:"outcome"`
	Points   *float64       `json:"points,omitempty"`
	TargetID string         `json:"target_id"`
}

func (*ContestResolvedData) Type() Type     { return ContestResolved }
func (*ContestResolvedData) Stream() string { return fixStream }
func (d *ContestResolvedData) Check() *FieldError {
	if err := first(checkUUID("data.target_id", d.TargetID),
		ContestOutcomes.check("data.outcome", d.Outcome)); err != nil {
		return err
	}
	if d.Outcome != OutcomeReduced {
		if d.Points != nil {
			return invalid("data.points", "only allowed when outcome is reduced")
		}
		return nil
	}
	if d.Points == nil {
		return invalid("data.points", "required when outcome is reduced")
	}
	if *d.Points < 0 || !decimals(*d.Points, ReducedDecimals) {
		return invalid("data.points", "must be 0 or more with at most two decimals")
	}
	return nil
}
