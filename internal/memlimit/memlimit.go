// Package memlimit keeps a process's soft memory limit a little above what
// its heap holds live: for an import, whose live heap grows from nothing to
// hundreds of megabytes, and for a server, which holds its state for days.
// A fixed limit below the live heap makes the collector run without end,
// and GOGC alone lets the heap grow to twice (at 100) or five times (at
// 400) what it holds.
package memlimit

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Follow sets the soft memory limit to headroom times the live heap, but
// at least margin bytes above it and at least floor bytes in all, now and
// after each collection it sees, until ctx ends; then it puts back the
// limit it found. A limit the operator set (GOMEMLIMIT) is a ceiling it
// never goes above.
func Follow(ctx context.Context, headroom float64, floor, margin int64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	ceiling := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(ceiling)
	set := func() {
		live := int64(sample[0].Value.Uint64())
		limit := max(floor, int64(float64(live)*headroom), live+margin)
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
// above what it holds live, and resident memory follows the state instead
// of doubling it (GOGC's default); but never with less than 96 MiB to
// spare, which requests at thousands a second allocate in well under a
// second (with less, the collector runs without pause and throughput
// falls five-fold: 4,268 cached standings a second instead of 20,128 on
// the demo year, cmd/bench).
//
// It collects garbage once first: the live heap the last collection
// measured is, in a server that has just loaded its state, from the middle
// of the load. A limit set from that left a server at scale 10 some 30 MiB
// to spare instead of 96 until the next collection was seen, a tenth of a
// second later: a collection every few explanations, and memory handed back
// to the system only to be asked for again, page by page. (serve --demo on
// an empty store starts Serve before it loads the demo year: there the
// limit follows the load from the next collection on.)
func Serve(ctx context.Context) {
	runtime.GC()
	Follow(ctx, 1.25, 0, 96<<20)
}

// Import is Follow as an import runs it: its live heap grows from nothing,
// so the limit starts at 128 MiB and stays 12% above what it holds, which
// keeps a year of ten counties (3.5 million events) under 400 MB.
func Import(ctx context.Context) { Follow(ctx, 1.12, 128<<20, 0) }
