package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// Verify checks the store as an inspector would want it checked: every
// hash of the chain and the Merkle root (events.VerifyLog), and every
// record through the validation an append applies, in log order, against
// the state of the records before it: the decoder's field checks, the
// canonical form, unique ids, recorded_at never going backwards nor past
// now, and every stateful rule of the catalogue. So a row written around
// the ledger with a correct hash, but that the ledger would have refused,
// is reported by its position and the rule it breaks (a *events.VerifyError
// whose reason starts "breaks a rule:").
//
// Decoding runs on every core, in the readers; the rules run in one
// goroutine, in log order, as an append's do.
//
// The fold's saved checkpoint, when there is one of this format, is
// compared byte for byte with the state folded up to its position: a cache
// changed outside the ledger is reported at that position.
func Verify(ctx context.Context, store events.Store, now time.Time) (events.Verified, error) {
	st := projections.New()
	if h, err := store.Head(ctx); err == nil {
		// The tables sized once, not grown as the log comes in; but the
		// head is what the store says, and a row written around the
		// ledger can claim any position: past a few million they grow.
		st.Reserve(int(min(h.Position, maxReserve)))
	}
	var last time.Time
	var cache *events.Checkpoint
	// Whether the stored data has the digest its description says: read
	// and hashed while the log is verified, needed only at its position.
	var cacheSound func() bool
	if cp, ok := store.(events.Checkpointer); ok {
		c, data, err := cp.LoadCheckpoint(ctx)
		switch {
		case errors.Is(err, events.ErrNotFound):
		case err != nil:
			return events.Verified{Head: events.ZeroHash}, fmt.Errorf("verify: %w", err)
		case c.Format != projections.CheckpointFormat:
			data.Close()
		default:
			cache = &c
			done := make(chan bool, 1)
			go func() {
				d, n, rerr := digestOf(data)
				data.Close()
				done <- rerr == nil && d == c.Digest && n == c.Size
			}()
			var sound, got bool
			cacheSound = func() bool {
				if !got {
					sound, got = <-done, true
				}
				return sound
			}
			defer cacheSound() // the reading ends before Verify returns
		}
	}
	v, err := events.VerifyLog(ctx, store, events.VerifyOptions{
		Prepare: func(r *events.Record) any {
			ev, ferr := events.Redecode(r)
			if ferr != nil {
				return ferr
			}
			return ev
		},
		Each: func(r *events.Record, prepared any) error {
			if ferr, ok := prepared.(*events.FieldError); ok {
				return ferr
			}
			ev := prepared.(*events.Event)
			if ferr := checkRecordedAt(r.RecordedAt, last, now); ferr != nil {
				return ferr
			}
			last = r.RecordedAt
			if ferr := st.Add(r, ev.Body, true); ferr != nil {
				return ferr
			}
			if cache != nil && r.Position == cache.Position {
				if r.Hash != cache.Hash || !cacheSound() || stateDigest(st) != cache.Digest {
					return &cacheError{position: r.Position}
				}
			}
			return nil
		},
	})
	if ce := (*cacheError)(nil); errors.As(err, &ce) {
		return v, &events.VerifyError{Position: ce.position, Reason: CacheMismatch}
	}
	if err == nil && cache != nil && cache.Position > v.Events {
		return v, &events.VerifyError{Position: cache.Position, Reason: "the saved checkpoint (the fold's cache) is at a position " +
			"past the end of the log: events were removed"}
	}
	return v, err
}

// maxReserve bounds the events verify makes room for before it reads them
// (ten county-years of the demo are 3.5 million).
const maxReserve = 1 << 23

// CacheMismatch is verify's reason for an edited fold checkpoint.
const CacheMismatch = "the saved checkpoint (the fold's cache) does not match the log folded to its position: " +
	"it was changed outside the ledger; it is derived data: remove it and the ledger rebuilds it"

type cacheError struct{ position int64 }

func (e *cacheError) Error() string { return CacheMismatch }
