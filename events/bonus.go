package events

// The bonus (R-BON-COM, R-BON-MED).

const (
	CommendationAwarded   Type = "CommendationAwarded"
	MediaCoverageRecorded Type = "MediaCoverageRecorded"
)

var _ = register(
	Spec{Type: CommendationAwarded, Code: 16, Class: Fact, Retractable: true, New: func() Data { return &CommendationAwardedData{} }},
	Spec{Type: MediaCoverageRecorded, Code: 17, Class: Fact, Retractable: true, New: func() Data { return &MediaCoverageRecordedData{} }},
)

type CommendationAwardedData struct {
	DeedID    string            `json:"deed_id"`
	Level     CommendationLevel `json:"level"`
	SectionID string            `json:"section_id"`
}

func (*CommendationAwardedData) Type() Type       { return CommendationAwarded }
func (d *CommendationAwardedData) normalize()     { d.DeedID = foldID(d.DeedID) }
func (d *CommendationAwardedData) Stream() string { return sectionStream(d.SectionID) }
func (d *CommendationAwardedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		CommendationLevels.check("data.level", d.Level),
		checkName("data.deed_id", d.DeedID))
}

type MediaCoverageRecordedData struct {
	Level     MediaLevel `json:"level"`
	MatterID  string     `json:"matter_id"`
	SectionID string     `json:"section_id"`
}

func (*MediaCoverageRecordedData) Type() Type       { return MediaCoverageRecorded }
func (d *MediaCoverageRecordedData) normalize()     { d.MatterID = foldID(d.MatterID) }
func (d *MediaCoverageRecordedData) Stream() string { return sectionStream(d.SectionID) }
func (d *MediaCoverageRecordedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		MediaLevels.check("data.level", d.Level),
		checkName("data.matter_id", d.MatterID))
}
