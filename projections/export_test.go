package projections

// The full fold, for tests that hold the views' fast paths to it: every
// fact of the known prefix handed to its kind one by one, as the ledger
// computed a view before it filed votes in an index.

// StandingsByScan answers a view by folding every fact of its prefix.
func (s *State) StandingsByScan(v View) *Standings {
	return s.computeByScan(v).standings()
}

// ExplainByScan explains a section by visiting every fact of the prefix.
func (s *State) ExplainByScan(sectionID string, v View) (*Explanation, error) {
	si, ok := s.secIdx[sectionID]
	if !ok {
		return nil, nil
	}
	c := s.computeByScan(v)
	if !c.secs[si].visible {
		return nil, nil
	}
	out := &Explanation{Row: c.rows[si], Entries: []Entry{}}
	x := c.explainer(si)
	for i := int64(0); i < c.n; i++ {
		if e, ok := x.entry(i); ok {
			out.Entries = append(out.Entries, e)
		}
	}
	return out, nil
}
