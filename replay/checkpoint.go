package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"

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
	c, err := cp.LoadCheckpoint(ctx)
	if errors.Is(err, events.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load the checkpoint: %w", err)
	}
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
	st, err := projections.DecodeCheckpoint(c.Data)
	if err != nil || st.Head.Position != c.Position || st.Head.Hash != c.Hash {
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
	data := projections.EncodeCheckpoint(snap)
	c := events.Checkpoint{Position: head.Position, Hash: head.Hash, Format: projections.CheckpointFormat, Data: data}
	seal, err := l.sealer.SealCache(c)
	if err != nil {
		return fmt.Errorf("seal the checkpoint: %w", err)
	}
	c.Seal = seal
	if err := cp.SaveCheckpoint(ctx, c); err != nil {
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
		return 0, fmt.Errorf("load the checkpoint: %w", err)
	}
	st := projections.New()
	if err := fold(ctx, store, st, int(c.Position), false); err != nil {
		return c.Position, err
	}
	if c.Format != projections.CheckpointFormat || !bytes.Equal(projections.EncodeCheckpoint(st), c.Data) {
		return c.Position, fmt.Errorf("the checkpoint at position %d does not match the log "+
			"(it was changed or is of another version); it is derived data: remove it and the ledger rebuilds it: %w",
			c.Position, events.ErrBroken)
	}
	return c.Position, nil
}
