package events

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The Merkle tree of the log (RFC 6962, as Certificate Transparency and the
// Go checksum database use it): leaf i (from 0) is the record at position
// i+1, and its leaf data is the record's canonical bytes, the same bytes the
// hash chain hashes. A leaf hash is sha256(0x00 || canonical bytes); an
// interior node is sha256(0x01 || left || right); the root of an empty tree
// is sha256 of nothing.
//
// The chain says "nothing before the head changed"; the tree adds what the
// chain cannot: a short proof that an event is in a signed tree
// (inclusion), and that a later signed tree contains an earlier one
// (consistency), so that someone who kept an earlier checkpoint can tell
// that the log only grew, without reading it.
//
// A store keeps the hashes of the tree's perfect subtrees (NodeID: a level
// and an index at that level; level 0 are the leaves), which never change
// once complete. Roots and proofs for any size are computed here from
// those, so both backends give the same answers by construction.

// NodeID names a perfect subtree: Level 0 is a leaf, Index counts from the
// left at that level, so it covers leaves [Index<<Level, (Index+1)<<Level).
type NodeID = compact.NodeID

// TreeReader reads stored node hashes (Store.TreeNodes).
type TreeReader interface {
	TreeNodes(ctx context.Context, ids []NodeID) ([]Hash, error)
}

// LeafHash is the RFC 6962 hash of a leaf's data.
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash is the RFC 6962 hash of an interior node.
func NodeHash(left, right Hash) Hash {
	var b [65]byte
	b[0] = 1
	copy(b[1:], left[:])
	copy(b[33:], right[:])
	return sha256.Sum256(b[:])
}

// EmptyRoot is the root of the tree with no leaves.
var EmptyRoot = Hash(sha256.Sum256(nil))

// LeafOf computes the record's leaf hash into r.Leaf from its canonical
// bytes; buf is scratch space returned for reuse.
func (r *Record) LeafOf(buf []byte) []byte {
	buf = r.Canonical(buf[:0])
	r.Leaf = LeafHash(buf)
	return buf
}

// Edge is the right edge of a tree: the roots of the perfect subtrees that
// make up [0, Size), largest first (the compact range of RFC 6962's tree).
// Appending a leaf produces the node hashes that became complete, which is
// what a store writes; Root folds the edge into the tree's root.
type Edge struct {
	Size   int64
	hashes []Hash
}

// LoadEdge reads the edge of the tree of the given size from stored nodes.
func LoadEdge(ctx context.Context, tr TreeReader, size int64) (*Edge, error) {
	if size < 0 {
		return nil, fmt.Errorf("tree: size %d: %w", size, ErrInvalid)
	}
	ids := compact.RangeNodes(0, uint64(size), nil)
	hs, err := tr.TreeNodes(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("tree: edge of size %d: %w", size, err)
	}
	return &Edge{Size: size, hashes: hs}, nil
}

// Append adds the leaf at index e.Size and calls visit with every node
// that it completes, the leaf first, in increasing level.
func (e *Edge) Append(leaf Hash, visit func(id NodeID, h Hash)) {
	idx := uint64(e.Size)
	h := leaf
	var level uint
	if visit != nil {
		visit(NodeID{Level: 0, Index: idx}, h)
	}
	for idx&1 == 1 {
		top := len(e.hashes) - 1
		h = NodeHash(e.hashes[top], h)
		e.hashes = e.hashes[:top]
		idx >>= 1
		level++
		if visit != nil {
			visit(NodeID{Level: level, Index: idx}, h)
		}
	}
	e.hashes = append(e.hashes, h)
	e.Size++
}

// Root is the root hash of the tree of size e.Size.
func (e *Edge) Root() Hash {
	if len(e.hashes) == 0 {
		return EmptyRoot
	}
	r := e.hashes[len(e.hashes)-1]
	for i := len(e.hashes) - 2; i >= 0; i-- {
		r = NodeHash(e.hashes[i], r)
	}
	return r
}

// Clone copies the edge.
func (e *Edge) Clone() *Edge {
	return &Edge{Size: e.Size, hashes: append([]Hash(nil), e.hashes...)}
}

// Merge appends other, an edge that starts at e.Size and spans a perfect
// subtree aligned to its size (as Verify's ranges are), or any range when
// e is empty. It is how ranges hashed in parallel are joined.
// visit, when not nil, is called with every node the joining completes.
func (e *Edge) merge(other *Edge, visit func(id NodeID, h Hash)) {
	// Re-append other's subtrees as leaves of their own level: walk them
	// largest first and combine like Append does at that level.
	for i, h := range other.hashes {
		// The subtree's size is the i-th set bit of other.Size, from the top.
		level := topBits(other.Size)[i]
		e.appendNode(h, level, visit)
	}
}

func (e *Edge) appendNode(h Hash, level uint, visit func(id NodeID, h Hash)) {
	idx := uint64(e.Size) >> level
	for up := level + 1; idx&1 == 1; up++ {
		top := len(e.hashes) - 1
		h = NodeHash(e.hashes[top], h)
		e.hashes = e.hashes[:top]
		idx >>= 1
		if visit != nil {
			visit(NodeID{Level: up, Index: idx}, h)
		}
	}
	e.hashes = append(e.hashes, h)
	e.Size += 1 << level
}

// topBits lists the set bits of n from the highest.
func topBits(n int64) []uint {
	var out []uint
	for b := 62; b >= 0; b-- {
		if n&(1<<b) != 0 {
			out = append(out, uint(b))
		}
	}
	return out
}

// TreeRoot is the root of the tree of the first size records.
func TreeRoot(ctx context.Context, tr TreeReader, size int64) (Hash, error) {
	e, err := LoadEdge(ctx, tr, size)
	if err != nil {
		return Hash{}, err
	}
	return e.Root(), nil
}

// InclusionProof proves that the leaf at index is in the tree of the given
// size: the RFC 6962 audit path, leaf level first. The caller checks that
// size does not exceed the stored tree (ErrNotFound otherwise).
func InclusionProof(ctx context.Context, tr TreeReader, index, size int64) ([]Hash, error) {
	if index < 0 || size <= index {
		return nil, fmt.Errorf("tree: inclusion of leaf %d in a tree of size %d: %w", index, size, ErrInvalid)
	}
	n, err := proof.Inclusion(uint64(index), uint64(size))
	if err != nil {
		return nil, fmt.Errorf("tree: %v: %w", err, ErrInvalid)
	}
	return rehash(ctx, tr, n)
}

// ConsistencyProof proves that the tree of size from is a prefix of the
// tree of size to (0 <= from <= to).
func ConsistencyProof(ctx context.Context, tr TreeReader, from, to int64) ([]Hash, error) {
	if from < 0 || to < from {
		return nil, fmt.Errorf("tree: consistency of %d with %d: %w", from, to, ErrInvalid)
	}
	n, err := proof.Consistency(uint64(from), uint64(to))
	if err != nil {
		return nil, fmt.Errorf("tree: %v: %w", err, ErrInvalid)
	}
	return rehash(ctx, tr, n)
}

// CheckInclusion checks an inclusion proof the store made against the
// store itself: the leaf of the event at index+1 and the root of its tree
// of the given size. A node changed off the root's path leaves the root
// as it was and makes the proofs through it fail: this is how a command
// that prints a proof from a store it has not verified refuses to print a
// wrong one (ErrBroken).
func CheckInclusion(ctx context.Context, s Store, index, size int64, hashes []Hash) error {
	var leaf Hash
	found := false
	if err := s.Read(ctx, index, 1, func(r *Record) error {
		found = r.Position == index+1
		r.LeafOf(nil)
		leaf = r.Leaf
		return nil
	}); err != nil {
		return err
	}
	root, err := TreeRoot(ctx, s, size)
	if err != nil {
		return err
	}
	if !found || proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(index), uint64(size), leaf[:], hashBytes(hashes), root[:]) != nil {
		return brokenTree(fmt.Sprintf("the store's tree gives no proof that verifies for event %d in a tree of size %d (run ledger verify)", index+1, size))
	}
	return nil
}

// CheckConsistency checks a consistency proof the store made against the
// roots of its trees of sizes from and to (CheckInclusion says why).
func CheckConsistency(ctx context.Context, tr TreeReader, from, to int64, hashes []Hash) error {
	r1, err := TreeRoot(ctx, tr, from)
	if err != nil {
		return err
	}
	r2, err := TreeRoot(ctx, tr, to)
	if err != nil {
		return err
	}
	if proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(from), uint64(to), hashBytes(hashes), r1[:], r2[:]) != nil {
		return brokenTree(fmt.Sprintf("the store's tree gives no consistency proof that verifies from size %d to %d (run ledger verify)", from, to))
	}
	return nil
}

// brokenTree is an ErrBroken whose message is its own words alone: the
// sentinel's ("broken chain") would misname a tree that is wrong beside an
// intact chain.
type brokenTree string

func (e brokenTree) Error() string { return string(e) }
func (e brokenTree) Unwrap() error { return ErrBroken }

func hashBytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func rehash(ctx context.Context, tr TreeReader, n proof.Nodes) ([]Hash, error) {
	if len(n.IDs) == 0 {
		return []Hash{}, nil
	}
	hs, err := tr.TreeNodes(ctx, n.IDs)
	if err != nil {
		return nil, fmt.Errorf("tree: proof: %w", err)
	}
	out, err := n.Rehash(hashBytes(hs), func(l, r []byte) []byte {
		h := NodeHash(Hash(l), Hash(r))
		return h[:]
	})
	if err != nil {
		return nil, fmt.Errorf("tree: proof: %w", err)
	}
	res := make([]Hash, len(out))
	for i := range out {
		res[i] = Hash(out[i])
	}
	return res, nil
}

// MemTree keeps every node of a tree in memory: for a store that cannot
// keep them beside its records atomically (events/esdb rebuilds one from
// its log), and for tests.
type MemTree struct {
	levels [][]Hash
	edge   Edge
}

// Size is the number of leaves.
func (m *MemTree) Size() int64 { return m.edge.Size }

// Append adds a leaf.
func (m *MemTree) Append(leaf Hash) {
	m.edge.Append(leaf, func(id NodeID, h Hash) {
		for int(id.Level) >= len(m.levels) {
			m.levels = append(m.levels, nil)
		}
		m.levels[id.Level] = append(m.levels[id.Level], h)
	})
}

// Root is the root of the whole tree.
func (m *MemTree) Root() Hash { return m.edge.Root() }

// TreeNodes implements TreeReader: ErrNotFound for a node not complete yet.
func (m *MemTree) TreeNodes(_ context.Context, ids []NodeID) ([]Hash, error) {
	out := make([]Hash, len(ids))
	for i, id := range ids {
		if int(id.Level) >= len(m.levels) || id.Index >= uint64(len(m.levels[id.Level])) {
			return nil, fmt.Errorf("tree: node %d/%d: %w", id.Level, id.Index, ErrNotFound)
		}
		out[i] = m.levels[id.Level][id.Index]
	}
	return out, nil
}
