package replay_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pingyang/ledger/events/sqlite"
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
	l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1})
	require.NoError(t, err)
	replaytest.AppendLines(t, l, base...)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := projections.View{AsOf: time.Date(2021, 11, 30, 0, 0, 0, 0, time.UTC), KnownAt: now}
	want, err := l.StandingsJSON(v)
	require.NoError(t, err)
	require.False(t, l.FromCheckpoint())
	require.NoError(t, l.SaveCheckpoint(ctx))
	require.NoError(t, st.Close())

	st, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	l2, err := replay.Open(ctx, st, replay.Options{})
	require.NoError(t, err)
	require.True(t, l2.FromCheckpoint())
	got, err := l2.StandingsJSON(v)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	// And it appends on from there.
	replaytest.AppendLines(t, l2, line("UnitRegistered", at, `{"unit_id":"U8","name":"n"}`))
	require.Equal(t, int64(len(base)+1), l2.Len())
}
