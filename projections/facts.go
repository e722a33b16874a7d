package projections

// factChunk is how many facts a chunk of the fact table holds (4 MiB).
const factChunk = 1 << 16

// factTable holds the facts in fixed chunks, so that it grows without
// copying what it holds (copying a year's table would need twice its
// memory at once) and a snapshot shares every chunk with the writer, which
// only ever writes past the snapshot's length.
type factTable struct {
	chunks [][]Fact // each with room for factChunk facts
	n      int
}

func (t *factTable) len() int { return t.n }

// at returns the fact at index i (position i+1).
func (t *factTable) at(i int64) *Fact { return &t.chunks[i/factChunk][i%factChunk] }

func (t *factTable) add(f Fact) { *t.next() = f }

// next adds a zero fact and returns it, for the caller to fill in place.
func (t *factTable) next() *Fact {
	if t.n/factChunk == len(t.chunks) {
		t.chunks = append(t.chunks, make([]Fact, 0, factChunk))
	}
	c := &t.chunks[t.n/factChunk]
	*c = append(*c, Fact{})
	t.n++
	return &(*c)[len(*c)-1]
}

// cut drops the facts from index n on.
func (t *factTable) cut(n int) {
	for t.n > n {
		c := &t.chunks[(t.n-1)/factChunk]
		keep := max(n-(t.n-1)/factChunk*factChunk, 0)
		t.n -= len(*c) - keep
		*c = (*c)[:keep]
	}
}

// shared is the table as a snapshot sees it.
func (t *factTable) shared() factTable {
	chunks := make([][]Fact, len(t.chunks))
	for i, c := range t.chunks {
		chunks[i] = clip(c)
	}
	return factTable{chunks: chunks, n: t.n}
}

// fact returns the fact at position pos.
func (s *State) fact(pos int64) *Fact { return s.facts.at(pos - 1) }
