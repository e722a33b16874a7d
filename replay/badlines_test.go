package replay_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
	"github.com/stretchr/testify/require"
)

// TestManyBadLinesKeepMemoryBounded: an import of half a million bad lines
// keeps the first 100 errors and a count, not every error (issue #13,
// item 12): the heap at the end of the input is about what it was at the
// start.
func TestManyBadLinesKeepMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("folds half a million errors")
	}
	var clock atomic.Int64
	l := viewLedger(t, replay.Options{}, &clock)
	const n = 500_000
	var before, after runtime.MemStats
	in := func(yield func(events.Decoded) bool) {
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := 1; i <= n; i++ {
			err := events.Invalid("type", "unknown event type %q", "Nope")
			if i%2 == 0 {
				err = events.Conflict("data.unit_id", "unit U1 is already registered")
			}
			if !yield(events.Decoded{Line: i, Err: err}) {
				return
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	_, err := l.Append(context.Background(), in, replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Items, events.MaxReported)
	require.Equal(t, n, be.Len())
	require.Equal(t, 1, be.Items[0].Line)
	require.ErrorIs(t, err, events.ErrInvalid)
	require.Contains(t, be.Error(), "... and 499900 more bad events")
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	require.Less(t, grew, int64(8<<20), "the heap grew by %d bytes over %d bad lines", grew, n)
}
