package replay_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// viewLedger is a ledger over a fresh SQLite file holding the catalogue's
// base, with a clock the test moves.
func viewLedger(t *testing.T, opt replay.Options, clock *atomic.Int64) *replay.Ledger {
	t.Helper()
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	opt.Clock = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	l, _ := replaytest.OpenSQLite(t, opt)
	replaytest.AppendLines(t, l, base...)
	return l
}

// views are n different views of the base (as of n different days).
func views(n int) []projections.View {
	var out []projections.View
	for k := 0; k < n; k++ {
		out = append(out, projections.View{AsOf: events.WindowEnd.AddDate(0, 0, -k), KnownAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return out
}

// TestAppendsDoNotWaitForReaders: while a reader is in the middle of
// computing a view (held there by the hook), an append goes through.
func TestAppendsDoNotWaitForReaders(t *testing.T) {
	var clock atomic.Int64
	l := viewLedger(t, replay.Options{}, &clock)
	inside, release := make(chan struct{}), make(chan struct{})
	defer replay.SetComputeHook(func() { close(inside); <-release })()
	done := make(chan error, 1)
	go func() {
		_, err := l.StandingsJSON(context.Background(), views(1)[0])
		done <- err
	}()
	<-inside
	appended := make(chan error, 1)
	go func() {
		_, err := l.Append(context.Background(), replaytest.DecodeLines(line("UnitRegistered", at, `{"unit_id":"U8","name":"n"}`)), replay.AppendOptions{})
		appended <- err
	}()
	select {
	case err := <-appended:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the append waited for a reader")
	}
	require.Equal(t, int64(len(base)+1), l.Len(), "readers see the append at once")
	close(release)
	require.NoError(t, <-done)
}

// TestViewsQueueAndShare: many readers of different views compute at most
// MaxViews of them at once; many readers of one view share one computation;
// a reader that gives up while queued gets its context's error and leaves
// the others their answers.
func TestViewsQueueAndShare(t *testing.T) {
	var clock atomic.Int64
	l := viewLedger(t, replay.Options{MaxViews: 2}, &clock)
	var running, most, computed atomic.Int64
	defer replay.SetComputeHook(func() {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		computed.Add(1)
		time.Sleep(20 * time.Millisecond)
		running.Add(-1)
	})()
	var wg sync.WaitGroup
	for _, v := range views(12) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.StandingsJSON(context.Background(), v)
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	require.Equal(t, int64(2), most.Load(), "at most MaxViews computations at once")
	require.Equal(t, int64(12), computed.Load())

	computed.Store(0)
	v := views(13)[12] // not cached yet
	answers := make([][]byte, 16)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := l.StandingsJSON(context.Background(), v)
			require.NoError(t, err)
			answers[i] = b
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, computed.Load(), int64(2), "readers of one view share its computation")
	for _, b := range answers {
		require.Equal(t, answers[0], b)
	}

	// A reader that gives up while it waits for a slot.
	block, inside := make(chan struct{}), make(chan struct{}, 2)
	replay.SetComputeHook(func() { inside <- struct{}{}; <-block })
	for _, v := range views(20)[14:16] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.Explain(context.Background(), "S01", v)
			require.NoError(t, err)
		}()
	}
	<-inside
	<-inside // both slots taken
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err := l.Standings(ctx, views(20)[19])
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(block)
	wg.Wait()
}

// TestDefaultKnownAtNeverHidesTheLog: when the clock steps back, the
// default view still knows every stored event (issue #13, item 4).
func TestDefaultKnownAtNeverHidesTheLog(t *testing.T) {
	var clock atomic.Int64
	l := viewLedger(t, replay.Options{}, &clock)
	clock.Store(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).UnixNano()) // a year back
	replaytest.AppendLines(t, l, line("UnitRegistered", at, `{"unit_id":"U8","name":"n"}`))
	v, err := l.View(nil, nil)
	require.NoError(t, err)
	s, err := l.Standings(context.Background(), v)
	require.NoError(t, err)
	require.Equal(t, visibleByEnd(t, l), s.Events, "the default known_at is at least the head's recorded_at")
	require.Equal(t, events.FormatUTC(l.Head().RecordedAt), s.KnownAt)
}

// TestKnownAtOfAnyYear: known_at far outside the years int64 nanoseconds
// hold (1678 to 2262) is still answered right (issue #13, item 3).
func TestKnownAtOfAnyYear(t *testing.T) {
	var clock atomic.Int64
	l := viewLedger(t, replay.Options{}, &clock)
	all := visibleByEnd(t, l)
	for _, c := range []struct {
		at   string
		want int64
	}{
		{"0000-01-01T00:00:00Z", 0},
		{"1677-09-21T00:12:43Z", 0},
		{"1600-01-01T00:00:00+08:00", 0},
		{"2262-04-11T23:47:16Z", all},
		{"2262-04-12T00:00:00Z", all},
		{"9999-12-31T23:59:59.999999999Z", all},
	} {
		k, err := events.ParseBound(c.at)
		require.NoError(t, err, c.at)
		v, err := l.View(nil, &k)
		require.NoError(t, err)
		s, err := l.Standings(context.Background(), v)
		require.NoError(t, err)
		require.Equal(t, c.want, s.Events, fmt.Sprintf("known_at %s", c.at))
		b, err := l.StandingsJSON(context.Background(), v)
		require.NoError(t, err)
		require.Contains(t, string(b), fmt.Sprintf(`"events":%d,`, c.want), c.at)
	}
	// Past year 9999 in UTC (or before year 1), the known_at echoed is held
	// to the years RFC 3339 writes, so that it can be sent again.
	for at, echo := range map[string]string{
		"9999-12-31T23:59:59-23:59": "9999-12-31T23:59:59.999999999Z",
		"0001-01-01T00:00:00+23:59": "0001-01-01T00:00:00Z",
	} {
		k, err := events.ParseBound(at)
		require.NoError(t, err, at)
		v, err := l.View(nil, &k)
		require.NoError(t, err)
		s, err := l.Standings(context.Background(), v)
		require.NoError(t, err)
		require.Equal(t, echo, s.KnownAt, at)
		_, err = events.ParseBound(s.KnownAt)
		require.NoError(t, err, "sent again")
	}
}

// visibleByEnd is how many events a view of the window's last day with
// everything known takes into account: every one stored, since those dated
// after the window (corrections, the committee's decision) act in it.
func visibleByEnd(t *testing.T, l *replay.Ledger) int64 {
	n := int64(0)
	require.NoError(t, l.Store().Read(context.Background(), 0, 0, func(r *events.Record) error {
		n++
		return nil
	}))
	return n
}
