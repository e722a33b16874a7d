package projections

import (
	"fmt"

	"github.com/pingyang/ledger/events"
)

// The bonus (R-BON-COM, R-BON-MED, R-BON-CAP): commendations sharing a
// deed, and media reports sharing a matter, count once at their highest
// level; the sum is capped.

var _ = define(events.CommendationAwarded, kindOf[*events.CommendationAwardedData]{
	component: "bonus", clause: "R-BON-COM",
	fold: func(s *State, f *Fact, pos int64, d *events.CommendationAwardedData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.level", events.CommendationLevels, d.Level); err != nil {
			return err
		}
		f.Aux = s.text(d.DeedID)
		return nil
	},
	points: func(d *events.CommendationAwardedData) float64 { return events.CommendationPoints[d.Level] },
	check: func(c *checker, d *events.CommendationAwardedData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: scoreBonus,
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("commendation, %s, deed %s", events.CommendationLevels[x.f.A], x.s.textAt(x.f.Aux))
		x.bonus(e, "deed")
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return sectionText(s, f, pos) && has(events.CommendationLevels, f.A)
	},
})

var _ = define(events.MediaCoverageRecorded, kindOf[*events.MediaCoverageRecordedData]{
	component: "bonus", clause: "R-BON-MED",
	fold: func(s *State, f *Fact, pos int64, d *events.MediaCoverageRecordedData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.level", events.MediaLevels, d.Level); err != nil {
			return err
		}
		f.Aux = s.text(d.MatterID)
		return nil
	},
	points: func(d *events.MediaCoverageRecordedData) float64 { return events.MediaPoints[d.Level] },
	check: func(c *checker, d *events.MediaCoverageRecordedData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: scoreBonus,
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("media report, %s, matter %s", events.MediaLevels[x.f.A], x.s.textAt(x.f.Aux))
		x.bonus(e, "matter")
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return sectionText(s, f, pos) && has(events.MediaLevels, f.A)
	},
})

// bonusKey is what makes two bonus facts of a section the same deed or
// matter.
type bonusKey struct {
	sec  int32
	kind uint8
	text int32
}

func bonusKeyOf(f *Fact) bonusKey { return bonusKey{f.Sec, f.Type, f.Aux} }

// scoreBonus keeps, for each deed or matter, the one fact that counts:
// the highest level, the first recorded among equals.
func scoreBonus(c *calc, f *Fact, pos int64, pts float64) {
	k := bonusKeyOf(f)
	if pts > c.bonusPts[k] {
		c.bonusPts[k] = pts
		c.bestBonus[k] = pos
	}
}

// bonus words a bonus entry's status: a duplicate of its deed or matter,
// above the cap, crossing it, or counted.
func (x *explainer) bonus(e *Entry, same string) {
	x.points(e, x.f.Pts, 1)
	if !x.st.live() {
		return
	}
	switch {
	case x.c.bestBonus[bonusKeyOf(x.f)] != x.pos:
		e.Status = NotCounted.String()
		e.Note += ": duplicate " + same + ", counted once at its highest level"
	case x.bonusLeft <= 0:
		e.Status = NotCounted.String()
		e.Note += fmt.Sprintf(": above the bonus cap of %s (R-BON-CAP)", num(events.BonusCap))
	default:
		if x.pts > x.bonusLeft {
			e.Note += fmt.Sprintf(": %s of it within the bonus cap (R-BON-CAP)", num(x.bonusLeft))
		}
		x.bonusLeft -= x.pts
	}
}
