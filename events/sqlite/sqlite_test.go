package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// backing is a fresh SQLite file; each handle is its own sqlite.Store on it,
// as separate processes would open it.
func backing(t *testing.T) eventstest.Opener {
	path := filepath.Join(t.TempDir(), "ledger.db")
	return func(t *testing.T) events.Store {
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestContract(t *testing.T) { eventstest.Run(t, backing) }

func TestLedgerContract(t *testing.T) { replaytest.Run(t, backing) }

func fill(t *testing.T, path string, n int) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer s.Close()
	eventstest.Append(t, s, n)
}

func raw(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAppendOnlyTriggers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	fill(t, path, 3)
	db := raw(t, path)
	_, err := db.Exec(`UPDATE events SET actor = 'mallory' WHERE position = 2`)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Exec(`DELETE FROM events WHERE position = 3`)
	require.ErrorContains(t, err, "append-only")
}

// TestVerifyFindsTampering changes the store behind the ledger's back and
// expects verify to name the first bad position.
func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name string
		sql  []string
		pos  int64
	}{
		{"one byte of data", []string{`UPDATE events SET data = CAST(replace(CAST(data AS TEXT), '"unit ', '"uniT ') AS BLOB) WHERE position = 57`}, 57},
		{"recorded_at", []string{`UPDATE events SET recorded_at = recorded_at + 1 WHERE position = 99`}, 99},
		{"deleted row", []string{`DELETE FROM events WHERE position = 40`}, 40},
		{"reordered rows", []string{`UPDATE events SET position = 1000 WHERE position = 10`, `UPDATE events SET position = 10 WHERE position = 11`, `UPDATE events SET position = 11 WHERE position = 1000`}, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.db")
			fill(t, path, 120)
			hashes := map[int64]events.Hash{}
			s, err := sqlite.Open(context.Background(), path)
			require.NoError(t, err)
			require.NoError(t, s.Read(context.Background(), 0, 0, func(r *events.Record) error {
				hashes[r.Position] = r.Hash
				return nil
			}))
			s.Close()
			db := raw(t, path)
			_, err = db.Exec(`DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete`)
			require.NoError(t, err)
			for _, q := range c.sql {
				_, err = db.Exec(q)
				require.NoError(t, err)
			}
			s, err = sqlite.Open(context.Background(), path)
			require.NoError(t, err)
			defer s.Close()
			n, head, err := events.Verify(context.Background(), s)
			var ve *events.VerifyError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, c.pos, ve.Position, "%v", err)
			require.ErrorIs(t, err, events.ErrBroken)
			// The last intact head, as GET /v1/verify reports it (issue #13,
			// item 12: it said 64 zeros).
			require.Equal(t, c.pos-1, n)
			require.Equal(t, hashes[c.pos-1], head)
		})
	}
}
