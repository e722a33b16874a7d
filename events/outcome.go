package events

import "strconv"

// The standing committee's decision on the outcome (R-OUT-CONF): the lists
// of R-OUT are a proposal (拟定) until the committee confirms them
// (报县委常委会研究确定), which may differ from it.

const OutcomeConfirmed Type = "OutcomeConfirmed"

var _ = register(
	Spec{Type: OutcomeConfirmed, Code: 21, Class: Online, Retractable: true, AfterWindow: true, New: func() Data { return &OutcomeConfirmedData{} }},
)

type OutcomeConfirmedData struct {
	Document        string   `json:"document"`
	MostUnsatisfied []string `json:"most_unsatisfied"`
	Satisfied       []string `json:"satisfied"`
	Unsatisfied     []string `json:"unsatisfied"`
}

func (*OutcomeConfirmedData) Type() Type     { return OutcomeConfirmed }
func (*OutcomeConfirmedData) Stream() string { return onlineStream }

// Check holds the lists to R-OUT's sizes: a decision names as many
// sections as the proposal it decides on.
func (d *OutcomeConfirmedData) Check() *FieldError {
	for _, l := range []struct {
		f   string
		ids []string
		n   int
	}{{"data.satisfied", d.Satisfied, OutcomeSize}, {"data.unsatisfied", d.Unsatisfied, OutcomeSize},
		{"data.most_unsatisfied", d.MostUnsatisfied, MostUnsatisfiedSize}} {
		if len(l.ids) != l.n {
			return invalid(l.f, "must name exactly %d sections, not %d", l.n, len(l.ids))
		}
		if err := checkIDList(l.f, l.ids); err != nil {
			return err
		}
	}
	sat := make(map[string]bool, len(d.Satisfied))
	for _, id := range d.Satisfied {
		sat[id] = true
	}
	unsat := make(map[string]bool, len(d.Unsatisfied))
	for i, id := range d.Unsatisfied {
		if sat[id] {
			return invalid("data.unsatisfied["+strconv.Itoa(i)+"]", "section %s is also confirmed satisfied", id)
		}
		unsat[id] = true
	}
	for i, id := range d.MostUnsatisfied {
		if !unsat[id] {
			return invalid("data.most_unsatisfied["+strconv.Itoa(i)+"]", "section %s is not among the unsatisfied", id)
		}
	}
	return checkName("data.document", d.Document)
}
