package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
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

// A file's name may hold what a URI would read otherwise: the store is the
// file of that very name, for writing and for reading only.
func TestPathsWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"q?x.db", "h#x.db", "we%20ird.db", "c.db?mode=ro", "sp ace.db"} {
		path := filepath.Join(dir, name)
		fill(t, path, 3)
		_, err := os.Stat(path)
		require.NoError(t, err, name)
		r, err := sqlite.OpenReadOnly(context.Background(), path)
		require.NoError(t, err, name)
		h, err := r.Head(context.Background())
		require.NoError(t, err, name)
		require.Equal(t, int64(3), h.Position, name)
		require.NoError(t, r.Close())
	}
	// A path with a doubled slash, as sqlite:////tmp/x.db gives.
	fill(t, "/"+filepath.Join(dir, "slashes.db"), 1)
	require.NoError(t, os.Remove(filepath.Join(dir, "slashes.db")))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if n := e.Name(); !strings.HasSuffix(n, "-wal") && !strings.HasSuffix(n, "-shm") {
			names = append(names, n)
		}
	}
	require.ElementsMatch(t, []string{"q?x.db", "h#x.db", "we%20ird.db", "c.db?mode=ro", "sp ace.db"}, names, "no other file made")
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
		// The head claims four billion events: verify must still be
		// small and quick about it.
		{"the last row moved far past the head", []string{`UPDATE events SET position = 4000000000 WHERE position = 120`}, 120},
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

// TestReadRowsThatDoNotUnpack: rows are read packed, with NUL between the
// text columns; a row written around the ledger with a NUL in a text, or
// an id of the wrong length, is read column by column instead, so that
// readers see it exactly as stored, and the rows after it as before.
func TestReadRowsThatDoNotUnpack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	fill(t, path, 120)
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	before := map[int64]events.Record{}
	require.NoError(t, s.Read(ctx, 0, 0, func(r *events.Record) error {
		c := *r
		c.Data = append([]byte(nil), r.Data...)
		before[r.Position] = c
		return nil
	}))
	s.Close()
	db := raw(t, path)
	for _, q := range []string{
		`DROP TRIGGER events_no_update`,
		`UPDATE events SET actor = 'office:a' || char(0) || 'b' WHERE position = 30`,
		`UPDATE events SET ref = char(0) WHERE position = 31`,
		`UPDATE events SET stream = stream || char(0) || char(0) || char(0) WHERE position = 33`,
		// Numbers where texts belong: SQLite would write 1e20 as text
		// "1.0e+20", database/sql as "1e+20".
		`UPDATE events SET data = 1e20 WHERE position = 40`,
		`UPDATE events SET actor = 2.5 WHERE position = 41`,
		`UPDATE events SET id = substr(id, 1, 15) WHERE position = 60`,
	} {
		_, err = db.Exec(q)
		require.NoError(t, err, q)
	}
	s, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	read := func(after int64, limit int) ([]events.Record, error) {
		var out []events.Record
		err := s.Read(ctx, after, limit, func(r *events.Record) error {
			c := *r
			c.Data = append([]byte(nil), r.Data...)
			out = append(out, c)
			return nil
		})
		return out, err
	}
	want := func(pos int64) events.Record {
		r := before[pos]
		switch pos {
		case 30:
			r.Actor = "office:a\x00b"
		case 31:
			r.Ref = "\x00"
		case 33:
			r.Stream += "\x00\x00\x00"
		case 40:
			r.Data = []byte("1e+20")
		case 41:
			r.Actor = "2.5"
		}
		return r
	}
	for _, c := range []struct {
		after int64
		limit int
	}{{25, 10}, {29, 1}, {30, 1}, {29, 2}, {29, 5}, {38, 4}, {0, 59}} {
		got, err := read(c.after, c.limit)
		require.NoError(t, err)
		require.Len(t, got, c.limit, "after %d limit %d", c.after, c.limit)
		for i, r := range got {
			require.Equal(t, want(c.after+1+int64(i)), r, "after %d limit %d, position %d", c.after, c.limit, r.Position)
		}
	}
	// The malformed id is an error, after the 59 rows before it.
	got, err := read(0, 0)
	require.ErrorIs(t, err, events.ErrBroken)
	require.ErrorContains(t, err, "position 60: malformed id or hash")
	require.Len(t, got, 59)
}

// A number where the id belongs (written around the ledger) is a malformed
// id, as it always was: the packed read takes blobs only.
func TestReadANumberForAnID(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	fill(t, path, 10)
	db := raw(t, path)
	_, err := db.Exec(`DROP TRIGGER events_no_update; UPDATE events SET id = 12345678901234.0 WHERE position = 5`)
	require.NoError(t, err)
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	n := 0
	err = s.Read(ctx, 0, 0, func(*events.Record) error { n++; return nil })
	require.ErrorIs(t, err, events.ErrBroken)
	require.ErrorContains(t, err, "position 5: malformed id or hash")
	require.Equal(t, 4, n)
}
