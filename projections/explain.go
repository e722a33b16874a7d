package projections

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingyang/ledger/events"
)

// explainer carries what a kind's explain hook needs to word one entry:
// the view, the section, the fact and its effect in the view.
type explainer struct {
	s         *State
	c         *calc
	si        int32
	sec       *Section
	f         *Fact
	pos       int64
	st        Status  // the fact's status in the view
	pts       float64 // its points in force
	bonusLeft float64 // R-BON-CAP: what the bonus facts so far left of the cap
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
	out := &Explanation{Row: c.rows[si], Entries: []Entry{}, Work: c.work(si)}
	x := &explainer{s: s, c: c, si: si, sec: &s.sections[si], bonusLeft: events.BonusCap}
	a := v.AsOf.UnixNano()
	for i := int64(0); i < c.n; i++ {
		f := &s.facts[i]
		k := kinds[f.Type]
		// A fact is shown where it acts: a correction wherever its target
		// is, an exemption all year, whatever their own dates.
		if k.from(s, f) > a || !k.touchesSection(s, f, si) {
			continue
		}
		x.f, x.pos = f, i+1
		x.st, x.pts = s.effect(x.pos, c.n)
		e := Entry{
			Position: x.pos, EventID: f.ID.String(), Type: string(k.spec.Type),
			OccurredAt: events.FormatCST(unixTime(f.Occurred)), RecordedAt: events.FormatUTC(unixTime(f.Recorded)),
			Component: k.component, Clause: k.clause, Status: Counted.String(),
		}
		if k.spec.Class == events.Correction {
			e.Component = kindAt(&s.facts[f.Target-1]).component
		}
		k.explain(x, &e)
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}

// points sets an entry's signed points (sign times the points in force)
// and its status, saying in the note what a correction changed: orig is
// the fact's own points.
func (x *explainer) points(e *Entry, orig, sign float64) {
	e.Status = x.st.String()
	switch x.st {
	case Retracted, Overturned:
		e.Points = 0
		e.Note += fmt.Sprintf(" (%s: was %s)", x.st, num(sign*orig))
	case Reduced:
		e.Points = sign * x.pts
		e.Note += fmt.Sprintf(" (reduced from %s)", num(sign*orig))
	default:
		e.Points = sign * x.pts
	}
	// A deduction contested more than once: the chain of its contests, so
	// that the points in force can be followed back to the original.
	if ch := x.s.resolutions(x.pos, x.c.n); len(ch) > 1 {
		e.Note += " (contests: " + strings.Join(ch, ", ") + ")"
	}
}

// retractedOnly marks the entry of a fact that can be retracted but not
// contested (a vote, a ballot, a grade submission); it reports whether it
// was retracted.
func (x *explainer) retractedOnly(e *Entry) bool {
	if x.st != Retracted {
		return false
	}
	e.Status, e.Points = x.st.String(), 0
	return true
}

// num shows a number in its shortest form (4, 0.6, 2.25).
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// two shows a number with two decimals, as the arithmetic does.
func two(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// work spells out each component's arithmetic for a section with the
// rulebook's numbers and the view's sums.
func (c *calc) work(si int32) []string {
	sc := &c.secs[si]
	if sc.exempt {
		return []string{"exempt (免评, R-EXEMPT): no score, no rank"}
	}
	row := &c.rows[si]
	basic := num(events.RatingValues[events.RatingBasic])
	var out []string
	for r := 0; r < 2; r++ {
		v := sc.votes[r]
		n := total(v)
		line := fmt.Sprintf("service %s: ", events.Rounds[r])
		switch {
		case c.pending[r]:
			line += "pending (no section has a vote yet): null, counts 0"
		case n == 0:
			line += fmt.Sprintf("no vote: the average of the sections with votes, %s (R-SVC)", two(c.avg[r]))
		default:
			raw := fmt.Sprintf("(%d + %s x %d) / %d x %s = %s", v[0], basic, v[1], n, num(events.ServiceRoundMax), two(sc.raw[r]))
			if n < events.SmallSample {
				line += fmt.Sprintf("%d votes < %d: avg %s x %s + raw %s x %s = %s, raw = %s (R-SVC-SMALL)",
					n, events.SmallSample, two(c.avg[r]), num(events.SmallAverageWeight), two(sc.raw[r]),
					num(events.SmallRawWeight), two(sc.part[r]), raw)
			} else {
				line += raw + " (R-SVC)"
			}
		}
		out = append(out, line)
	}
	out = append(out, fmt.Sprintf("service: H1 + H2 = %s (a pending round counts 0)", two(*row.Service.Score)),
		fmt.Sprintf("hotline: (max(0, %s - %s) + max(0, %s - %s)) / %s x %s = %s (R-HOT)",
			num(events.ConductPool), num(sc.conduct), num(events.HandlingPool), num(sc.handling),
			num(events.ConductPool+events.HandlingPool), num(events.HotlineMax), two(*row.Hotline)),
		fmt.Sprintf("qr: max(0, %s - %s) = %s (R-QR)", num(events.QRMax), num(sc.qr), two(*row.QR)))
	if sc.graded {
		out = append(out, fmt.Sprintf("supervisor: %s, the grade of the unit's submission in force (R-SUP)", num(sc.grade)))
	} else {
		out = append(out, "supervisor: no submission yet: null, counts 0 (R-SUP)")
	}
	out = append(out, fmt.Sprintf("inspection: max(0, %s - %s - unit %s) = %s (R-INS, R-DISC, R-UNREP)",
		num(events.InspectionMax), num(sc.insp), num(c.unitDed[c.s.sections[si].Unit]), two(*row.Inspection)))
	if row.Online != nil {
		b := c.ballots - sc.sat - sc.unsat
		out = append(out, fmt.Sprintf("online: (%d + %s x %d) / %d x %s = %s (R-ONL)",
			sc.sat, basic, b, c.ballots, num(events.OnlineMax), two(*row.Online)))
	}
	out = append(out, fmt.Sprintf("bonus: min(%s, %s) = %s (R-BON)", num(events.BonusCap), num(sc.bonus), two(*row.Bonus)),
		fmt.Sprintf("daily total %s, total %s", two(*row.DailyTotal), two(*row.Total)))
	return out
}
