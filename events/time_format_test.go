package events_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// TestAppendTimeMatchesTheLibrary holds the stored times' formatters to
// time.Time.AppendFormat with time.RFC3339Nano, on the instants where they
// could differ (no fraction, trailing zeros, every digit, day and year
// edges) and a million random ones.
func TestAppendTimeMatchesTheLibrary(t *testing.T) {
	check := func(tm time.Time) {
		require.Equal(t, tm.In(events.CST).Format(time.RFC3339Nano), string(events.AppendCST(nil, tm)), "%v", tm)
		require.Equal(t, tm.UTC().Format(time.RFC3339Nano), string(events.AppendUTC(nil, tm)), "%v", tm)
	}
	for _, tm := range []time.Time{events.WindowStart, events.WindowEnd, time.Unix(0, 0), time.Unix(0, 1),
		time.Unix(0, 100), time.Unix(1, 500_000_000), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1000, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(2021, 2, 28, 16, 0, 0, 0, time.UTC)} {
		check(tm)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 1_000_000 {
		check(time.Unix(rng.Int64N(400_000_000_000)-30_000_000_000, []int64{0, rng.Int64N(1e9), rng.Int64N(1000) * 1e6}[rng.IntN(3)]))
	}
}

// TestTimeWriterMatchesAppend holds TimeWriter, which keeps the last day's
// date, to AppendCST and AppendUTC: at the ends of the int64 range, around
// midnight in both zones (where the two zones' days differ), before 1970,
// in random order (a new day nearly every time) and in time order (the
// kept date nearly every time).
func TestTimeWriterMatchesAppend(t *testing.T) {
	var w events.TimeWriter
	check := func(ns int64) {
		tm := time.Unix(0, ns)
		require.Equal(t, string(events.AppendCST(nil, tm)), string(w.AppendCST(nil, ns)), "%d", ns)
		require.Equal(t, string(events.AppendUTC(nil, tm)), string(w.AppendUTC(nil, ns)), "%d", ns)
	}
	for _, ns := range []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, -1, 0, 1, -1e9, 1e9 - 1,
		events.WindowStart.UnixNano(), events.WindowEnd.UnixNano(),
		time.Date(2021, 3, 1, 0, 0, 0, 0, events.CST).UnixNano() - 1, time.Date(2021, 3, 1, 0, 0, 0, 0, events.CST).UnixNano(),
		time.Date(2021, 2, 28, 23, 59, 59, 999999999, time.UTC).UnixNano(), time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano(),
		time.Date(1969, 12, 31, 23, 59, 59, 500, time.UTC).UnixNano()} {
		check(ns)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	frac := func() int64 { return []int64{0, rng.Int64N(1e9), rng.Int64N(1000) * 1e6}[rng.IntN(3)] }
	for range 300_000 {
		check(int64(rng.Uint64())/1e9*1e9 + frac()) // any sign
	}
	ns := events.WindowStart.UnixNano() - 1e9*86400
	for range 300_000 {
		ns += rng.Int64N(1e9 * 600)
		check(ns/1e9*1e9 + frac())
	}
}

// BenchmarkStoredTimes writes an event's two stored times a second apart
// from the last event's, as explain words a trail: through AppendCST and
// AppendUTC, and through a TimeWriter.
func BenchmarkStoredTimes(b *testing.B) {
	occ := time.Date(2021, 6, 3, 9, 30, 12, 0, events.CST)
	rec := time.Date(2021, 6, 3, 1, 30, 12, 123456789, time.UTC)
	buf := make([]byte, 0, 80)
	b.Run("Append", func(b *testing.B) {
		for i := range b.N {
			d := time.Duration(i) * time.Second
			buf = events.AppendUTC(events.AppendCST(buf[:0], occ.Add(d)), rec.Add(d))
		}
	})
	b.Run("TimeWriter", func(b *testing.B) {
		var w events.TimeWriter
		for i := range b.N {
			d := int64(i) * 1e9
			buf = w.AppendUTC(w.AppendCST(buf[:0], occ.UnixNano()+d), rec.UnixNano()+d)
		}
	})
}
