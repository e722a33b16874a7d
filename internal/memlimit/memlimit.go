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
// least floor bytes) after each collection it sees, until ctx ends.
func Follow(ctx context.Context, headroom float64, floor int64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	debug.SetMemoryLimit(floor)
	var seen uint64
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
			debug.SetMemoryLimit(max(floor, int64(float64(sample[0].Value.Uint64())*headroom)))
		}
	}
}
