package projections

import (
	"math"
	"sort"
	"sync"

	"github.com/pingyang/ledger/events"
)

// secCalc is one section's sums in a view.
type secCalc struct {
	visible, exempt, prior bool
	votes                  [2][3]int // by round and rating code
	conduct, handling      float64   // R-HOT pools' deductions
	qr, insp               float64
	disc                   [8]float64 // R-DISC deductions by component code
	bonus                  float64
	sat, unsat             int // ballot marks
	grade                  float64
	graded                 bool
	part                   [2]float64 // R-SVC parts, valid when the round is not pending
	raw                    [2]float64
}

// active reports whether a section is scored in the view.
func (sc *secCalc) active() bool { return sc.visible && !sc.exempt }

// calc is one view folded: the per-section sums every output is made of.
type calc struct {
	s          *State
	v          View
	n          int64 // records known
	events     int64 // records visible
	secs       []secCalc
	unitDed    []float64
	gradeSet   []int64 // per unit: position of the submission in force, 0 if none
	pending    [2]bool
	avg        [2]float64
	avgOf      [2]int // how many sections the average is over
	frozen     bool
	ballots    int
	voters     Voters
	bonusPts   map[bonusKey]float64
	bestBonus  map[bonusKey]int64 // the one fact that counts for a deed or matter
	candidates []int32
	rows       []Row  // indexed by section
	prop       *lists // R-OUT's proposal, nil without one
	confirmed  int64  // position of the committee's decision in force, 0 if none
}

// compute folds the view: one pass over the known prefix, each fact in
// effect by as_of (kind.actsFrom) handed to its kind's score hook with the
// points its corrections leave in force, then the rules that need every
// sum (averages, floors, candidates, ranks).
func (s *State) compute(v View) *calc {
	c := s.newCalc(v)
	a := events.Nanos(v.AsOf)
	// Votes are counted through their index (streams.go), then the ones a
	// correction withdrew in this view are taken out again.
	cnt := make([]int64, len(s.sections)*groupsPerSection)
	c.events += s.votes.count(&s.facts, cnt, a, c.n)
	for t := range s.corr {
		f := s.fact(t)
		if t > c.n || f.Type != voteCode || f.Occurred > a {
			continue
		}
		if st, _ := s.effect(t, c.n); !st.live() {
			cnt[voteGroup(f)]--
		}
	}
	for g, k := range cnt {
		if k != 0 {
			c.secs[g/groupsPerSection].votes[g%groupsPerSection/3][g%3] += int(k)
		}
	}
	for _, p := range upTo(s.others, c.n) {
		c.fold(int64(p), a)
	}
	c.finish()
	return c
}

// newCalc starts the sums of view v.
func (s *State) newCalc(v View) *calc {
	return &calc{
		s:         s,
		v:         v,
		n:         s.known(v),
		secs:      make([]secCalc, len(s.sections)),
		unitDed:   make([]float64, len(s.units)),
		gradeSet:  make([]int64, len(s.units)),
		bonusPts:  map[bonusKey]float64{},
		bestBonus: map[bonusKey]int64{},
	}
}

// known is how many records view v folds.
func (s *State) known(v View) int64 {
	n := s.Known(v.KnownAt)
	if v.upto > 0 {
		n = min(n, v.upto-1)
	}
	return n
}

// fold adds the fact at pos to the view's sums: counted among the view's
// events if it occurred by a or acts by a though dated later (a December
// correction of an earlier deduction, the committee's decision, an
// exemption), and handed to its kind's score hook if it acts by a, with
// the points its corrections leave in force.
func (c *calc) fold(pos, a int64) {
	s := c.s
	f := s.fact(pos)
	k := kinds[f.Type]
	if f.Occurred <= a || k.from(s, f) <= a {
		c.events++
	}
	if k.score == nil || k.from(s, f) > a {
		return
	}
	pts := f.Pts
	if s.corrected(pos) {
		var st Status
		if st, pts = s.effect(pos, c.n); !st.live() {
			return
		}
	}
	k.score(c, f, pos, pts)
}

// finish applies the rules that need every sum: the bonus and grade
// choices, the service averages, the floors, candidates and ranks.
func (c *calc) finish() {
	s := c.s
	for k, p := range c.bonusPts {
		c.secs[k.sec].bonus += p
	}
	for _, p := range c.gradeSet {
		if p == 0 {
			continue
		}
		for _, g := range s.grades[s.fact(p).Aux] {
			c.secs[g.sec].grade = g.score
			c.secs[g.sec].graded = true
		}
	}
	if !c.frozen {
		c.ballots = 0
		c.voters = Voters{}
	}
	c.serviceParts()
	c.fillRows()
	c.prop = c.propose()
}

// serviceParts computes R-SVC and R-SVC-SMALL: each round's raw score,
// the average of the sections with votes, and each section's part.
func (c *calc) serviceParts() {
	for r := 0; r < 2; r++ {
		sum, k := 0.0, 0
		for i := range c.secs {
			sc := &c.secs[i]
			if !sc.active() {
				continue
			}
			v := sc.votes[r]
			n := total(v)
			if n == 0 {
				continue
			}
			sc.raw[r] = rated(v) / float64(n) * events.ServiceRoundMax
			sum += sc.raw[r]
			k++
		}
		if k == 0 {
			c.pending[r] = true
			continue
		}
		c.avg[r], c.avgOf[r] = sum/float64(k), k
		for i := range c.secs {
			sc := &c.secs[i]
			if !sc.active() {
				continue
			}
			switch n := total(sc.votes[r]); {
			case n == 0:
				sc.part[r] = c.avg[r]
			case n < events.SmallSample:
				sc.part[r] = c.avg[r]*events.SmallAverageWeight + sc.raw[r]*events.SmallRawWeight
			default:
				sc.part[r] = sc.raw[r]
			}
		}
	}
}

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }

// higher orders by a number, higher first, within 1e-9 counting as a tie.
func higher(a, b float64) int {
	if math.Abs(a-b) < 1e-9 {
		return 0
	}
	if a > b {
		return -1
	}
	return 1
}

// fillRows turns the sums into each section's row (the component floors,
// daily total, online score, bonus cap and total), then picks and ranks
// the candidates.
func (c *calc) fillRows() {
	s := c.s
	c.rows = make([]Row, len(s.sections))
	for i := range s.sections {
		sec := &s.sections[i]
		sc := &c.secs[i]
		r := &c.rows[i]
		r.SectionID, r.UnitID, r.Name = sec.ID, s.units[sec.Unit].ID, sec.Name
		if sc.exempt {
			r.Exempt = true
			continue
		}
		// R-DISC: a discretionary deduction comes off its component after
		// the component's own computation, floored at 0 with it, where the
		// section has that score in the view (noScore).
		off := func(own float64, k uint8) float64 { return math.Max(0, own-sc.disc[k]) }
		svc := &Service{VotesH1: total(sc.votes[0]), VotesH2: total(sc.votes[1])}
		score := 0.0
		if !c.pending[0] {
			svc.H1 = fp(sc.part[0])
			score += sc.part[0]
		}
		if !c.pending[1] {
			svc.H2 = fp(sc.part[1])
			score += sc.part[1]
		}
		if !c.pending[0] || !c.pending[1] {
			score = off(score, discService)
		}
		// The score is a total: a pending round's null part counts 0 in it.
		svc.Score = fp(score)
		r.Service = svc
		hot := (math.Max(0, events.ConductPool-sc.conduct) + math.Max(0, events.HandlingPool-sc.handling)) /
			(events.ConductPool + events.HandlingPool) * events.HotlineMax
		hot = off(hot, discHotline)
		r.Hotline = fp(hot)
		r.QR = fp(off(math.Max(0, events.QRMax-sc.qr), discQR))
		daily := score + hot + *r.QR
		if sc.graded {
			g := off(sc.grade, discSupervisor)
			r.Supervisor = fp(g)
			daily += g
		}
		// Inspection is floored once, after all its deductions: the same as
		// taking the discretionary ones off after the others.
		insp := math.Max(0, events.InspectionMax-sc.insp-sc.disc[discInspection]-c.unitDed[sec.Unit])
		r.Inspection = fp(insp)
		daily += insp
		r.DailyTotal = fp(daily)
		r.Bonus = fp(math.Min(events.BonusCap, sc.bonus))
		r.Total = fp(daily + *r.Bonus)
	}
	c.pickCandidates()
	for _, i := range c.candidates {
		r := &c.rows[i]
		r.Candidate = true
		if c.frozen {
			r.OnlineBallots = ip(c.ballots)
			if c.ballots > 0 {
				sc := &c.secs[i]
				basic := c.ballots - sc.sat - sc.unsat
				on := rated([3]int{sc.sat, basic, sc.unsat}) / float64(c.ballots) * events.OnlineMax
				on = math.Max(0, on-sc.disc[discOnline])
				r.Online = fp(on)
				r.Total = fp(*r.DailyTotal + on + *r.Bonus)
			}
		}
	}
	// R-RANK: by total, then daily total, then section id.
	ranked := append([]int32(nil), c.candidates...)
	sort.SliceStable(ranked, func(x, y int) bool {
		a, b := &c.rows[ranked[x]], &c.rows[ranked[y]]
		if h := higher(*a.Total, *b.Total); h != 0 {
			return h < 0
		}
		if h := higher(*a.DailyTotal, *b.DailyTotal); h != 0 {
			return h < 0
		}
		return a.SectionID < b.SectionID
	})
	c.candidates = ranked
	for k, i := range ranked {
		c.rows[i].Rank = ip(k + 1)
	}
}

// pickCandidates fills c.candidates: the frozen list once frozen, else the
// preview of R-ONL.
func (c *calc) pickCandidates() {
	if c.frozen {
		for _, i := range c.s.frozen {
			if c.secs[i].active() {
				c.candidates = append(c.candidates, i)
			}
		}
		return
	}
	c.candidates = c.preview()
}

// preview selects R-ONL's candidates from the daily totals of the view:
// the prior year's unsatisfied first, then the top and the bottom of the
// others.
func (c *calc) preview() []int32 {
	var out, others []int32
	for i := range c.secs {
		sc := &c.secs[i]
		if !sc.active() {
			continue
		}
		if sc.prior {
			out = append(out, int32(i))
		} else {
			others = append(others, int32(i))
		}
	}
	if len(others) <= events.CandidatesTop+events.CandidatesBottom {
		return append(out, others...)
	}
	sort.SliceStable(others, func(x, y int) bool {
		a, b := &c.rows[others[x]], &c.rows[others[y]]
		if h := higher(*a.DailyTotal, *b.DailyTotal); h != 0 {
			return h < 0
		}
		return a.SectionID < b.SectionID
	})
	out = append(out, others[:events.CandidatesTop]...)
	return append(out, others[len(others)-events.CandidatesBottom:]...)
}

// Standings answers a view.
func (s *State) Standings(v View) *Standings {
	st := s.computeKept(v).standings()
	// A kept view may have been asked with another known_at that knew the
	// same records: the answer echoes this one.
	st.KnownAt = events.FormatUTC(v.KnownAt)
	return st
}

// computed keeps a snapshot's last few folded views. An inspector reads
// the standings of a view, then explains one section after another in it:
// each explain would fold the view again, a fifth of its time at scale 10.
// A calc is never changed once finished, so one serves every reader of its
// view; two views with the same as_of and the same known records fold
// alike (only the standings' known_at differs, which Standings sets).
type computed struct {
	mu   sync.Mutex
	last [4]*calc // the most recently used first
}

// computeKept is compute, answered from the snapshot's kept views when
// one has v's as_of and known records. The writer's state, which changes,
// keeps none.
func (s *State) computeKept(v View) *calc {
	k := s.computed
	if k == nil {
		return s.compute(v)
	}
	a, n := events.Nanos(v.AsOf), s.known(v)
	if c := k.find(a, n); c != nil {
		return c
	}
	c := s.compute(v)
	k.mu.Lock()
	defer k.mu.Unlock()
	// Another reader may have kept the same view meanwhile: keep one.
	if k.at(a, n) < 0 {
		copy(k.last[1:], k.last[:])
		k.last[0] = c
	}
	return c
}

// find returns the kept view of as_of a and n known records, and makes it
// the most recently used; nil if none is kept.
func (k *computed) find(a, n int64) *calc {
	k.mu.Lock()
	defer k.mu.Unlock()
	i := k.at(a, n)
	if i < 0 {
		return nil
	}
	c := k.last[i]
	copy(k.last[1:i+1], k.last[:i])
	k.last[0] = c
	return c
}

// at is the slot of the kept view of as_of a and n known records, or -1.
func (k *computed) at(a, n int64) int {
	for i, c := range k.last {
		if c != nil && events.Nanos(c.v.AsOf) == a && c.n == n {
			return i
		}
	}
	return -1
}

func (c *calc) standings() *Standings {
	s := c.s
	st := &Standings{
		Rulebook:         events.Rulebook,
		AsOf:             events.FormatCST(c.v.AsOf),
		KnownAt:          events.FormatUTC(c.v.KnownAt),
		Events:           c.events,
		Sections:         make([]Row, 0, len(c.rows)),
		CandidatesFrozen: c.frozen,
		OnlineVoters:     c.voters,
		Candidates:       []string{},
	}
	for i := range c.rows {
		if c.secs[i].visible {
			st.Sections = append(st.Sections, c.rows[i])
		}
	}
	sort.Slice(st.Sections, func(a, b int) bool { return st.Sections[a].SectionID < st.Sections[b].SectionID })
	for _, i := range c.candidates {
		st.Candidates = append(st.Candidates, s.sections[i].ID)
	}
	sort.Strings(st.Candidates)
	if c.prop != nil {
		st.Outcome = c.outcome()
	}
	if c.confirmed != 0 {
		st.Confirmed = c.confirmedOutcome()
	}
	return st
}

// outcome is R-OUT's proposal as standings report it.
func (c *calc) outcome() *Outcome {
	o := c.outcomeOf(c.prop)
	return &o
}

// outcomeOf is lists as standings report them: ids, the first three
// satisfied, and the units' adjustments by R-OUT's rule.
func (c *calc) outcomeOf(l *lists) Outcome {
	return Outcome{Satisfied: c.ids(l.sat), Unsatisfied: c.ids(l.unsat), MostUnsatisfied: c.ids(l.most),
		Top3: c.ids(l.sat[:min(events.Top3Size, len(l.sat))]), Units: c.units(l)}
}

// computeByScan is the full fold of a view: every fact of its prefix
// handed to its kind one by one, without the views' indexes, as the ledger
// computed a view before it filed votes in an index. Tests and the bench's
// correctness check (benchscan.go) hold the indexed views to it.
func (s *State) computeByScan(v View) *calc {
	c := s.newCalc(v)
	a := events.Nanos(v.AsOf)
	for pos := int64(1); pos <= c.n; pos++ {
		c.fold(pos, a)
	}
	c.finish()
	return c
}
