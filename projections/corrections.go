package projections

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

// Corrections and disputes (R-FIX). A correction changes its target's
// effect from the target's own occurred_at on, in every view that knows
// the correction: effect() is the one place that reads them for scoring,
// disputed() for validation.

var _ = define(events.EventRetracted, kindOf[*events.EventRetractedData]{
	clause: "R-FIX",
	fold: func(s *State, f *Fact, pos int64, d *events.EventRetractedData) *events.FieldError {
		f.Aux = s.text(d.Reason)
		return s.correct(f, pos, d.TargetID)
	},
	check: func(c *checker, d *events.EventRetractedData) *events.FieldError {
		pos, tf, err := c.target(d.TargetID)
		if err != nil {
			return err
		}
		if k := kindAt(tf); !k.spec.Retractable {
			return events.Invalid("data.target_id", "a %s cannot be retracted", k.spec.Type)
		}
		if err := c.notBefore(tf, "its target occurred"); err != nil {
			return err
		}
		if retracted, _ := c.s.disputed(pos); retracted {
			return events.Conflict("data.target_id", "event %s is already retracted", d.TargetID)
		}
		return nil
	},
	unscored: "acts on its target (effect)",
	actsFrom: fromTarget,
	touches:  touchesTarget,
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("retracts event %s: %s", x.s.fact(x.f.Target).ID, x.s.textAt(x.f.Aux))
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return correctionValid(s, f, pos) && f.Aux >= 0 && int(f.Aux) < len(s.texts)
	},
	// A retracted vote no longer stands in the way of the respondent's
	// corrected vote.
	index: func(s *State, x *index, f *Fact, pos int64) {
		if tf := s.fact(f.Target); tf.Type == voteCode {
			k := voteOf(tf)
			if old := x.vote(k); old == f.Target {
				x.dropVote(k, old)
				s.undo(func() { x.setVote(k, old) })
			}
		}
	},
	relink: relinkCorrection,
})

var _ = define(events.DeductionContested, kindOf[*events.DeductionContestedData]{
	clause: "R-FIX",
	fold: func(s *State, f *Fact, pos int64, d *events.DeductionContestedData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		f.Aux = s.text(d.Grounds)
		return s.correct(f, pos, d.TargetID)
	},
	check: func(c *checker, d *events.DeductionContestedData) *events.FieldError {
		pos, tf, err := c.target(d.TargetID)
		if err != nil {
			return err
		}
		k := kindAt(tf)
		if !k.spec.Deduction {
			return events.Invalid("data.target_id", "a %s is not a deduction and cannot be contested", k.spec.Type)
		}
		if err := c.notBefore(tf, "its target occurred"); err != nil {
			return err
		}
		retracted, open := c.s.disputed(pos)
		if retracted {
			return events.Invalid("data.target_id", "event %s is retracted", d.TargetID)
		}
		if open {
			return events.Conflict("data.target_id", "event %s already has an open contest", d.TargetID)
		}
		i, err := c.section("data.section_id", d.SectionID, false)
		if err != nil {
			return err
		}
		if !k.touchesSection(c.s, tf, i) {
			return events.Invalid("data.section_id", "event %s does not affect section %s", d.TargetID, d.SectionID)
		}
		return nil
	},
	unscored: "acts on its target (effect)",
	actsFrom: fromTarget,
	touches:  touchesTarget,
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("contests event %s: %s", x.s.fact(x.f.Target).ID, x.s.textAt(x.f.Aux))
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return correctionValid(s, f, pos) && f.Sec >= 0 && f.Aux >= 0 && int(f.Aux) < len(s.texts)
	},
	relink: relinkCorrection,
})

var _ = define(events.ContestResolved, kindOf[*events.ContestResolvedData]{
	clause: "R-FIX",
	fold: func(s *State, f *Fact, pos int64, d *events.ContestResolvedData) *events.FieldError {
		var err *events.FieldError
		if f.A, err = enumCode("data.outcome", events.ContestOutcomes, d.Outcome); err != nil {
			return err
		}
		return s.correct(f, pos, d.TargetID)
	},
	points: func(d *events.ContestResolvedData) float64 {
		if d.Points == nil {
			return 0
		}
		return *d.Points
	},
	check: func(c *checker, d *events.ContestResolvedData) *events.FieldError {
		pos, tf, err := c.target(d.TargetID)
		if err != nil {
			return err
		}
		if _, open := c.s.disputed(pos); !open {
			return events.Invalid("data.target_id", "event %s has no open contest", d.TargetID)
		}
		if err := c.notBefore(tf, "its target occurred"); err != nil {
			return err
		}
		if d.Outcome != events.OutcomeReduced {
			return nil
		}
		// An appeal cannot make a deduction worse: a reduction is measured
		// against what counts now, not against the original points.
		pts, by := c.s.inForce(pos, c.s.Len())
		if *d.Points < pts {
			return nil
		}
		switch {
		case by == 0:
			return events.Invalid("data.points", "a reduction must be fewer than the %s points in force (the original)", num(pts))
		case events.ContestOutcomes[c.s.fact(by).A] == events.OutcomeOverturned:
			return events.Invalid("data.points", "the deduction was overturned (position %d): no points in force to reduce", by)
		}
		return events.Invalid("data.points", "a reduction must be fewer than the %s points in force (reduced at position %d)", num(pts), by)
	},
	unscored: "acts on its target (effect)",
	actsFrom: fromTarget,
	touches:  touchesTarget,
	explain: func(x *explainer, e *Entry) {
		f := x.f
		e.Note = fmt.Sprintf("resolves the contest of event %s: %s", x.s.fact(f.Target).ID, events.ContestOutcomes[f.A])
		if events.ContestOutcomes[f.A] == events.OutcomeReduced {
			e.Note += " to " + num(f.Pts)
		}
		// A re-contest is settled against what the last one left in force.
		if before, by := x.s.inForce(f.Target, x.pos-1); by != 0 {
			e.Note += fmt.Sprintf(" (%s in force before, from position %d)", num(before), by)
		}
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return correctionValid(s, f, pos) && has(events.ContestOutcomes, f.A)
	},
	relink: relinkCorrection,
})

var voteCode, _ = events.ServiceVoteRecorded.Code()

// correct links a correction to its target.
func (s *State) correct(f *Fact, pos int64, target string) *events.FieldError {
	id, err := uuid.Parse(target)
	if err != nil {
		return events.Invalid("data.target_id", "must be a UUID")
	}
	t := s.positionOf(id)
	if t <= 0 {
		return events.Invalid("data.target_id", "no stored event has id %s", target)
	}
	f.Target = t
	tf := s.fact(t)
	if f.Sec < 0 {
		f.Sec = tf.Sec
	}
	if tf.Type == unitDedCode {
		f.Unit = tf.Unit
	}
	was := s.corrected(t)
	s.setCorrected(t, true)
	corr := s.corrections()
	corr[t] = append(corr[t], pos)
	s.undo(func() {
		s.setCorrected(t, was)
		corr := s.corrections()
		if l := corr[t]; len(l) <= 1 {
			delete(corr, t)
		} else {
			corr[t] = l[:len(l)-1]
		}
	})
	return nil
}

var unitDedCode, _ = events.UnitDeduction.Code()

func relinkCorrection(s *State, f *Fact, pos int64) {
	corr := s.corrections()
	corr[f.Target] = append(corr[f.Target], pos)
}

// correctionValid: a restored correction targets an earlier fact that is
// not itself a correction.
func correctionValid(s *State, f *Fact, pos int64) bool {
	return f.Target >= 1 && f.Target < pos && kinds[s.fact(f.Target).Type].spec.Class != events.Correction
}

// Status of a fact in a view (explain's status).
type Status uint8

const (
	Counted Status = iota
	Contested
	Retracted
	Overturned
	Reduced
	NotCounted
)

var statusNames = [...]string{"counted", "contested", "retracted", "overturned", "reduced", "not_counted"}

func (s Status) String() string { return statusNames[s] }

// live reports whether a fact with this status still moves the score.
func (s Status) live() bool { return s == Counted || s == Contested || s == Reduced }

// effect resolves the corrections of the fact at position t known within
// the prefix of n records: its status and effective points. A correction
// acts from its target's occurred_at, so only its recording matters here.
func (s *State) effect(t int64, n int64) (Status, float64) {
	f := s.fact(t)
	if !s.corrected(t) {
		return Counted, f.Pts
	}
	base, pts, open := Counted, f.Pts, false
	for _, p := range s.corr[t] {
		if p > n {
			break
		}
		c := s.fact(p)
		switch kinds[c.Type].spec.Type {
		case events.EventRetracted:
			return Retracted, 0
		case events.DeductionContested:
			open = true
		case events.ContestResolved:
			open = false
			switch events.ContestOutcomes[c.A] {
			case events.OutcomeOverturned:
				base, pts = Overturned, 0
			case events.OutcomeReduced:
				base, pts = Reduced, c.Pts
			}
		}
	}
	if open {
		return Contested, pts
	}
	return base, pts
}

// inForce is what the deduction at position t counts for by its
// corrections within the first n records, retractions aside: its own
// points, or those of the last reduction, or 0 once overturned (R-FIX). by
// is the position of the resolution that set them, 0 for the original.
// upheld keeps what was in force.
func (s *State) inForce(t, n int64) (pts float64, by int64) {
	pts = s.fact(t).Pts
	for _, p := range s.corr[t] {
		if p > n {
			break
		}
		c := s.fact(p)
		if kinds[c.Type].spec.Type != events.ContestResolved {
			continue
		}
		switch events.ContestOutcomes[c.A] {
		case events.OutcomeOverturned:
			pts, by = 0, p
		case events.OutcomeReduced:
			pts, by = c.Pts, p
		}
	}
	return pts, by
}

// resolutions words, in order, how each contest of the fact at position t
// known within n records ended: "reduced to 3", "upheld", "open".
func (s *State) resolutions(t, n int64) []string {
	var out []string
	for _, p := range s.corr[t] {
		if p > n {
			break
		}
		c := s.fact(p)
		switch kinds[c.Type].spec.Type {
		case events.DeductionContested:
			out = append(out, "open")
		case events.ContestResolved:
			if len(out) == 0 {
				continue // a log the ledger did not write; effect() ignores it the same way
			}
			w := string(events.ContestOutcomes[c.A])
			if events.ContestOutcomes[c.A] == events.OutcomeReduced {
				w += " to " + num(c.Pts)
			}
			out[len(out)-1] = w
		}
	}
	return out
}

// disputed tells, from the corrections stored for the event at position t,
// whether it is retracted and whether a contest of it is open.
func (s *State) disputed(t int64) (retracted, open bool) {
	for _, p := range s.corr[t] {
		switch kinds[s.fact(p).Type].spec.Type {
		case events.EventRetracted:
			retracted = true
		case events.DeductionContested:
			open = true
		case events.ContestResolved:
			open = false
		}
	}
	return retracted, open
}

// fromTarget: a correction acts from when its target does, whatever its
// own date (R-FIX).
func fromTarget(s *State, f *Fact) int64 {
	t := s.fact(f.Target)
	return kindAt(t).from(s, t)
}

// touchesTarget: a correction concerns the sections its target concerns.
func touchesTarget(s *State, f *Fact, si int32) bool {
	t := s.fact(f.Target)
	return kindAt(t).touchesSection(s, t, si)
}
