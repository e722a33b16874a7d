package replay_test

import (
	"context"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// A what-if answers as if its events were appended, and leaves no trace:
// not in the store, not in the state, not in the hooks, not in the cache.
func TestWhatIfLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	l, st := replaytest.OpenSQLite(t, replay.Options{})
	replaytest.AppendLines(t, l, base...)
	replaytest.AppendLines(t, l, line("DeductionContested", at, `{"target_id":"`+findID+`","section_id":"S01","grounds":"依据不足"}`))
	appended := 0
	l.OnAppend(func(n int) { appended += n })
	v := projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()}
	before, err := l.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	head, n := l.Head(), l.Len()

	overturn := line("ContestResolved", at, `{"target_id":"`+findID+`","outcome":"overturned"}`)
	w, err := l.WhatIf(ctx, replaytest.DecodeLines(overturn), events.WindowEnd)
	require.NoError(t, err)
	require.True(t, w.Hypothetical)
	require.True(t, w.Diff.Hypothetical)
	require.Equal(t, 1, w.Folded)
	require.Equal(t, w.Diff.From.Events+1, w.Diff.To.Events)
	require.Equal(t, w.Diff.To.Events, w.Standings.Events)
	// S01 moves up; the sections it passes move down one, with no event
	// of their own.
	s01 := w.Diff.Sections[0]
	require.Less(t, *s01.After.Rank, *s01.Before.Rank)
	for _, o := range w.Diff.Sections[1:] {
		require.Contains(t, o.Changed, "rank")
		require.Equal(t, *o.Before.Rank+1, *o.After.Rank)
		require.Empty(t, o.Events)
	}
	require.Equal(t, "S01", s01.SectionID)
	require.InDelta(t, 19, *s01.Before.Inspection, 1e-9, "20 - 1 while contested")
	require.InDelta(t, 20, *s01.After.Inspection, 1e-9, "overturned")
	require.Equal(t, "overturned", s01.Events[0].After.Status)

	require.Equal(t, 0, appended, "no OnAppend hook for a what-if")
	require.Equal(t, n, l.Len())
	require.Equal(t, head, l.Head())
	sh, err := st.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, head, sh)
	after, err := l.StandingsJSON(context.Background(), v)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	again, err := l.StandingsJSON(context.Background(), projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()})
	require.NoError(t, err)
	require.Contains(t, string(again), `"inspection":19,`, "S01 is still contested")

	// Bad events get the errors an append gives them, and nothing stays.
	for _, bad := range [][]string{
		{line("ContestResolved", at, `{"target_id":"`+voteID+`","outcome":"upheld"}`)},
		{overturn, overturn},
		{line("HotlineVerdict", at, `{"section_id":"S99","item":"conduct","points":4,"role":"lead"}`)},
		{`{"type":"Nope"}`},
	} {
		_, werr := l.WhatIf(ctx, replaytest.DecodeLines(bad...), events.WindowEnd)
		require.Error(t, werr)
		_, aerr := l.Append(ctx, replaytest.DecodeLines(bad...), replay.AppendOptions{})
		require.Error(t, aerr)
		require.Equal(t, aerr.Error(), werr.Error())
		require.Equal(t, n, l.Len())
	}
	_, err = l.WhatIf(ctx, replaytest.DecodeLines(), events.WindowEnd)
	require.ErrorIs(t, err, events.ErrInvalid)

	// A stored event sent again is a repeat, as on an append: counted
	// unchanged, folded in once only; with other content, a conflict.
	stored := line("ServiceVoteRecorded", "2021-06-01T09:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-used","rating":"basic"}`, eventstest.WithID(voteID))
	w, err = l.WhatIf(ctx, replaytest.DecodeLines(stored, overturn), events.WindowEnd)
	require.NoError(t, err)
	require.Equal(t, 1, w.Unchanged)
	require.Equal(t, 1, w.Folded)
	changed := line("ServiceVoteRecorded", "2021-06-01T09:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-used","rating":"satisfied"}`, eventstest.WithID(voteID))
	_, err = l.WhatIf(ctx, replaytest.DecodeLines(changed), events.WindowEnd)
	require.ErrorIs(t, err, events.ErrConflict)
	require.Contains(t, err.Error(), "is already stored (position")
	require.Equal(t, n, l.Len())

	// The real resolution appends where the hypothetical one was folded.
	res := replaytest.AppendLines(t, l, overturn)
	require.Equal(t, n+1, res.Head.Position)
	require.Equal(t, 1, appended)
}
