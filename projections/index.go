package projections

import "github.com/google/uuid"

// index holds the uniqueness state of the catalogue: stored ids, who voted
// for which section in which round, which credentials have voted. Only a
// writer needs it, so it is built from the facts the first time a writer
// asks (readers of a checkpoint never pay for it); from then on the fold
// keeps it current through the kinds' index hooks, and Rollback through
// their unindex hooks.
type index struct {
	ids   map[uuid.UUID]int64 // event id -> position
	votes map[voteKey]int64
	used  map[int64]int64 // credential position -> the ballot that used it
}

type voteKey struct {
	sec   int32
	round uint8
	resp  uint64
}

func (s *State) index() *index {
	if s.idx != nil {
		return s.idx
	}
	x := &index{
		ids:   make(map[uuid.UUID]int64, len(s.facts)),
		votes: map[voteKey]int64{},
		used:  map[int64]int64{},
	}
	for i := range s.facts {
		f := &s.facts[i]
		pos := int64(i + 1)
		x.ids[f.ID] = pos
		if k := kindAt(f); k.index != nil {
			k.index(s, x, f, pos)
		}
	}
	s.idx = x
	return x
}
