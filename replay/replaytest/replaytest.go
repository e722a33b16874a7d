// Package replaytest is the contract of the ledger (package replay) on a
// store backend: what a backend must let the ledger keep when events go
// through the one writer path (validate, seal, append). The store alone is
// tested by events/eventstest; a backend's tests run both suites on the
// same backing.
//
// It also holds the helpers that hand a ledger lines (lines.go):
// DecodeLines and AppendLines.
package replaytest

import (
	"context"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/replay"
	"github.com/stretchr/testify/require"
)

// Run runs the ledger's contract suite on handles newBacking opens.
func Run(t *testing.T, newBacking eventstest.NewBacking) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open eventstest.Opener)
	}{
		{"AtomicBatch", testAtomicBatch},
		{"IdempotentRepeat", testIdempotent},
		{"IDConflict", testConflict},
		{"ChainAcrossBatchesAndReopen", testChainReopen},
		{"CancelHalfway", testCancel},
		{"ConcurrentAppenders", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBacking(t)) })
	}
}

// Decoded yields evs as a decoded input, lines counted from 1.
func Decoded(evs ...*events.Event) iter.Seq[events.Decoded] {
	return func(yield func(events.Decoded) bool) {
		for i, e := range evs {
			if !yield(events.Decoded{Line: i + 1, Event: e}) {
				return
			}
		}
	}
}

// Units returns registrations of units from, from+1, … (n of them).
func Units(from, n int) []*events.Event {
	out := make([]*events.Event, n)
	for i := range out {
		out[i] = eventstest.UnitEvent(from + i)
	}
	return out
}

// Open opens a ledger on s with a fixed clock and no checkpoints.
func Open(t *testing.T, s events.Store) *replay.Ledger {
	t.Helper()
	l, err := replay.Open(context.Background(), s, replay.Options{
		Clock: func() time.Time { return eventstest.Clock }, CheckpointEvery: -1})
	require.NoError(t, err)
	return l
}

func stored(t *testing.T, s events.Store) int {
	return len(eventstest.ReadAll(t, s, 0, 0))
}

func testAtomicBatch(t *testing.T, open eventstest.Opener) {
	s := open(t)
	l := Open(t, s)
	_, err := l.Append(context.Background(), Decoded(Units(1, 3)...), replay.AppendOptions{})
	require.NoError(t, err)
	// The fourth event repeats a unit id: the whole batch is refused.
	batch := append(Units(10, 3), eventstest.UnitEvent(1))
	_, err = l.Append(context.Background(), Decoded(batch...), replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Items, 1)
	require.Equal(t, 4, be.Items[0].Line)
	require.Equal(t, "data.unit_id", be.Items[0].Err.Field)
	require.ErrorIs(t, err, events.ErrConflict)
	require.Equal(t, 3, stored(t, s))
	// The ledger's state was rolled back too: the good events still append.
	res, err := l.Append(context.Background(), Decoded(Units(10, 3)...), replay.AppendOptions{})
	require.NoError(t, err)
	require.Equal(t, 3, res.Appended)
	require.Equal(t, int64(6), res.Head.Position)
}

func testIdempotent(t *testing.T, open eventstest.Opener) {
	s := open(t)
	l := Open(t, s)
	e := eventstest.UnitEvent(1)
	e.ID = uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	res, err := l.Append(context.Background(), Decoded(e), replay.AppendOptions{Keep: true})
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
	// The same id and content again, even in another batch: a no-op that
	// reports the stored position.
	res, err = l.Append(context.Background(), Decoded(eventstest.UnitEvent(2), e), replay.AppendOptions{Keep: true})
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
	require.Equal(t, 1, res.Unchanged)
	require.Equal(t, int64(1), res.Records[1].Position)
	require.Equal(t, e.ID, res.Records[1].ID)
	require.Equal(t, 2, stored(t, s))
}

func testConflict(t *testing.T, open eventstest.Opener) {
	s := open(t)
	l := Open(t, s)
	e := eventstest.UnitEvent(1)
	e.ID = uuid.New()
	_, err := l.Append(context.Background(), Decoded(e), replay.AppendOptions{})
	require.NoError(t, err)
	other := eventstest.UnitEvent(2)
	other.ID = e.ID
	_, err = l.Append(context.Background(), Decoded(other), replay.AppendOptions{})
	require.ErrorIs(t, err, events.ErrConflict)
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Equal(t, "id", be.Items[0].Err.Field)
	require.Equal(t, 1, stored(t, s))
}

// testChainReopen: a ledger on a new handle folds what the last one stored
// and continues its chain.
func testChainReopen(t *testing.T, open eventstest.Opener) {
	s := open(t)
	l := Open(t, s)
	for b := range 3 {
		_, err := l.Append(context.Background(), Decoded(Units(b*5+1, 5)...), replay.AppendOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	s2 := open(t)
	l2 := Open(t, s2)
	require.Equal(t, int64(15), l2.Head().Position)
	require.Equal(t, int64(15), l2.Len())
	_, err := l2.Append(context.Background(), Decoded(Units(100, 5)...), replay.AppendOptions{})
	require.NoError(t, err)
	n, head, err := events.Verify(context.Background(), s2)
	require.NoError(t, err)
	require.Equal(t, int64(20), n)
	require.Equal(t, l2.Head().Hash, head)
}

func testCancel(t *testing.T, open eventstest.Opener) {
	s := open(t)
	l := Open(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := func(yield func(events.Decoded) bool) {
		for i := 1; i <= 5000; i++ {
			if i == 2500 {
				cancel()
			}
			if !yield(events.Decoded{Line: i, Event: eventstest.UnitEvent(i)}) {
				return
			}
		}
	}
	_, err := l.Append(ctx, in, replay.AppendOptions{})
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, stored(t, s))
	res, err := l.Append(context.Background(), Decoded(eventstest.UnitEvent(1)), replay.AppendOptions{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Head.Position)
}

// testConcurrent: ledgers on separate handles of one store, as separate
// processes would be, append at once; each catches up and retries when
// another got in first.
func testConcurrent(t *testing.T, open eventstest.Opener) {
	const writers, batches, per = 8, 10, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	ids := make(chan uuid.UUID, writers*batches*per)
	for w := range writers {
		l := Open(t, open(t))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				evs := Units(w*1000+b*per, per)
				for _, e := range evs {
					e.ID = uuid.New()
				}
				if _, err := l.Append(context.Background(), Decoded(evs...), replay.AppendOptions{Replayable: true}); err != nil {
					errs <- err
					return
				}
				for _, e := range evs {
					ids <- e.ID
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		require.NoError(t, err)
	}
	s := open(t)
	recs := eventstest.ReadAll(t, s, 0, 0)
	require.Len(t, recs, writers*batches*per)
	got := map[uuid.UUID]bool{}
	for i, r := range recs {
		require.Equal(t, int64(i+1), r.Position)
		got[r.ID] = true
	}
	for id := range ids {
		require.True(t, got[id], "acknowledged event %s missing", id)
	}
	n, _, err := events.Verify(context.Background(), s)
	require.NoError(t, err)
	require.Equal(t, int64(writers*batches*per), n)
}
