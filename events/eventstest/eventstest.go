// Package eventstest is the contract every events.Store backend must keep.
// A backend's tests call Run with a way to open handles on one fresh,
// empty backing store; the suite drives the store both directly and through
// the ledger (replay), the way the commands use it.
package eventstest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
	"github.com/stretchr/testify/require"
)

// Opener opens a new handle on the same backing store each time it is
// called; the first call sees an empty store.
type Opener func(t *testing.T) events.Store

// NewBacking returns an Opener for a fresh, empty backing store.
type NewBacking func(t *testing.T) Opener

// Run runs the contract suite.
func Run(t *testing.T, newBacking NewBacking) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"EmptyHead", testEmptyHead},
		{"OrderAndGaplessPositions", testOrder},
		{"ReadFromTheMiddle", testReadMiddle},
		{"AtomicBatch", testAtomicBatch},
		{"IdempotentRepeat", testIdempotent},
		{"IDConflict", testConflict},
		{"ChainAcrossBatchesAndReopen", testChainReopen},
		{"StaleHead", testStale},
		{"BrokenChainRefused", testBroken},
		{"CancelHalfway", testCancel},
		{"ConcurrentAppenders", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBacking(t)) })
	}
}

var clockBase = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// line builds a valid registration event for unit i.
func unitEvent(i int) *events.Event {
	raw := fmt.Sprintf(`{"type":"UnitRegistered","occurred_at":"2020-12-01T09:00:00+08:00","actor":"test","data":{"unit_id":"U%d","name":"unit %d"}}`, i, i)
	ev, err := events.Decode([]byte(raw), events.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	return ev
}

func seqOf(evs ...*events.Event) iter.Seq[events.Decoded] {
	return func(yield func(events.Decoded) bool) {
		for i, e := range evs {
			if !yield(events.Decoded{Line: i + 1, Event: e}) {
				return
			}
		}
	}
}

func units(from, n int) []*events.Event {
	out := make([]*events.Event, n)
	for i := range out {
		out[i] = unitEvent(from + i)
	}
	return out
}

func ledger(t *testing.T, s events.Store) *replay.Ledger {
	l, err := replay.Open(context.Background(), s, replay.Options{Clock: func() time.Time { return clockBase }, CheckpointEvery: -1})
	require.NoError(t, err)
	return l
}

func readAll(t *testing.T, s events.Store, after int64, limit int) []events.Record {
	var out []events.Record
	require.NoError(t, s.Read(context.Background(), after, limit, func(r *events.Record) error {
		c := *r
		c.Data = append([]byte(nil), r.Data...)
		out = append(out, c)
		return nil
	}))
	return out
}

func testEmptyHead(t *testing.T, open Opener) {
	s := open(t)
	h, err := s.Head(context.Background())
	require.NoError(t, err)
	require.Equal(t, events.Head{}, h)
	n, head, err := events.Verify(context.Background(), s)
	require.NoError(t, err)
	require.Equal(t, int64(0), n)
	require.Equal(t, events.ZeroHash, head)
}

func testOrder(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	res, err := l.Append(context.Background(), seqOf(units(1, 10)...), replay.AppendOptions{})
	require.NoError(t, err)
	require.Equal(t, 10, res.Appended)
	recs := readAll(t, s, 0, 0)
	require.Len(t, recs, 10)
	prev := events.ZeroHash
	for i, r := range recs {
		require.Equal(t, int64(i+1), r.Position)
		require.Equal(t, prev, r.PrevHash)
		require.Equal(t, "unit-U"+fmt.Sprint(i+1), r.Stream)
		_, ok := r.Check(nil)
		require.True(t, ok, "hash of %d", r.Position)
		prev = r.Hash
	}
	h, err := s.Head(context.Background())
	require.NoError(t, err)
	require.Equal(t, int64(10), h.Position)
	require.Equal(t, prev, h.Hash)
}

func testReadMiddle(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	_, err := l.Append(context.Background(), seqOf(units(1, 20)...), replay.AppendOptions{})
	require.NoError(t, err)
	recs := readAll(t, s, 7, 5)
	require.Len(t, recs, 5)
	require.Equal(t, int64(8), recs[0].Position)
	require.Equal(t, int64(12), recs[4].Position)
	require.Empty(t, readAll(t, s, 20, 0))
}

func testAtomicBatch(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	_, err := l.Append(context.Background(), seqOf(units(1, 3)...), replay.AppendOptions{})
	require.NoError(t, err)
	// The fourth event repeats a unit id: the whole batch is refused.
	batch := append(units(10, 3), unitEvent(1))
	_, err = l.Append(context.Background(), seqOf(batch...), replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Items, 1)
	require.Equal(t, 4, be.Items[0].Line)
	require.Equal(t, "data.unit_id", be.Items[0].Err.Field)
	require.ErrorIs(t, err, events.ErrConflict)
	require.Len(t, readAll(t, s, 0, 0), 3)
	// The ledger's state was rolled back too: the good events still append.
	res, err := l.Append(context.Background(), seqOf(units(10, 3)...), replay.AppendOptions{})
	require.NoError(t, err)
	require.Equal(t, 3, res.Appended)
	require.Equal(t, int64(6), res.Head.Position)
}

func testIdempotent(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	e := unitEvent(1)
	e.ID = uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	res, err := l.Append(context.Background(), seqOf(e), replay.AppendOptions{Keep: true})
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
	// The same id and content again, even in another batch: a no-op that
	// reports the stored position.
	res, err = l.Append(context.Background(), seqOf(unitEvent(2), e), replay.AppendOptions{Keep: true})
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
	require.Equal(t, 1, res.Unchanged)
	require.Equal(t, int64(1), res.Records[1].Position)
	require.Equal(t, e.ID, res.Records[1].ID)
	require.Len(t, readAll(t, s, 0, 0), 2)
}

func testConflict(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	e := unitEvent(1)
	e.ID = uuid.New()
	_, err := l.Append(context.Background(), seqOf(e), replay.AppendOptions{})
	require.NoError(t, err)
	other := unitEvent(2)
	other.ID = e.ID
	_, err = l.Append(context.Background(), seqOf(other), replay.AppendOptions{})
	require.ErrorIs(t, err, events.ErrConflict)
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Equal(t, "id", be.Items[0].Err.Field)
	require.Len(t, readAll(t, s, 0, 0), 1)
}

func testChainReopen(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	for b := 0; b < 3; b++ {
		_, err := l.Append(context.Background(), seqOf(units(b*5+1, 5)...), replay.AppendOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	s2 := open(t)
	l2 := ledger(t, s2)
	require.Equal(t, int64(15), l2.Head().Position)
	_, err := l2.Append(context.Background(), seqOf(units(100, 5)...), replay.AppendOptions{})
	require.NoError(t, err)
	n, head, err := events.Verify(context.Background(), s2)
	require.NoError(t, err)
	require.Equal(t, int64(20), n)
	require.Equal(t, l2.Head().Hash, head)
}

// Sealed builds n records of unit registrations continuing h, without a
// ledger: what a store test appends.
func Sealed(h events.Head, n int) []*events.Record {
	out := make([]*events.Record, n)
	prev := h
	for i := range out {
		e := unitEvent(1000 + int(prev.Position))
		r, _ := events.Seal(prev, e, clockBase, nil)
		prev = r.Head()
		out[i] = r
	}
	return out
}

func recSeq(recs []*events.Record, tail error) iter.Seq2[*events.Record, error] {
	return func(yield func(*events.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
		if tail != nil {
			yield(nil, tail)
		}
	}
}

func testStale(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	recs := Sealed(events.Head{}, 2)
	h, err := s.Append(ctx, events.Head{}, recSeq(recs, nil))
	require.NoError(t, err)
	require.Equal(t, int64(2), h.Position)
	pulled := false
	_, err = s.Append(ctx, events.Head{}, func(yield func(*events.Record, error) bool) { pulled = true })
	require.ErrorIs(t, err, events.ErrStale)
	require.False(t, pulled, "a stale append must not pull records")
	// A refused iterator stores nothing.
	boom := errors.New("refused batch")
	_, err = s.Append(ctx, h, recSeq(Sealed(h, 3), boom))
	require.ErrorIs(t, err, boom)
	got, err := s.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, h.Position, got.Position)
}

func testBroken(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	recs := Sealed(events.Head{}, 3)
	recs[2].PrevHash = events.Hash{1}
	_, err := s.Append(ctx, events.Head{}, recSeq(recs, nil))
	require.ErrorIs(t, err, events.ErrBroken)
	recs = Sealed(events.Head{}, 3)
	recs[1].Position = 5
	_, err = s.Append(ctx, events.Head{}, recSeq(recs, nil))
	require.ErrorIs(t, err, events.ErrBroken)
	require.Empty(t, readAll(t, s, 0, 0))
}

func testCancel(t *testing.T, open Opener) {
	s := open(t)
	l := ledger(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := func(yield func(events.Decoded) bool) {
		for i := 1; i <= 5000; i++ {
			if i == 2500 {
				cancel()
			}
			if !yield(events.Decoded{Line: i, Event: unitEvent(i)}) {
				return
			}
		}
	}
	_, err := l.Append(ctx, in, replay.AppendOptions{})
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, readAll(t, s, 0, 0))
	res, err := l.Append(context.Background(), seqOf(unitEvent(1)), replay.AppendOptions{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Head.Position)
}

func testConcurrent(t *testing.T, open Opener) {
	const writers, batches, per = 8, 10, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	ids := make(chan uuid.UUID, writers*batches*per)
	for w := 0; w < writers; w++ {
		s := open(t)
		l := ledger(t, s)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				evs := units(w*1000+b*per, per)
				for _, e := range evs {
					e.ID = uuid.New()
				}
				if _, err := l.Append(context.Background(), seqOf(evs...), replay.AppendOptions{Replayable: true}); err != nil {
					errs <- err
					return
				}
				for _, e := range evs {
					ids <- e.ID
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		require.NoError(t, err)
	}
	s := open(t)
	recs := readAll(t, s, 0, 0)
	require.Len(t, recs, writers*batches*per)
	stored := map[uuid.UUID]bool{}
	for i, r := range recs {
		require.Equal(t, int64(i+1), r.Position)
		stored[r.ID] = true
	}
	for id := range ids {
		require.True(t, stored[id], "acknowledged event %s missing", id)
	}
	n, _, err := events.Verify(context.Background(), s)
	require.NoError(t, err)
	require.Equal(t, int64(writers*batches*per), n)
}
