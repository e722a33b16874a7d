package projections

import (
	"sort"

	"github.com/pingyang/ledger/events"
)

// Votes are nineteen events in twenty of a year, and a view only needs how
// many of each rating each section got in each round. So the fold files a
// vote in a vote index (below) and every other fact in a list of its own
// (others, in position order): a view counts the votes through the index,
// at a cost that follows the number of sections rather than the number of
// votes, and folds the others one by one. Explain reads only what concerns
// its section: the section's votes (secVotes), the other facts that concern
// it (secOthers), and the few whose sections a later registration can add
// to (unitWide: a unit's deduction and its corrections).
//
// Everything here only grows, like the fact table, so a snapshot shares it
// (snapshot.go) and Rollback cuts it back (journal.go).

// voteBlock is how many votes a block of the vote index holds. A view scans
// at most the votes of the blocks whose occurred_at range straddles its
// as_of, and of the last, partial block; it adds whole blocks from their
// running counts. 4,096 keeps that scan short at every scale and the
// running counts (one vector per block) small.
const voteBlock = 4096

// groupsPerSection is how many vote counters a section has: rounds × ratings.
const groupsPerSection = 6

// voteGroup is a vote's counter: its section, round and rating.
func voteGroup(f *Fact) uint32 {
	return uint32(f.Sec)*groupsPerSection + uint32(f.A)*3 + uint32(f.B)
}

// voteIndex holds the position of every vote, in order, with, for each
// full block of voteBlock votes, the earliest and latest occurred_at in it
// and the running count of votes per group up to its end. A vote's own
// occurred_at and group are read from its fact when a block is scanned:
// votes are most of the fact table, so a block's facts lie close together.
type voteIndex struct {
	pos []uint32 // log position
	// lo[j], hi[j]: the occurred_at range of block j; ends[j]: votes per
	// group among ordinals [0, (j+1)·voteBlock). One entry per full block.
	lo, hi []int64
	ends   [][]uint32
	// cur counts votes per group among all of them: the writer's running
	// total, of which each full block keeps a copy in ends.
	cur []uint32
	// blo, bhi: the occurred_at range of the block being filled.
	blo, bhi int64
}

func (v *voteIndex) add(pos int64, f *Fact) {
	o := len(v.pos)
	g := voteGroup(f)
	v.pos = append(v.pos, uint32(pos))
	for int(g) >= len(v.cur) {
		v.cur = append(v.cur, 0)
	}
	v.cur[g]++
	if o%voteBlock == 0 {
		v.blo, v.bhi = f.Occurred, f.Occurred
	} else {
		v.blo, v.bhi = min(v.blo, f.Occurred), max(v.bhi, f.Occurred)
	}
	if (o+1)%voteBlock == 0 {
		v.lo = append(v.lo, v.blo)
		v.hi = append(v.hi, v.bhi)
		v.ends = append(v.ends, append([]uint32(nil), v.cur...))
	}
}

// truncate drops the votes from ordinal o on (a refused batch, whose facts
// are still in facts).
func (v *voteIndex) truncate(facts *factTable, o int) {
	for _, p := range v.pos[o:] {
		v.cur[voteGroup(facts.at(int64(p)-1))]--
	}
	v.pos = v.pos[:o]
	full := o / voteBlock
	v.lo, v.hi, v.ends = v.lo[:full], v.hi[:full], v.ends[:full]
	for i := full * voteBlock; i < o; i++ {
		occ := facts.at(int64(v.pos[i]) - 1).Occurred
		if i == full*voteBlock {
			v.blo, v.bhi = occ, occ
		} else {
			v.blo, v.bhi = min(v.blo, occ), max(v.bhi, occ)
		}
	}
}

// shared is the index as a snapshot sees it: what it has now, and never
// what the writer adds or changes after.
func (v *voteIndex) shared() voteIndex {
	return voteIndex{pos: clip(v.pos), lo: clip(v.lo), hi: clip(v.hi), ends: clip(v.ends)}
}

func clip[T any](s []T) []T { return s[:len(s):len(s)] }

func clipAll(lists [][]uint32) [][]uint32 {
	out := make([][]uint32, len(lists))
	for i, l := range lists {
		out[i] = clip(l)
	}
	return out
}

// count adds to cnt (per group) the votes recorded within the first n
// positions that occurred by a, and returns how many it added.
func (v *voteIndex) count(facts *factTable, cnt []int64, a, n int64) (added int64) {
	m := sort.Search(len(v.pos), func(i int) bool { return int64(v.pos[i]) > n })
	full := min(m/voteBlock, len(v.ends))
	scan := func(from, to int) {
		for _, p := range v.pos[from:to] {
			if f := facts.at(int64(p) - 1); f.Occurred <= a {
				cnt[voteGroup(f)]++
				added++
			}
		}
	}
	// Runs of blocks that occurred wholly by a are added from their
	// running counts; a block straddling a is scanned; a block wholly
	// after a adds nothing.
	run := -1 // first block of the current run
	flush := func(end int) {
		if run < 0 {
			return
		}
		hiEnd := v.ends[end-1]
		var loEnd []uint32
		if run > 0 {
			loEnd = v.ends[run-1]
		}
		for g, k := range hiEnd {
			d := int64(k)
			if g < len(loEnd) {
				d -= int64(loEnd[g])
			}
			if d != 0 {
				cnt[g] += d
				added += d
			}
		}
		run = -1
	}
	for j := 0; j < full; j++ {
		switch {
		case v.hi[j] <= a:
			if run < 0 {
				run = j
			}
		case v.lo[j] <= a:
			flush(j)
			scan(j*voteBlock, (j+1)*voteBlock)
		default:
			flush(j)
		}
	}
	flush(full)
	scan(full*voteBlock, m)
	return added
}

// addToStreams files the fact just folded at pos.
func (s *State) addToStreams(pos int64, f *Fact) {
	if f.Type == voteCode {
		s.votes.add(pos, f)
		s.secVotes = post(s.secVotes, f.Sec, pos)
		return
	}
	s.others = append(s.others, uint32(pos))
	k := kinds[f.Type]
	switch {
	case s.unitWide(f):
		s.wide = append(s.wide, uint32(pos))
	case k.names != nil:
		for _, si := range k.names(s, f) {
			s.secOthers = post(s.secOthers, si, pos)
		}
	case k.touches == nil:
		if f.Sec >= 0 {
			s.secOthers = post(s.secOthers, f.Sec, pos)
		}
	default:
		for si := range s.sections {
			if k.touches(s, f, int32(si)) {
				s.secOthers = post(s.secOthers, int32(si), pos)
			}
		}
	}
}

// unitWide reports a fact about a whole unit, or a correction of one.
func (s *State) unitWide(f *Fact) bool {
	if k := kinds[f.Type]; k.spec.Class == events.Correction {
		f = s.fact(f.Target)
	}
	return kinds[f.Type].unitWide
}

// post appends pos to section si's list.
func post(lists [][]uint32, si int32, pos int64) [][]uint32 {
	for int(si) >= len(lists) {
		lists = append(lists, nil)
	}
	lists[si] = append(lists[si], uint32(pos))
	return lists
}

// touching is what explain reads for section si within the first n
// positions, in position order: its votes, the other facts that concern
// it, and those about its unit as a whole.
func (s *State) touching(si int32, n int64) [][]uint32 {
	var out [][]uint32
	for _, l := range [][][]uint32{s.secVotes, s.secOthers} {
		if int(si) < len(l) {
			out = append(out, upTo(l[si], n))
		}
	}
	return append(out, upTo(s.wide, n))
}

// warm reads the facts at positions in a loop that does nothing else, and
// returns their types or'ed together (for the caller to keep, so that the
// reads are not dropped). A section's facts lie scattered over the whole
// table, a cache miss each at scale: here the CPU waits for many of them at
// once, where explain's wording, which does much between two facts, would
// wait for one at a time.
func (s *State) warm(positions []uint32) uint8 {
	var t uint8
	for _, pos := range positions {
		t |= s.facts.at(int64(pos) - 1).Type
	}
	return t
}

// merged calls fn with the positions of sorted lists in order.
func merged(lists [][]uint32, fn func(pos int64)) {
	for {
		best := -1
		for i, l := range lists {
			if len(l) > 0 && (best < 0 || l[0] < lists[best][0]) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		fn(int64(lists[best][0]))
		lists[best] = lists[best][1:]
	}
}

// cutStreams drops what the facts from index i on put in the streams (a
// refused batch).
func (s *State) cutStreams(i int) {
	o := len(s.votes.pos)
	for o > 0 && int(s.votes.pos[o-1]) > i {
		o--
	}
	s.votes.truncate(&s.facts, o)
	cut := func(l []uint32) []uint32 {
		k := len(l)
		for k > 0 && int(l[k-1]) > i {
			k--
		}
		return l[:k]
	}
	s.others, s.wide = cut(s.others), cut(s.wide)
	for _, lists := range [][][]uint32{s.secVotes, s.secOthers} {
		for si := range lists {
			lists[si] = cut(lists[si])
		}
	}
}

// sharedStreams gives a snapshot the streams as they are now.
func (s *State) sharedStreams(snap *State) {
	snap.votes = s.votes.shared()
	snap.others, snap.wide = clip(s.others), clip(s.wide)
	snap.secVotes, snap.secOthers = clipAll(s.secVotes), clipAll(s.secOthers)
}

// upTo is the prefix of a position list within the first n positions.
func upTo(l []uint32, n int64) []uint32 {
	return l[:sort.Search(len(l), func(i int) bool { return int64(l[i]) > n })]
}
