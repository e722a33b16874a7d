// Package eventstest is the contract every events.Store backend must keep,
// tested on the store alone: records are sealed here (Sealed) and handed to
// the store directly, so that a failure names the store and not the ledger
// above it. The ledger's own guarantees on a backend (atomic validation,
// idempotent ids, cancellation, concurrent ledgers) are in
// replay/replaytest; a backend's tests run both suites on the same backing.
//
// It also holds the builders every test of the repository makes events and
// records with (build.go): Line, Event and Chain.
package eventstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// Opener opens a new handle on the same backing store each time it is
// called; the first call sees an empty store.
type Opener func(t *testing.T) events.Store

// NewBacking returns an Opener for a fresh, empty backing store.
type NewBacking func(t *testing.T) Opener

// Run runs the contract suite. Checkpoints and subscriptions are tested
// when the store implements events.Checkpointer and events.Subscriber, and
// skipped otherwise.
func Run(t *testing.T, newBacking NewBacking) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"EmptyHeadAndVerify", testEmpty},
		{"OrderAndGaplessPositions", testOrder},
		{"ReadFromTheMiddleAndLimits", testRead},
		{"StaleHeadRefusedBeforePull", testStale},
		{"RefusedIteratorStoresNothing", testRefused},
		{"CancelBeforeCommitStoresNothing", testCancel},
		{"BrokenChainRefused", testBroken},
		{"CloseAndReopenContinuesTheChain", testReopen},
		{"ErrClosedAfterClose", testClosed},
		{"Checkpoints", testCheckpoints},
		{"Subscription", testSubscription},
		{"RacingWriters", testRacingWriters},
		{"MerkleTreeKeptOnEveryAppend", testTree},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBacking(t)) })
	}
}

// Clock is the recorded_at of every record Sealed makes.
var Clock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// UnitEvent is a valid registration of unit i: the one event the suites
// build records and batches from.
func UnitEvent(i int) *events.Event {
	raw := Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", fmt.Sprintf(`{"unit_id":"U%d","name":"unit %d"}`, i, i))
	ev, err := events.Decode([]byte(raw), events.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	return ev
}

// Sealed builds n records of unit registrations continuing h, without a
// ledger: what a store test appends. Each has a new random id.
func Sealed(h events.Head, n int) []*events.Record {
	evs := make([]*events.Event, n)
	for i := range evs {
		evs[i] = UnitEvent(1000 + int(h.Position) + i)
	}
	return Chain(h, Clock, evs...)
}

// Records yields recs, in order, as Store.Append pulls them.
func Records(recs []*events.Record) iter.Seq2[*events.Record, error] {
	return failing(recs, nil)
}

// failing yields recs and then tail, as a caller that refuses its batch
// after handing over part of it.
func failing(recs []*events.Record, tail error) iter.Seq2[*events.Record, error] {
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

// untouched is a batch that records whether the store pulled from it.
func untouched(pulled *bool, recs []*events.Record) iter.Seq2[*events.Record, error] {
	return func(yield func(*events.Record, error) bool) {
		*pulled = true
		Records(recs)(yield)
	}
}

// Append appends n sealed records after the store's head and returns the
// new head.
func Append(t *testing.T, s events.Store, n int) events.Head {
	t.Helper()
	ctx := context.Background()
	h, err := s.Head(ctx)
	require.NoError(t, err)
	got, err := s.Append(ctx, h, Records(Sealed(h, n)))
	require.NoError(t, err)
	require.Equal(t, h.Position+int64(n), got.Position)
	return got
}

// ReadAll reads the records after position after (at most limit, 0: all),
// copied out of the store's buffers.
func ReadAll(t *testing.T, s events.Store, after int64, limit int) []events.Record {
	t.Helper()
	var out []events.Record
	require.NoError(t, s.Read(context.Background(), after, limit, func(r *events.Record) error {
		c := *r
		c.Data = bytes.Clone(r.Data)
		out = append(out, c)
		return nil
	}))
	return out
}

func positions(recs []events.Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Position
	}
	return out
}

func span(from, to int64) []int64 {
	var out []int64
	for p := from; p <= to; p++ {
		out = append(out, p)
	}
	return out
}

// requireHead compares heads by position, hash and instant: a store may
// hand back recorded_at in another location.
func requireHead(t *testing.T, want, got events.Head) {
	t.Helper()
	require.Equal(t, want.Position, got.Position, "head position")
	require.Equal(t, want.Hash, got.Hash, "head hash")
	require.True(t, want.RecordedAt.Equal(got.RecordedAt), "head recorded_at: want %s, got %s", want.RecordedAt, got.RecordedAt)
}

func testEmpty(t *testing.T, open Opener) {
	s := open(t)
	h, err := s.Head(context.Background())
	require.NoError(t, err)
	require.Equal(t, events.Head{}, h)
	require.Empty(t, ReadAll(t, s, 0, 0))
	n, head, err := events.Verify(context.Background(), s)
	require.NoError(t, err)
	require.Equal(t, int64(0), n)
	require.Equal(t, events.ZeroHash, head)
}

func testOrder(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	var sent []*events.Record
	head := events.Head{}
	// 250 crosses the SQLite store's 200-row INSERT statements.
	for _, n := range []int{1, 250, 0, 10} {
		recs := Sealed(head, n)
		got, err := s.Append(ctx, head, Records(recs))
		require.NoError(t, err)
		if n > 0 {
			requireHead(t, recs[n-1].Head(), got)
		} else {
			requireHead(t, head, got) // an empty batch leaves the head alone
		}
		head = got
		sent = append(sent, recs...)
	}
	stored := ReadAll(t, s, 0, 0)
	require.Len(t, stored, len(sent))
	prev := events.ZeroHash
	for i, r := range stored {
		w := sent[i]
		require.Equal(t, int64(i+1), r.Position)
		require.Equal(t, prev, r.PrevHash)
		require.Equal(t, w.ID, r.ID)
		require.Equal(t, w.Type, r.Type)
		require.Equal(t, w.Stream, r.Stream)
		require.Equal(t, string(w.Data), string(r.Data))
		require.True(t, w.OccurredAt.Equal(r.OccurredAt) && w.RecordedAt.Equal(r.RecordedAt), "times of %d", r.Position)
		_, ok := r.Check(nil)
		require.True(t, ok, "hash of %d", r.Position)
		prev = r.Hash
	}
	h, err := s.Head(ctx)
	require.NoError(t, err)
	requireHead(t, head, h)
}

func testRead(t *testing.T, open Opener) {
	s := open(t)
	Append(t, s, 30)
	require.Equal(t, span(8, 12), positions(ReadAll(t, s, 7, 5)))
	require.Equal(t, span(26, 30), positions(ReadAll(t, s, 25, 0)))
	require.Equal(t, span(29, 30), positions(ReadAll(t, s, 28, 10)), "a limit past the end")
	require.Equal(t, span(1, 1), positions(ReadAll(t, s, 0, 1)))
	require.Empty(t, ReadAll(t, s, 30, 0))
	require.Empty(t, ReadAll(t, s, 100, 0))
	// fn's error stops the read and is returned as it is.
	stop := errors.New("enough")
	calls := 0
	err := s.Read(context.Background(), 10, 0, func(r *events.Record) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 3, calls)
}

func testStale(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	h := Append(t, s, 2)
	stale := []events.Head{
		{}, // behind
		{Position: h.Position, Hash: events.Hash{1}}, // same position, other chain
		{Position: h.Position + 3, Hash: h.Hash},     // ahead
	}
	for _, expect := range stale {
		pulled := false
		_, err := s.Append(ctx, expect, untouched(&pulled, Sealed(expect, 2)))
		require.ErrorIs(t, err, events.ErrStale, "expect %d", expect.Position)
		require.False(t, pulled, "a stale append must not pull records (expect %d)", expect.Position)
	}
	require.Equal(t, span(1, 2), positions(ReadAll(t, s, 0, 0)))
	// Caught up, the caller's next batch goes in.
	recs := Sealed(h, 1)
	got, err := s.Append(ctx, h, Records(recs))
	require.NoError(t, err)
	requireHead(t, recs[0].Head(), got)
}

func testRefused(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	h := Append(t, s, 2)
	boom := errors.New("refused batch")
	// 450 records: the SQLite store has inserted two statements' worth
	// inside its transaction when the refusal comes.
	for _, n := range []int{0, 3, 450} {
		_, err := s.Append(ctx, h, failing(Sealed(h, n), boom))
		require.ErrorIs(t, err, boom, "after %d records", n)
		got, err := s.Head(ctx)
		require.NoError(t, err)
		requireHead(t, h, got)
		require.Equal(t, span(1, 2), positions(ReadAll(t, s, 0, 0)))
	}
}

func testCancel(t *testing.T, open Opener) {
	s := open(t)
	h := Append(t, s, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recs := Sealed(h, 600)
	in := func(yield func(*events.Record, error) bool) {
		for i, r := range recs {
			if i == 300 {
				cancel()
			}
			if !yield(r, nil) {
				return
			}
		}
	}
	_, err := s.Append(ctx, h, in)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, span(1, 2), positions(ReadAll(t, s, 0, 0)))
}

func testBroken(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	h := Append(t, s, 2)
	// Each case tampers with sealed records on purpose: the store must
	// refuse a batch whose links do not continue its chain.
	cases := []struct {
		name  string
		spoil func(recs []*events.Record)
	}{
		{"later prev_hash", func(recs []*events.Record) { recs[2].PrevHash = events.Hash{1} }},
		{"later position", func(recs []*events.Record) { recs[1].Position = recs[0].Position + 2 }},
		{"first prev_hash", func(recs []*events.Record) { recs[0].PrevHash = events.ZeroHash }},
		{"first position", func(recs []*events.Record) { recs[0].Position = h.Position }},
	}
	for _, c := range cases {
		recs := Sealed(h, 3)
		c.spoil(recs)
		_, err := s.Append(ctx, h, Records(recs))
		require.ErrorIs(t, err, events.ErrBroken, c.name)
		require.Equal(t, span(1, 2), positions(ReadAll(t, s, 0, 0)), c.name)
	}
	_, _, err := events.Verify(ctx, s)
	require.NoError(t, err)
}

func testReopen(t *testing.T, open Opener) {
	s := open(t)
	for range 3 {
		Append(t, s, 5)
	}
	before, err := s.Head(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s2 := open(t)
	after, err := s2.Head(context.Background())
	require.NoError(t, err)
	requireHead(t, before, after)
	h := Append(t, s2, 5)
	n, head, err := events.Verify(context.Background(), s2)
	require.NoError(t, err)
	require.Equal(t, int64(20), n)
	require.Equal(t, h.Hash, head)
}

func testClosed(t *testing.T, open Opener) {
	s := open(t)
	h := Append(t, s, 2)
	ctx := context.Background()
	sub, subscriber := s.(events.Subscriber)
	running := make(chan error, 1)
	if subscriber {
		subscribed := make(chan struct{}, 1)
		go func() {
			running <- sub.Subscribe(ctx, 0, func(p int64) {
				select {
				case subscribed <- struct{}{}:
				default:
				}
			})
		}()
		<-subscribed // the subscription is live when Close comes
	}
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close")

	_, err := s.Head(ctx)
	require.ErrorIs(t, err, events.ErrClosed, "Head")
	pulled := false
	_, err = s.Append(ctx, h, untouched(&pulled, Sealed(h, 1)))
	require.ErrorIs(t, err, events.ErrClosed, "Append")
	require.False(t, pulled, "Append pulled records from a closed store")
	err = s.Read(ctx, 0, 0, func(*events.Record) error { return errors.New("a record from a closed store") })
	require.ErrorIs(t, err, events.ErrClosed, "Read")
	_, err = s.TreeNodes(ctx, []events.NodeID{{Level: 0, Index: 0}})
	require.ErrorIs(t, err, events.ErrClosed, "TreeNodes")
	if cp, ok := s.(events.Checkpointer); ok {
		require.ErrorIs(t, SaveCheckpoint(ctx, cp, events.Checkpoint{Position: 2, Hash: h.Hash, Format: "f"}, []byte("x")), events.ErrClosed, "SaveCheckpoint")
		_, _, err = LoadCheckpoint(ctx, cp)
		require.ErrorIs(t, err, events.ErrClosed, "LoadCheckpoint")
	}
	if subscriber {
		select {
		case err := <-running:
			require.ErrorIs(t, err, events.ErrClosed, "a live subscription when the store closes")
		case <-time.After(10 * time.Second):
			t.Fatal("a live subscription did not end when the store closed")
		}
		require.ErrorIs(t, sub.Subscribe(ctx, 0, func(int64) {}), events.ErrClosed, "Subscribe")
	}
	// Closing a handle closes nothing of the backing store.
	require.Equal(t, span(1, 2), positions(ReadAll(t, open(t), 0, 0)))
}

func testCheckpoints(t *testing.T, open Opener) {
	s := open(t)
	cp, ok := s.(events.Checkpointer)
	if !ok {
		t.Skipf("%T keeps no checkpoints", s)
	}
	ctx := context.Background()
	_, _, err := LoadCheckpoint(ctx, cp)
	require.ErrorIs(t, err, events.ErrNotFound, "a fresh store")
	recs := Sealed(events.Head{}, 10)
	first := events.Checkpoint{Position: 3, Hash: recs[2].Hash, Format: "test-1", Digest: events.Hash{7}}
	require.NoError(t, SaveCheckpoint(ctx, cp, first, []byte("first")))
	got, data, err := LoadCheckpoint(ctx, cp)
	require.NoError(t, err)
	first.Size = 5
	require.Equal(t, first, got)
	require.Equal(t, "first", string(data))
	// A replacement larger than one EventStoreDB event and one SQLite chunk.
	big := make([]byte, 9<<20+123)
	for i := range big {
		big[i] = byte(i * 7)
	}
	second := events.Checkpoint{Position: 10, Hash: recs[9].Hash, Format: "test-2", Size: int64(len(big)),
		Digest: events.Hash{9}, Seal: []byte("a signature, kept as given")}
	require.NoError(t, SaveCheckpoint(ctx, cp, second, big))
	got, data, err = LoadCheckpoint(ctx, cp)
	require.NoError(t, err)
	require.Equal(t, second, got)
	require.Equal(t, big, data)
	// A save whose data fails keeps the previous checkpoint.
	boom := errors.New("the encoder failed")
	err = cp.SaveCheckpoint(ctx, io.MultiReader(bytes.NewReader(big[:5<<20]), failingReader{boom}),
		func() (events.Checkpoint, error) { return events.Checkpoint{Position: 4}, nil })
	require.ErrorIs(t, err, boom)
	got, data, err = LoadCheckpoint(ctx, cp)
	require.NoError(t, err)
	require.Equal(t, second, got)
	require.Equal(t, big, data)
	// Another handle sees it.
	other, ok := open(t).(events.Checkpointer)
	require.True(t, ok)
	got, _, err = LoadCheckpoint(ctx, other)
	require.NoError(t, err)
	require.Equal(t, second, got)
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// SaveCheckpoint saves data as a checkpoint described by c (its Size set).
func SaveCheckpoint(ctx context.Context, cp events.Checkpointer, c events.Checkpoint, data []byte) error {
	c.Size = int64(len(data))
	return cp.SaveCheckpoint(ctx, bytes.NewReader(data), func() (events.Checkpoint, error) { return c, nil })
}

// LoadCheckpoint loads the saved checkpoint and all its data.
func LoadCheckpoint(ctx context.Context, cp events.Checkpointer) (events.Checkpoint, []byte, error) {
	c, r, err := cp.LoadCheckpoint(ctx)
	if err != nil {
		return c, nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return c, data, err
}

func testSubscription(t *testing.T, open Opener) {
	s := open(t)
	sub, ok := s.(events.Subscriber)
	if !ok {
		t.Skipf("%T pushes no news of appends", s)
	}
	writer := open(t)
	Append(t, writer, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []int64
	done := make(chan error, 1)
	go func() {
		done <- sub.Subscribe(ctx, 1, func(p int64) {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		})
	}()
	Append(t, writer, 3)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) >= 5
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Subscribe did not return when its context ended")
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, span(2, 6), seen, "every position after 1, once, in order")
}

// testRacingWriters: goroutines on two handles append with the head they
// read, and on ErrStale read it again and reseal, as a ledger does.
func testRacingWriters(t *testing.T, open Opener) {
	const goroutines, batches = 8, 6
	handles := []events.Store{open(t), open(t)}
	var mu sync.Mutex
	acked := map[uuid.UUID]bool{}
	stale := 0
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		s := handles[g%len(handles)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for b := range batches {
				n := 1 + (g+b)%3
				for attempt := 0; ; attempt++ {
					if attempt == 200 {
						errs <- fmt.Errorf("writer %d: still stale after %d attempts", g, attempt)
						return
					}
					h, err := s.Head(ctx)
					if err != nil {
						errs <- err
						return
					}
					recs := Sealed(h, n)
					_, err = s.Append(ctx, h, Records(recs))
					if errors.Is(err, events.ErrStale) {
						mu.Lock()
						stale++
						mu.Unlock()
						continue
					}
					if err != nil {
						errs <- fmt.Errorf("writer %d: %w", g, err)
						return
					}
					mu.Lock()
					for _, r := range recs {
						acked[r.ID] = true
					}
					mu.Unlock()
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	stored := ReadAll(t, open(t), 0, 0)
	require.Equal(t, span(1, int64(len(acked))), positions(stored), "gapless, and nothing stored that was not acknowledged")
	for _, r := range stored {
		require.True(t, acked[r.ID], "record %d was stored but its append failed", r.Position)
	}
	n, _, err := events.Verify(context.Background(), handles[0])
	require.NoError(t, err)
	require.Equal(t, int64(len(acked)), n)
	t.Logf("%d records, %d stale attempts retried", n, stale)
}
