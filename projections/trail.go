package projections

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pingyang/ledger/events"
)

// The trail by component: what an inspector reads first. Explain's entries
// stay the complete list, oldest first (the contract); a Group points into
// them and carries every number its component's figure is made of, so that
// a reader can re-derive the figure without the rulebook's code.

// Components are the explain components in the order the grouped trail
// shows them: the ones scored by deductions first, then the bonus, the
// grade, the votes, the ballots and the roster.
var Components = []string{"hotline", "qr", "inspection", "bonus", "supervisor", "service", "online", "roster"}

// Group is one component of a section's trail.
type Group struct {
	Component string `json:"component"`
	// Score is the component's figure in the row (null: pending, not
	// scored, or the roster).
	Score *float64 `json:"score"`
	// Arithmetic is this component's lines of the explanation's arithmetic.
	Arithmetic []string `json:"arithmetic"`
	// Positions are the group's entries in reading order: deductions,
	// bonuses and corrections (each right after its target) first, then the
	// others (grades, votes, ballots, registrations) oldest first.
	Positions []int64 `json:"positions"`
	// Hotline (R-HOT): the deductions in force on the 100-point scale, by
	// pool, before each pool's floor.
	Conduct  *float64 `json:"conduct_deducted,omitempty"`
	Handling *float64 `json:"handling_deducted,omitempty"`
	// QR and inspection: the deductions in force before the floor;
	// inspection also the unit's (R-UNREP).
	Deducted     *float64 `json:"deducted,omitempty"`
	UnitDeducted *float64 `json:"unit_deducted,omitempty"`
	// Bonus: the sum before the cap (R-BON-CAP).
	BeforeCap *float64 `json:"before_cap,omitempty"`
	// Service (R-SVC, R-SVC-SMALL): each round's count and part.
	Rounds []Round `json:"rounds,omitempty"`
	// Online (R-ONL): the ballots' marks for the section.
	Ballots *BallotCount `json:"ballots,omitempty"`
}

// Round is a section's votes in one round and the part they give it.
type Round struct {
	Round       string `json:"round"`
	Satisfied   int    `json:"satisfied"`
	Basic       int    `json:"basic"`
	Unsatisfied int    `json:"unsatisfied"`
	Votes       int    `json:"votes"`
	Retracted   int    `json:"retracted"` // retracted votes, not counted
	// Rule is how the part is found: "raw" (30 votes or more), "small"
	// (1 to 29: R-SVC-SMALL), "no_vote" (the average stands for the
	// section) or "pending" (no section has a vote in the round yet).
	Rule   string `json:"rule"`
	Clause string `json:"clause"`
	// Raw is (S + 0.6 B) / n x 25; null without a vote.
	Raw *float64 `json:"raw"`
	// Average is the small-sample average of the round: the mean raw score
	// of the AverageOf scored sections with at least one vote. Null while
	// the round is pending.
	Average   *float64 `json:"average"`
	AverageOf int      `json:"average_of"`
	// Part is the section's part for the round: null while pending.
	Part *float64 `json:"part"`
}

// BallotCount is how the counted ballots marked a candidate.
type BallotCount struct {
	Ballots     int      `json:"ballots"` // counted ballots (every one rates every candidate)
	Satisfied   int      `json:"satisfied"`
	Basic       int      `json:"basic"` // neither list: counts as 基本满意
	Unsatisfied int      `json:"unsatisfied"`
	Retracted   int      `json:"retracted"` // retracted ballots naming the section, not counted
	Score       *float64 `json:"score"`
}

// groups builds the trail by component of section si from its entries.
func (c *calc) groups(si int32, entries []Entry) []Group {
	sc, row := &c.secs[si], &c.rows[si]
	lines := c.work(si)
	var out []Group
	for _, comp := range Components {
		g := Group{Component: comp, Arithmetic: []string{}}
		for _, l := range lines {
			if lineComponent(l) == comp {
				g.Arithmetic = append(g.Arithmetic, l)
			}
		}
		if !sc.exempt {
			switch comp {
			case "hotline":
				g.Score, g.Conduct, g.Handling = row.Hotline, fp(sc.conduct), fp(sc.handling)
			case "qr":
				g.Score, g.Deducted = row.QR, fp(sc.qr)
			case "inspection":
				g.Score, g.Deducted, g.UnitDeducted = row.Inspection, fp(sc.insp), fp(c.unitDed[c.s.sections[si].Unit])
			case "bonus":
				g.Score, g.BeforeCap = row.Bonus, fp(sc.bonus)
			case "supervisor":
				g.Score = row.Supervisor
			case "service":
				g.Score = row.Service.Score
				g.Rounds = c.rounds(si)
			case "online":
				g.Score = row.Online
				if row.OnlineBallots != nil {
					basic := c.ballots - sc.sat - sc.unsat
					g.Ballots = &BallotCount{Ballots: c.ballots, Satisfied: sc.sat, Basic: basic, Unsatisfied: sc.unsat, Score: row.Online}
				}
			}
		}
		out = append(out, g)
	}
	byComp := make(map[string]int, len(out))
	for i := range out {
		byComp[out[i].Component] = i
	}
	// Reading order: the facts an inspector looks for first, each
	// correction right after what it corrects, then the others oldest
	// first. The entries are in position order, so only the first kind
	// (deductions, bonuses, corrections: a few) is sorted; the others
	// (a busy section's thousands of votes) are placed as they come. All
	// groups' positions share one slice.
	type keyed struct {
		group           int
		key, order, pos int64
	}
	var firsts []keyed
	gs := make([]int8, len(entries)) // each entry's group, -1 for none
	count := make([]int, len(out))
	// The last entry's component and group ("" is none's): a trail comes
	// in runs of one component.
	comp, gi := "", -1
	for i := range entries {
		e := &entries[i]
		if e.Component != comp {
			comp = e.Component
			var ok bool
			if gi, ok = byComp[comp]; !ok {
				gi = -1
			}
		}
		gs[i] = int8(gi)
		if gi < 0 {
			continue
		}
		count[gi]++
		if first(e) {
			k := keyed{group: gi, key: e.Position, pos: e.Position}
			if e.target != 0 {
				k.key, k.order = e.target, e.Position
			}
			firsts = append(firsts, k)
		}
		if e.Status == Retracted.String() && e.summed {
			g := &out[gi]
			f := c.s.fact(e.Position)
			switch {
			case f.Type == voteCode && g.Rounds != nil:
				g.Rounds[f.A].Retracted++
			case f.Type == ballotCode && g.Ballots != nil:
				g.Ballots.Retracted++
			}
		}
	}
	slices.SortFunc(firsts, func(a, b keyed) int {
		if a.group != b.group {
			return cmp.Compare(a.group, b.group)
		}
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return cmp.Compare(a.order, b.order)
	})
	ps := make([]int64, len(entries))
	next := make([]int, len(out)) // where each group's next position goes
	at := 0
	for i := range out {
		next[i] = at
		at += count[i]
		out[i].Positions = ps[next[i]:at:at]
	}
	ps = ps[:at]
	for _, k := range firsts {
		ps[next[k.group]] = k.pos
		next[k.group]++
	}
	for i := range entries {
		if gi := gs[i]; gi >= 0 && !first(&entries[i]) {
			ps[next[gi]] = entries[i].Position
			next[gi]++
		}
	}
	return out
}

// first reports whether an entry is read before the others of its group:
// a deduction, a bonus or a correction.
func first(e *Entry) bool { return e.deduction || e.bonus || e.target != 0 }

// lineComponent is the component an arithmetic line of work() is about.
func lineComponent(l string) string {
	w, _, _ := strings.Cut(l, ":")
	w, _, _ = strings.Cut(w, " ")
	switch w {
	case "hotline", "qr", "inspection", "bonus", "supervisor", "service", "online":
		return w
	}
	return "" // the totals, and an exempt section's line
}

// rounds is R-SVC for section si: each round's counts, raw score, the
// small-sample average of the round and the part.
func (c *calc) rounds(si int32) []Round {
	sc := &c.secs[si]
	out := make([]Round, 2)
	for r := range out {
		v := sc.votes[r]
		n := total(v)
		rd := Round{Round: string(events.Rounds[r]), Satisfied: v[0], Basic: v[1], Unsatisfied: v[2], Votes: n, Clause: "R-SVC"}
		switch {
		case c.pending[r]:
			rd.Rule = "pending"
		case n == 0:
			rd.Rule = "no_vote"
		case n < events.SmallSample:
			rd.Rule, rd.Clause = "small", "R-SVC-SMALL"
		default:
			rd.Rule = "raw"
		}
		if !c.pending[r] {
			rd.Average, rd.AverageOf, rd.Part = fp(c.avg[r]), c.avgOf[r], fp(sc.part[r])
			if n > 0 {
				rd.Raw = fp(sc.raw[r])
			}
		}
		out[r] = rd
	}
	return out
}

// ExplainFilter narrows an explanation for reading: one component, or the
// deductions and what corrects them. Votes and ballots are never hidden
// by it: the options that summarise them belong to the reader.
type ExplainFilter struct {
	Component  string // "" or one of Components
	Deductions bool   // only contestable deductions and their corrections
}

// Check names the field and the reason when the filter is not one.
func (f ExplainFilter) Check() *events.FieldError {
	if f.Component != "" && !slices.Contains(Components, f.Component) {
		return events.Invalid("component", "must be one of %s", strings.Join(Components, ", "))
	}
	return nil
}

// Filtered is the explanation with the entries (and the groups'
// positions) that f selects. The row, the arithmetic and the groups'
// numbers stay whole: they are the section's, not the selection's. It
// returns a copy and leaves e alone: identical explanations asked at once
// share one answer (replay's gate), which another reader may be reading
// unfiltered.
func (e *Explanation) Filtered(f ExplainFilter) *Explanation {
	if f.Component == "" && !f.Deductions {
		return e
	}
	c := *e
	e = &c
	deduction := map[int64]bool{}
	for _, x := range e.Entries {
		if x.deduction {
			deduction[x.Position] = true
		}
	}
	keep := map[int64]bool{}
	var kept []Entry
	for _, x := range e.Entries {
		if f.Component != "" && x.Component != f.Component {
			continue
		}
		if f.Deductions && !x.deduction && !deduction[x.target] {
			continue
		}
		keep[x.Position] = true
		kept = append(kept, x)
	}
	e.Entries = append([]Entry{}, kept...)
	var groups []Group
	for _, g := range e.Groups {
		if f.Component != "" && g.Component != f.Component {
			continue
		}
		g.Positions = slices.DeleteFunc(slices.Clone(g.Positions), func(p int64) bool { return !keep[p] })
		groups = append(groups, g)
	}
	e.Groups = groups
	return e
}

// Summarised reports whether an entry is a vote or a ballot, which a
// reader sees counted per round (Group.Rounds, Group.Ballots) unless it
// asks for every one.
func (e Entry) Summarised() bool { return e.summed }

// Target is a correction's target position (0 for another event).
func (e Entry) Target() int64 { return e.target }

// IsDeduction reports whether the entry is a contestable deduction.
func (e Entry) IsDeduction() bool { return e.deduction }

// String is the entry on one line, for messages and tests.
func (e Entry) String() string {
	return fmt.Sprintf("%d %s %s %s %s", e.Position, e.Type, num(e.Points), e.Status, e.Note)
}
