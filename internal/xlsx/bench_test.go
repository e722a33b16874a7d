package xlsx_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/replay"
)

// The workbook of the demo year's votes, and the store holding its roster,
// as `go run ./cmd/bench -office 5 -keep DIR` leaves them:
//
//	LEDGER_BENCH_XLSX=DIR/votes.xlsx go test ./internal/xlsx -run X -bench EventsFile -cpuprofile cpu.out
//	LEDGER_BENCH_XLSX=DIR/votes.xlsx LEDGER_BENCH_DB=DIR/base.db go test ./internal/xlsx -run X -bench ImportFile -benchtime 1x
func benchFile(b *testing.B) string {
	path := os.Getenv("LEDGER_BENCH_XLSX")
	if path == "" {
		b.Skip("LEDGER_BENCH_XLSX not set")
	}
	return path
}

// BenchmarkEventsFile reads and decodes every row of the workbook.
func BenchmarkEventsFile(b *testing.B) {
	path := benchFile(b)
	for b.Loop() {
		wb, err := xlsx.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for d := range wb.Events(events.DecodeOptions{}) {
			if d.Err != nil {
				b.Fatal(wb.Where(d.Line, d.Err.Field), d.Err)
			}
			n++
		}
		wb.Close()
		b.ReportMetric(float64(n), "rows/op")
	}
}

// BenchmarkImportFile imports the workbook into a copy of LEDGER_BENCH_DB,
// durably, as `ledger import --xlsx`.
func BenchmarkImportFile(b *testing.B) {
	path := benchFile(b)
	base := os.Getenv("LEDGER_BENCH_DB")
	if base == "" {
		b.Skip("LEDGER_BENCH_DB not set")
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "l.db")
		raw, err := os.ReadFile(base)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(db, raw, 0o644); err != nil {
			b.Fatal(err)
		}
		st, err := sqlite.Open(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		wb, err := xlsx.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		res, err := l.Append(ctx, wb.Events(events.DecodeOptions{}), replay.AppendOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(res.Appended), "rows/op")
		wb.Close()
		st.Close()
		b.StartTimer()
	}
}
