package events

import (
	"context"
	"errors"
	"io"
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
// several processes sharing the same backing store. Where the backends do
// not guarantee the same thing, the method says what each one does; a
// caller that must work on both relies on the weaker. events/eventstest
// checks what every backend promises; events/esdb's tests check, on a
// protocol fake, what happens only there.
type Store interface {
	// Head returns the current end of the chain: Head{} for an empty store.
	//
	// Errors: ErrClosed after Close; ErrBroken when the stored head cannot
	// be read as a record. Never ErrPartial: Head stores nothing.
	Head(ctx context.Context) (Head, error)

	// Append stores the records that recs yields right after expect and
	// returns the new head. Each record must continue the chain as
	// Head.Extend checks it: positions expect.Position+1, +2, … without
	// gaps, the first PrevHash equal to expect.Hash and every later one
	// equal to the Hash before it. Hashes are not recomputed (Verify does
	// that).
	//
	// Both backends compare expect with the stored head before they pull
	// the first record, and refuse a stale expect without touching recs.
	// Past that point they differ:
	//
	//   - SQLite compares inside its write transaction, which no other
	//     writer can enter, and stores the whole batch in that one
	//     transaction: all of it or nothing.
	//   - EventStoreDB's comparison is only an early refusal. The decisive
	//     check is the server's: it compares the stream revision that expect
	//     stands for at commit, after every record was pulled. So ErrStale
	//     may come after recs was consumed, and a caller that retries must
	//     be able to iterate its input again. A batch is sent as one atomic append
	//     when its envelopes fit in about 768 KiB; a larger one is split
	//     into several appends, each atomic, and is not atomic as a whole:
	//     when it is cut between two of them, its first part stays stored
	//     (ErrPartial).
	//
	// Errors:
	//   - ErrStale: the stored head is not expect (another writer appended
	//     first). Nothing of the batch is stored. recs is untouched when the
	//     early comparison saw it; on EventStoreDB it may have been consumed.
	//   - ErrBroken: a record does not continue the chain. Nothing is stored.
	//   - the error recs yields, returned as it is (a refused batch). Nothing
	//     is stored.
	//   - ctx.Err() when ctx ends before the commit (before the first append
	//     on EventStoreDB). Nothing is stored.
	//   - ErrClosed after Close. recs is untouched; nothing is stored.
	//   - ErrStoreLost (SQLite only): the store's files were removed or
	//     replaced beneath it. Nothing of the batch is acknowledged, and no
	//     later append is; the error says whether the batch may be stored.
	//   - ErrPartial (EventStoreDB only): the batch was cut between two of its
	//     appends, by another writer, a dropped connection, the end of ctx or
	//     Close. The records up to the returned head are stored and continue
	//     the chain; the rest are not (but see lost replies below). The
	//     cause is given as text only, never also wrapped: a caller that saw
	//     ErrStale or ctx.Err() would take it that nothing was stored.
	//
	// On EventStoreDB, a connection that drops while the server commits
	// leaves that append's outcome unknown: a connection error may hide a
	// stored first append, and an ErrPartial that a dropped connection
	// caused may hide one more stored append. Read Head before deciding what
	// to send again. Apart from ErrPartial, the head returned with an error
	// is not the store's: read Head.
	Append(ctx context.Context, expect Head, recs iter.Seq2[*Record, error]) (Head, error)

	// Read calls fn for each record whose position is greater than after, in
	// position order, at most limit records (limit <= 0: to the end). fn
	// must not keep r or its slices after it returns. Read stops at the
	// first error of fn and returns it.
	//
	// Errors: fn's error; ctx.Err(); ErrClosed after Close; ErrBroken when a
	// stored record cannot be read as one. Never ErrPartial: Read stores
	// nothing.
	Read(ctx context.Context, after int64, limit int, fn func(r *Record) error) error

	// TreeNodes returns the hashes of the given perfect subtrees of the
	// log's RFC 6962 Merkle tree (tree.go: leaf i is the canonical bytes of
	// the record at position i+1), in the order asked. Roots and proofs of
	// any size up to the head are computed from them (TreeRoot,
	// InclusionProof, ConsistencyProof), the same way for every backend.
	//
	// The tree is kept in step with the records by Append, from each
	// record's Leaf, which it does not recompute (Verify does):
	//
	//   - SQLite stores the node hashes in its own table, in the same
	//     transaction as the records, so a committed head always has its
	//     whole tree.
	//   - EventStoreDB cannot write two streams atomically, so the tree is
	//     a cache in the handle's memory, extended by its own appends and
	//     rebuilt from the ledger stream (the record) for the rest.
	//
	// Errors: ErrNotFound for a node that is not complete at the stored
	// head; ErrBroken when stored node hashes are malformed or do not line
	// up with the head; ctx.Err(); ErrClosed after Close. Never ErrPartial.
	TreeNodes(ctx context.Context, ids []NodeID) ([]Hash, error)

	// Close releases this handle (the backing store and other handles on it
	// are not affected). Appends that returned without error are durable.
	// After Close every method returns ErrClosed, including the checkpoint
	// and subscription methods, and a live subscription ends with it.
	// Closing again does nothing and returns nil. Close never returns
	// ErrPartial; an EventStoreDB append that Close cuts between two of its
	// appends does (see Append).
	Close() error
}

// Checkpoint describes a saved state of the projections at a position of
// the log, so that a process can start without folding the whole log. It is
// derived data: a store may lose it at any time and the ledger rebuilds it.
// Its data (the state itself, Size bytes) is saved and read as a stream, in
// chunks: a year's state is hundreds of megabytes, never held whole.
//
// It is also outside the chain, so anyone who can write the store can edit
// it: Seal is what binds it to its writer (replay signs the description,
// Digest included, with the office's key, and refuses a checkpoint whose
// seal does not verify or whose data does not have its Digest). A store
// keeps the description as it is given.
type Checkpoint struct {
	Position int64
	Hash     Hash   // the record hash at Position: a checkpoint of another chain is ignored
	Format   string // the encoder's version: a checkpoint of another format is ignored
	Size     int64  // bytes of data
	Digest   Hash   // SHA-256 of the data, as its writer wrote it
	Seal     []byte // the writer's signature over the rest; nil when unsigned
}

// Checkpointer is implemented by stores that can keep one checkpoint (both
// backends). A checkpoint is outside the chain: saving one never moves the
// head.
type Checkpointer interface {
	// SaveCheckpoint replaces the saved checkpoint: it stores data, read to
	// its end in chunks, then the description that done returns once data
	// is read (so that it can cover the data as it was written: its size,
	// digest and seal). Readers see a whole checkpoint, never a mix of two:
	// a save that fails leaves the previous one, or none (or the new one,
	// when only the reply was lost). An error from data or done stops the
	// save and is returned as it is.
	//
	// Errors: ctx.Err(); ErrClosed after Close. Never ErrPartial.
	SaveCheckpoint(ctx context.Context, data io.Reader, done func() (Checkpoint, error)) error

	// LoadCheckpoint returns the saved checkpoint's description and its
	// data, which the caller reads (Size bytes) and closes.
	//
	// Errors: ErrNotFound when there is none (a fresh store, or one the
	// backend lost); ctx.Err(); ErrClosed after Close. Never ErrPartial.
	LoadCheckpoint(ctx context.Context) (Checkpoint, io.ReadCloser, error)
}

// Chunks reads r to its end in chunks of size bytes (the last may be
// shorter), handing each to write, whose buffer is reused: how a
// Checkpointer stores a checkpoint's data. An error from r or write stops
// it and is returned as it is.
func Chunks(r io.Reader, size int, write func(chunk []byte) error) error {
	buf := make([]byte, size)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if werr := write(buf[:n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Subscriber is implemented by stores that push news of appended records
// (events/esdb, through a catch-up subscription); others are polled.
type Subscriber interface {
	// Subscribe calls notify with the position of each record appended
	// after position after, once each and in order, resubscribing after
	// drops, until ctx ends (it returns ctx.Err()) or the store is closed
	// (ErrClosed). Never ErrPartial.
	Subscribe(ctx context.Context, after int64, notify func(position int64)) error
}
