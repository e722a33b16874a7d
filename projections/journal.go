package projections

import "github.com/pingyang/ledger/events"

// journal undoes the changes of a batch that is refused. Tables only grow
// during a batch, so most of it is their lengths at Begin; the few changes
// in place (maps, a section's exemption) register an undo closure.
type journal struct {
	undo                                               []func()
	units, sections, facts, texts, grades, ballots, cr int
	decisions                                          int
	frozen                                             []int32
	frozenPos                                          int64
	priorN                                             int
	head                                               events.Head
}

// Begin starts a batch: until Commit, Rollback can undo every Add.
func (s *State) Begin() {
	s.index()
	s.batch = &journal{
		units: len(s.units), sections: len(s.sections), facts: s.facts.len(),
		texts: len(s.texts), grades: len(s.grades), ballots: len(s.ballots), cr: len(s.creds), decisions: len(s.decisions),
		frozen: s.frozen, frozenPos: s.frozenPos, priorN: s.priorN, head: s.Head,
	}
}

// Commit keeps the batch.
func (s *State) Commit() { s.batch = nil }

// Rollback undoes every Add since Begin.
func (s *State) Rollback() {
	j := s.batch
	if j == nil {
		return
	}
	s.batch = nil
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	// The index entries of the batch's facts are found from the facts
	// themselves rather than kept in the journal: an import of a million
	// events would otherwise hold millions of undo closures.
	x := s.idx
	for i := j.facts; i < s.facts.len(); i++ {
		f, pos := s.facts.at(int64(i)), int64(i+1)
		x.dropID(f.ID, pos)
		if k := kindAt(f); k.unindex != nil {
			k.unindex(s, x, f, pos)
		}
	}
	s.cutStreams(j.facts)
	s.units, s.sections = s.units[:j.units], s.sections[:j.sections]
	s.facts.cut(j.facts)
	s.texts, s.grades, s.ballots, s.creds = s.texts[:j.texts], s.grades[:j.grades], s.ballots[:j.ballots], s.creds[:j.cr]
	s.decisions = s.decisions[:j.decisions]
	s.frozen, s.frozenPos, s.priorN, s.Head = j.frozen, j.frozenPos, j.priorN, j.head
}

func (s *State) undo(f func()) {
	if s.batch != nil {
		s.batch.undo = append(s.batch.undo, f)
	}
}
