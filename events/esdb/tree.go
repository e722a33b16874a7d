package esdb

import (
	"context"
	"fmt"
	"sync"

	"github.com/pingyang/ledger/events"
)

// The Merkle tree. EventStoreDB cannot append to the ledger stream and to
// a second stream in one transaction, and a tree stream written after the
// ledger append could fall behind it or, after a crash, disagree with it.
// So the tree is not stored: each handle keeps it in memory (64 bytes a
// record), extended by its own appends from the records' Leaf and, for
// records other writers appended (or all of them, after Open), rebuilt
// from the ledger stream itself, which stays the one record.

type memTree struct {
	mu   sync.Mutex
	tree events.MemTree
	buf  []byte
}

// extend adds the leaves of records this handle appended, when the tree
// had reached the position they follow; otherwise catchUp reads them.
func (s *Store) extendTree(after int64, leaves []events.Hash) {
	s.tree.mu.Lock()
	defer s.tree.mu.Unlock()
	if s.tree.tree.Size() != after {
		return
	}
	for _, l := range leaves {
		s.tree.tree.Append(l)
	}
}

// TreeNodes implements events.Store.
func (s *Store) TreeNodes(ctx context.Context, ids []events.NodeID) ([]events.Hash, error) {
	if err := s.isClosed("tree"); err != nil {
		return nil, err
	}
	var need int64
	for _, id := range ids {
		need = max(need, int64(id.Index+1)<<id.Level)
	}
	s.tree.mu.Lock()
	defer s.tree.mu.Unlock()
	if size := s.tree.tree.Size(); size < need {
		err := s.Read(ctx, size, 0, func(r *events.Record) error {
			if r.Position != s.tree.tree.Size()+1 {
				return fmt.Errorf("esdb: tree: record %d follows %d: %w", r.Position, s.tree.tree.Size(), events.ErrBroken)
			}
			s.tree.buf = r.LeafOf(s.tree.buf)
			s.tree.tree.Append(r.Leaf)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s.tree.tree.TreeNodes(ctx, ids)
}
