package sqlite_test

import (
	"context"
	"os"
	"testing"

	"github.com/pingyang/ledger/events"
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
