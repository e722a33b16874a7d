package projections

import (
	"encoding/binary"
	"math/bits"
	"slices"

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

	// The empty slot of ids that check found for the record at idFor
	// with idClaim, which Add fills once it is folded: one probe an id,
	// not two. Any other change to ids drops the claim.
	idSlot  int
	idFor   int64
	idClaim uuid.UUID
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
	x.ids.grow(s.facts.len(), x.idHashAt)
	for i := 0; i < s.facts.len(); i++ {
		f := s.facts.at(int64(i))
		pos := int64(i + 1)
		x.addID(f.ID, pos) // the first fact with an id keeps it, as Add files it
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
	return x.ids.get(idHash(id), x.idMatch(id))
}

// addID files id at pos unless it is filed already (the first fact with
// an id keeps it).
func (x *index) addID(id uuid.UUID, pos int64) {
	claimed := x.idFor == pos && x.idClaim == id
	x.idFor = 0
	if claimed {
		x.ids.fill(x.idSlot, pos)
		return
	}
	x.ids.add(idHash(id), pos, x.idMatch(id), x.idHashAt)
}

// claimID finds where id would be filed for the record at pos, or the
// position that has it; Add's addID then fills that slot.
func (x *index) claimID(id uuid.UUID, pos int64) int64 {
	x.idFor = 0
	slot, had := x.ids.find(idHash(id), x.idMatch(id), x.idHashAt)
	if had == 0 {
		x.idSlot, x.idFor, x.idClaim = slot, pos, id
	}
	return had
}

func (x *index) idMatch(id uuid.UUID) func(uint32) bool {
	return func(p uint32) bool { return x.s.fact(int64(p)).ID == id }
}

// dropID forgets id if it is filed at pos.
func (x *index) dropID(id uuid.UUID, pos int64) {
	x.idFor = 0
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
// removal by backward shift, grown by half at three quarters full): four
// bytes a slot where a Go map of the keys would take ten times as much. Its
// size need not be a power of two: a hash is mapped onto it by
// multiplication (home), which keeps it at most a third larger than it
// must be, not twice.
type posTable struct {
	slots []uint32 // a position, or 0 for an empty slot
	n     int
}

// home is the slot a hash belongs in.
func (t *posTable) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.slots)))
	return int(hi)
}

// next is the slot after i, wrapping around.
func (t *posTable) next(i int) int {
	if i++; i == len(t.slots) {
		return 0
	}
	return i
}

// grow makes room for n entries in all without growing on the way (a
// table never shrinks: a smaller n does nothing).
func (t *posTable) grow(n int, hashAt func(uint32) uint64) {
	if size := n*4/3 + 16; len(t.slots) < size {
		t.rehash(size, hashAt)
	}
}

func (t *posTable) get(h uint64, match func(uint32) bool) int64 {
	if len(t.slots) == 0 {
		return 0
	}
	for i := t.home(h); ; i = t.next(i) {
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
	i, had := t.find(h, match, hashAt)
	if had != 0 {
		t.slots[i] = uint32(pos) // the later entry replaces it
		return
	}
	t.fill(i, pos)
}

// add files pos under h unless an entry matches.
func (t *posTable) add(h uint64, pos int64, match func(uint32) bool, hashAt func(uint32) uint64) {
	if i, had := t.find(h, match, hashAt); had == 0 {
		t.fill(i, pos)
	}
}

// find returns the entry under h that matches, or 0 and the empty slot
// where it would go, with room made for it first: the slot stays good
// until the next entry is filed.
func (t *posTable) find(h uint64, match func(uint32) bool, hashAt func(uint32) uint64) (int, int64) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.rehash(max(16, len(t.slots)*3/2), hashAt)
	}
	for i := t.home(h); ; i = t.next(i) {
		p := t.slots[i]
		if p == 0 {
			return i, 0
		}
		if match(p) {
			return i, int64(p)
		}
	}
}

// fill files pos in the empty slot find returned.
func (t *posTable) fill(i int, pos int64) {
	t.slots[i] = uint32(pos)
	t.n++
}

// drop empties the slot that holds pos, shifting back the entries after
// it that would otherwise be cut off from their home slot.
func (t *posTable) drop(h uint64, pos int64, hashAt func(uint32) uint64) {
	if len(t.slots) == 0 {
		return
	}
	i := t.home(h)
	for ; t.slots[i] != uint32(pos); i = t.next(i) {
		if t.slots[i] == 0 {
			return
		}
	}
	t.slots[i] = 0
	t.n--
	for j := t.next(i); t.slots[j] != 0; j = t.next(j) {
		home := t.home(hashAt(t.slots[j]))
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
	for _, p := range old {
		if p == 0 {
			continue
		}
		i := t.home(hashAt(p))
		for t.slots[i] != 0 {
			i = t.next(i)
		}
		t.slots[i] = p
	}
}

// Reserve makes room in the state for about n more events, so that an
// import of millions does not grow its tables (and hold each twice for a
// moment) as they come.
func (s *State) Reserve(n int) {
	if n <= 0 {
		return
	}
	x := s.index()
	x.idFor = 0 // a claimed slot moves when the table grows
	x.ids.grow(x.ids.n+n, x.idHashAt)
	x.votes.grow(x.votes.n+n, x.voteHashAt)
	s.votes.pos = slices.Grow(s.votes.pos, n)
}
