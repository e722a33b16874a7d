package replaytest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/replay"
	"github.com/stretchr/testify/require"
)

// OpenSQLite opens a ledger with opt on a new SQLite file in the test's
// temporary directory; the store is closed when the test ends.
func OpenSQLite(t testing.TB, opt replay.Options) (*replay.Ledger, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	l, err := replay.Open(context.Background(), st, opt)
	require.NoError(t, err)
	return l, st
}
