package projections

import (
	"fmt"
	"strconv"

	"github.com/pingyang/ledger/events"
)

// The supervising unit's grades (R-SUP): the submission in force for a
// unit is its latest by occurred_at, then by position.

var _ = define(events.SupervisorGradesSubmitted, kindOf[*events.SupervisorGradesSubmittedData]{
	component: "supervisor", clause: "R-SUP",
	fold: func(s *State, f *Fact, pos int64, d *events.SupervisorGradesSubmittedData) *events.FieldError {
		u, err := s.unitOf("data.unit_id", d.UnitID)
		if err != nil {
			return err
		}
		gs := make([]grade, 0, len(d.Grades))
		for k, g := range d.Grades {
			i, err := s.sectionOf("data.grades["+strconv.Itoa(k)+"].section_id", g.SectionID)
			if err != nil {
				return err
			}
			if g.Score == nil {
				return events.Invalid("data.grades["+strconv.Itoa(k)+"].score", "required")
			}
			gs = append(gs, grade{sec: i, score: *g.Score})
		}
		f.Unit, f.Aux = u, int32(len(s.grades))
		s.grades = append(s.grades, gs)
		return nil
	},
	check: checkGrades,
	score: func(c *calc, f *Fact, pos int64, pts float64) {
		if cur := c.gradeSet[f.Unit]; cur == 0 || replaces(c.s.fact(cur), f, cur, pos) {
			c.gradeSet[f.Unit] = pos
		}
	},
	explain: func(x *explainer, e *Entry) {
		for _, g := range x.s.grades[x.f.Aux] {
			if g.sec == x.si {
				e.Points = g.score
			}
		}
		e.Note = fmt.Sprintf("grade %s (%s) from unit %s", num(e.Points), events.TierOf(e.Points), x.s.units[x.sec.Unit].ID)
		if !x.retractedOnly(e) && x.c.gradeSet[x.sec.Unit] != x.pos {
			e.Status = NotCounted.String()
			e.Note += ": replaced by a later submission"
		}
	},
	touches: func(s *State, f *Fact, si int32) bool {
		for _, g := range s.grades[f.Aux] {
			if g.sec == si {
				return true
			}
		}
		return false
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Unit >= 0 && f.Aux >= 0 && int(f.Aux) < len(s.grades)
	},
})

// replaces reports whether submission g (at q) replaces submission f (at
// p): a later occurred_at, then a later position (R-SUP).
func replaces(f, g *Fact, p, q int64) bool {
	if f.Occurred != g.Occurred {
		return g.Occurred > f.Occurred
	}
	return q > p
}

// checkGrades: a submission grades every non-exempt section of its unit
// registered by then, each once, within the tier quota (R-SUP).
func checkGrades(c *checker, d *events.SupervisorGradesSubmittedData) *events.FieldError {
	u, err := c.unit("data.unit_id", d.UnitID)
	if err != nil {
		return err
	}
	graded := make(map[int32]bool, len(d.Grades))
	var tiers [events.GradeTiers]int
	for k, g := range d.Grades {
		f := "data.grades[" + strconv.Itoa(k) + "]"
		i, err := c.section(f+".section_id", g.SectionID, true)
		if err != nil {
			return err
		}
		if c.s.sections[i].Unit != u {
			return events.Invalid(f+".section_id", "section %s belongs to unit %s, not %s",
				g.SectionID, c.s.units[c.s.sections[i].Unit].ID, d.UnitID)
		}
		graded[i] = true
		tiers[events.TierOf(*g.Score)]++
	}
	for _, i := range c.s.units[u].sections {
		sec := &c.s.sections[i]
		if sec.ExemptPos == 0 && sec.Occurred <= c.at && !graded[i] {
			return events.Invalid("data.grades", "section %s of unit %s is not graded; a submission grades every non-exempt section", sec.ID, d.UnitID)
		}
	}
	n := len(d.Grades)
	lo, hi := events.TierQuota(n)
	for t, k := range tiers {
		if k < lo || k > hi {
			return events.Invalid("data.grades", "%d of %d sections in tier %s; each tier must hold %d to %d (R-SUP)",
				k, n, events.GradeTier(t), lo, hi)
		}
	}
	return nil
}
