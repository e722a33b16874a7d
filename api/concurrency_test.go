package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
)

// TestConcurrentAppendsAndReads: 16 clients append through the API while 4
// read standings, for 10 s. Afterwards positions are gapless, the chain is
// valid, no acknowledged event is missing, and every standings answer
// equals the standings of some prefix of the log.
func TestConcurrentAppendsAndReads(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 10 s")
	}
	f := newFixture(t, true)
	stop := time.Now().Add(10 * time.Second)
	var (
		wg      sync.WaitGroup
		acked   sync.Map
		nAcked  atomic.Int64
		failed  atomic.Int64
		readsMu sync.Mutex
		reads   []string
	)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				id := uuid.New()
				body := eventstest.Line(events.DiscretionaryDeduction, "2021-05-01T10:00:00+08:00", fmt.Sprintf(`{"section_id":"S%02d","points":0.01,"reason":"load"}`, (w+i)%21),
					eventstest.WithID(id.String()), eventstest.WithActor(fmt.Sprintf("w%d", w)))
				code, _ := f.post("/v1/events", recorderTok, body)
				if code != 201 {
					failed.Add(1)
					continue
				}
				acked.Store(id, true)
				nAcked.Add(1)
			}
		}(w)
	}
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				code, b := f.do("GET", "/v1/standings", viewerTok, "", nil)
				if code != 200 {
					failed.Add(1)
					continue
				}
				readsMu.Lock()
				if len(reads) < 400 {
					reads = append(reads, string(b))
				}
				readsMu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	ctx := context.Background()
	n, _, err := events.Verify(ctx, f.store)
	require.NoError(t, err)
	stored := map[uuid.UUID]bool{}
	pos := int64(0)
	var recorded []time.Time
	require.NoError(t, f.store.Read(ctx, 0, 0, func(r *events.Record) error {
		pos++
		require.Equal(t, pos, r.Position)
		stored[r.ID] = true
		recorded = append(recorded, r.RecordedAt)
		return nil
	}))
	require.Equal(t, n, pos)
	acked.Range(func(k, _ any) bool {
		require.True(t, stored[k.(uuid.UUID)], "acknowledged %v missing", k)
		return true
	})
	// Each answer is the standings of the prefix it counted.
	for _, body := range reads {
		var st projections.Standings
		require.NoError(t, json.Unmarshal([]byte(body), &st))
		known := recorded[st.Events-1]
		v, err := f.ledger.View(nil, &known)
		require.NoError(t, err)
		want, err := f.ledger.StandingsJSON(context.Background(), v)
		require.NoError(t, err)
		require.Equal(t, stripKnown(string(want)), stripKnown(body))
	}
	t.Logf("%d appends acknowledged, %d standings checked against their prefix, %d events verified", nAcked.Load(), len(reads), n)
}

func stripKnown(s string) string {
	i := strings.Index(s, `"known_at":"`)
	j := strings.Index(s[i+12:], `"`)
	return s[:i] + s[i+12+j:]
}
