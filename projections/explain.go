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
	brief     bool    // votes and ballots unworded (ExplainCounted)
	warm      uint8   // what State.warm read: kept, so that its reads are too
	// The text the entries' ids and times are worded into, when explain
	// words a whole trail: one allocation, not one an entry. fill says in
	// span where the last entry's words are in it, or leaves it zero.
	words *strings.Builder
	span  wordSpan
	times events.TimeWriter
	asOf  int64 // the view's as_of, in Unix nanoseconds
}

// wordSpan is where an entry's id and times are in an explainer's words:
// the id from start, the occurred_at to occEnd, the recorded_at to end.
type wordSpan struct{ start, occEnd, end int }

// Explain lists, oldest first, every event visible in the view that touched
// the section, with its signed points on the component's own scale, its
// clause and its status. It never shows a respondent.
func (s *State) Explain(sectionID string, v View) (*Explanation, error) {
	return s.explain(sectionID, v, true)
}

// ExplainCounted is Explain for a reader who sees votes and ballots
// counted per round (Group.Rounds, Group.Ballots): their entries are in
// place, with position, type, component, clause and status, but are not
// worded (no times, id or note), which is most of a busy section's cost.
func (s *State) ExplainCounted(sectionID string, v View) (*Explanation, error) {
	return s.explain(sectionID, v, false)
}

func (s *State) explain(sectionID string, v View, votes bool) (*Explanation, error) {
	si, ok := s.secIdx[sectionID]
	if !ok {
		return nil, events.NotFound("section %s is not registered", sectionID)
	}
	c := s.computeKept(v)
	if !c.secs[si].visible {
		// Registered by then but recorded later: the view's known_at is
		// why, and the message says so rather than blame as_of.
		if sec := &s.sections[si]; sec.Occurred <= events.Nanos(v.AsOf) && sec.Pos > s.known(v) {
			return nil, events.NotFound("section %s is not registered as of %s as known at %s (it was recorded later)",
				sectionID, events.FormatCST(v.AsOf), events.FormatCST(v.KnownAt))
		}
		return nil, events.NotFound("section %s is not registered as of %s", sectionID, events.FormatCST(v.AsOf))
	}
	sec := &s.sections[si]
	out := &Explanation{Row: c.rows[si], UnitName: s.units[sec.Unit].Name, Entries: []Entry{}, Arithmetic: c.work(si)}
	if o := c.outcomeOrNil(); o != nil {
		out.Outcome, out.Top3 = o.placeOf(sec.ID)
	}
	if c.confirmed != 0 {
		out.decision = c.confirmedOutcome()
	}
	x := c.explainer(si)
	x.brief = !votes
	// Only what concerns the section, in position order (the bonus cap is
	// spent in it), a block at a time: the block's facts are fetched
	// together (State.warm), then worded while they are still at hand.
	lists := s.touching(si, c.n)
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out.Entries = make([]Entry, 0, n)
	x.words = &strings.Builder{}
	if !x.brief {
		x.words.Grow(n * 100) // an id and two times
	}
	spans := make([]wordSpan, 0, n)
	var block [256]uint32
	k := 0
	word := func() {
		x.warm |= s.warm(block[:k])
		for _, pos := range block[:k] {
			out.Entries = append(out.Entries, Entry{})
			x.span = wordSpan{}
			if !x.fill(int64(pos)-1, &out.Entries[len(out.Entries)-1]) {
				out.Entries = out.Entries[:len(out.Entries)-1]
				continue
			}
			spans = append(spans, x.span)
		}
		k = 0
	}
	merged(lists, func(pos int64) {
		block[k] = uint32(pos)
		if k++; k == len(block) {
			word()
		}
	})
	word()
	text := x.words.String()
	for i, sp := range spans {
		if sp.end != 0 {
			e := &out.Entries[i]
			e.EventID, e.OccurredAt, e.RecordedAt = text[sp.start:sp.start+36], text[sp.start+36:sp.occEnd], text[sp.occEnd:sp.end]
		}
	}
	out.Groups = c.groups(si, out.Entries)
	return out, nil
}

// explainer starts the trail of section si in c's view.
func (c *calc) explainer(si int32) *explainer {
	return &explainer{s: c.s, c: c, si: si, sec: &c.s.sections[si], bonusLeft: events.BonusCap, asOf: events.Nanos(c.v.AsOf)}
}

// entry words the fact at index i (position i+1) for x's section, if it is
// visible in the view and touches the section. Facts must be handed over
// in position order: the bonus cap is spent as they come.
func (x *explainer) entry(i int64) (Entry, bool) {
	var e Entry
	ok := x.fill(i, &e)
	return e, ok
}

// fill is entry writing into e, which it overwrites whole when it reports
// true: explain words a busy section's thousands of entries in place.
func (x *explainer) fill(i int64, e *Entry) bool {
	s, c := x.s, x.c
	f := s.facts.at(int64(i))
	k := kinds[f.Type]
	// A fact is shown where it acts: a correction wherever its target
	// is, an exemption and the committee's decision all year, whatever
	// their own dates.
	if k.from(s, f) > x.asOf || !k.touchesSection(s, f, x.si) {
		return false
	}
	x.f, x.pos = f, i+1
	x.st, x.pts = s.effect(x.pos, c.n)
	if x.brief && (f.Type == voteCode || f.Type == ballotCode) {
		st := Counted
		if x.st == Retracted {
			st = Retracted
		}
		*e = Entry{Position: x.pos, Type: string(k.spec.Type), Component: k.component, Clause: k.clause,
			Status: st.String(), summed: true}
		x.exempt(e)
		return true
	}
	// The id and the two times share one allocation, or go into the
	// text of the whole trail: a busy section words thousands of entries.
	var b [128]byte
	buf := events.AppendUUID(b[:0], f.ID)
	buf = x.times.AppendCST(buf, f.Occurred)
	occEnd := len(buf)
	buf = x.times.AppendUTC(buf, f.Recorded)
	*e = Entry{
		Position: x.pos, Type: string(k.spec.Type),
		Component: k.componentFor(f), Clause: k.clause, Status: Counted.String(),
		deduction: k.spec.Deduction, bonus: k.component == "bonus",
		summed: f.Type == voteCode || f.Type == ballotCode,
	}
	if x.words != nil {
		at := x.words.Len()
		x.words.Write(buf)
		x.span = wordSpan{start: at, occEnd: at + occEnd, end: at + len(buf)}
	} else {
		words := string(buf)
		e.EventID, e.OccurredAt, e.RecordedAt = words[:36], words[36:occEnd], words[occEnd:]
	}
	if k.spec.Class == events.Correction {
		t := s.fact(f.Target)
		e.Component = kindAt(t).componentFor(t)
		e.target = f.Target
	}
	k.explain(x, e)
	x.exempt(e)
	return true
}

// exemptNote ends the note of an exempt section's scoring facts.
const exemptNote = "not counted: the section is exempt (免评, R-EXEMPT)"

// exempt marks a scoring fact of an exempt section (a vote, a ballot, a
// deduction, a bonus, a grade) not counted, whatever its own status: the
// section has no score at all (R-EXEMPT), and a trail that said "counted"
// beside a row of nulls would leave an inspector asking where the points
// went. The other facts (the roster's, the candidate list, the committee's
// decision, corrections) keep their status: they are in force.
func (x *explainer) exempt(e *Entry) {
	scoring := e.deduction || e.bonus || e.summed || e.Component == "supervisor"
	if !x.c.secs[x.si].exempt || !scoring || e.target != 0 || !x.st.live() || e.Status == NotCounted.String() {
		return
	}
	e.Status = NotCounted.String()
	why := exemptNote
	if x.st == Contested {
		why += "; a contest of it is open"
	}
	switch {
	case x.brief && e.summed:
		// Not worded (ExplainCounted): the status says it.
	case e.Note == "":
		e.Note = why
	default:
		e.Note += ": " + why
	}
}

// points sets an entry's signed points and its status: orig is the fact's
// own points. A retracted or overturned fact keeps them, as a not-counted
// one does (its status says they do not count: the inspector sees what was
// taken back); only a reduction changes them, to the points in force, and
// the note names the original (interface.md).
func (x *explainer) points(e *Entry, orig, sign float64) {
	e.Status = x.st.String()
	switch x.st {
	case Retracted, Overturned:
		e.Points = sign * orig
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
	e.Status = x.st.String() // its points stay the fact's own, as points() keeps them
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
	// disc writes a component's arithmetic, expr = val, wrapped in R-DISC's
	// deduction when the section has one off that component, or saying why
	// that deduction does not count.
	disc := func(k events.Component, expr string, val float64, rule string) string {
		d := sc.disc[componentCode(k)]
		if d == 0 {
			return fmt.Sprintf("%s = %s (%s)", expr, two(val), rule)
		}
		if why := c.noScore(si, k); why != "" {
			return fmt.Sprintf("%s = %s (%s); discretionary %s not counted: %s (R-DISC)", expr, two(val), rule, num(d), why)
		}
		return fmt.Sprintf("max(0, %s - discretionary %s) = %s (%s, R-DISC)", expr, num(d), two(val), rule)
	}
	// unscored notes a deduction off a component the section has no score in.
	unscored := func(k events.Component) string {
		if d := sc.disc[componentCode(k)]; d != 0 {
			return fmt.Sprintf("; discretionary %s not counted: %s (R-DISC)", num(d), c.noScore(si, k))
		}
		return ""
	}
	out = append(out,
		"service: "+disc(events.ComponentService, "H1 + H2", *row.Service.Score, "a pending round counts 0"),
		"hotline: "+disc(events.ComponentHotline, fmt.Sprintf("(max(0, %s - %s) + max(0, %s - %s)) / %s x %s",
			num(events.ConductPool), num(sc.conduct), num(events.HandlingPool), num(sc.handling),
			num(events.ConductPool+events.HandlingPool), num(events.HotlineMax)), *row.Hotline, "R-HOT"),
		"qr: "+disc(events.ComponentQR, fmt.Sprintf("max(0, %s - %s)", num(events.QRMax), num(sc.qr)), *row.QR, "R-QR"))
	switch {
	case !sc.graded:
		out = append(out, "supervisor: no submission yet: null, counts 0 (R-SUP)"+unscored(events.ComponentSupervisor))
	case sc.disc[discSupervisor] == 0:
		out = append(out, fmt.Sprintf("supervisor: %s, the grade of the unit's submission in force (R-SUP)", num(sc.grade)))
	default:
		out = append(out, "supervisor: "+disc(events.ComponentSupervisor, "grade "+num(sc.grade), *row.Supervisor, "R-SUP"))
	}
	out = append(out, fmt.Sprintf("inspection: max(0, %s - %s - unit %s) = %s (R-INS, R-DISC, R-UNREP)",
		num(events.InspectionMax), num(sc.insp+sc.disc[discInspection]), num(c.unitDed[c.s.sections[si].Unit]), two(*row.Inspection)))
	switch {
	case row.Online != nil:
		b := c.ballots - sc.sat - sc.unsat
		out = append(out, "online: "+disc(events.ComponentOnline, fmt.Sprintf("(%d + %s x %d) / %d x %s",
			sc.sat, basic, b, c.ballots, num(events.OnlineMax)), *row.Online, "R-ONL"))
	case sc.disc[discOnline] != 0:
		out = append(out, "online: null (R-ONL)"+unscored(events.ComponentOnline))
	}
	out = append(out, fmt.Sprintf("bonus: min(%s, %s) = %s (R-BON)", num(events.BonusCap), num(sc.bonus), two(*row.Bonus)),
		fmt.Sprintf("daily total %s, total %s", two(*row.DailyTotal), two(*row.Total)))
	return out
}
