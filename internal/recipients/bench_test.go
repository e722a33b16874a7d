package recipients

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/replay"
)

// BenchmarkPseudonymizeFiles reads the unit lists in LEDGER_BENCH_LISTS (a
// directory of U*.xlsx) against the roster of the store LEDGER_BENCH_DB,
// checks them and writes the survey sheet, as `ledger recipients
// pseudonymize` does; `go run ./cmd/bench -office 5 -keep DIR` leaves both:
//
//	LEDGER_BENCH_LISTS=DIR LEDGER_BENCH_DB=DIR/year.db go test ./internal/recipients -run X -bench PseudonymizeFiles -cpuprofile cpu.out
func BenchmarkPseudonymizeFiles(b *testing.B) {
	dir, db := os.Getenv("LEDGER_BENCH_LISTS"), os.Getenv("LEDGER_BENCH_DB")
	if dir == "" || db == "" {
		b.Skip("LEDGER_BENCH_LISTS or LEDGER_BENCH_DB not set")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	_, secs := l.Roster()
	files, _ := filepath.Glob(filepath.Join(dir, "U*.xlsx"))
	key := Key{b: []byte(strings.Repeat("k", KeyBytes))}
	b.ResetTimer()
	for b.Loop() {
		r := NewRoster(secs)
		ls, err := ReadFiles(files, r)
		if err != nil {
			b.Fatal(err)
		}
		Check(ls, r)
		if err := WriteSurvey(io.Discard, ls.Recipients, key, r, SurveyOptions{Lang: labels.Zh}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(ls.Recipients)), "rows/op")
	}
}
