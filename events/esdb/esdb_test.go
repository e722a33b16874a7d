package esdb_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/esdb"
	"github.com/pingyang/ledger/events/esdb/esdbfake"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func opener(url string) eventstest.NewBacking {
	return func(t *testing.T) eventstest.Opener {
		stream := "ledger-test-" + uuid.NewString()[:8]
		u := url + "&stream=" + stream
		return func(t *testing.T) events.Store {
			s, err := esdb.Open(context.Background(), u)
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		}
	}
}

// TestContractOnProtocolFake runs the store's and the ledger's contract
// suites against the in-process protocol fake, always.
func TestContractOnProtocolFake(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	t.Run("Store", func(t *testing.T) { eventstest.Run(t, opener(f.URL())) })
	t.Run("Ledger", func(t *testing.T) { replaytest.Run(t, opener(f.URL())) })
}

// TestContractOnRealServer runs the suite against a real EventStoreDB or
// KurrentDB when LEDGER_ESDB_URL names one (see README).
func TestContractOnRealServer(t *testing.T) {
	url := os.Getenv("LEDGER_ESDB_URL")
	if url == "" {
		t.Skip("LEDGER_ESDB_URL not set: no real EventStoreDB to test against (the protocol fake ran instead)")
	}
	if !containsQuery(url) {
		url += "?"
	}
	t.Run("Store", func(t *testing.T) { eventstest.Run(t, opener(url)) })
	t.Run("Ledger", func(t *testing.T) { replaytest.Run(t, opener(url)) })
}

func containsQuery(u string) bool {
	for _, c := range u {
		if c == '?' {
			return true
		}
	}
	return false
}

func TestSubscriptionFollowsAndResubscribes(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	open := opener(f.URL())(t)
	s := open(t).(*esdb.Store)
	var last atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Subscribe(ctx, 0, func(p int64) { last.Store(p) })

	eventstest.Append(t, s, 3)
	require.Eventually(t, func() bool { return last.Load() == 3 }, 5*time.Second, 10*time.Millisecond)
	f.DropSubscriptions()
	eventstest.Append(t, s, 2)
	require.Eventually(t, func() bool { return last.Load() == 5 }, 10*time.Second, 10*time.Millisecond)
	// Each record is also linked into its own stream, under the name of
	// the ledger's (the test's streams are named).
	require.Equal(t, 1, f.Events("unit-"+s.Stream()+"-U1000"))
	require.Equal(t, 0, f.Events("unit-U1000"))
}

func TestConnectionLossIsAnError(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	url := f.URL()
	f.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = esdb.Open(ctx, url+"&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1")
	require.Error(t, err)
	require.Contains(t, err.Error(), "esdb")
}

// TestLedgerFollowsTheSubscription: a ledger that follows the stream (as
// serve does) sees what another process appends, without appending itself.
func TestLedgerFollowsTheSubscription(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	open := opener(f.URL())(t)
	reader, err := replay.Open(context.Background(), open(t), replay.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go replay.Follow(ctx, reader, time.Hour) // the hour proves it is not polling
	writer, err := replay.Open(context.Background(), open(t), replay.Options{})
	require.NoError(t, err)
	_, err = writer.Append(context.Background(), replaytest.Decoded(eventstest.UnitEvent(1)), replay.AppendOptions{Replayable: true})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return reader.Len() == 1 }, 5*time.Second, 10*time.Millisecond)
	f.DropSubscriptions()
	_, err = writer.Append(context.Background(), replaytest.Decoded(eventstest.UnitEvent(2)), replay.AppendOptions{Replayable: true})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return reader.Len() == 2 }, 10*time.Second, 10*time.Millisecond)
}

// TestCheckpointRoundTrip: a ledger on EventStoreDB saves its checkpoint in
// a stream of its own, and the next one starts from it.
func TestCheckpointRoundTrip(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	open := opener(f.URL())(t)
	// The office's key seals the checkpoint; without it none is trusted.
	skey, _, err := transparency.GenerateKey(rand.Reader, "test.example/ledger")
	require.NoError(t, err)
	key, err := transparency.NewSigner(skey)
	require.NoError(t, err)
	l, err := replay.Open(context.Background(), open(t), replay.Options{Sealer: key})
	require.NoError(t, err)
	_, err = l.Append(context.Background(), replaytest.Decoded(replaytest.Units(1, 50)...), replay.AppendOptions{Replayable: true})
	require.NoError(t, err)
	require.NoError(t, l.SaveCheckpoint(context.Background()))
	l2, err := replay.Open(context.Background(), open(t), replay.Options{Sealer: key})
	require.NoError(t, err)
	require.True(t, l2.FromCheckpoint())
	require.Equal(t, int64(50), l2.Len())
	at, err := replay.CheckCheckpoint(context.Background(), open(t))
	require.NoError(t, err)
	require.Equal(t, int64(50), at)
}

// interfere runs do in the fake when the nth append to stream arrives
// (counting from now), before the server checks its expected revision; do's
// error fails that append.
func interfere(t *testing.T, f *esdbfake.ProtocolFake, stream string, nth int32, do func() error) {
	var calls atomic.Int32
	f.OnAppend(func(name string) error {
		if name != stream || calls.Add(1) != nth {
			return nil
		}
		return do()
	})
	t.Cleanup(func() { f.OnAppend(nil) })
}

// interloper appends one record to s's stream through another handle, as
// another process would.
func interloper(t *testing.T, other events.Store) func() error {
	return func() error {
		ctx := context.Background()
		h, err := other.Head(ctx)
		if err == nil {
			_, err = other.Append(ctx, h, eventstest.Records(eventstest.Sealed(h, 1)))
		}
		require.NoError(t, err, "the interloper's append")
		return nil
	}
}

// chunked is a batch size that takes at least three appends.
func chunked() int {
	size := len(eventstest.Sealed(events.Head{}, 1)[0].AppendJSON(nil))
	return 2*esdb.MaxChunk/size + 10
}

// TestBatchCutBetweenChunksIsPartial: a batch written in several appends
// and cut after the first leaves that first append stored, and says so
// with ErrPartial, whatever cut it.
func TestBatchCutBetweenChunksIsPartial(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	cases := []struct {
		name  string
		cut   func(other events.Store) func() error
		extra int // records the cut itself stored
	}{
		{"another writer got in", func(other events.Store) func() error { return interloper(t, other) }, 1},
		{"connection dropped", func(events.Store) func() error {
			return func() error { return status.Error(codes.Unavailable, "connection dropped by the test") }
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			open := opener(f.URL())(t)
			s := open(t).(*esdb.Store)
			h := eventstest.Append(t, s, 2)
			recs := eventstest.Sealed(h, chunked())
			interfere(t, f, s.Stream(), 2, c.cut(open(t)))
			got, err := s.Append(ctx, h, eventstest.Records(recs))
			require.ErrorIs(t, err, events.ErrPartial)
			require.NotErrorIs(t, err, events.ErrStale, "ErrStale would have the caller send the whole batch again")
			require.NotErrorIs(t, err, events.ErrBroken)
			require.ErrorContains(t, err, "batch cut after position")

			// The head returned is the end of the first append, which is
			// what is stored of the batch, in order.
			k := int(got.Position - h.Position)
			require.True(t, k > 0 && k < len(recs), "first append of %d records out of %d", k, len(recs))
			require.Equal(t, recs[k-1].Head().Hash, got.Hash)
			stored := eventstest.ReadAll(t, open(t), 0, 0)
			require.Len(t, stored, 2+k+c.extra)
			for i, r := range recs[:k] {
				require.Equal(t, r.ID, stored[2+i].ID)
			}
			_, _, err = events.Verify(ctx, open(t))
			require.NoError(t, err)
		})
	}
}

// TestStaleAtCommitAfterPull: the head check before the pull passes, and
// another writer gets in before the server commits: ErrStale, after the
// records were pulled (the contract's EventStoreDB caveat), none stored.
func TestStaleAtCommitAfterPull(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	open := opener(f.URL())(t)
	s := open(t).(*esdb.Store)
	h := eventstest.Append(t, s, 2)
	interfere(t, f, s.Stream(), 1, interloper(t, open(t)))
	pulled := 0
	recs := eventstest.Sealed(h, 3)
	_, err = s.Append(context.Background(), h, func(yield func(*events.Record, error) bool) {
		for _, r := range recs {
			pulled++
			if !yield(r, nil) {
				return
			}
		}
	})
	require.ErrorIs(t, err, events.ErrStale)
	require.NotErrorIs(t, err, events.ErrPartial)
	require.Equal(t, len(recs), pulled)
	stored := eventstest.ReadAll(t, s, 0, 0)
	require.Len(t, stored, 3, "the two records and the interloper's")
	require.NotEqual(t, recs[0].ID, stored[2].ID)
}

// TestLedgerReportsAPartialBatch: the ledger surfaces ErrPartial as it is
// (not a refused batch, not retried although the input is replayable),
// folds what was stored, and the same input sent again completes it.
func TestLedgerReportsAPartialBatch(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	ctx := context.Background()
	open := opener(f.URL())(t)
	s := open(t).(*esdb.Store)
	l := replaytest.Open(t, s)
	_, err = l.Append(ctx, replaytest.Decoded(replaytest.Units(1, 2)...), replay.AppendOptions{})
	require.NoError(t, err)
	evs := replaytest.Units(100_000, chunked())
	for _, e := range evs {
		e.ID = uuid.New()
	}
	other := open(t)
	interfere(t, f, s.Stream(), 2, interloper(t, other))

	_, cut := l.Append(ctx, replaytest.Decoded(evs...), replay.AppendOptions{Replayable: true})
	require.ErrorIs(t, cut, events.ErrPartial)
	var be *events.BatchError
	require.False(t, errors.As(cut, &be), "a cut batch is not a refused one: %v", cut)
	for _, kind := range []error{events.ErrInvalid, events.ErrConflict, events.ErrStale, events.ErrBroken} {
		require.NotErrorIs(t, cut, kind)
	}
	require.ErrorContains(t, cut, "only the first part of the batch was stored")

	stored, err := other.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, stored.Position, l.Head().Position, "the ledger folded what the store kept")
	require.Equal(t, stored.Position, l.Len())
	require.ErrorContains(t, cut, fmt.Sprintf("the log now ends at position %d", stored.Position))
	k := int(stored.Position) - 2 - 1 // the batch's records, without the interloper's
	require.True(t, k > 0 && k < len(evs), "%d of %d stored", k, len(evs))

	f.OnAppend(nil)
	res, err := l.Append(ctx, replaytest.Decoded(evs...), replay.AppendOptions{Replayable: true})
	require.NoError(t, err)
	require.Equal(t, k, res.Unchanged)
	require.Equal(t, len(evs)-k, res.Appended)
	n, _, err := events.Verify(ctx, other)
	require.NoError(t, err)
	require.Equal(t, int64(2+len(evs)+1), n)
	seen := map[uuid.UUID]int{}
	for _, r := range eventstest.ReadAll(t, other, 0, 0) {
		seen[r.ID]++
	}
	for _, e := range evs {
		require.Equal(t, 1, seen[e.ID], "event %s stored once", e.ID)
	}
}

// TestCutCheckpointSaveKeepsThePrevious: a checkpoint save that fails after
// some of its chunks were written leaves readers the previous checkpoint.
func TestCutCheckpointSaveKeepsThePrevious(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	ctx := context.Background()
	s := opener(f.URL())(t)(t).(*esdb.Store)
	first := events.Checkpoint{Position: 1, Format: "f", Size: 5}
	require.NoError(t, eventstest.SaveCheckpoint(ctx, s, first, []byte("first")))
	// 1.3 MB is three chunks and a marker: fail the third chunk.
	interfere(t, f, s.Stream()+"-checkpoint", 3, func() error {
		return status.Error(codes.Unavailable, "connection dropped by the test")
	})
	err = eventstest.SaveCheckpoint(ctx, s, events.Checkpoint{Position: 2, Format: "f"}, make([]byte, 1300<<10))
	require.Error(t, err)
	got, data, err := eventstest.LoadCheckpoint(ctx, s)
	require.NoError(t, err)
	require.Equal(t, first, got)
	require.Equal(t, "first", string(data))
}

// TestLinksOfTwoLedgersOnOneCluster: two ledgers on one server, the
// default stream and a named one, name the same unit; each links into
// streams of its own.
func TestLinksOfTwoLedgersOnOneCluster(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	for _, u := range []string{f.URL(), f.URL() + "&stream=pingyang-2021"} {
		s, err := esdb.Open(context.Background(), u)
		require.NoError(t, err)
		eventstest.Append(t, s, 1)
		require.NoError(t, s.Close())
	}
	require.Equal(t, 1, f.Events("unit-U1000"))
	require.Equal(t, 1, f.Events("unit-pingyang-2021-U1000"))
}
