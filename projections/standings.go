package projections

import (
	"math"
	"sort"
	"time"

	"github.com/pingyang/ledger/events"
)

// Rulebook names the rules this package implements (../shared/spec/rules.md).
const Rulebook = "pingyang-2021"

// Component maxima and rule constants (rules.md).
const (
	RoundMax       = 25.0 // R-SVC, per round
	SmallSample    = 30   // R-SVC-SMALL
	HotlineMax     = 5.0  // R-HOT
	ConductBase    = 10.0
	HandlingBase   = 90.0
	QRMax          = 5.0  // R-QR
	InspectionMax  = 20.0 // R-INS
	OnlineMax      = 15.0 // R-ONL
	BonusCap       = 5.0  // R-BON-CAP
	BasicValue     = 0.6
	TopCandidates  = 50
	OutcomeSize    = 10
	MostUnsatisfed = 3
	Top3           = 3
)

// View is a replay point: the effective time as_of and the knowledge time
// known_at.
type View struct {
	AsOf    time.Time
	KnownAt time.Time
}

// Service is the R-SVC component of a row.
type Service struct {
	H1      *float64 `json:"h1"`
	H2      *float64 `json:"h2"`
	VotesH1 int      `json:"votes_h1"`
	VotesH2 int      `json:"votes_h2"`
	Score   *float64 `json:"score"` // never null for a scored section
}

// Row is one section's standing.
type Row struct {
	SectionID     string   `json:"section_id"`
	UnitID        string   `json:"unit_id"`
	Name          string   `json:"name"`
	Exempt        bool     `json:"exempt"`
	Service       *Service `json:"service"`
	Hotline       *float64 `json:"hotline"`
	QR            *float64 `json:"qr"`
	Supervisor    *float64 `json:"supervisor"`
	Inspection    *float64 `json:"inspection"`
	DailyTotal    *float64 `json:"daily_total"`
	Online        *float64 `json:"online"`
	OnlineBallots *int     `json:"online_ballots"`
	Bonus         *float64 `json:"bonus"`
	Total         *float64 `json:"total"`
	Candidate     bool     `json:"candidate"`
	Rank          *int     `json:"rank"`
}

// UnitAdjustment is a unit's consequence (R-OUT).
type UnitAdjustment struct {
	UnitID     string `json:"unit_id"`
	Adjustment int    `json:"adjustment"`
}

// Outcome is R-OUT for a frozen list.
type Outcome struct {
	Satisfied       []string         `json:"satisfied"`
	Unsatisfied     []string         `json:"unsatisfied"`
	MostUnsatisfied []string         `json:"most_unsatisfied"`
	Top3            []string         `json:"top3"`
	Units           []UnitAdjustment `json:"units"`
}

// Voters reports the online voters' mix (R-ONL: reported, not enforced).
type Voters struct {
	Recipient      int `json:"recipient"`
	Representative int `json:"representative"`
}

// Standings is the answer of `ledger standings` and GET /v1/standings.
type Standings struct {
	Rulebook         string   `json:"rulebook"`
	AsOf             string   `json:"as_of"`
	KnownAt          string   `json:"known_at"`
	Events           int64    `json:"events"`
	Sections         []Row    `json:"sections"`
	Candidates       []string `json:"candidates"`
	CandidatesFrozen bool     `json:"candidates_frozen"`
	Outcome          *Outcome `json:"outcome"`
	OnlineVoters     Voters   `json:"online_voters"`
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
	f := &s.facts[t-1]
	if !f.Corr {
		return Counted, f.Pts
	}
	base, pts, open := Counted, f.Pts, false
	for _, p := range s.corr[t] {
		if p > n {
			break
		}
		c := &s.facts[p-1]
		switch c.Type {
		case cRetract:
			return Retracted, 0
		case cContest:
			open = true
		case cResolve:
			open = false
			switch c.A {
			case 1:
				base, pts = Overturned, 0
			case 2:
				base, pts = Reduced, c.Pts
			}
		}
	}
	if open {
		return Contested, pts
	}
	return base, pts
}

// prefix is the number of records known at k: recorded_at never goes
// backwards along the log, so it is a binary search.
func (s *State) prefix(k time.Time) int64 {
	kn := k.UnixNano()
	return int64(sort.Search(len(s.facts), func(i int) bool { return s.facts[i].Recorded > kn }))
}

type bonusKey struct {
	sec  int32
	kind uint8
	text int32
}

type secCalc struct {
	visible, exempt, prior bool
	votes                  [2][3]int
	conduct, handling      float64
	qr, insp               float64
	bonus                  float64
	sat, unsat             int
	grade                  float64
	graded                 bool
	part                   [2]float64 // R-SVC parts, valid when the round is not pending
	raw                    [2]float64
}

// calc is one view folded: the per-section sums every output is made of.
type calc struct {
	v          View
	n          int64 // records known
	events     int64 // records visible
	secs       []secCalc
	unitDed    []float64
	gradeSet   []int64 // per unit: position of the submission in force, 0 if none
	pending    [2]bool
	avg        [2]float64
	frozen     bool
	ballots    int
	voters     Voters
	bestBonus  map[bonusKey]int64 // the one fact that counts for a deed or matter
	candidates []int32
	rows       []Row // indexed by section
}

func (s *State) compute(v View) *calc {
	c := &calc{
		v:         v,
		n:         s.prefix(v.KnownAt),
		secs:      make([]secCalc, len(s.sections)),
		unitDed:   make([]float64, len(s.units)),
		gradeSet:  make([]int64, len(s.units)),
		bestBonus: map[bonusKey]int64{},
	}
	a := v.AsOf.UnixNano()
	bonusPts := map[bonusKey]float64{}
	for i := int64(0); i < c.n; i++ {
		f := &s.facts[i]
		if f.Occurred > a {
			continue
		}
		c.events++
		pos := i + 1
		switch f.Type {
		case cSecReg:
			if f.Sec >= 0 && s.sections[f.Sec].Pos == pos {
				c.secs[f.Sec].visible = true
			}
		case cExempt:
			if f.Sec >= 0 {
				c.secs[f.Sec].exempt = true
			}
		case cPrior:
			if f.Sec >= 0 {
				c.secs[f.Sec].prior = true
			}
		case cFrozen:
			if pos == s.frozenPos {
				c.frozen = true
			}
		}
		if f.Sec < 0 && f.Unit < 0 && f.Type != cBallot {
			continue
		}
		var st Status
		var pts float64
		switch f.Type {
		case cVote, cHotline, cQR, cGrades, cFinding, cComplaint, cCase, cDiscretion, cUnitDed, cBallot, cCommend, cMedia:
			if st, pts = s.effect(pos, c.n); !st.live() {
				continue
			}
		default:
			continue
		}
		switch f.Type {
		case cVote:
			c.secs[f.Sec].votes[f.A][f.B]++
		case cHotline:
			if f.B == 1 {
				pts /= 2
			}
			if f.A == 0 {
				c.secs[f.Sec].conduct += pts
			} else {
				c.secs[f.Sec].handling += pts
			}
		case cQR:
			c.secs[f.Sec].qr += pts
		case cFinding, cComplaint, cCase, cDiscretion:
			c.secs[f.Sec].insp += pts
		case cUnitDed:
			if f.Unit >= 0 {
				c.unitDed[f.Unit] += pts
			}
		case cGrades:
			if f.Unit >= 0 {
				if cur := c.gradeSet[f.Unit]; cur == 0 || replaces(&s.facts[cur-1], f, cur, pos) {
					c.gradeSet[f.Unit] = pos
				}
			}
		case cCommend, cMedia:
			k := bonusKey{f.Sec, f.Type, f.Aux}
			if pts > bonusPts[k] {
				bonusPts[k] = pts
				c.bestBonus[k] = pos
			}
		case cBallot:
			if f.Aux < 0 {
				continue
			}
			c.ballots++
			if f.B == 1 {
				c.voters.Representative++
			} else {
				c.voters.Recipient++
			}
			b := s.ballots[int(f.Aux)*2*events.BallotSize:][:2*events.BallotSize]
			for k, sec := range b {
				if sec < 0 {
					continue
				}
				if k < events.BallotSize {
					c.secs[sec].sat++
				} else {
					c.secs[sec].unsat++
				}
			}
		}
	}
	for k, p := range bonusPts {
		c.secs[k.sec].bonus += p
	}
	for _, p := range c.gradeSet {
		if p == 0 {
			continue
		}
		for _, gr := range s.grades[s.facts[p-1].Aux] {
			c.secs[gr.Sec].grade = gr.Score
			c.secs[gr.Sec].graded = true
		}
	}
	if !c.frozen {
		c.ballots = 0
		c.voters = Voters{}
	}
	s.serviceParts(c)
	s.rows(c)
	return c
}

// replaces reports whether submission g (at q) replaces submission f (at
// p): a later occurred_at, then a later position (R-SUP).
func replaces(f, g *Fact, p, q int64) bool {
	if f.Occurred != g.Occurred {
		return g.Occurred > f.Occurred
	}
	return q > p
}

// active reports whether a section is scored in the view.
func (sc *secCalc) active() bool { return sc.visible && !sc.exempt }

func (s *State) serviceParts(c *calc) {
	for r := 0; r < 2; r++ {
		sum, k := 0.0, 0
		for i := range c.secs {
			sc := &c.secs[i]
			if !sc.active() {
				continue
			}
			v := sc.votes[r]
			n := v[0] + v[1] + v[2]
			if n == 0 {
				continue
			}
			sc.raw[r] = (float64(v[0]) + BasicValue*float64(v[1])) / float64(n) * RoundMax
			sum += sc.raw[r]
			k++
		}
		if k == 0 {
			c.pending[r] = true
			continue
		}
		c.avg[r] = sum / float64(k)
		for i := range c.secs {
			sc := &c.secs[i]
			if !sc.active() {
				continue
			}
			v := sc.votes[r]
			switch n := v[0] + v[1] + v[2]; {
			case n == 0:
				sc.part[r] = c.avg[r]
			case n < SmallSample:
				sc.part[r] = c.avg[r]*0.7 + sc.raw[r]*0.3
			default:
				sc.part[r] = sc.raw[r]
			}
		}
	}
}

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }

// less orders by a number, higher first, within 1e-9 counting as a tie.
func higher(a, b float64) int {
	if math.Abs(a-b) < 1e-9 {
		return 0
	}
	if a > b {
		return -1
	}
	return 1
}

func (s *State) rows(c *calc) {
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
		svc := &Service{VotesH1: total3(sc.votes[0]), VotesH2: total3(sc.votes[1])}
		score := 0.0
		if !c.pending[0] {
			svc.H1 = fp(sc.part[0])
			score += sc.part[0]
		}
		if !c.pending[1] {
			svc.H2 = fp(sc.part[1])
			score += sc.part[1]
		}
		// The score is a total: a pending round's null part counts 0 in it.
		svc.Score = fp(score)
		r.Service = svc
		hot := (math.Max(0, ConductBase-sc.conduct) + math.Max(0, HandlingBase-sc.handling)) / 100 * HotlineMax
		r.Hotline = fp(hot)
		r.QR = fp(math.Max(0, QRMax-sc.qr))
		daily := score + hot + *r.QR
		if sc.graded {
			r.Supervisor = fp(sc.grade)
			daily += sc.grade
		}
		insp := math.Max(0, InspectionMax-sc.insp-c.unitDed[sec.Unit])
		r.Inspection = fp(insp)
		daily += insp
		r.DailyTotal = fp(daily)
		r.Bonus = fp(math.Min(BonusCap, sc.bonus))
		r.Total = fp(daily + *r.Bonus)
	}
	s.candidates(c)
	for _, i := range c.candidates {
		r := &c.rows[i]
		r.Candidate = true
		if c.frozen {
			r.OnlineBallots = ip(c.ballots)
			if c.ballots > 0 {
				sc := &c.secs[i]
				basic := c.ballots - sc.sat - sc.unsat
				on := (float64(sc.sat) + BasicValue*float64(basic)) / float64(c.ballots) * OnlineMax
				r.Online = fp(on)
				r.Total = fp(*r.DailyTotal + on + *r.Bonus)
			}
		}
	}
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

func total3(v [3]int) int { return v[0] + v[1] + v[2] }

// candidates fills c.candidates: the frozen list once frozen, else the
// preview of R-ONL.
func (s *State) candidates(c *calc) {
	if c.frozen {
		for _, i := range s.frozen {
			if c.secs[i].active() {
				c.candidates = append(c.candidates, i)
			}
		}
		return
	}
	c.candidates = s.preview(c)
}

// preview selects R-ONL's candidates from the daily totals of the view.
func (s *State) preview(c *calc) []int32 {
	var out, others []int32
	for i := range s.sections {
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
	if len(others) <= 2*TopCandidates {
		return append(out, others...)
	}
	sort.SliceStable(others, func(x, y int) bool {
		a, b := &c.rows[others[x]], &c.rows[others[y]]
		if h := higher(*a.DailyTotal, *b.DailyTotal); h != 0 {
			return h < 0
		}
		return a.SectionID < b.SectionID
	})
	out = append(out, others[:TopCandidates]...)
	return append(out, others[len(others)-TopCandidates:]...)
}

// Standings answers a view.
func (s *State) Standings(v View) *Standings {
	return s.compute(v).standings(s)
}

func (c *calc) standings(s *State) *Standings {
	st := &Standings{
		Rulebook:         Rulebook,
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
	if c.frozen && len(c.candidates) >= 2*OutcomeSize {
		st.Outcome = c.outcome(s)
	}
	return st
}

func (c *calc) outcome(s *State) *Outcome {
	r := c.candidates // in rank order
	o := &Outcome{}
	adj := map[int32]int{}
	for _, i := range r[:OutcomeSize] {
		o.Satisfied = append(o.Satisfied, s.sections[i].ID)
		adj[s.sections[i].Unit] += 5
	}
	for k, i := range r[len(r)-OutcomeSize:] {
		o.Unsatisfied = append(o.Unsatisfied, s.sections[i].ID)
		if k >= OutcomeSize-MostUnsatisfed {
			o.MostUnsatisfied = append(o.MostUnsatisfied, s.sections[i].ID)
			adj[s.sections[i].Unit] -= 10
		} else {
			adj[s.sections[i].Unit] -= 5
		}
	}
	for _, i := range r[:Top3] {
		o.Top3 = append(o.Top3, s.sections[i].ID)
	}
	for u, a := range adj {
		o.Units = append(o.Units, UnitAdjustment{UnitID: s.units[u].ID, Adjustment: a})
	}
	sort.Slice(o.Units, func(a, b int) bool { return o.Units[a].UnitID < o.Units[b].UnitID })
	return o
}

// Known is the number of records known at k: a view's knowledge prefix.
func (s *State) Known(k time.Time) int64 { return s.prefix(k) }
