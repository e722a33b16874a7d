package events

import (
	"context"
	"iter"
	"time"
)

// Head is the end of the chain: the last record's position, hash and
// recorded_at. An empty store has position 0, ZeroHash and a zero time.
type Head struct {
	Position   int64
	Hash       Hash
	RecordedAt time.Time
}

// Store is an append-only, hash-chained log of sealed records: the one
// interface every backend implements (events/sqlite, events/esdb). It knows
// nothing about what events mean; the ledger (package replay) validates and
// seals records and hands them over with the head it expects, so that every
// backend keeps the same positions and hashes.
//
// Implementations are safe for concurrent use, by several goroutines and by
// several processes sharing the same backing store.
type Store interface {
	// Head returns the current end of the chain.
	//
	// Errors: ErrClosed after Close; ErrBroken when the stored head cannot
	// be read as a record.
	Head(ctx context.Context) (Head, error)

	// Append stores the records that recs yields, atomically, right after
	// expect, and returns the new head. Records must continue the chain:
	// positions expect.Position+1, +2, … without gaps, the first PrevHash
	// equal to expect.Hash and every later PrevHash equal to the Hash before
	// it.
	//
	// Append compares expect with the stored head before it pulls the first
	// record, so on ErrStale recs has not been touched and may be offered
	// again after the caller has caught up.
	//
	// Errors (nothing is stored on any of them):
	//   - ErrStale: the stored head is not expect (another writer appended).
	//   - ErrBroken: a record does not continue the chain.
	//   - the error recs yields, returned as it is (a refused batch);
	//   - ctx.Err() when ctx ends before the commit;
	//   - ErrClosed after Close.
	Append(ctx context.Context, expect Head, recs iter.Seq2[*Record, error]) (Head, error)

	// Read calls fn for each record whose position is greater than after, in
	// position order, at most limit records (limit <= 0: to the end). fn
	// must not keep r or its slices after it returns. Read stops at the
	// first error of fn and returns it.
	//
	// Errors: fn's error; ctx.Err(); ErrClosed; ErrBroken when a stored row
	// cannot be read as a record.
	Read(ctx context.Context, after int64, limit int, fn func(r *Record) error) error

	// Close releases the store. Appends that returned without error are
	// durable.
	Close() error
}

// Checkpoint is a saved state of the projections at a position of the log,
// so that a process can start without folding the whole log. It is derived
// data: a store may lose it at any time and the ledger rebuilds it.
type Checkpoint struct {
	Position int64
	Hash     Hash   // the record hash at Position: a checkpoint of another chain is ignored
	Format   string // the encoder's version: a checkpoint of another format is ignored
	Data     []byte
}

// Checkpointer is implemented by stores that can keep one checkpoint.
type Checkpointer interface {
	// SaveCheckpoint replaces the saved checkpoint.
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
	// LoadCheckpoint returns the saved checkpoint, or ErrNotFound.
	LoadCheckpoint(ctx context.Context) (Checkpoint, error)
}

// Subscriber is implemented by stores that push news of appended records
// (events/esdb, through a catch-up subscription); others are polled.
type Subscriber interface {
	// Subscribe calls notify with the position of each record appended
	// after position after, until ctx ends, resubscribing after drops.
	Subscribe(ctx context.Context, after int64, notify func(position int64)) error
}
