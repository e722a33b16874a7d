package memlimit

import (
	"context"
	"math"
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
