package replay_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// A saved checkpoint is what the next process starts from, and it answers
// exactly what a fold of the whole log answers.
func TestCheckpointIsUsedAndAnswersTheSame(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	key := testSealer(t)
	l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1, Sealer: key})
	require.NoError(t, err)
	replaytest.AppendLines(t, l, base...)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := projections.View{AsOf: time.Date(2021, 11, 30, 0, 0, 0, 0, time.UTC), KnownAt: now}
	want, err := l.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	require.False(t, l.FromCheckpoint())
	require.NoError(t, l.SaveCheckpoint(ctx))
	require.NoError(t, st.Close())

	st, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	// Without the key it cannot be trusted: the log is folded instead.
	l0, err := replay.Open(ctx, st, replay.Options{})
	require.NoError(t, err)
	require.False(t, l0.FromCheckpoint())
	require.NotEmpty(t, l0.CacheRefused)
	got0, err := l0.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got0))

	l2, err := replay.Open(ctx, st, replay.Options{Sealer: key})
	require.NoError(t, err)
	require.True(t, l2.FromCheckpoint())
	got, err := l2.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	// And it appends on from there.
	replaytest.AppendLines(t, l2, line("UnitRegistered", at, `{"unit_id":"U8","name":"n"}`))
	require.Equal(t, int64(len(base)+1), l2.Len())
}

func testSealer(t *testing.T) *transparency.Signer {
	t.Helper()
	skey, _, err := transparency.GenerateKey(rand.Reader, "test.example/ledger")
	require.NoError(t, err)
	s, err := transparency.NewSigner(skey)
	require.NoError(t, err)
	return s
}

// An edited cache, with the checkpoint's position and anchor intact, is
// never served: its seal no longer verifies, the log is folded, and the
// answers are the log's; verify names it.
func TestEditedCacheIsRefusedAndReported(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	key := testSealer(t)
	l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1, Sealer: key})
	require.NoError(t, err)
	replaytest.AppendLines(t, l, base...)
	v := projections.View{AsOf: time.Date(2021, 11, 30, 0, 0, 0, 0, time.UTC), KnownAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	want, err := l.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	require.NoError(t, l.SaveCheckpoint(ctx))
	c, data, err := eventstest.LoadCheckpoint(ctx, st)
	require.NoError(t, err)
	// Flip one byte of the state, as a store writer could: the sealed
	// digest no longer matches the data.
	data[len(data)/2] ^= 0x01
	require.NoError(t, eventstest.SaveCheckpoint(ctx, st, c, data))
	l2, err := replay.Open(ctx, st, replay.Options{Sealer: key})
	require.NoError(t, err)
	require.False(t, l2.FromCheckpoint())
	require.Contains(t, l2.CacheRefused, "could not be read whole")
	got, err := l2.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))

	// And with a digest made to match, the seal no longer does.
	c.Digest = sha256.Sum256(data)
	require.NoError(t, eventstest.SaveCheckpoint(ctx, st, c, data))
	l3, err := replay.Open(ctx, st, replay.Options{Sealer: key})
	require.NoError(t, err)
	require.False(t, l3.FromCheckpoint())
	require.Contains(t, l3.CacheRefused, "not sealed by this key")

	_, err = replay.Verify(ctx, st, time.Now())
	var ve *events.VerifyError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, c.Position, ve.Position, ve.Reason)
	require.Equal(t, replay.CacheMismatch, ve.Reason)
}

// An id repeated within one batch is an idempotent repeat when the content
// is the same and a conflict when it is not, like an id stored before: the
// state keeps no content, so the batch compares with what it sealed, and
// with the store for what was stored before it.
func TestRepeatedIDsWithinABatch(t *testing.T) {
	ctx := context.Background()
	l, _ := replaytest.OpenSQLite(t, replay.Options{CheckpointEvery: -1})
	const id = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	unit := eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithID(id))
	other := eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U2","name":"n"}`, eventstest.WithID(id))
	res, err := l.Append(ctx, replaytest.DecodeLines(unit, unit), replay.AppendOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
	require.Equal(t, 1, res.Unchanged)
	_, err = l.Append(ctx, replaytest.DecodeLines(other), replay.AppendOptions{})
	require.ErrorIs(t, err, events.ErrConflict)
	_, err = l.Append(ctx, replaytest.DecodeLines(
		eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U3","name":"n"}`,
			eventstest.WithID("7ba7b810-9dad-41d1-80b4-00c04fd430c8")),
		eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U4","name":"n"}`,
			eventstest.WithID("7ba7b810-9dad-41d1-80b4-00c04fd430c8"))), replay.AppendOptions{})
	require.ErrorIs(t, err, events.ErrConflict)
	res, err = l.Append(ctx, replaytest.DecodeLines(unit), replay.AppendOptions{Keep: true})
	require.NoError(t, err)
	require.Equal(t, 1, res.Unchanged)
	require.Equal(t, int64(1), res.Records[0].Position)
}

// A row written around the ledger that repeats a stored event's id, with
// a correct hash, is named by verify: the append's own check, which files
// each id once.
func TestVerifyNamesARepeatedID(t *testing.T) {
	ctx := context.Background()
	l, st := replaytest.OpenSQLite(t, replay.Options{CheckpointEvery: -1})
	const id = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	replaytest.AppendLines(t, l, eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithID(id)))
	h, err := st.Head(ctx)
	require.NoError(t, err)
	ev := replaytest.DecodeLines(eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U2","name":"n"}`, eventstest.WithID(id)))
	var recs []*events.Record
	for x := range ev {
		require.Nil(t, x.Err)
		r, _ := events.Seal(h, x.Event, h.RecordedAt, nil)
		recs = append(recs, r)
	}
	_, err = st.Append(ctx, h, eventstest.Records(recs))
	require.NoError(t, err)
	_, err = replay.Verify(ctx, st, time.Now())
	var ve *events.VerifyError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, int64(2), ve.Position)
	require.Equal(t, "breaks a rule: id: event "+id+" is already stored (position 1)", ve.Reason)
}

// A row moved to position four billion makes the store's head claim four
// billion events: re-validation names the gap without making room for
// them first.
func TestVerifyOfAFarHead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1})
	require.NoError(t, err)
	replaytest.AppendLines(t, l, base[:5]...)
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`DROP TRIGGER events_no_update; UPDATE events SET position = 4000000000 WHERE position = 5`)
	db.Close()
	require.NoError(t, err)
	st, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	_, err = replay.Verify(ctx, st, time.Now())
	var ve *events.VerifyError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, int64(5), ve.Position)
	require.Contains(t, ve.Reason, "missing: the next stored position is 4000000000")
}
