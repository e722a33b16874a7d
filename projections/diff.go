package projections

import (
	"math"
	"slices"

	"github.com/pingyang/ledger/events"
)

// Diff compares two views: for every section whose figures or trail
// differ, the figures before and after and the events that account for
// the change; and the unit adjustments (R-OUT) that changed. A dispute's
// "before and after" is the diff from known_at just before its resolution
// was recorded to just after.

// Diff is the answer of `ledger diff` and GET /v1/diff.
type Diff struct {
	// Hypothetical is set on a what-if's diff: "to" holds events that are
	// not stored.
	Hypothetical bool          `json:"hypothetical,omitempty"`
	From         DiffView      `json:"from"`
	To           DiffView      `json:"to"`
	Sections     []SectionDiff `json:"sections"`
	Units        []UnitDiff    `json:"units"`
}

// DiffView is one side of a diff.
type DiffView struct {
	AsOf             string `json:"as_of"`
	KnownAt          string `json:"known_at"`
	Events           int64  `json:"events"`
	CandidatesFrozen bool   `json:"candidates_frozen"`
	Outcome          bool   `json:"outcome"` // whether the view has an outcome (R-OUT)
}

// Figures are a section's numbers in one view. A section not registered in
// the view has none (null).
type Figures struct {
	Exempt     bool     `json:"exempt"`
	Service    *float64 `json:"service"`
	ServiceH1  *float64 `json:"service_h1"`
	ServiceH2  *float64 `json:"service_h2"`
	VotesH1    int      `json:"votes_h1"`
	VotesH2    int      `json:"votes_h2"`
	Hotline    *float64 `json:"hotline"`
	QR         *float64 `json:"qr"`
	Supervisor *float64 `json:"supervisor"`
	Inspection *float64 `json:"inspection"`
	DailyTotal *float64 `json:"daily_total"`
	Online     *float64 `json:"online"`
	Ballots    *int     `json:"online_ballots"`
	Bonus      *float64 `json:"bonus"`
	Total      *float64 `json:"total"`
	Candidate  bool     `json:"candidate"`
	Rank       *int     `json:"rank"`
	// Outcome is the section's list in R-OUT: "satisfied",
	// "unsatisfied", "most_unsatisfied", or null; Top3 flags the first
	// three satisfied.
	Outcome *string `json:"outcome"`
	Top3    bool    `json:"top3"`
	// Confirmed is the section's list in the standing committee's
	// decision in force (R-OUT-CONF), or null.
	Confirmed *string `json:"confirmed"`
}

// SectionDiff is one section that changed.
type SectionDiff struct {
	SectionID string   `json:"section_id"`
	UnitID    string   `json:"unit_id"`
	Name      string   `json:"name"`
	Before    *Figures `json:"before"`
	After     *Figures `json:"after"`
	// Changed names the fields of Figures that differ (JSON names), in
	// the order of Figures.
	Changed []string `json:"changed"`
	// Events are the section's events visible in one view and not the
	// other, or whose status or points differ, oldest first. Votes and
	// ballots are not listed one by one (a diff of two dates can hold
	// thousands): their counts are in the figures (votes_h1, votes_h2,
	// online_ballots), and a correction of one is listed.
	Events []EventDiff `json:"events"`
}

// EventDiff is one event as each view words it.
type EventDiff struct {
	Position   int64  `json:"position"`
	EventID    string `json:"event_id"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
	RecordedAt string `json:"recorded_at"`
	Component  string `json:"component"`
	Clause     string `json:"clause"`
	// Change is "added" (only in "to"), "removed" (only in "from") or
	// "changed" (in both, with another status or other points).
	Change string `json:"change"`
	// Before and After are the entry in each view, as explain shows it;
	// null where the event is not visible.
	Before *EntryState `json:"before"`
	After  *EntryState `json:"after"`
}

// EntryState is what explain says of an event in one view.
type EntryState struct {
	Points float64 `json:"points"`
	Status string  `json:"status"`
	Note   string  `json:"note"`
}

// UnitDiff is a unit whose adjustment changed: by the proposal (R-OUT,
// Before and After) or by the committee's decision (R-OUT-CONF). Null: the
// unit has no section in that view's lists, or the view has none.
type UnitDiff struct {
	UnitID          string `json:"unit_id"`
	Name            string `json:"name"`
	Before          *int   `json:"before"`
	After           *int   `json:"after"`
	ConfirmedBefore *int   `json:"confirmed_before"`
	ConfirmedAfter  *int   `json:"confirmed_after"`
}

// Diff compares view from with view to.
func (s *State) Diff(from, to View) *Diff {
	return s.diff(s.compute(from), s.compute(to))
}

// WhatIf answers a view of a state holding hypothetical records after the
// first real ones: its standings, and its diff from the same view of the
// real records alone. Each view is folded once.
func (s *State) WhatIf(real int64, v View) (*Standings, *Diff) {
	b := s.compute(v)
	d := s.diff(s.compute(v.Upto(real)), b)
	d.Hypothetical = true
	return b.standings(), d
}

func (s *State) diff(a, b *calc) *Diff {
	oa, ob := a.outcomeOrNil(), b.outcomeOrNil()
	d := &Diff{From: a.diffView(oa), To: b.diffView(ob), Sections: []SectionDiff{}, Units: []UnitDiff{}}
	fa, fb := a.figures(oa), b.figures(ob)
	ca, cb := a.confirmedOrNil(), b.confirmedOrNil()
	a.placeConfirmed(fa, ca)
	b.placeConfirmed(fb, cb)
	changed := make([]*SectionDiff, len(s.sections))
	touch := func(si int32) *SectionDiff {
		if changed[si] == nil {
			sec := &s.sections[si]
			changed[si] = &SectionDiff{SectionID: sec.ID, UnitID: s.units[sec.Unit].ID, Name: sec.Name,
				Before: fa[si], After: fb[si], Changed: figuresDiffer(fa[si], fb[si]), Events: []EventDiff{}}
		}
		return changed[si]
	}
	for i := range s.sections {
		if len(figuresDiffer(fa[i], fb[i])) > 0 {
			touch(int32(i))
		}
	}
	s.eventDiffs(a, b, func(si int32, ed EventDiff) {
		sd := touch(si)
		sd.Events = append(sd.Events, ed)
	})
	for _, sd := range changed {
		if sd != nil {
			d.Sections = append(d.Sections, *sd)
		}
	}
	slices.SortFunc(d.Sections, func(x, y SectionDiff) int {
		switch {
		case x.SectionID < y.SectionID:
			return -1
		case x.SectionID > y.SectionID:
			return 1
		}
		return 0
	})
	ua, ub := adjustments(oa), adjustments(ob)
	var ka, kb map[string]int
	if ca != nil {
		ka = units(ca.Units)
	}
	if cb != nil {
		kb = units(cb.Units)
	}
	at := func(m map[string]int, id string) *int {
		if v, ok := m[id]; ok {
			return ip(v)
		}
		return nil
	}
	same := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	for u := range s.units {
		id := s.units[u].ID
		ud := UnitDiff{UnitID: id, Name: s.units[u].Name, Before: at(ua, id), After: at(ub, id),
			ConfirmedBefore: at(ka, id), ConfirmedAfter: at(kb, id)}
		if same(ud.Before, ud.After) && same(ud.ConfirmedBefore, ud.ConfirmedAfter) {
			continue
		}
		d.Units = append(d.Units, ud)
	}
	slices.SortFunc(d.Units, func(x, y UnitDiff) int {
		switch {
		case x.UnitID < y.UnitID:
			return -1
		case x.UnitID > y.UnitID:
			return 1
		}
		return 0
	})
	return d
}

func (c *calc) outcomeOrNil() *Outcome {
	if c.frozen && len(c.candidates) >= 2*events.OutcomeSize {
		return c.outcome()
	}
	return nil
}

func (c *calc) diffView(o *Outcome) DiffView {
	return DiffView{AsOf: events.FormatCST(c.v.AsOf), KnownAt: events.FormatUTC(c.v.KnownAt), Events: c.events,
		CandidatesFrozen: c.frozen, Outcome: o != nil}
}

func adjustments(o *Outcome) map[string]int {
	if o == nil {
		return nil
	}
	return units(o.Units)
}

func units(l []UnitAdjustment) map[string]int {
	m := make(map[string]int, len(l))
	for _, u := range l {
		m[u.UnitID] = u.Adjustment
	}
	return m
}

func (c *calc) confirmedOrNil() *Confirmed {
	if c.confirmed != 0 {
		return c.confirmedOutcome()
	}
	return nil
}

// placeConfirmed sets each section's list in the committee's decision.
func (c *calc) placeConfirmed(fs []*Figures, k *Confirmed) {
	if k == nil {
		return
	}
	for _, l := range namedLists(k.Satisfied, k.Unsatisfied, k.MostUnsatisfied) {
		for _, id := range l.ids {
			if i, ok := c.s.secIdx[id]; ok && fs[i] != nil {
				fs[i].Confirmed = &l.name
			}
		}
	}
}

// lists are the outcome's three lists with their names.
func (o *Outcome) lists() []namedList {
	return namedLists(o.Satisfied, o.Unsatisfied, o.MostUnsatisfied)
}

// namedList is one of R-OUT's lists with the name standings give it.
type namedList struct {
	name string
	ids  []string
}

func namedLists(sat, unsat, most []string) []namedList {
	return []namedList{{"satisfied", sat}, {"unsatisfied", unsat}, {"most_unsatisfied", most}}
}

// placeOf is section id's list in the outcome (nil: none) and whether it
// is among the first three satisfied: what figures says of one section,
// without the others'.
func (o *Outcome) placeOf(id string) (list *string, top3 bool) {
	for _, l := range o.lists() {
		if slices.Contains(l.ids, id) {
			list = &l.name
		}
	}
	return list, slices.Contains(o.Top3, id)
}

// figures are the sections' numbers in c's view, by section index; nil for
// a section not registered in it.
func (c *calc) figures(o *Outcome) []*Figures {
	out := make([]*Figures, len(c.rows))
	place := map[string]string{}
	top3 := map[string]bool{}
	if o != nil {
		for _, l := range o.lists() {
			for _, id := range l.ids {
				place[id] = l.name
			}
		}
		for _, id := range o.Top3 {
			top3[id] = true
		}
	}
	for i := range c.rows {
		if !c.secs[i].visible {
			continue
		}
		r := &c.rows[i]
		f := &Figures{Exempt: r.Exempt, Hotline: r.Hotline, QR: r.QR, Supervisor: r.Supervisor, Inspection: r.Inspection,
			DailyTotal: r.DailyTotal, Online: r.Online, Ballots: r.OnlineBallots, Bonus: r.Bonus, Total: r.Total,
			Candidate: r.Candidate, Rank: r.Rank, Top3: top3[r.SectionID]}
		if r.Service != nil {
			f.Service, f.ServiceH1, f.ServiceH2 = r.Service.Score, r.Service.H1, r.Service.H2
			f.VotesH1, f.VotesH2 = r.Service.VotesH1, r.Service.VotesH2
		}
		if p, ok := place[r.SectionID]; ok {
			f.Outcome = &p
		}
		out[i] = f
	}
	return out
}

// figuresDiffer names the fields that differ; numbers within 1e-9 are
// equal (R-RANK's tie).
func figuresDiffer(a, b *Figures) []string {
	if a == nil && b == nil {
		return nil
	}
	if a == nil || b == nil {
		return []string{"registered"}
	}
	var out []string
	num := func(name string, x, y *float64) {
		if (x == nil) != (y == nil) || (x != nil && math.Abs(*x-*y) >= 1e-9) {
			out = append(out, name)
		}
	}
	integer := func(name string, x, y *int) {
		if (x == nil) != (y == nil) || (x != nil && *x != *y) {
			out = append(out, name)
		}
	}
	flag := func(name string, x, y bool) {
		if x != y {
			out = append(out, name)
		}
	}
	flag("exempt", a.Exempt, b.Exempt)
	num("service", a.Service, b.Service)
	num("service_h1", a.ServiceH1, b.ServiceH1)
	num("service_h2", a.ServiceH2, b.ServiceH2)
	count := func(name string, x, y int) {
		if x != y {
			out = append(out, name)
		}
	}
	count("votes_h1", a.VotesH1, b.VotesH1)
	count("votes_h2", a.VotesH2, b.VotesH2)
	num("hotline", a.Hotline, b.Hotline)
	num("qr", a.QR, b.QR)
	num("supervisor", a.Supervisor, b.Supervisor)
	num("inspection", a.Inspection, b.Inspection)
	num("daily_total", a.DailyTotal, b.DailyTotal)
	num("online", a.Online, b.Online)
	integer("online_ballots", a.Ballots, b.Ballots)
	num("bonus", a.Bonus, b.Bonus)
	num("total", a.Total, b.Total)
	flag("candidate", a.Candidate, b.Candidate)
	integer("rank", a.Rank, b.Rank)
	if (a.Outcome == nil) != (b.Outcome == nil) || (a.Outcome != nil && *a.Outcome != *b.Outcome) {
		out = append(out, "outcome")
	}
	flag("top3", a.Top3, b.Top3)
	if (a.Confirmed == nil) != (b.Confirmed == nil) || (a.Confirmed != nil && *a.Confirmed != *b.Confirmed) {
		out = append(out, "confirmed")
	}
	return out
}

// eventDiffs walks the records either view knows, once, and hands over
// every (section, event) whose entry differs between the views: visible in
// one only, or with another status or other points. Votes, ballots and
// credentials are left to the figures' counts.
func (s *State) eventDiffs(a, b *calc, emit func(si int32, ed EventDiff)) {
	n := max(a.n, b.n)
	// One explainer per section and view, made on first use: the bonus
	// cap is spent in position order within each.
	xa := make([]*explainer, len(s.sections))
	xb := make([]*explainer, len(s.sections))
	get := func(c *calc, xs []*explainer, si int32) *explainer {
		if xs[si] == nil {
			xs[si] = c.explainer(si)
		}
		return xs[si]
	}
	all := make([]int32, len(s.sections))
	for i := range all {
		all[i] = int32(i)
	}
	for _, p := range upTo(s.others, n) {
		i := int64(p) - 1
		f := s.facts.at(int64(i))
		if f.Type == ballotCode || f.Type == credCode {
			continue
		}
		k := kinds[f.Type]
		from := k.from(s, f)
		inA := i < a.n && from <= events.Nanos(a.v.AsOf)
		inB := i < b.n && from <= events.Nanos(b.v.AsOf)
		if !inA && !inB {
			continue
		}
		// An event both views see words the same unless a correction or
		// a rule over several facts (the bonus's deeds and cap, the grade
		// submission in force) can tell the views apart.
		variable := s.corrected(i+1) || k.component == "bonus" || k.component == "supervisor"
		if inA && inB && !variable {
			continue
		}
		sections := all
		switch {
		case k.names != nil:
			sections = k.names(s, f)
		case k.touches == nil:
			if f.Sec < 0 {
				continue
			}
			sections = all[f.Sec : f.Sec+1]
		}
		for _, si := range sections {
			if !k.touchesSection(s, f, si) {
				continue
			}
			var ea, eb *Entry
			if inA && a.secs[si].visible {
				if e, ok := get(a, xa, si).entry(i); ok {
					ea = &e
				}
			}
			if inB && b.secs[si].visible {
				if e, ok := get(b, xb, si).entry(i); ok {
					eb = &e
				}
			}
			ed, differ := eventDiff(ea, eb)
			if differ {
				emit(si, ed)
			}
		}
	}
}

func eventDiff(a, b *Entry) (EventDiff, bool) {
	if a == nil && b == nil {
		return EventDiff{}, false
	}
	e := a
	if e == nil {
		e = b
	}
	ed := EventDiff{Position: e.Position, EventID: e.EventID, Type: e.Type, OccurredAt: e.OccurredAt,
		RecordedAt: e.RecordedAt, Component: e.Component, Clause: e.Clause}
	switch {
	case a == nil:
		ed.Change = "added"
	case b == nil:
		ed.Change = "removed"
	case a.Status != b.Status || math.Abs(a.Points-b.Points) >= 1e-9:
		ed.Change = "changed"
	default:
		return ed, false
	}
	if a != nil {
		ed.Before = &EntryState{Points: a.Points, Status: a.Status, Note: a.Note}
	}
	if b != nil {
		ed.After = &EntryState{Points: b.Points, Status: b.Status, Note: b.Note}
	}
	return ed, true
}
