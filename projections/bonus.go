package projections

import (
	"fmt"

	"github.com/pingyang/ledger/events"
)

// The bonus (R-BON-COM, R-BON-MED, R-BON-CAP): commendations sharing a
// deed, and media reports sharing a matter, count once at their highest
// level; the sum is capped.

var _ = define(events.CommendationAwarded, bonusKind("R-BON-COM", "commendation", "deed",
	events.CommendationLevels, events.CommendationPoints,
	func(d *events.CommendationAwardedData) (string, events.CommendationLevel, string) {
		return d.SectionID, d.Level, d.DeedID
	}))

var _ = define(events.MediaCoverageRecorded, bonusKind("R-BON-MED", "media report", "matter",
	events.MediaLevels, events.MediaPoints,
	func(d *events.MediaCoverageRecordedData) (string, events.MediaLevel, string) {
		return d.SectionID, d.Level, d.MatterID
	}))

// bonusKind is the kind of a bonus fact: a level worth points[level], for
// a deed or matter (same) that makes two facts of a section one.
func bonusKind[D events.Data, L ~string](clause, what, same string, levels events.Enum[L], points map[L]float64,
	parts func(D) (section string, level L, id string)) kindOf[D] {
	return kindOf[D]{
		component: "bonus", clause: clause,
		fold: func(s *State, f *Fact, pos int64, d D) *events.FieldError {
			section, level, id := parts(d)
			var err *events.FieldError
			if f.Sec, err = s.sectionOf("data.section_id", section); err != nil {
				return err
			}
			if f.A, err = enumCode("data.level", levels, level); err != nil {
				return err
			}
			f.Aux = s.text(id)
			return nil
		},
		points: func(d D) float64 { _, level, _ := parts(d); return points[level] },
		check: func(c *checker, d D) *events.FieldError {
			section, _, _ := parts(d)
			return c.active("data.section_id", section)
		},
		score: scoreBonus,
		explain: func(x *explainer, e *Entry) {
			e.Note = fmt.Sprintf("%s, %s, %s %s", what, levels[x.f.A], same, x.s.textAt(x.f.Aux))
			x.bonus(e, same)
		},
		valid: func(s *State, f *Fact, pos int64) bool { return sectionText(s, f, pos) && has(levels, f.A) },
	}
}

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
