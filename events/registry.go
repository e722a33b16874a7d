package events

// The registry: who is scored (R-ROSTER, R-EXEMPT, R-ONL's prior-year list).

const (
	UnitRegistered             Type = "UnitRegistered"
	SectionRegistered          Type = "SectionRegistered"
	SectionExempted            Type = "SectionExempted"
	PriorYearUnsatisfiedMarked Type = "PriorYearUnsatisfiedMarked"
)

var _ = register(
	Spec{Type: UnitRegistered, Code: 0, Class: Registry, New: func() Data { return &UnitRegisteredData{} }},
	Spec{Type: SectionRegistered, Code: 1, Class: Registry, New: func() Data { return &SectionRegisteredData{} }},
	Spec{Type: SectionExempted, Code: 2, Class: Registry, New: func() Data { return &SectionExemptedData{} }},
	Spec{Type: PriorYearUnsatisfiedMarked, Code: 3, Class: Registry, New: func() Data { return &PriorYearUnsatisfiedMarkedData{} }},
)

type UnitRegisteredData struct {
	Name   string `json:"name"`
	UnitID string `json:"unit_id"`
}

func (*UnitRegisteredData) Type() Type       { return UnitRegistered }
func (d *UnitRegisteredData) Stream() string { return unitStream(d.UnitID) }
func (d *UnitRegisteredData) Check() *FieldError {
	return first(checkID("data.unit_id", d.UnitID), checkName("data.name", d.Name))
}

type SectionRegisteredData struct {
	Enforcement  *bool  `json:"enforcement"`
	LateReported bool   `json:"late_reported"`
	Name         string `json:"name"`
	SectionID    string `json:"section_id"`
	UnitID       string `json:"unit_id"`
}

func (*SectionRegisteredData) Type() Type       { return SectionRegistered }
func (d *SectionRegisteredData) Stream() string { return sectionStream(d.SectionID) }
func (d *SectionRegisteredData) Check() *FieldError {
	return first(checkBool("data.enforcement", d.Enforcement), checkID("data.section_id", d.SectionID),
		checkID("data.unit_id", d.UnitID), checkName("data.name", d.Name))
}

type SectionExemptedData struct {
	Reason    string `json:"reason"`
	SectionID string `json:"section_id"`
}

func (*SectionExemptedData) Type() Type       { return SectionExempted }
func (d *SectionExemptedData) Stream() string { return sectionStream(d.SectionID) }
func (d *SectionExemptedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID), checkText("data.reason", d.Reason))
}

type PriorYearUnsatisfiedMarkedData struct {
	SectionID string `json:"section_id"`
}

func (*PriorYearUnsatisfiedMarkedData) Type() Type       { return PriorYearUnsatisfiedMarked }
func (d *PriorYearUnsatisfiedMarkedData) Stream() string { return sectionStream(d.SectionID) }
func (d *PriorYearUnsatisfiedMarkedData) Check() *FieldError {
	return checkID("data.section_id", d.SectionID)
}
