package eventstest

import (
	"context"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// testTree: after every append, by any handle, the store's tree is the
// RFC 6962 tree of the records' canonical bytes, computed here with
// transparency-dev/merkle's own hasher, and its proofs verify with that
// library's verifier; nothing past the head is there; a batch the store
// refused leaves the tree as it was.
func testTree(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	root, err := events.TreeRoot(ctx, s, 0)
	require.NoError(t, err)
	require.Equal(t, rfc6962.DefaultHasher.EmptyRoot(), root[:], "the empty tree")

	hasher := rfc6962.DefaultHasher
	var leaves [][]byte
	var roots [][]byte
	check := func(st events.Store) {
		t.Helper()
		size := int64(len(leaves))
		for n := int64(1); n <= size; n++ {
			r, err := events.TreeRoot(ctx, st, n)
			require.NoError(t, err)
			require.Equal(t, roots[n-1], r[:], "root of size %d", n)
		}
		for n := int64(1); n <= size; n += 3 {
			for i := int64(0); i < n; i += 2 {
				p, err := events.InclusionProof(ctx, st, i, n)
				require.NoError(t, err)
				require.NoError(t, proof.VerifyInclusion(hasher, uint64(i), uint64(n), leaves[i], proofBytes(p), roots[n-1]), "leaf %d in %d", i, n)
			}
			for m := int64(1); m <= n; m += 2 {
				p, err := events.ConsistencyProof(ctx, st, m, n)
				require.NoError(t, err)
				require.NoError(t, proof.VerifyConsistency(hasher, uint64(m), uint64(n), proofBytes(p), roots[m-1], roots[n-1]), "%d to %d", m, n)
			}
		}
		_, err := st.TreeNodes(ctx, []events.NodeID{{Level: 0, Index: uint64(size)}})
		require.ErrorIs(t, err, events.ErrNotFound, "a leaf past the head")
		_, err = events.TreeRoot(ctx, st, size+1)
		require.ErrorIs(t, err, events.ErrNotFound, "a tree larger than the log")
	}
	h := events.Head{}
	for _, n := range []int{1, 1, 2, 5, 9, 17, 1, 300} {
		recs := Sealed(h, n)
		var err error
		h, err = s.Append(ctx, h, Records(recs))
		require.NoError(t, err)
		var buf []byte
		for _, r := range recs {
			buf = r.Canonical(buf[:0])
			leaves = append(leaves, hasher.HashLeaf(buf))
			var mt events.MemTree
			for _, l := range leaves {
				mt.Append(events.Hash(l))
			}
			rt := mt.Root()
			roots = append(roots, rt[:])
		}
		// A refused batch changes nothing of the tree.
		_, err = s.Append(ctx, h, failing(Sealed(h, 3), errRefused))
		require.ErrorIs(t, err, errRefused)
		check(s)
	}
	check(open(t))
	// The reference roots themselves are the library's: a perfect tree of
	// two leaves is HashChildren of the two.
	require.Equal(t, hasher.HashChildren(leaves[0], leaves[1]), roots[1])
}

var errRefused = refusedError("refused by the caller")

type refusedError string

func (e refusedError) Error() string { return string(e) }

func proofBytes(hs []events.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
