package replay_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/replay"
)

// BenchmarkImportFile imports the JSON Lines file named by
// LEDGER_BENCH_JSONL into a fresh SQLite file, durably, as `ledger import`.
func BenchmarkImportFile(b *testing.B) {
	path := os.Getenv("LEDGER_BENCH_JSONL")
	if path == "" {
		b.Skip("LEDGER_BENCH_JSONL not set")
	}
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "l.db"))
		if err != nil {
			b.Fatal(err)
		}
		l, err := replay.Open(context.Background(), st, replay.Options{CheckpointEvery: -1})
		if err != nil {
			b.Fatal(err)
		}
		seq, _ := events.ReadLines(f, events.DecodeOptions{Historical: true})
		res, err := l.Append(context.Background(), seq, replay.AppendOptions{Historical: true})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Appended)/b.Elapsed().Seconds()*float64(i+1), "events/s")
		st.Close()
		f.Close()
	}
}

// BenchmarkRevalidateFile runs replay.Verify (hashes, root and every rule)
// over the ledger file named by LEDGER_BENCH_DB.
func BenchmarkRevalidateFile(b *testing.B) {
	path := os.Getenv("LEDGER_BENCH_DB")
	if path == "" {
		b.Skip("LEDGER_BENCH_DB not set")
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		v, err := replay.Verify(context.Background(), s, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(v.Events)/time.Since(start).Seconds(), "events/s")
	}
}
