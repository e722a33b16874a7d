package sqlite_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/events/sqlite"
)

// BenchmarkVerifyFile verifies the ledger file named by LEDGER_BENCH_DB
// (for example one made by `ledger import` of the demo year).
func BenchmarkVerifyFile(b *testing.B) {
	path := os.Getenv("LEDGER_BENCH_DB")
	if path == "" {
		b.Skip("LEDGER_BENCH_DB not set")
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < b.N; i++ {
		n, _, err := events.Verify(context.Background(), s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(i+1), "events/s")
	}
}

// BenchmarkProofsFile times inclusion and consistency proofs at random
// positions of the ledger file named by LEDGER_BENCH_DB, and reports the
// 99th percentile of each.
func BenchmarkProofsFile(b *testing.B) {
	path := os.Getenv("LEDGER_BENCH_DB")
	if path == "" {
		b.Skip("LEDGER_BENCH_DB not set")
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h, err := s.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var incl, cons []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		size := h.Position - rng.Int64N(h.Position/10)
		t := time.Now()
		if _, err := events.InclusionProof(ctx, s, rng.Int64N(size), size); err != nil {
			b.Fatal(err)
		}
		incl = append(incl, time.Since(t))
		t = time.Now()
		if _, err := events.ConsistencyProof(ctx, s, 1+rng.Int64N(size), size); err != nil {
			b.Fatal(err)
		}
		cons = append(cons, time.Since(t))
	}
	p99 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)*99/100].Microseconds()) / 1000
	}
	b.ReportMetric(p99(incl), "ms-p99-inclusion")
	b.ReportMetric(p99(cons), "ms-p99-consistency")
}

// BenchmarkAppendFile appends the records of the ledger file named by
// LEDGER_BENCH_DB, read into memory first, to a fresh store in one batch:
// the store's part of an import alone (rows, Merkle tree, durable commit).
// It reports the process's CPU (user+sys) per append beside the wall time:
// on two cores the import is bound by its CPU, not by this stage's wall.
func BenchmarkAppendFile(b *testing.B) {
	path := os.Getenv("LEDGER_BENCH_DB")
	if path == "" {
		b.Skip("LEDGER_BENCH_DB not set")
	}
	ctx := context.Background()
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	var recs []*events.Record
	err = src.Read(ctx, 0, 0, func(r *events.Record) error {
		c := *r
		c.Data = slices.Clone(r.Data)
		// As events.Seal leaves it: the leaf hash is the sealer's work.
		c.LeafOf(nil)
		recs = append(recs, &c)
		return nil
	})
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, err := sqlite.Open(ctx, b.TempDir()+"/l.db")
		if err != nil {
			b.Fatal(err)
		}
		before := cpuTime()
		b.StartTimer()
		if _, err := dst.Append(ctx, events.Head{}, eventstest.Records(recs)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - before
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user and system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
