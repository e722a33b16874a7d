// Package present orders and filters the standings the way people read
// them: by rank, with the unit's name, one unit or the candidates only.
// The standings JSON is sorted by section_id (the contract); every table,
// CSV and workbook for people uses this order instead.
package present

import (
	"cmp"
	"slices"

	"github.com/pingyang/ledger/projections"
)

// Filter narrows the rows.
type Filter struct {
	Unit       string // only this unit's sections ("" for all)
	Candidates bool   // only the candidates
}

// Rows returns the standings' rows in rank order: the ranked candidates by
// rank, then every other scored section by total (higher first), then the
// exempt sections; ties by section_id.
func Rows(s *projections.Standings, f Filter) []*projections.Row {
	out := make([]*projections.Row, 0, len(s.Sections))
	for i := range s.Sections {
		r := &s.Sections[i]
		if f.Unit != "" && r.UnitID != f.Unit {
			continue
		}
		if f.Candidates && !r.Candidate {
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b *projections.Row) int {
		if c := cmp.Compare(group(a), group(b)); c != 0 {
			return c
		}
		switch {
		case a.Rank != nil && b.Rank != nil:
			if c := cmp.Compare(*a.Rank, *b.Rank); c != 0 {
				return c
			}
		case a.Total != nil && b.Total != nil:
			if c := cmp.Compare(*b.Total, *a.Total); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.SectionID, b.SectionID)
	})
	return out
}

func group(r *projections.Row) int {
	switch {
	case r.Rank != nil:
		return 0
	case !r.Exempt:
		return 1
	}
	return 2
}

// Outcome names a section's place in the outcome (the proposal, R-OUT),
// as a labels key: "top3", "satisfied", "most_unsatisfied", "unsatisfied",
// or "".
func Outcome(s *projections.Standings, id string) string {
	o := s.Outcome
	if o == nil {
		return ""
	}
	return place(o.Satisfied, o.Unsatisfied, o.MostUnsatisfied, o.Top3, id)
}

// Confirmed names a section's place in the standing committee's decision
// in force (R-OUT-CONF), with Outcome's keys.
func Confirmed(s *projections.Standings, id string) string {
	p, _ := Decision(s.Confirmed, id)
	return p
}

// Decision names a section's place in a decision (Outcome's keys, "" for
// none) and whether the decision departs from the proposal there (the
// section is one of its deviations: dropped from or added to a list).
func Decision(c *projections.Confirmed, id string) (where string, deviates bool) {
	if c == nil {
		return "", false
	}
	for _, d := range []projections.Deviation{c.Deviations.Satisfied, c.Deviations.Unsatisfied, c.Deviations.MostUnsatisfied} {
		if slices.Contains(d.Dropped, id) || slices.Contains(d.Added, id) {
			deviates = true
		}
	}
	return place(c.Satisfied, c.Unsatisfied, c.MostUnsatisfied, c.Top3, id), deviates
}

// Marked is a decision's cell as tables show it: its place, and " *" where
// it departs from the proposal ("- *": dropped from every list).
func Marked(where string, deviates bool) string {
	if deviates {
		return cmp.Or(where, "-") + " *"
	}
	return where
}

func place(sat, unsat, most, top3 []string, id string) string {
	switch {
	case slices.Contains(top3, id):
		return "top3"
	case slices.Contains(sat, id):
		return "satisfied"
	case slices.Contains(most, id):
		return "most_unsatisfied"
	case slices.Contains(unsat, id):
		return "unsatisfied"
	}
	return ""
}

// Names maps unit ids to unit names.
type Names map[string]string

// NamesOf indexes a roster's units.
func NamesOf(units []projections.RosterUnit) Names {
	n := make(Names, len(units))
	for _, u := range units {
		n[u.ID] = u.Name
	}
	return n
}

// Unit is the unit's name, or its id when it has none.
func (n Names) Unit(id string) string {
	if v, ok := n[id]; ok {
		return v
	}
	return id
}
