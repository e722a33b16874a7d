package projections

import (
	"fmt"

	"github.com/pingyang/ledger/events"
)

// The registry: who is scored (R-ROSTER, R-EXEMPT) and 2020's ten
// 不满意单位, who go straight onto the online list (R-ONL).

var _ = define(events.UnitRegistered, kindOf[*events.UnitRegisteredData]{
	component: "roster", clause: "R-ROSTER",
	fold: func(s *State, f *Fact, pos int64, d *events.UnitRegisteredData) *events.FieldError {
		if _, dup := s.unitIdx[d.UnitID]; dup {
			return events.Conflict("data.unit_id", "unit %s is already registered", d.UnitID)
		}
		i := int32(len(s.units))
		s.units = append(s.units, Unit{ID: d.UnitID, Name: d.Name, Pos: pos})
		s.unitIdx[d.UnitID] = i
		s.undo(func() { delete(s.unitIdx, d.UnitID) })
		f.Unit = i
		return nil
	},
	check: func(c *checker, d *events.UnitRegisteredData) *events.FieldError {
		if _, dup := c.s.unitIdx[d.UnitID]; dup {
			return events.Conflict("data.unit_id", "unit %s is already registered", d.UnitID)
		}
		return nil
	},
	unscored: "a unit is scored through its sections",
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("unit %s registered", x.s.units[x.f.Unit].ID)
	},
	// A unit's registration is not a fact about any one of its sections.
	names: func(*State, *Fact) []int32 { return nil },
	valid: func(s *State, f *Fact, pos int64) bool { return f.Unit >= 0 },
})

var _ = define(events.SectionRegistered, kindOf[*events.SectionRegisteredData]{
	component: "roster", clause: "R-ROSTER",
	fold: func(s *State, f *Fact, pos int64, d *events.SectionRegisteredData) *events.FieldError {
		u, err := s.unitOf("data.unit_id", d.UnitID)
		if err != nil {
			return err
		}
		if _, dup := s.secIdx[d.SectionID]; dup {
			return events.Conflict("data.section_id", "section %s is already registered", d.SectionID)
		}
		i := int32(len(s.sections))
		s.sections = append(s.sections, Section{ID: d.SectionID, Name: d.Name, Unit: u,
			Enforcement: d.Enforcement != nil && *d.Enforcement, LateReported: d.LateReported,
			Pos: pos, Occurred: f.Occurred})
		s.secIdx[d.SectionID] = i
		old := s.units[u].sections
		s.units[u].sections = append(old, i)
		s.undo(func() { delete(s.secIdx, d.SectionID); s.units[u].sections = old })
		f.Unit, f.Sec = u, i
		return nil
	},
	check: func(c *checker, d *events.SectionRegisteredData) *events.FieldError {
		if _, dup := c.s.secIdx[d.SectionID]; dup {
			return events.Conflict("data.section_id", "section %s is already registered", d.SectionID)
		}
		_, err := c.unit("data.unit_id", d.UnitID)
		return err
	},
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].visible = true },
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("section %s registered in unit %s", x.sec.ID, x.s.units[x.sec.Unit].ID)
		if x.sec.LateReported {
			e.Note += ", late reported (应报未报)"
		}
		if x.sec.Enforcement {
			e.Note += ", law enforcement (管理执法类)"
		}
	},
	valid: func(s *State, f *Fact, pos int64) bool { return f.Sec >= 0 && f.Unit >= 0 },
})

var _ = define(events.SectionExempted, kindOf[*events.SectionExemptedData]{
	component: "roster", clause: "R-EXEMPT",
	fold: func(s *State, f *Fact, pos int64, d *events.SectionExemptedData) *events.FieldError {
		i, err := s.sectionOf("data.section_id", d.SectionID)
		if err != nil {
			return err
		}
		f.Sec, f.Aux = i, s.text(d.Reason)
		if s.sections[i].ExemptPos == 0 {
			s.sections[i].ExemptPos = pos
			s.undo(func() { s.sections[i].ExemptPos = 0 })
		}
		return nil
	},
	check: func(c *checker, d *events.SectionExemptedData) *events.FieldError {
		i, err := c.section("data.section_id", d.SectionID, false)
		if err != nil {
			return err
		}
		if c.s.sections[i].ExemptPos != 0 {
			return events.Conflict("data.section_id", "section %s is already exempt", d.SectionID)
		}
		return nil
	},
	score:   func(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].exempt = true },
	explain: func(x *explainer, e *Entry) { e.Note = "exempt: " + x.s.textAt(x.f.Aux) },
	// R-EXEMPT: a status for the whole year, in every view that knows it,
	// whatever the view's as_of and the exemption's own date.
	actsFrom: allYear,
	valid:    sectionText,
})

var _ = define(events.PriorYearUnsatisfiedMarked, kindOf[*events.PriorYearUnsatisfiedMarkedData]{
	component: "online", clause: "R-ONL",
	fold: func(s *State, f *Fact, pos int64, d *events.PriorYearUnsatisfiedMarkedData) *events.FieldError {
		i, err := s.sectionOf("data.section_id", d.SectionID)
		if err != nil {
			return err
		}
		f.Sec = i
		if s.sections[i].PriorPos == 0 {
			s.sections[i].PriorPos = pos
			s.undo(func() { s.sections[i].PriorPos = 0 })
			s.priorN++
		}
		return nil
	},
	check: func(c *checker, d *events.PriorYearUnsatisfiedMarkedData) *events.FieldError {
		i, err := c.section("data.section_id", d.SectionID, false)
		if err != nil {
			return err
		}
		if c.s.sections[i].PriorPos != 0 {
			return events.Conflict("data.section_id", "section %s is already marked", d.SectionID)
		}
		if c.s.priorN >= events.PriorYearMax {
			return events.Invalid("data.section_id", "already %d prior-year unsatisfied sections, the most there are", events.PriorYearMax)
		}
		return nil
	},
	score:   func(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].prior = true },
	explain: func(x *explainer, e *Entry) { e.Note = "rated 不满意单位 in 2020: a candidate" },
	valid:   func(s *State, f *Fact, pos int64) bool { return f.Sec >= 0 },
})

// sectionText is the checkpoint check of a fact about a section with a
// text (a reason, a deed).
func sectionText(s *State, f *Fact, pos int64) bool {
	return f.Sec >= 0 && f.Aux >= 0 && int(f.Aux) < len(s.texts)
}
