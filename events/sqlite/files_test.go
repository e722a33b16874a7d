package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/stretchr/testify/require"
)

// TestFilesRemovedOrReplacedBeneathTheStore: once a path no longer names
// the file the store opened, no append is acknowledged again; and when
// only the WAL went, the events acknowledged before are saved into the
// database file, so that a restart (even after a crash) does not give
// their positions to new events (issue #13, item 10: with the WAL deleted,
// serve kept answering 201, and a restart lost 1,000 acknowledged events).
func TestFilesRemovedOrReplacedBeneathTheStore(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		break_ func(t *testing.T, path string)
		saved  bool // the acknowledged events survive in the database file
	}{
		{"WAL removed", func(t *testing.T, path string) { require.NoError(t, os.Remove(path+"-wal")) }, true},
		{"WAL index removed", func(t *testing.T, path string) { require.NoError(t, os.Remove(path+"-shm")) }, true},
		{"database replaced", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "other.db")
			fill(t, other, 2)
			require.NoError(t, os.Rename(other, path))
		}, false},
		{"database removed", func(t *testing.T, path string) { require.NoError(t, os.Remove(path)) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.db")
			s, err := sqlite.Open(ctx, path)
			require.NoError(t, err)
			defer s.Close()
			acked := eventstest.Append(t, s, 25) // in the WAL, not yet in the database file
			c.break_(t, path)
			h, err := s.Head(ctx)
			require.NoError(t, err)
			for i := 0; i < 2; i++ {
				_, err = s.Append(ctx, h, eventstest.Records(eventstest.Sealed(h, 1)))
				require.ErrorIs(t, err, events.ErrStoreLost, "append %d after the files went", i+1)
				require.Contains(t, err.Error(), "no append is accepted any more")
			}
			require.ErrorIs(t, eventstest.SaveCheckpoint(ctx, s, events.Checkpoint{Position: 1, Format: "x"}, nil), events.ErrStoreLost)
			if !c.saved {
				return
			}
			require.Contains(t, err.Error(), "were copied into the database file")
			// A restart after a crash: the old handle never closes.
			again, err := sqlite.Open(ctx, path)
			require.NoError(t, err)
			defer again.Close()
			n, head, err := events.Verify(ctx, again)
			require.NoError(t, err)
			require.Equal(t, acked.Position, n, "the acknowledged events are there")
			require.Equal(t, acked.Hash, head)
		})
	}
}

// TestOpenReadOnly reads a ledger without writing it (no migration), and
// refuses writes. (In a directory it may write, SQLite makes the -wal and
// -shm files a WAL reader needs, empty.)
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	fill(t, path, 12)
	s, err := sqlite.OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	n, _, err := events.Verify(ctx, s)
	require.NoError(t, err)
	require.Equal(t, int64(12), n)
	h, err := s.Head(ctx)
	require.NoError(t, err)
	_, err = s.Append(ctx, h, eventstest.Records(eventstest.Sealed(h, 1)))
	require.ErrorContains(t, err, "read-only")
	require.ErrorContains(t, eventstest.SaveCheckpoint(ctx, s, events.Checkpoint{Position: 12}, nil), "read-only")

	empty := filepath.Join(t.TempDir(), "other.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err = sqlite.OpenReadOnly(ctx, empty)
	require.ErrorIs(t, err, events.ErrNotFound)
}
