package projections

import (
	"fmt"
	"strconv"

	"github.com/pingyang/ledger/events"
)

// Entry is one event in a section's explain trail.
type Entry struct {
	Position   int64   `json:"position"`
	EventID    string  `json:"event_id"`
	Type       string  `json:"type"`
	OccurredAt string  `json:"occurred_at"`
	RecordedAt string  `json:"recorded_at"`
	Component  string  `json:"component"`
	Points     float64 `json:"points"`
	Clause     string  `json:"clause"`
	Status     string  `json:"status"`
	Note       string  `json:"note"`
}

// Explanation is a section's row plus every event that touched it.
type Explanation struct {
	Row
	Entries []Entry `json:"entries"`
	// Work is the arithmetic of each component with this view's numbers,
	// for people (the table format); JSON readers have the entries.
	Work []string `json:"-"`
}

// Explain lists, oldest first, every event visible in the view that touched
// the section, with its signed points on the component's own scale, its
// clause and its status. It never shows a respondent.
func (s *State) Explain(sectionID string, v View) (*Explanation, error) {
	si, ok := s.secIdx[sectionID]
	if !ok {
		return nil, fmt.Errorf("section %s: %w", sectionID, events.ErrNotFound)
	}
	c := s.compute(v)
	if !c.secs[si].visible {
		return nil, fmt.Errorf("section %s is not registered as of %s: %w", sectionID, events.FormatCST(v.AsOf), events.ErrNotFound)
	}
	sec := &s.sections[si]
	out := &Explanation{Row: c.rows[si], Entries: []Entry{}, Work: s.work(c, si)}
	a := v.AsOf.UnixNano()
	// Bonus facts above the cap, in the order they count.
	bonusLeft := BonusCap
	for i := int64(0); i < c.n; i++ {
		f := &s.facts[i]
		visible := f.Occurred <= a
		if f.Type == cRetract || f.Type == cContest || f.Type == cResolve {
			// A correction acts (and is shown) wherever its target is
			// visible, whatever its own date.
			visible = f.Target > 0 && s.facts[f.Target-1].Occurred <= a
		}
		if !visible {
			continue
		}
		pos := i + 1
		touches := f.Sec == si || (f.Type == cUnitDed && f.Unit == sec.Unit) ||
			(f.Type == cSecReg && f.Sec == si)
		var mark int // ballots: 1 satisfied, 2 unsatisfied
		if f.Type == cBallot && f.Aux >= 0 {
			b := s.ballots[int(f.Aux)*2*events.BallotSize:][:2*events.BallotSize]
			for k, x := range b {
				if x == si {
					mark = 1 + k/events.BallotSize
				}
			}
			touches = mark > 0
		}
		if f.Type == cFrozen && pos == s.frozenPos {
			for _, x := range s.frozen {
				touches = touches || x == si
			}
		}
		if f.Type == cGrades && f.Aux >= 0 {
			touches = false
			for _, g := range s.grades[f.Aux] {
				touches = touches || g.Sec == si
			}
		}
		if (f.Type == cRetract || f.Type == cContest || f.Type == cResolve) && f.Target > 0 {
			t := &s.facts[f.Target-1]
			touches = t.Sec == si || (t.Type == cUnitDed && t.Unit == sec.Unit) ||
				(t.Type == cBallot && f.Sec == si)
			if t.Type == cBallot {
				touches = false
				tb := s.ballots[int(t.Aux)*2*events.BallotSize:][:2*events.BallotSize]
				for _, x := range tb {
					touches = touches || x == si
				}
			}
		}
		if !touches {
			continue
		}
		e := Entry{
			Position: pos, EventID: f.ID.String(), Type: string(events.Types[f.Type]),
			OccurredAt: events.FormatCST(unixTime(f.Occurred)), RecordedAt: events.FormatUTC(unixTime(f.Recorded)),
			Status: Counted.String(),
		}
		st, pts := s.effect(pos, c.n)
		setStatus := func(orig float64, sign float64) {
			e.Status = st.String()
			switch st {
			case Retracted, Overturned:
				e.Points = 0
				e.Note += fmt.Sprintf(" (%s: was %s)", st, num(sign*orig))
			case Reduced:
				e.Points = sign * pts
				e.Note += fmt.Sprintf(" (reduced from %s)", num(sign*orig))
			default:
				e.Points = sign * pts
			}
		}
		switch f.Type {
		case cUnitReg, cSecReg:
			e.Component, e.Clause = "roster", "R-ROSTER"
			e.Note = fmt.Sprintf("section %s registered in unit %s", sec.ID, s.units[sec.Unit].ID)
			if sec.LateReported {
				e.Note += ", late reported (应报未报)"
			}
			if sec.Enforcement {
				e.Note += ", law enforcement (管理执法类)"
			}
		case cExempt:
			e.Component, e.Clause = "roster", "R-EXEMPT"
			e.Note = "exempt: " + s.text1(f.Aux)
		case cPrior:
			e.Component, e.Clause = "online", "R-ONL"
			e.Note = "rated 不满意单位 in 2020: a candidate"
		case cVote:
			e.Component, e.Clause = "service", "R-SVC"
			if n := total3(c.secs[si].votes[f.A]); n > 0 && n < SmallSample {
				e.Clause = "R-SVC-SMALL"
			}
			e.Note = fmt.Sprintf("round %s, %s", rounds[f.A], ratings[f.B])
			e.Points = RatingValue[f.B]
			if st == Retracted {
				e.Status, e.Points = st.String(), 0
			}
		case cHotline:
			e.Component, e.Clause = "hotline", "R-HOT"
			role := "lead"
			half := 1.0
			if f.B == 1 {
				role, half = "assist", 0.5
			}
			pool := "handling"
			if f.A == 0 {
				pool = "conduct"
			}
			e.Note = fmt.Sprintf("role %s, item %s, %s pool", role, hotItems[f.A], pool)
			if half < 1 {
				e.Note += fmt.Sprintf(", half of %s", num(pts))
			}
			setStatus(f.Pts, -half)
		case cQR:
			e.Component, e.Clause = "qr", "R-QR"
			e.Note = "verified online complaint"
			setStatus(f.Pts, -1)
		case cFinding:
			e.Component, e.Clause = "inspection", "R-INS-FIND"
			e.Note = []string{"confirmed at county level", "confirmed at city level"}[f.A]
			if f.B == 1 {
				e.Note += ", serious: doubled"
			}
			setStatus(f.Pts, -1)
		case cComplaint:
			e.Component, e.Clause = "inspection", "R-INS-CPL"
			e.Note = "complaint substantiated"
			if f.B == 1 {
				e.Note += ", serious: doubled"
			}
			setStatus(f.Pts, -1)
		case cCase:
			e.Component, e.Clause = "inspection", "R-INS-CASE"
			e.Note = fmt.Sprintf("case filed: subject %s, violation %s", subjects[f.A], violations[f.B])
			setStatus(f.Pts, -1)
		case cDiscretion:
			e.Component, e.Clause = "inspection", "R-DISC"
			e.Note = s.text1(f.Aux)
			setStatus(f.Pts, -1)
		case cUnitDed:
			e.Component, e.Clause = "inspection", "R-UNREP"
			e.Note = fmt.Sprintf("unit %s: %s", s.units[sec.Unit].ID, s.text1(f.Aux))
			setStatus(f.Pts, -1)
		case cGrades:
			e.Component, e.Clause = "supervisor", "R-SUP"
			for _, g := range s.grades[f.Aux] {
				if g.Sec == si {
					e.Points = g.Score
				}
			}
			e.Note = fmt.Sprintf("grade %s (%s) from unit %s", num(e.Points), TierNames[Tier(e.Points)], s.units[sec.Unit].ID)
			if st == Retracted {
				e.Status, e.Points = st.String(), 0
			} else if c.gradeSet[sec.Unit] != pos {
				e.Status = NotCounted.String()
				e.Note += ": replaced by a later submission"
			}
		case cCommend, cMedia:
			e.Clause, e.Component = "R-BON-COM", "bonus"
			what := fmt.Sprintf("commendation, %s, deed %s", commends[f.A], s.text1(f.Aux))
			if f.Type == cMedia {
				e.Clause = "R-BON-MED"
				what = fmt.Sprintf("media report, %s, matter %s", medias[f.A], s.text1(f.Aux))
			}
			e.Note = what
			setStatus(f.Pts, 1)
			if st.live() {
				if c.bestBonus[bonusKey{f.Sec, f.Type, f.Aux}] != pos {
					e.Status = NotCounted.String()
					e.Note += ": duplicate " + map[bool]string{true: "deed", false: "matter"}[f.Type == cCommend] +
						", counted once at its highest level"
				} else if bonusLeft <= 0 {
					e.Status = NotCounted.String()
					e.Note += ": above the bonus cap of 5 (R-BON-CAP)"
				} else {
					if pts > bonusLeft {
						e.Note += fmt.Sprintf(": %s of it within the bonus cap (R-BON-CAP)", num(bonusLeft))
					}
					bonusLeft -= pts
				}
			}
		case cBallot:
			e.Component, e.Clause = "online", "R-ONL"
			if mark == 1 {
				e.Points, e.Note = 1, "marked satisfied"
			} else {
				e.Points, e.Note = 0, "marked unsatisfied"
			}
			if st == Retracted {
				e.Status, e.Points = st.String(), 0
			}
		case cFrozen:
			e.Component, e.Clause = "online", "R-ONL"
			e.Note = fmt.Sprintf("candidate list frozen with %d sections", len(s.frozen))
		case cRetract, cContest, cResolve:
			e.Clause = "R-FIX"
			t := &s.facts[f.Target-1]
			e.Component = componentOf(t.Type)
			tid := t.ID.String()
			switch f.Type {
			case cRetract:
				e.Note = fmt.Sprintf("retracts event %s: %s", tid, s.text1(f.Aux))
			case cContest:
				e.Note = fmt.Sprintf("contests event %s: %s", tid, s.text1(f.Aux))
			case cResolve:
				e.Note = fmt.Sprintf("resolves the contest of event %s: %s", tid, outcomes[f.A])
				if f.A == 2 {
					e.Note += " to " + num(f.Pts)
				}
			}
		}
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}

func (s *State) text1(i int32) string {
	if i < 0 || int(i) >= len(s.texts) {
		return ""
	}
	return s.texts[i]
}

func componentOf(t uint8) string {
	switch t {
	case cVote:
		return "service"
	case cHotline:
		return "hotline"
	case cQR:
		return "qr"
	case cGrades:
		return "supervisor"
	case cFinding, cComplaint, cCase, cDiscretion, cUnitDed:
		return "inspection"
	case cBallot, cFrozen, cPrior:
		return "online"
	case cCommend, cMedia:
		return "bonus"
	}
	return "roster"
}

// work spells out each component's arithmetic for a section (rules.md).
func (s *State) work(c *calc, si int32) []string {
	sc := &c.secs[si]
	if sc.exempt {
		return []string{"exempt (免评, R-EXEMPT): no score, no rank"}
	}
	f := num
	r2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	var out []string
	for r := 0; r < 2; r++ {
		v := sc.votes[r]
		n := total3(v)
		line := fmt.Sprintf("service %s: ", rounds[r])
		switch {
		case c.pending[r]:
			line += "pending (no section has a vote yet): null, counts 0"
		case n == 0:
			line += fmt.Sprintf("no vote: the average of the sections with votes, %s (R-SVC)", r2(c.avg[r]))
		default:
			raw := fmt.Sprintf("(%d + 0.6 x %d) / %d x 25 = %s", v[0], v[1], n, r2(sc.raw[r]))
			if n < SmallSample {
				line += fmt.Sprintf("%d votes < 30: avg %s x 0.7 + raw %s x 0.3 = %s, raw = %s (R-SVC-SMALL)",
					n, r2(c.avg[r]), r2(sc.raw[r]), r2(sc.part[r]), raw)
			} else {
				line += raw + " (R-SVC)"
			}
		}
		out = append(out, line)
	}
	if svc := c.rows[si].Service; svc != nil {
		out = append(out, fmt.Sprintf("service: H1 + H2 = %s (a pending round counts 0)", r2(*svc.Score)))
	}
	out = append(out,
		fmt.Sprintf("hotline: (max(0, 10 - %s) + max(0, 90 - %s)) / 100 x 5 = %s (R-HOT)", f(sc.conduct), f(sc.handling), r2(*c.rows[si].Hotline)),
		fmt.Sprintf("qr: max(0, 5 - %s) = %s (R-QR)", f(sc.qr), r2(*c.rows[si].QR)))
	if sc.graded {
		out = append(out, fmt.Sprintf("supervisor: %s, the grade of the unit's submission in force (R-SUP)", f(sc.grade)))
	} else {
		out = append(out, "supervisor: no submission yet: null, counts 0 (R-SUP)")
	}
	out = append(out, fmt.Sprintf("inspection: max(0, 20 - %s - unit %s) = %s (R-INS, R-DISC, R-UNREP)",
		f(sc.insp), f(c.unitDed[s.sections[si].Unit]), r2(*c.rows[si].Inspection)))
	row := &c.rows[si]
	if row.Online != nil {
		b := c.ballots - sc.sat - sc.unsat
		out = append(out, fmt.Sprintf("online: (%d + 0.6 x %d) / %d x 15 = %s (R-ONL)", sc.sat, b, c.ballots, r2(*row.Online)))
	}
	out = append(out, fmt.Sprintf("bonus: min(5, %s) = %s (R-BON)", f(sc.bonus), r2(*row.Bonus)),
		fmt.Sprintf("daily total %s, total %s", r2(*row.DailyTotal), r2(*row.Total)))
	return out
}
