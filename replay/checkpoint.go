package replay

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// loadCheckpoint starts the state from the store's checkpoint, so that Open
// does not fold the whole log. A checkpoint the ledger cannot use (another
// format, damaged) is ignored, since the log rebuilds it; one whose anchor
// no longer matches the log is an error, since the log changed under it.
func (l *Ledger) loadCheckpoint(ctx context.Context) error {
	cp, ok := l.store.(events.Checkpointer)
	if !ok {
		return nil
	}
	c, data, err := cp.LoadCheckpoint(ctx)
	if errors.Is(err, events.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load the checkpoint: %w", err)
	}
	defer data.Close()
	if c.Format != projections.CheckpointFormat || c.Position <= 0 {
		return nil
	}
	if l.sealer == nil {
		l.CacheRefused = "no key to check the saved checkpoint's seal with: the log was folded instead"
		return nil
	}
	if !l.sealer.OpenCache(c) {
		l.CacheRefused = fmt.Sprintf("the saved checkpoint at position %d is not sealed by this key "+
			"(changed outside the ledger, or saved with another key): the log was folded instead", c.Position)
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
		return fmt.Errorf("check the checkpoint: %w", err)
	}
	if !found {
		return fmt.Errorf("the log ends before position %d, which it had reached (events were removed); "+
			"run `ledger verify`: %w", c.Position, events.ErrBroken)
	}
	if at != c.Hash {
		return fmt.Errorf("the event at position %d no longer has the hash it had; run `ledger verify`: %w",
			c.Position, events.ErrBroken)
	}
	// The seal covers the data's digest: the data is held to it as it is
	// read, and a state read from other data is dropped.
	hashed := newReadAhead(data)
	st, err := projections.ReadCheckpoint(hashed, c.Size)
	digest := hashed.sum()
	if err != nil || digest != c.Digest || st.Head.Position != c.Position || st.Head.Hash != c.Hash {
		l.CacheRefused = fmt.Sprintf("the saved checkpoint at position %d could not be read whole: the log was folded instead", c.Position)
		return nil // derived data: rebuild rather than fail
	}
	l.state, l.fromCheck = st, true
	l.saved.Store(c.Position)
	return nil
}

// SaveCheckpoint saves the folded state if the store keeps checkpoints and
// the state moved since the last one.
func (l *Ledger) SaveCheckpoint(ctx context.Context) error {
	cp, ok := l.store.(events.Checkpointer)
	if !ok || l.sealer == nil || l.Broken != nil {
		// Unsealed it could not be trusted again; from a broken chain it
		// would describe a log that is not the ledger's.
		return nil
	}
	// Encoded from a snapshot: appends go on meanwhile.
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	snap := l.view()
	head := snap.Head
	if head.Position == l.saved.Load() || head.Position == 0 {
		return nil
	}
	// Encoded as the store writes it, never whole in memory; the seal
	// covers the digest of what was written.
	pr, pw := io.Pipe()
	h := sha256.New()
	n := &countingWriter{w: io.MultiWriter(pw, h)}
	go func() { pw.CloseWithError(projections.WriteCheckpoint(n, snap)) }()
	err := cp.SaveCheckpoint(ctx, pr, func() (events.Checkpoint, error) {
		c := events.Checkpoint{Position: head.Position, Hash: head.Hash, Format: projections.CheckpointFormat,
			Size: n.n, Digest: events.Hash(h.Sum(nil))}
		seal, err := l.sealer.SealCache(c)
		if err != nil {
			return c, fmt.Errorf("seal the checkpoint: %w", err)
		}
		c.Seal = seal
		return c, nil
	})
	pr.CloseWithError(errSaveDone) // the encoder stops if the store did
	if err != nil {
		return fmt.Errorf("save the checkpoint: %w", err)
	}
	l.saved.Store(head.Position)
	return nil
}

// CheckpointDue reports whether enough records were folded since the last
// checkpoint to save a new one.
func (l *Ledger) CheckpointDue() bool {
	return l.every > 0 && l.Head().Position-l.saved.Load() >= l.every
}

// CheckCheckpoint re-derives the store's saved checkpoint by folding the
// log up to its position and compares the two: the digest of the data the
// store holds, and of the state folded again. A checkpoint is a cache
// outside the hash chain: this is how an inspector shows that it says what
// the log says. It returns the checkpoint's position (0 when there is
// none), or an error wrapping events.ErrBroken on a mismatch.
func CheckCheckpoint(ctx context.Context, store events.Store) (int64, error) {
	cp, ok := store.(events.Checkpointer)
	if !ok {
		return 0, nil
	}
	c, data, err := cp.LoadCheckpoint(ctx)
	if errors.Is(err, events.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load the checkpoint: %w", err)
	}
	stored, size, err := digestOf(data)
	data.Close()
	if err != nil {
		return c.Position, fmt.Errorf("read the checkpoint: %w", err)
	}
	st := projections.New()
	if err := fold(ctx, store, st, int(c.Position), false); err != nil {
		return c.Position, err
	}
	if c.Format != projections.CheckpointFormat || stored != c.Digest || size != c.Size || stateDigest(st) != c.Digest {
		return c.Position, fmt.Errorf("the checkpoint at position %d does not match the log "+
			"(it was changed or is of another version); it is derived data: remove it and the ledger rebuilds it: %w",
			c.Position, events.ErrBroken)
	}
	return c.Position, nil
}

// errSaveDone ends a checkpoint's encoder once the store stopped reading.
var errSaveDone = errors.New("checkpoint save ended")

// countingWriter counts what it writes.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// readAhead reads a checkpoint's data in a goroutine of its own, block by
// block, hashing each block there: the store's reading and the hashing run
// on one core while the decoding (the reader of what readAhead returns)
// runs on another.
type readAhead struct {
	blocks chan []byte
	free   chan []byte
	cur    []byte
	spare  []byte
	err    error
	digest events.Hash
	done   chan struct{}
}

func newReadAhead(r io.Reader) *readAhead {
	a := &readAhead{blocks: make(chan []byte, 2), free: make(chan []byte, 3), done: make(chan struct{})}
	for range 3 {
		a.free <- make([]byte, 4<<20)
	}
	go func() {
		defer close(a.done)
		defer close(a.blocks)
		h := sha256.New()
		defer func() { a.digest = events.Hash(h.Sum(nil)) }()
		for b := range a.free {
			n, err := io.ReadFull(r, b)
			if n > 0 {
				h.Write(b[:n])
				a.blocks <- b[:n]
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					a.err = err
				}
				return
			}
		}
	}()
	return a
}

func (a *readAhead) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		b, err := a.ReadBlock()
		if err != nil {
			return 0, err
		}
		a.cur = b
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// ReadBlock returns the next block, valid until the next call: the
// decoder reads it in place (projections.ReadCheckpoint).
func (a *readAhead) ReadBlock() ([]byte, error) {
	if a.spare != nil {
		a.free <- a.spare[:cap(a.spare)]
		a.spare = nil
	}
	b, ok := <-a.blocks
	if !ok {
		<-a.done
		if a.err != nil {
			return nil, a.err
		}
		return nil, io.EOF
	}
	a.spare = b
	return b, nil
}

// sum drains what is left and returns the digest of all the data read.
func (a *readAhead) sum() events.Hash {
	for range a.blocks {
	}
	<-a.done
	return a.digest
}

// digestOf reads r to its end: its SHA-256 and length.
func digestOf(r io.Reader) (events.Hash, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return events.Hash(h.Sum(nil)), n, err
}

// stateDigest is the SHA-256 of a state's checkpoint, written without
// keeping it.
func stateDigest(st *projections.State) events.Hash {
	h := sha256.New()
	_ = projections.WriteCheckpoint(h, st) // a hash does not fail
	return events.Hash(h.Sum(nil))
}
