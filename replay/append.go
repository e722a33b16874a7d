package replay

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

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
	// Expect is about how many events the input holds (0: unknown), so
	// that the state makes room for them once instead of growing as they
	// come: growing a table of millions copies it, and for a moment holds
	// it twice.
	Expect int
}

// Result of an append.
type Result struct {
	Appended  int
	Unchanged int
	Records   []*events.Record // with Keep: one per input event, in order
	Head      events.Head
}

// Append validates every input against the state, seals the good ones into
// the chain and hands them to the store as one batch. If any input is bad,
// nothing is stored and the error is an *events.BatchError naming every bad
// input. An input whose id is stored with the same content is an idempotent
// retry: it is reported as unchanged with its stored position.
//
// When another writer appended first, the store refuses the attempt with
// events.ErrStale; the ledger catches up and tries again if the store had
// not pulled any input yet, or if opt.Replayable says the input can be
// iterated again.
//
// A store that writes a large batch in several appends (events/esdb) may
// be cut between two of them: then the error wraps events.ErrPartial, a
// prefix of the batch is stored, and the ledger has folded it. It is never
// retried, even with opt.Replayable: inputs without an id would be stored
// twice. Sending the same input again completes the batch when its events
// carry ids.
func (l *Ledger) Append(ctx context.Context, in iter.Seq[events.Decoded], opt AppendOptions) (Result, error) {
	l.mu.Lock()
	res, err := l.appendLocked(ctx, in, opt)
	// The catch-up, the batch or both changed the state (or nothing did,
	// and a new snapshot costs next to nothing).
	l.publish()
	l.mu.Unlock()
	if err == nil && res.Appended > 0 {
		for _, f := range l.onAppend {
			f(res.Appended)
		}
	}
	return res, err
}

func (l *Ledger) appendLocked(ctx context.Context, in iter.Seq[events.Decoded], opt AppendOptions) (Result, error) {
	if l.Broken != nil {
		return Result{}, ErrReadOnly
	}
	for attempt := 0; ; attempt++ {
		if err := l.catchUp(ctx); err != nil {
			return Result{}, err
		}
		st := l.state
		// Records are folded into the state as they are sealed, so that
		// each input is checked against the ones before it in the batch;
		// a batch the store refuses is undone by Rollback.
		st.Begin()
		st.Reserve(opt.Expect)
		b := l.newBatch(ctx, in, opt, st)
		newHead, err := l.store.Append(ctx, st.Head, pipelined(b.records))
		if errors.Is(err, events.ErrStale) && (b.pulled == 0 || opt.Replayable) && attempt < 100 {
			st.Rollback()
			continue
		}
		if err != nil {
			st.Rollback()
			var be *events.BatchError
			if errors.As(err, &be) {
				return Result{}, be
			}
			if errors.Is(err, events.ErrPartial) {
				return Result{}, l.partial(ctx, err)
			}
			return Result{}, err
		}
		st.Commit()
		b.res.Head = newHead
		if opt.Keep {
			if err := l.fillUnchanged(ctx, b.res.Records); err != nil {
				return b.res, err
			}
		}
		return b.res, nil
	}
}

// partial explains a batch the store kept only part of. The rolled-back
// state no longer matches the store, which kept a prefix of the batch (and
// perhaps another writer's records after it): fold them now, so that the
// ledger answers what is stored. If that fails, the next append catches up
// first anyway.
func (l *Ledger) partial(ctx context.Context, err error) error {
	where := "; the ledger could not catch up with the store yet"
	if cerr := l.catchUp(ctx); cerr == nil {
		where = fmt.Sprintf("; the log now ends at position %d", l.state.Head.Position)
	}
	return fmt.Errorf("only the first part of the batch was stored%s. "+
		"Sending the same events again completes it if every event has an id (stored ones are skipped as repeats); "+
		"events without an id would be stored twice: %w", where, err)
}

// batch is one attempt at appending an input: it validates and seals the
// inputs as the store pulls them, so that a store that streams its writes
// (SQLite) never holds a large import in memory.
type batch struct {
	ctx context.Context
	in  iter.Seq[events.Decoded]
	opt AppendOptions
	st  *projections.State // between Begin and Commit or Rollback
	now time.Time          // the clock, read once: one recorded_at for the batch

	head   events.Head // the end of the chain after the records sealed so far
	pulled int         // inputs taken from in: none means the attempt can be retried
	res    Result
	bad    events.BatchError // the first bad inputs, and a count of the rest
	buf    []byte            // scratch for Seal
	// stored reads a stored record: an input whose id is stored is compared
	// with it (the state keeps no content). The records this batch sealed
	// are not stored yet, so their digests are kept here, by position.
	stored  func(pos int64) (*events.Record, error)
	start   int64    // the head's position before the batch
	digests []uint64 // by position after start; 0 for an input without id
	fail    error    // a store that could not be read stops the batch
}

// newBatch starts an attempt at appending in (or folding it in, for a
// what-if) on st, l's state between Begin and Commit or Rollback.
func (l *Ledger) newBatch(ctx context.Context, in iter.Seq[events.Decoded], opt AppendOptions, st *projections.State) *batch {
	return &batch{ctx: ctx, in: in, opt: opt, st: st, now: l.clock().UTC(), head: st.Head, start: st.Head.Position,
		digests: make([]uint64, 0, opt.Expect),
		stored:  func(pos int64) (*events.Record, error) { return l.readRecord(ctx, pos) }}
}

// records yields the batch's sealed records. After the first bad input it
// stops yielding but goes on checking the rest, so that one refusal names
// every bad input; it then ends with the *events.BatchError, which makes the
// store refuse the whole batch.
func (b *batch) records(yield func(*events.Record, error) bool) {
	for x := range b.in {
		i := b.pulled
		b.pulled++
		// Checking ctx on every input would cost more than sealing it.
		if i%1024 == 0 {
			if err := b.ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
		}
		rec, ferr := b.seal(x)
		if b.fail != nil {
			yield(nil, b.fail)
			return
		}
		if ferr != nil {
			b.bad.Add(events.ItemError{Index: i, Line: x.Line, Err: ferr})
			continue
		}
		if rec != nil && b.bad.Len() == 0 && !yield(rec, nil) {
			return
		}
	}
	if b.bad.Len() > 0 {
		yield(nil, &b.bad)
	}
}

// sameContent reports whether the event stored at pos (or sealed at pos by
// this batch) has ev's content: an idempotent repeat.
func (b *batch) sameContent(pos int64, ev *events.Event) (bool, error) {
	d := ev.Digest()
	if i := pos - b.start - 1; i >= 0 {
		return i < int64(len(b.digests)) && b.digests[i] == binary.LittleEndian.Uint64(d[:]), nil
	}
	r, err := b.stored(pos)
	if err != nil {
		return false, fmt.Errorf("read stored event %d to compare it with a repeat of its id: %w", pos, err)
	}
	return r.Digest() == d, nil
}

// keepDigest keeps the digest of the input sealed at pos, in case a later
// input of the batch repeats its id. Eight bytes of a SHA-256 tell two
// contents apart as surely as the id's own randomness tells events apart.
func (b *batch) keepDigest(pos int64, ev *events.Event) {
	i := pos - b.start - 1
	for int64(len(b.digests)) < i {
		b.digests = append(b.digests, 0)
	}
	d := ev.Digest()
	b.digests = append(b.digests, binary.LittleEndian.Uint64(d[:]))
}

// seal checks one input against the state and, when it is good, seals it
// after b.head and folds it. It returns a nil record for an idempotent
// repeat of a stored event, which is counted but not stored again.
func (b *batch) seal(x events.Decoded) (*events.Record, *events.FieldError) {
	if x.Err != nil {
		return nil, x.Err
	}
	ev := x.Event
	if ev.ID != uuid.Nil {
		if pos, ok := b.st.Lookup(ev.ID); ok {
			same, err := b.sameContent(pos, ev)
			if err != nil {
				b.fail = err
				return nil, nil
			}
			if !same {
				if pos > b.start {
					// Sealed by this batch, not stored: the earlier input.
					return nil, events.Conflict("id", "event %s appears earlier in this batch with other content", ev.ID)
				}
				return nil, events.Conflict("id", "event %s is already stored (position %d) with other content", ev.ID, pos)
			}
			b.res.Unchanged++
			if b.opt.Keep {
				// fillUnchanged reads the rest once the append is done.
				b.res.Records = append(b.res.Records, &events.Record{Position: pos, ID: ev.ID})
			}
			return nil, nil
		}
	}
	if ev.ForeignRecordedAt {
		return nil, events.RecordedAtNotHistorical()
	}
	recordedAt, ferr := b.recordedAt(ev)
	if ferr != nil {
		return nil, ferr
	}
	var rec *events.Record
	rec, b.buf = events.Seal(b.head, ev, recordedAt, b.buf)
	if ferr := b.st.Add(rec, ev.Body, true); ferr != nil {
		return nil, ferr
	}
	b.head = rec.Head()
	if ev.ID != uuid.Nil {
		// Only an input that names its id can repeat one of this batch.
		b.keepDigest(rec.Position, ev)
	}
	b.res.Appended++
	if b.opt.Keep {
		b.res.Records = append(b.res.Records, rec)
	}
	return rec, nil
}

// recordedAt is the batch's clock, or the input's own recorded_at for a
// historical import. Either way it never goes backwards along the log:
// known_at replays rely on it.
func (b *batch) recordedAt(ev *events.Event) (time.Time, *events.FieldError) {
	switch {
	case !ev.RecordedAt.IsZero() && b.opt.Historical:
		if ferr := checkRecordedAt(ev.RecordedAt, b.head.RecordedAt, b.now); ferr != nil {
			return time.Time{}, ferr
		}
		return ev.RecordedAt, nil
	case b.now.Before(b.head.RecordedAt):
		// The clock stepped back.
		return b.head.RecordedAt, nil
	default:
		return b.now, nil
	}
}

// checkRecordedAt is the rule of a recorded_at the ledger did not set
// itself (a historical import's, a stored one verify checks again): never
// before prev, the recorded_at of the event before it, nor after now.
func checkRecordedAt(t, prev, now time.Time) *events.FieldError {
	if t.Before(prev) {
		return events.Invalid("recorded_at", "goes backwards: before %s, the recorded_at of the event before it", events.FormatUTC(prev))
	}
	if t.After(now) {
		return events.Invalid("recorded_at", "in the future (after %s)", events.FormatUTC(now))
	}
	return nil
}

// fillUnchanged reads the stored envelopes of idempotent repeats, which the
// append only knew by position.
func (l *Ledger) fillUnchanged(ctx context.Context, recs []*events.Record) error {
	for _, r := range recs {
		if r.Hash != (events.Hash{}) {
			continue
		}
		s, err := l.readRecord(ctx, r.Position)
		if err != nil {
			return err
		}
		*r = *s
	}
	return nil
}

// readRecord reads the stored record at pos, with its own copy of the data.
func (l *Ledger) readRecord(ctx context.Context, pos int64) (*events.Record, error) {
	var out *events.Record
	err := l.store.Read(ctx, pos-1, 1, func(s *events.Record) error {
		r := *s
		r.Data = append([]byte(nil), s.Data...)
		out = &r
		return nil
	})
	if err == nil && out == nil {
		err = fmt.Errorf("not in the store: %w", events.ErrBroken)
	}
	if err != nil {
		return nil, fmt.Errorf("read stored event %d: %w", pos, err)
	}
	return out, nil
}

// pipelined runs a record sequence in its own goroutine, handing records
// over in groups of 256, so that validating and sealing the next records overlaps
// with the store writing the last ones. The producer starts only when the
// store starts pulling.
func pipelined(seq iter.Seq2[*events.Record, error]) iter.Seq2[*events.Record, error] {
	const size = 256
	type handoff struct {
		recs []*events.Record
		err  error
	}
	return func(yield func(*events.Record, error) bool) {
		ch := make(chan handoff, 16)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(ch)
			send := func(b handoff) bool {
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
					if len(cur) > 0 && !send(handoff{recs: cur}) {
						return false
					}
					cur = nil
					send(handoff{err: err})
					ok = false
					return false
				}
				cur = append(cur, r)
				if len(cur) == size {
					ok = send(handoff{recs: cur})
					cur = make([]*events.Record, 0, size)
				}
				return ok
			})
			if ok && len(cur) > 0 {
				send(handoff{recs: cur})
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
