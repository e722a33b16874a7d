// Package replay drives the projections over a store: it folds the log into
// one projections.State (starting from the store's checkpoint when it has
// one), keeps it current as events are appended, and answers standings and
// explain for any (as_of, known_at) from that state without re-reading the
// store. It is also the ledger's one writer path: every append is validated
// against the state, sealed into the hash chain and handed to the store with
// the head it must follow.
package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// Options configure a Ledger.
type Options struct {
	// Clock gives recorded_at for appends and the default known_at. Nil
	// means time.Now.
	Clock func() time.Time
	// CheckpointEvery saves a checkpoint after this many records have been
	// folded since the last one (0: 50,000; negative: never).
	CheckpointEvery int64
	// AllowBroken opens a store whose chain no longer holds (for
	// inspection); the problem is kept in Ledger.Broken. Without it, Open
	// refuses such a store with an error wrapping events.ErrBroken.
	AllowBroken bool
}

// Ledger is the event ledger over one store.
type Ledger struct {
	store events.Store
	clock func() time.Time
	every int64

	mu        sync.RWMutex // guards state
	state     *projections.State
	saved     int64 // position of the last checkpoint saved or loaded
	onAppend  []func(appended int)
	fromCheck bool
	cache     renderCache
	allow     bool
	// Broken is why the chain does not hold, when Open was allowed to go on.
	Broken error
}

// Open folds the store into a new Ledger.
func Open(ctx context.Context, store events.Store, opt Options) (*Ledger, error) {
	l := &Ledger{store: store, clock: opt.Clock, every: opt.CheckpointEvery, allow: opt.AllowBroken}
	if l.clock == nil {
		l.clock = time.Now
	}
	if l.every == 0 {
		l.every = 50_000
	}
	l.state = projections.New()
	if err := l.broken(l.loadCheckpoint(ctx)); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.broken(l.catchUp(ctx)); err != nil {
		return nil, err
	}
	if err := l.broken(l.checkHead(ctx)); err != nil {
		return nil, err
	}
	return l, nil
}

// broken lets a broken chain through when the ledger was opened for
// inspection, and only then.
func (l *Ledger) broken(err error) error {
	if err == nil || !errors.Is(err, events.ErrBroken) || !l.allow {
		return err
	}
	if l.Broken == nil {
		l.Broken = err
	}
	return nil
}

// checkHead recomputes the stored head's hash: a head that no longer
// matches its content means the store was changed behind the ledger.
func (l *Ledger) checkHead(ctx context.Context) error {
	pos := l.state.Head.Position
	if pos == 0 {
		return nil
	}
	return l.store.Read(ctx, pos-1, 1, func(r *events.Record) error {
		if _, ok := r.Check(nil); !ok || r.Hash != l.state.Head.Hash {
			return fmt.Errorf("replay: the stored head (position %d) no longer matches the hash chain; "+
				"run `ledger verify` to find the first bad position: %w", pos, events.ErrBroken)
		}
		return nil
	})
}

// Store is the store under the ledger.
func (l *Ledger) Store() events.Store { return l.store }

// Now is the ledger's clock.
func (l *Ledger) Now() time.Time { return l.clock() }

// OnAppend registers f to be called (with the ledger unlocked) after each
// append that stored records.
func (l *Ledger) OnAppend(f func(appended int)) { l.onAppend = append(l.onAppend, f) }

// Head is the end of the chain as folded.
func (l *Ledger) Head() events.Head {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.state.Head
}

// FromCheckpoint reports whether Open started from a saved checkpoint.
func (l *Ledger) FromCheckpoint() bool { return l.fromCheck }

func (l *Ledger) loadCheckpoint(ctx context.Context) error {
	cp, ok := l.store.(events.Checkpointer)
	if !ok {
		return nil
	}
	c, err := cp.LoadCheckpoint(ctx)
	if errors.Is(err, events.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("replay: load checkpoint: %w", err)
	}
	if c.Format != projections.CheckpointFormat || c.Position <= 0 {
		return nil
	}
	// A checkpoint counts only for the chain it was taken from.
	var at events.Hash
	found := false
	err = l.store.Read(ctx, c.Position-1, 1, func(r *events.Record) error {
		at, found = r.Hash, r.Position == c.Position
		return nil
	})
	if err != nil {
		return fmt.Errorf("replay: check checkpoint: %w", err)
	}
	if !found {
		return fmt.Errorf("replay: the log ends before position %d, which it had reached (events were removed); "+
			"run `ledger verify`: %w", c.Position, events.ErrBroken)
	}
	if at != c.Hash {
		return fmt.Errorf("replay: the event at position %d no longer has the hash it had; run `ledger verify`: %w",
			c.Position, events.ErrBroken)
	}
	st, err := projections.DecodeCheckpoint(c.Data)
	if err != nil || st.Head.Position != c.Position || st.Head.Hash != c.Hash {
		return nil // derived data: rebuild rather than fail
	}
	l.state, l.saved, l.fromCheck = st, c.Position, true
	return nil
}

// SaveCheckpoint saves the folded state if the store keeps checkpoints and
// the state moved since the last one.
func (l *Ledger) SaveCheckpoint(ctx context.Context) error {
	cp, ok := l.store.(events.Checkpointer)
	if !ok {
		return nil
	}
	l.mu.RLock()
	if l.state.Head.Position == l.saved || l.state.Head.Position == 0 {
		l.mu.RUnlock()
		return nil
	}
	head := l.state.Head
	data := projections.EncodeCheckpoint(l.state)
	l.mu.RUnlock()
	if err := cp.SaveCheckpoint(ctx, events.Checkpoint{Position: head.Position, Hash: head.Hash,
		Format: projections.CheckpointFormat, Data: data}); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	l.mu.Lock()
	l.saved = head.Position
	l.mu.Unlock()
	return nil
}

// CheckpointDue reports whether enough records were folded since the last
// checkpoint to save a new one.
func (l *Ledger) CheckpointDue() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.every > 0 && l.state.Head.Position-l.saved >= l.every
}

// CatchUp folds records other writers appended.
func (l *Ledger) CatchUp(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.catchUp(ctx)
}

func (l *Ledger) catchUp(ctx context.Context) error {
	return fold(ctx, l.store, l.state, 0, l.allow)
}

// fold reads the records after st's head (at most limit, 0: all) and folds
// them into st, unchecked: they are stored already. Unless allowBroken, a
// record that does not follow the chain stops it.
func fold(ctx context.Context, store events.Store, st *projections.State, limit int, allowBroken bool) error {
	return store.Read(ctx, st.Head.Position, limit, func(r *events.Record) error {
		if r.PrevHash != st.Head.Hash && !allowBroken {
			return fmt.Errorf("replay: record %d does not follow the chain; run `ledger verify`: %w", r.Position, events.ErrBroken)
		}
		body, err := r.Body()
		if err != nil {
			return fmt.Errorf("replay: record %d: %v: %w", r.Position, err, events.ErrBroken)
		}
		// The state keeps no reference to r's slices except through the
		// body, which owns its own memory.
		if ferr := st.Add(r, body, false); ferr != nil {
			return fmt.Errorf("replay: record %d: %v: %w", r.Position, ferr, events.ErrBroken)
		}
		return nil
	})
}

// AppendOptions shape one append.
type AppendOptions struct {
	// Historical accepts recorded_at from the input (import --historical).
	Historical bool
	// Keep returns the stored records (new and unchanged) in the result.
	Keep bool
	// Replayable says the input may be iterated again, so that an append
	// that lost a race with another writer after pulling it (a backend that
	// checks the head only at commit, like EventStoreDB) is retried.
	Replayable bool
}

// Result of an append.
type Result struct {
	Appended  int
	Unchanged int
	Records   []*events.Record // with Keep: one per input event, in order
	Head      events.Head
}

// Append validates every input against the state, seals the good ones into
// the chain and stores them in one atomic batch. If any input is bad,
// nothing is stored and the error is an *events.BatchError naming every bad
// input. An input whose id is stored with the same content is an idempotent
// retry: it is reported as unchanged with its stored position.
//
// When another writer appended first, the store refuses the attempt with
// events.ErrStale; the ledger catches up and tries again if the store had
// not pulled any input yet, or if opt.Replayable says the input can be
// iterated again.
func (l *Ledger) Append(ctx context.Context, in iter.Seq[events.Decoded], opt AppendOptions) (Result, error) {
	l.mu.Lock()
	res, err := l.appendLocked(ctx, in, opt)
	l.mu.Unlock()
	if err == nil && res.Appended > 0 {
		for _, f := range l.onAppend {
			f(res.Appended)
		}
	}
	return res, err
}

func (l *Ledger) appendLocked(ctx context.Context, in iter.Seq[events.Decoded], opt AppendOptions) (Result, error) {
	for attempt := 0; ; attempt++ {
		if err := l.catchUp(ctx); err != nil {
			return Result{}, err
		}
		st := l.state
		st.Begin()
		var (
			res   Result
			items []events.ItemError
			buf   []byte
			index int
		)
		now := l.clock().UTC()
		expect := st.Head
		head := expect
		seq := func(yield func(*events.Record, error) bool) {
			for x := range in {
				i := index
				index++
				bad := func(e *events.FieldError) {
					items = append(items, events.ItemError{Index: i, Line: x.Line, Err: e})
				}
				if i%1024 == 0 {
					if err := ctx.Err(); err != nil {
						yield(nil, err)
						return
					}
				}
				if x.Err != nil {
					bad(x.Err)
					continue
				}
				ev := x.Event
				if ev.ID != uuid.Nil {
					if pos, digest, ok := st.Lookup(ev.ID); ok {
						if digest != ev.Digest() {
							bad(events.Conflict("id", "event %s is already stored (position %d) with other content", ev.ID, pos))
							continue
						}
						res.Unchanged++
						if opt.Keep {
							res.Records = append(res.Records, &events.Record{Position: pos, ID: ev.ID})
						}
						continue
					}
				}
				var recordedAt time.Time
				switch {
				case !ev.RecordedAt.IsZero() && opt.Historical:
					if ev.RecordedAt.Before(head.RecordedAt) {
						bad(events.Invalid("recorded_at", "goes backwards: before %s, the recorded_at of the event before it",
							events.FormatUTC(head.RecordedAt)))
						continue
					}
					if ev.RecordedAt.After(now) {
						bad(events.Invalid("recorded_at", "in the future (after %s)", events.FormatUTC(now)))
						continue
					}
					recordedAt = ev.RecordedAt
				case now.Before(head.RecordedAt):
					// The clock stepped back: never let recorded_at go
					// backwards along the log (known_at relies on it).
					recordedAt = head.RecordedAt
				default:
					recordedAt = now
				}
				var rec *events.Record
				rec, buf = events.Seal(head, ev, recordedAt, buf)
				if ferr := st.Add(rec, ev.Body, true); ferr != nil {
					bad(ferr)
					continue
				}
				head = rec.Head()
				res.Appended++
				if opt.Keep {
					res.Records = append(res.Records, rec)
				}
				if len(items) == 0 && !yield(rec, nil) {
					return
				}
			}
			if len(items) > 0 {
				yield(nil, &events.BatchError{Items: items})
			}
		}
		newHead, err := l.store.Append(ctx, expect, pipelined(seq))
		if errors.Is(err, events.ErrStale) && (index == 0 || opt.Replayable) && attempt < 100 {
			st.Rollback()
			continue
		}
		if err != nil {
			st.Rollback()
			var be *events.BatchError
			if errors.As(err, &be) {
				return Result{}, be
			}
			return Result{}, err
		}
		st.Commit()
		res.Head = newHead
		if opt.Keep {
			if err := l.fillUnchanged(ctx, res.Records); err != nil {
				return res, err
			}
		}
		return res, nil
	}
}

// fillUnchanged reads the stored envelopes of idempotent repeats, which the
// append only knew by position.
func (l *Ledger) fillUnchanged(ctx context.Context, recs []*events.Record) error {
	for _, r := range recs {
		if r.Hash != (events.Hash{}) {
			continue
		}
		pos := r.Position
		err := l.store.Read(ctx, pos-1, 1, func(s *events.Record) error {
			*r = *s
			r.Data = append([]byte(nil), s.Data...)
			return nil
		})
		if err != nil {
			return fmt.Errorf("replay: read stored event %d: %w", pos, err)
		}
	}
	return nil
}

// pipelined runs a record sequence in its own goroutine, handing records
// over in batches, so that validating and sealing the next records overlaps
// with the store writing the last ones. The producer starts only when the
// store starts pulling.
func pipelined(seq iter.Seq2[*events.Record, error]) iter.Seq2[*events.Record, error] {
	const size = 256
	type batch struct {
		recs []*events.Record
		err  error
	}
	return func(yield func(*events.Record, error) bool) {
		ch := make(chan batch, 16)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(ch)
			send := func(b batch) bool {
				select {
				case ch <- b:
					return true
				case <-stop:
					return false
				}
			}
			var cur []*events.Record
			ok := true
			seq(func(r *events.Record, err error) bool {
				if err != nil {
					if len(cur) > 0 && !send(batch{recs: cur}) {
						return false
					}
					cur = nil
					send(batch{err: err})
					ok = false
					return false
				}
				cur = append(cur, r)
				if len(cur) == size {
					ok = send(batch{recs: cur})
					cur = make([]*events.Record, 0, size)
				}
				return ok
			})
			if ok && len(cur) > 0 {
				send(batch{recs: cur})
			}
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for b := range ch {
			if b.err != nil {
				yield(nil, b.err)
				return
			}
			for _, r := range b.recs {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// CheckCheckpoint re-derives the store's saved checkpoint by folding the
// log up to its position and compares the two byte for byte. A checkpoint
// is a cache outside the hash chain: this is how an inspector shows that
// it says what the log says. It returns the checkpoint's position (0 when
// there is none), or an error wrapping events.ErrBroken on a mismatch.
func CheckCheckpoint(ctx context.Context, store events.Store) (int64, error) {
	cp, ok := store.(events.Checkpointer)
	if !ok {
		return 0, nil
	}
	c, err := cp.LoadCheckpoint(ctx)
	if errors.Is(err, events.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("replay: load checkpoint: %w", err)
	}
	st := projections.New()
	if err := fold(ctx, store, st, int(c.Position), false); err != nil {
		return c.Position, err
	}
	if c.Format != projections.CheckpointFormat || !bytes.Equal(projections.EncodeCheckpoint(st), c.Data) {
		return c.Position, fmt.Errorf("replay: the checkpoint at position %d does not match the log "+
			"(it was changed or is of another version); it is derived data: remove it and the ledger rebuilds it: %w",
			c.Position, events.ErrBroken)
	}
	return c.Position, nil
}
