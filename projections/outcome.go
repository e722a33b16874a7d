package projections

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/pingyang/ledger/events"
)

// The standing committee's decision (R-OUT-CONF). R-OUT's lists are a
// proposal; an OutcomeConfirmed records what the committee decided. It
// acts by knowledge: in force in every view that knows it (whatever the
// view's as_of, as the rule words it: "recorded by known_at, not
// retracted"), until it is retracted. At most one is in force at a time.

// decision is one OutcomeConfirmed: the committee's lists by section
// index, and its document number.
type decision struct {
	pos              int64
	doc              int32 // into texts
	sat, unsat, most []int32
}

var _ = define(events.OutcomeConfirmed, kindOf[*events.OutcomeConfirmedData]{
	component: "online", clause: "R-OUT-CONF",
	fold: func(s *State, f *Fact, pos int64, d *events.OutcomeConfirmedData) *events.FieldError {
		if s.frozenPos == 0 {
			return events.Invalid("type", "no candidate list is frozen yet")
		}
		dec := decision{pos: pos}
		for _, l := range []struct {
			f   string
			ids []string
			to  *[]int32
		}{{"data.satisfied", d.Satisfied, &dec.sat}, {"data.unsatisfied", d.Unsatisfied, &dec.unsat},
			{"data.most_unsatisfied", d.MostUnsatisfied, &dec.most}} {
			for k, id := range l.ids {
				i, err := s.sectionOf(l.f+"["+strconv.Itoa(k)+"]", id)
				if err != nil {
					return err
				}
				*l.to = append(*l.to, i)
			}
		}
		dec.doc = s.text(d.Document)
		f.Target, f.Aux = s.frozenPos, int32(len(s.decisions))
		s.decisions = append(s.decisions, dec)
		return nil
	},
	check: checkDecision,
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.confirmed = pos },
	// In force by knowledge alone, whatever the view's as_of or its own
	// (December) date: a view as of a day before the list was frozen has
	// no proposal, and shows the decision against none.
	actsFrom: allYear,
	touches: func(s *State, f *Fact, si int32) bool {
		d := &s.decisions[f.Aux]
		return slices.Contains(d.sat, si) || slices.Contains(d.unsat, si)
	},
	explain: func(x *explainer, e *Entry) {
		d := &x.s.decisions[x.f.Aux]
		confirmed := placeIn(d.sat, d.unsat, d.most, x.si)
		e.Note = fmt.Sprintf("confirmed %s by %s", placeName[confirmed], x.s.textAt(d.doc))
		switch p := x.c.prop; {
		case p == nil:
			e.Note += "; no proposal in this view"
		case placeIn(p.sat, p.unsat, p.most, x.si) == confirmed:
			e.Note += ", as proposed"
		default:
			e.Note += "; proposed: " + placeName[placeIn(p.sat, p.unsat, p.most, x.si)]
		}
		x.retractedOnly(e)
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Target >= 1 && f.Target < pos && s.fact(f.Target).Type == frozenCode &&
			f.Aux >= 0 && int(f.Aux) < len(s.decisions) && s.decisions[f.Aux].pos == pos
	},
})

var frozenCode, _ = events.OnlineCandidatesFrozen.Code()

// A section's place in a set of R-OUT lists.
type place uint8

const (
	noPlace place = iota
	satisfiedPlace
	unsatisfiedPlace
	mostPlace
)

var placeName = [...]string{"none", "satisfied (满意单位)", "unsatisfied (不满意单位)", "most unsatisfied (最不满意单位)"}

func placeIn(sat, unsat, most []int32, si int32) place {
	switch {
	case slices.Contains(sat, si):
		return satisfiedPlace
	case slices.Contains(most, si):
		return mostPlace
	case slices.Contains(unsat, si):
		return unsatisfiedPlace
	}
	return noPlace
}

// checkDecision: a decision needs a frozen list, comes no earlier than it,
// names only sections on it that are not exempt, and replaces no other in
// force (the one in force is retracted first, so that the log says why).
// What is wrong with the decision itself is said before that conflict.
func checkDecision(c *checker, d *events.OutcomeConfirmedData) *events.FieldError {
	s := c.s
	if s.frozenPos == 0 {
		return events.Invalid("type", "no candidate list is frozen yet")
	}
	if err := c.notBefore(s.fact(s.frozenPos), "the candidate list was frozen"); err != nil {
		return err
	}
	for _, l := range []struct {
		f   string
		ids []string
	}{{"data.satisfied", d.Satisfied}, {"data.unsatisfied", d.Unsatisfied}, {"data.most_unsatisfied", d.MostUnsatisfied}} {
		for k, id := range l.ids {
			f := l.f + "[" + strconv.Itoa(k) + "]"
			i, ok := s.secIdx[id]
			if !ok || !slices.Contains(s.frozen, i) {
				return events.Invalid(f, "section %s is not on the frozen candidate list", id)
			}
			if s.sections[i].ExemptPos != 0 {
				return events.Invalid(f, "section %s is exempt (R-EXEMPT)", id)
			}
		}
	}
	// Only the latest decision can be in force: each one after it had to
	// wait for its retraction.
	if n := len(s.decisions); n > 0 {
		if p := s.decisions[n-1].pos; !s.retracted(p) {
			return events.Conflict("type", "an outcome is already confirmed (position %d); retract it to record another", p)
		}
	}
	return nil
}

// retracted reports whether the event at position t is retracted by what
// is stored.
func (s *State) retracted(t int64) bool {
	r, _ := s.disputed(t)
	return r
}

// lists are R-OUT's lists by section index, in rank order: the proposal of
// a view, or a decision ordered by the view's ranking.
type lists struct {
	sat, unsat, most []int32
}

// propose is R-OUT: the top and bottom of the ranked candidates, once a
// list is frozen and there are enough of them; nil otherwise.
func (c *calc) propose() *lists {
	r := c.candidates // in rank order
	if !c.frozen || len(r) < 2*events.OutcomeSize {
		return nil
	}
	bottom := r[len(r)-events.OutcomeSize:]
	return &lists{sat: r[:events.OutcomeSize], unsat: bottom, most: bottom[events.OutcomeSize-events.MostUnsatisfiedSize:]}
}

// ids names the sections of a list.
func (c *calc) ids(l []int32) []string {
	out := make([]string, 0, len(l))
	for _, i := range l {
		out = append(out, c.s.sections[i].ID)
	}
	return out
}

// units is R-OUT's consequence for each unit with a section in the lists,
// by unit_id: +5 per satisfied, -5 per unsatisfied, -10 instead per most
// unsatisfied section.
func (c *calc) units(l *lists) []UnitAdjustment {
	adj := map[int32]int{}
	for _, i := range l.sat {
		adj[c.s.sections[i].Unit] += events.AdjustSatisfied
	}
	for _, i := range l.unsat {
		if slices.Contains(l.most, i) {
			adj[c.s.sections[i].Unit] += events.AdjustMostUnsatisfied
		} else {
			adj[c.s.sections[i].Unit] += events.AdjustUnsatisfied
		}
	}
	out := make([]UnitAdjustment, 0, len(adj))
	for u, a := range adj {
		out = append(out, UnitAdjustment{UnitID: c.s.units[u].ID, Adjustment: a})
	}
	slices.SortFunc(out, func(a, b UnitAdjustment) int { return cmp.Compare(a.UnitID, b.UnitID) })
	return out
}

// confirmedOutcome is the decision in force as standings report it: its
// lists in the view's rank order (sections the view does not rank, such as
// one exempted since, last by section_id), its top3, its units by R-OUT's
// rule, and how it departs from the view's proposal.
func (c *calc) confirmedOutcome() *Confirmed {
	d := &c.s.decisions[c.s.fact(c.confirmed).Aux]
	rank := make(map[int32]int, len(c.candidates))
	for k, i := range c.candidates {
		rank[i] = k
	}
	ordered := func(l []int32) []int32 {
		out := slices.Clone(l)
		slices.SortStableFunc(out, func(a, b int32) int {
			ra, oka := rank[a]
			rb, okb := rank[b]
			switch {
			case oka && okb:
				return ra - rb
			case oka != okb:
				if oka {
					return -1
				}
				return 1
			}
			return cmp.Compare(c.s.sections[a].ID, c.s.sections[b].ID)
		})
		return out
	}
	l := &lists{sat: ordered(d.sat), unsat: ordered(d.unsat), most: ordered(d.most)}
	p := c.prop
	if p == nil {
		p = &lists{}
	}
	return &Confirmed{
		Outcome:  c.outcomeOf(l),
		Document: c.s.textAt(d.doc),
		Deviations: Deviations{
			Satisfied:       c.deviation(p.sat, l.sat),
			Unsatisfied:     c.deviation(p.unsat, l.unsat),
			MostUnsatisfied: c.deviation(p.most, l.most),
		},
	}
}

// deviation is what a confirmed list does not share with the proposed one.
func (c *calc) deviation(proposed, confirmed []int32) Deviation {
	dv := Deviation{Dropped: []string{}, Added: []string{}}
	for _, i := range proposed {
		if !slices.Contains(confirmed, i) {
			dv.Dropped = append(dv.Dropped, c.s.sections[i].ID)
		}
	}
	for _, i := range confirmed {
		if !slices.Contains(proposed, i) {
			dv.Added = append(dv.Added, c.s.sections[i].ID)
		}
	}
	return dv
}
