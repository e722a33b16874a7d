// Package memlimit keeps a process's soft memory limit a little above what
// its heap holds live: for an import, whose live heap grows from nothing to
// hundreds of megabytes, and for a server, which holds its state for days.
// A fixed limit below the live heap makes the collector run without end,
// and GOGC alone lets the heap grow to twice (at 100) or five times (at
// 400) what it holds.
package memlimit

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Follow sets the soft memory limit to headroom times the live heap (at
// least floor bytes) now and after each collection it sees, until ctx
// ends. A limit the operator set (GOMEMLIMIT) is a ceiling it never goes
// above.
func Follow(ctx context.Context, headroom float64, floor int64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	ceiling := debug.SetMemoryLimit(-1)
	set := func() {
		limit := max(floor, int64(float64(sample[0].Value.Uint64())*headroom))
		debug.SetMemoryLimit(min(limit, ceiling))
	}
	metrics.Read(sample)
	seen := sample[1].Value.Uint64()
	set()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if cycles := sample[1].Value.Uint64(); cycles != seen {
			seen = cycles
			set()
		}
	}
}

// Serve is Follow as a server runs it, once its state is loaded: it holds
// that state for days, so garbage is collected when the heap is a quarter
// above what it holds live (at least 64 MiB), and resident memory follows
// the state instead of doubling it (GOGC's default) after a burst of
// requests.
func Serve(ctx context.Context) { Follow(ctx, 1.25, 64<<20) }
