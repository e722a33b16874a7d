package events

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// flakyTree has no row for a batch of nodes, then fails to read one.
type flakyTree struct{ err error }

func (f flakyTree) TreeNodes(ctx context.Context, ids []NodeID) ([]Hash, error) {
	if len(ids) > 1 {
		return nil, ErrNotFound
	}
	return nil, f.err
}

// A read that fails while checkNodes looks for the missing node is the
// read's error, not a tree that does not match.
func TestCheckNodesTellsAFailedReadFromABadTree(t *testing.T) {
	nodes := []treeNode{{NodeID{Level: 0, Index: 0}, Hash{1}}, {NodeID{Level: 0, Index: 1}, Hash{2}}}
	bad, err := checkNodes(context.Background(), flakyTree{context.Canceled}, nodes)
	require.Nil(t, bad)
	require.ErrorIs(t, err, context.Canceled)
	bad, err = checkNodes(context.Background(), flakyTree{ErrNotFound}, nodes)
	require.NoError(t, err)
	require.NotNil(t, bad)
	require.True(t, bad.Tree)
	require.Equal(t, int64(1), bad.Position)
}
