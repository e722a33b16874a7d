package projections

import (
	"fmt"

	"github.com/pingyang/ledger/events"
)

// Supervision and inspection, 20 points (R-INS): findings, substantiated
// complaints, disciplinary cases, the office's discretionary deductions and
// the deductions of a unit that failed to report a section.

var _ = define(events.InspectionFinding, kindOf[*events.InspectionFindingData]{
	component: "inspection", clause: "R-INS-FIND",
	fold: func(s *State, f *Fact, pos int64, d *events.InspectionFindingData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.level", events.FindingLevels, d.Level); err != nil {
			return err
		}
		if isSerious(d.Serious) {
			f.B = 1
		}
		return nil
	},
	points: func(d *events.InspectionFindingData) float64 {
		return events.FindingPoints[d.Level] * seriousFactor(d.Serious)
	},
	check: func(c *checker, d *events.InspectionFindingData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: scoreInspection,
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("confirmed at %s level", events.FindingLevels[x.f.A]) + seriousNote(x.f)
		x.points(e, x.f.Pts, -1)
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Sec >= 0 && has(events.FindingLevels, f.A) && f.B <= 1
	},
})

var _ = define(events.ComplaintSubstantiated, kindOf[*events.ComplaintSubstantiatedData]{
	component: "inspection", clause: "R-INS-CPL",
	fold: func(s *State, f *Fact, pos int64, d *events.ComplaintSubstantiatedData) *events.FieldError {
		var err *events.FieldError
		f.Sec, err = s.sectionOf("data.section_id", d.SectionID)
		if isSerious(d.Serious) {
			f.B = 1
		}
		return err
	},
	points: func(d *events.ComplaintSubstantiatedData) float64 {
		return events.ComplaintPoints * seriousFactor(d.Serious)
	},
	check: func(c *checker, d *events.ComplaintSubstantiatedData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: scoreInspection,
	explain: func(x *explainer, e *Entry) {
		e.Note = "complaint substantiated" + seriousNote(x.f)
		x.points(e, x.f.Pts, -1)
	},
	valid: func(s *State, f *Fact, pos int64) bool { return f.Sec >= 0 && f.B <= 1 },
})

// A serious finding or complaint (B = 1) counts SeriousFactor times.
func isSerious(v *bool) bool { return v != nil && *v }

func seriousFactor(v *bool) float64 {
	if isSerious(v) {
		return events.SeriousFactor
	}
	return 1
}

func seriousNote(f *Fact) string {
	if f.B == 1 {
		return ", serious: doubled"
	}
	return ""
}

var _ = define(events.DisciplinaryCaseFiled, kindOf[*events.DisciplinaryCaseFiledData]{
	component: "inspection", clause: "R-INS-CASE",
	fold: func(s *State, f *Fact, pos int64, d *events.DisciplinaryCaseFiledData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.subject", events.CaseSubjects, d.Subject); err != nil {
			return err
		}
		if f.B, err = enumCode("data.violation", events.Violations, d.Violation); err != nil {
			return err
		}
		return nil
	},
	points: func(d *events.DisciplinaryCaseFiledData) float64 { return events.CasePoints[d.Violation][d.Subject] },
	check: func(c *checker, d *events.DisciplinaryCaseFiledData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: scoreInspection,
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("case filed: subject %s, violation %s", events.CaseSubjects[x.f.A], events.Violations[x.f.B])
		x.points(e, x.f.Pts, -1)
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Sec >= 0 && has(events.CaseSubjects, f.A) && has(events.Violations, f.B)
	},
})

var _ = define(events.DiscretionaryDeduction, kindOf[*events.DiscretionaryDeductionData]{
	component: "inspection", clause: "R-DISC",
	// R-DISC: the deduction counts in the component it names (A).
	componentOf: func(f *Fact) string { return string(events.Components[f.A]) },
	fold: func(s *State, f *Fact, pos int64, d *events.DiscretionaryDeductionData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.component", events.Components, d.Off()); err != nil {
			return err
		}
		f.Aux = s.text(d.Reason)
		return nil
	},
	points: func(d *events.DiscretionaryDeductionData) float64 { return d.Points },
	check: func(c *checker, d *events.DiscretionaryDeductionData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	// Summed per component; fillRows takes each sum off its component after
	// the component's own computation.
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].disc[f.A] += pts },
	explain: func(x *explainer, e *Entry) {
		e.Note = x.s.textAt(x.f.Aux)
		x.points(e, x.f.Pts, -1)
		if !x.st.live() {
			return
		}
		if why := x.c.noScore(x.si, events.Components[x.f.A]); why != "" {
			e.Status = NotCounted.String()
			e.Note += ": not counted: " + why + " in this view (R-DISC)"
		}
	},
	valid: func(s *State, f *Fact, pos int64) bool { return sectionText(s, f, pos) && has(events.Components, f.A) },
})

// The component codes of R-DISC's deductions, as fillRows applies them.
var (
	discService    = componentCode(events.ComponentService)
	discHotline    = componentCode(events.ComponentHotline)
	discQR         = componentCode(events.ComponentQR)
	discSupervisor = componentCode(events.ComponentSupervisor)
	discInspection = componentCode(events.ComponentInspection)
	discOnline     = componentCode(events.ComponentOnline)
)

func componentCode(k events.Component) uint8 {
	c, ok := events.Components.Code(k)
	if !ok {
		panic("projections: no component " + string(k))
	}
	return c
}

// noScore says why section si has no score of component k in the view, so
// that a discretionary deduction off it does not count there; "" when it
// has one (R-DISC). Service, hotline, qr and inspection always have one
// once a round is scored; a grade and an online score may be missing.
func (c *calc) noScore(si int32, k events.Component) string {
	switch k {
	case events.ComponentService:
		if c.pending[0] && c.pending[1] {
			return "no service round has a vote yet"
		}
	case events.ComponentSupervisor:
		if !c.secs[si].graded {
			return "no grade from the unit yet"
		}
	case events.ComponentOnline:
		if !c.frozen || !c.rows[si].Candidate {
			return "not a frozen candidate"
		}
		if c.ballots == 0 {
			return "no ballot yet"
		}
	}
	return ""
}

func scoreInspection(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].insp += pts }

var _ = define(events.UnitDeduction, kindOf[*events.UnitDeductionData]{
	component: "inspection", clause: "R-UNREP",
	fold: func(s *State, f *Fact, pos int64, d *events.UnitDeductionData) *events.FieldError {
		var err *events.FieldError
		if f.Unit, err = s.unitOf("data.unit_id", d.UnitID); err != nil {
			return err
		}
		f.Aux = s.text(d.Reason)
		return nil
	},
	points: func(d *events.UnitDeductionData) float64 { return d.Points },
	check: func(c *checker, d *events.UnitDeductionData) *events.FieldError {
		_, err := c.unit("data.unit_id", d.UnitID)
		return err
	},
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.unitDed[f.Unit] += pts },
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("unit %s: %s", x.s.units[x.sec.Unit].ID, x.s.textAt(x.f.Aux))
		x.points(e, x.f.Pts, -1)
	},
	// R-UNREP: every section of the unit loses the points.
	touches:  func(s *State, f *Fact, si int32) bool { return f.Unit == s.sections[si].Unit },
	unitWide: true,
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Unit >= 0 && f.Aux >= 0 && int(f.Aux) < len(s.texts)
	},
})
