package projections

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// index holds the uniqueness state of the catalogue: stored ids, who voted
// for which section in which round, which credentials have voted. Only a
// writer needs it, so it is built from the facts the first time a writer
// asks (readers of a checkpoint never pay for it); from then on the fold
// keeps it current through the kinds' index hooks, and Rollback through
// their unindex hooks.
//
// The ids and the votes have one entry per event, so their tables keep no
// keys: a slot holds a position, and the key is the fact's at it.
type index struct {
	s     *State
	ids   posTable        // by event id
	votes posTable        // by section, round and respondent
	used  map[int64]int64 // credential position -> the ballot that used it
}

// voteKey is what makes two votes one respondent's twice.
type voteKey struct {
	sec   int32
	round uint8
	resp  uint64
}

func voteOf(f *Fact) voteKey { return voteKey{f.Sec, f.A, uint64(f.Target)} }

func (s *State) index() *index {
	if s.idx != nil {
		return s.idx
	}
	x := &index{s: s, used: map[int64]int64{}}
	x.ids.grow(s.facts.len())
	for i := 0; i < s.facts.len(); i++ {
		f := s.facts.at(int64(i))
		pos := int64(i + 1)
		x.setID(f.ID, pos)
		if k := kindAt(f); k.index != nil {
			k.index(s, x, f, pos)
		}
	}
	s.idx = x
	return x
}

func idHash(id uuid.UUID) uint64 {
	return mix(binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:]))
}

func voteHash(k voteKey) uint64 {
	return mix(k.resp ^ uint64(k.sec)<<8 ^ uint64(k.round))
}

// mix spreads a key's bits over the table (the murmur3 finaliser).
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// id returns the position of a stored id, 0 if none.
func (x *index) id(id uuid.UUID) int64 {
	return x.ids.get(idHash(id), func(p uint32) bool { return x.s.fact(int64(p)).ID == id })
}

// setID files id at pos (a later fact with the same id replaces it).
func (x *index) setID(id uuid.UUID, pos int64) {
	x.ids.set(idHash(id), pos, func(p uint32) bool { return x.s.fact(int64(p)).ID == id }, x.idHashAt)
}

// dropID forgets id if it is filed at pos.
func (x *index) dropID(id uuid.UUID, pos int64) {
	x.ids.drop(idHash(id), pos, x.idHashAt)
}

func (x *index) idHashAt(p uint32) uint64 { return idHash(x.s.fact(int64(p)).ID) }

func (x *index) voteMatch(k voteKey) func(uint32) bool {
	return func(p uint32) bool {
		f := x.s.fact(int64(p))
		return f.Sec == k.sec && f.A == k.round && uint64(f.Target) == k.resp
	}
}

// vote returns the position of the vote k stands for, 0 if none.
func (x *index) vote(k voteKey) int64 { return x.votes.get(voteHash(k), x.voteMatch(k)) }

func (x *index) setVote(k voteKey, pos int64) {
	x.votes.set(voteHash(k), pos, x.voteMatch(k), x.voteHashAt)
}

// dropVote forgets k if it is filed at pos.
func (x *index) dropVote(k voteKey, pos int64) { x.votes.drop(voteHash(k), pos, x.voteHashAt) }

func (x *index) voteHashAt(p uint32) uint64 { return voteHash(voteOf(x.s.fact(int64(p)))) }

// posTable is an open-addressing table of positions (linear probing,
// removal by backward shift, doubled at three quarters full): four bytes a
// slot where a Go map of the keys would take ten times as much.
type posTable struct {
	slots []uint32 // a position, or 0 for an empty slot
	n     int
}

// grow makes room for n entries without doubling on the way.
func (t *posTable) grow(n int) {
	if size := 16; len(t.slots) < n*4/3+1 {
		for size < n*4/3+1 {
			size *= 2
		}
		t.slots = make([]uint32, size)
	}
}

func (t *posTable) get(h uint64, match func(uint32) bool) int64 {
	if len(t.slots) == 0 {
		return 0
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		p := t.slots[i]
		if p == 0 {
			return 0
		}
		if match(p) {
			return int64(p)
		}
	}
}

func (t *posTable) set(h uint64, pos int64, match func(uint32) bool, hashAt func(uint32) uint64) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.rehash(max(16, 2*len(t.slots)), hashAt)
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		p := t.slots[i]
		if p == 0 {
			t.slots[i] = uint32(pos)
			t.n++
			return
		}
		if match(p) {
			t.slots[i] = uint32(pos)
			return
		}
	}
}

// drop empties the slot that holds pos, shifting back the entries after
// it that would otherwise be cut off from their home slot.
func (t *posTable) drop(h uint64, pos int64, hashAt func(uint32) uint64) {
	if len(t.slots) == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for ; t.slots[i] != uint32(pos); i = (i + 1) & mask {
		if t.slots[i] == 0 {
			return
		}
	}
	t.slots[i] = 0
	t.n--
	for j := (i + 1) & mask; t.slots[j] != 0; j = (j + 1) & mask {
		home := hashAt(t.slots[j]) & mask
		// The entry at j may move to the hole at i if its home is not in
		// (i, j] (cyclically).
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i], t.slots[j] = t.slots[j], 0
			i = j
		}
	}
}

func (t *posTable) rehash(size int, hashAt func(uint32) uint64) {
	old := t.slots
	t.slots = make([]uint32, size)
	mask := uint64(size - 1)
	for _, p := range old {
		if p == 0 {
			continue
		}
		i := hashAt(p) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = p
	}
}
