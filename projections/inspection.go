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
	fold: func(s *State, f *Fact, pos int64, d *events.DiscretionaryDeductionData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		f.Aux = s.text(d.Reason)
		return nil
	},
	points: func(d *events.DiscretionaryDeductionData) float64 { return d.Points },
	check: func(c *checker, d *events.DiscretionaryDeductionData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: scoreInspection,
	explain: func(x *explainer, e *Entry) {
		e.Note = x.s.textAt(x.f.Aux)
		x.points(e, x.f.Pts, -1)
	},
	valid: sectionText,
})

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
	touches: func(s *State, f *Fact, si int32) bool { return f.Unit == s.sections[si].Unit },
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Unit >= 0 && f.Aux >= 0 && int(f.Aux) < len(s.texts)
	},
})
