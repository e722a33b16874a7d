package events_test

import (
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
