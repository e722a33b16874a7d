package events

// Service-recipient satisfaction (R-SVC).

const ServiceVoteRecorded Type = "ServiceVoteRecorded"

var _ = register(
	Spec{Type: ServiceVoteRecorded, Code: 4, Class: Fact, Retractable: true, New: func() Data { return &ServiceVoteRecordedData{} }},
)

type ServiceVoteRecordedData struct {
	Rating     Rating `json:"rating"`
	Respondent string `json:"respondent"`
	Round      Round  `json:"round"`
	SectionID  string `json:"section_id"`
}

func (*ServiceVoteRecordedData) Type() Type       { return ServiceVoteRecorded }
func (d *ServiceVoteRecordedData) Stream() string { return sectionStream(d.SectionID) }
func (d *ServiceVoteRecordedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		Rounds.check("data.round", d.Round),
		checkRespondent("data.respondent", d.Respondent),
		Ratings.check("data.rating", d.Rating))
}
