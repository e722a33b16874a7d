package events

// Supervision and inspection (R-INS-FIND, R-INS-CPL, R-INS-CASE, R-DISC,
// R-UNREP).

const (
	InspectionFinding      Type = "InspectionFinding"
	ComplaintSubstantiated Type = "ComplaintSubstantiated"
	DisciplinaryCaseFiled  Type = "DisciplinaryCaseFiled"
	DiscretionaryDeduction Type = "DiscretionaryDeduction"
	UnitDeduction          Type = "UnitDeduction"
)

var _ = register(
	Spec{Type: InspectionFinding, Code: 8, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &InspectionFindingData{} }},
	Spec{Type: ComplaintSubstantiated, Code: 9, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &ComplaintSubstantiatedData{} }},
	Spec{Type: DisciplinaryCaseFiled, Code: 10, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &DisciplinaryCaseFiledData{} }},
	Spec{Type: DiscretionaryDeduction, Code: 11, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &DiscretionaryDeductionData{} }},
	Spec{Type: UnitDeduction, Code: 12, Class: Fact, Deduction: true, Retractable: true, New: func() Data { return &UnitDeductionData{} }},
)

type InspectionFindingData struct {
	Level     FindingLevel `json:"level"`
	SectionID string       `json:"section_id"`
	Serious   *bool        `json:"serious"`
}

func (*InspectionFindingData) Type() Type       { return InspectionFinding }
func (d *InspectionFindingData) Stream() string { return sectionStream(d.SectionID) }
func (d *InspectionFindingData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		FindingLevels.check("data.level", d.Level),
		checkBool("data.serious", d.Serious))
}

type ComplaintSubstantiatedData struct {
	SectionID string `json:"section_id"`
	Serious   *bool  `json:"serious"`
}

func (*ComplaintSubstantiatedData) Type() Type       { return ComplaintSubstantiated }
func (d *ComplaintSubstantiatedData) Stream() string { return sectionStream(d.SectionID) }
func (d *ComplaintSubstantiatedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID), checkBool("data.serious", d.Serious))
}

type DisciplinaryCaseFiledData struct {
	SectionID string      `json:"section_id"`
	Subject   CaseSubject `json:"subject"`
	Violation Violation   `json:"violation"`
}

func (*DisciplinaryCaseFiledData) Type() Type       { return DisciplinaryCaseFiled }
func (d *DisciplinaryCaseFiledData) Stream() string { return sectionStream(d.SectionID) }
func (d *DisciplinaryCaseFiledData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		CaseSubjects.check("data.subject", d.Subject),
		Violations.check("data.violation", d.Violation))
}

// DiscretionaryDeductionData's component is optional and left out of the
// canonical bytes when absent, so that a deduction recorded before the field
// existed keeps its bytes and its hash.
type DiscretionaryDeductionData struct {
	Component *Component `json:"component,omitempty"`
	Points    float64    `json:"points"`
	Reason    string     `json:"reason"`
	SectionID string     `json:"section_id"`
}

func (*DiscretionaryDeductionData) Type() Type       { return DiscretionaryDeduction }
func (d *DiscretionaryDeductionData) Stream() string { return sectionStream(d.SectionID) }
func (d *DiscretionaryDeductionData) Check() *FieldError {
	if d.Component != nil && !Components.Has(*d.Component) {
		return invalid("data.component", "must be one of %s, or absent (%s)", Components, DiscretionaryDefault)
	}
	return first(checkID("data.section_id", d.SectionID), checkDeduction("data.points", d.Points),
		checkText("data.reason", d.Reason))
}

// Off is the component the deduction comes off (R-DISC).
func (d *DiscretionaryDeductionData) Off() Component {
	if d.Component == nil {
		return DiscretionaryDefault
	}
	return *d.Component
}

type UnitDeductionData struct {
	Points float64 `json:"points"`
	Reason string  `json:"reason"`
	UnitID string  `json:"unit_id"`
}

func (*UnitDeductionData) Type() Type       { return UnitDeduction }
func (d *UnitDeductionData) Stream() string { return unitStream(d.UnitID) }
func (d *UnitDeductionData) Check() *FieldError {
	return first(checkDeduction("data.points", d.Points), checkID("data.unit_id", d.UnitID), checkText("data.reason", d.Reason))
}
