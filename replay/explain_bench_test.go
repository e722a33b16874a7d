package replay_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
)

// BenchmarkExplainBusy explains the section LEDGER_BENCH_SECTION of the
// store LEDGER_BENCH_DB (e.g. serve --demo's demo.db), warm.
func BenchmarkExplainBusy(b *testing.B) {
	db, sec := os.Getenv("LEDGER_BENCH_DB"), os.Getenv("LEDGER_BENCH_SECTION")
	if db == "" || sec == "" {
		b.Skip("LEDGER_BENCH_DB and LEDGER_BENCH_SECTION not set")
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	l, err := replay.Open(context.Background(), st, replay.Options{CheckpointEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	v := projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()}
	b.ResetTimer()
	for range b.N {
		if _, err := l.Explain(context.Background(), sec, v); err != nil {
			b.Fatal(err)
		}
	}
}
