package memlimit

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// limitAfter runs Follow under the given ceiling (GOMEMLIMIT) with floor
// and margin, reports the limit it set at once, and checks that it puts
// the ceiling back when it ends.
func limitAfter(t *testing.T, ceiling, floor, margin int64) int64 {
	t.Helper()
	old := debug.SetMemoryLimit(ceiling)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Follow(ctx, 1.25, floor, margin); close(done) }()
	time.Sleep(20 * time.Millisecond) // before its first tick
	set := debug.SetMemoryLimit(-1)
	cancel()
	<-done
	if got := debug.SetMemoryLimit(-1); got != ceiling {
		t.Errorf("after Follow: limit %d, want the one it found, %d", got, ceiling)
	}
	return set
}

func TestFollowStartsAtOnceAndKeepsTheOperatorsCeiling(t *testing.T) {
	const floor = 1 << 40 // above any live heap of a test
	if got := limitAfter(t, math.MaxInt64, floor, 0); got != floor {
		t.Errorf("without GOMEMLIMIT: limit %d, want the floor %d at once", got, int64(floor))
	}
	if got := limitAfter(t, 3<<30, floor, 0); got != 3<<30 {
		t.Errorf("with GOMEMLIMIT=3GiB: limit %d, want the operator's %d", got, int64(3<<30))
	}
	// A margin above the live heap, whatever the live heap is.
	if got := limitAfter(t, math.MaxInt64, 0, 1<<40); got < 1<<40 {
		t.Errorf("with a margin of 1 TiB: limit %d", got)
	}
}

// TestServeStartsFromWhatTheHeapHoldsNow: a heap that grew since the last
// collection (a server's state, loaded after it) gets its 96 MiB to spare
// above what it holds now, not above what the last collection saw.
func TestServeStartsFromWhatTheHeapHoldsNow(t *testing.T) {
	old := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	// The state is loaded after the last collection, and no collection
	// runs on its own until the limit is read (one would see the state,
	// and the test would pass without Serve's).
	runtime.GC()
	gc := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(gc) })
	state := make([]byte, 128<<20)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Serve(ctx); close(done) }()
	time.Sleep(50 * time.Millisecond) // after its first limit, before its first tick
	got := debug.SetMemoryLimit(-1)
	cancel()
	<-done
	runtime.KeepAlive(state)
	if want := int64(128<<20 + 96<<20); got < want {
		t.Errorf("limit %d MiB, want at least the state's 128 MiB and 96 MiB to spare (%d MiB)", got>>20, want>>20)
	}
}
