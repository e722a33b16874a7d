package events

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Seal makes the record that stores ev right after head: the next
// position, ev's id (a new random one when it has none), its stream,
// recorded_at, prev_hash = head.Hash, and the hash. buf is scratch space
// for the canonical bytes; Seal returns it for reuse. It is the one place
// records are made.
func Seal(head Head, ev *Event, recordedAt time.Time, buf []byte) (*Record, []byte) {
	r := &Record{
		Position: head.Position + 1, ID: ev.ID, Type: ev.Type, Stream: ev.Body.Stream(),
		OccurredAt: ev.OccurredAt, RecordedAt: recordedAt, Actor: ev.Actor, Ref: ev.Ref, Data: ev.Data,
		PrevHash: head.Hash,
	}
	if r.ID == uuid.Nil {
		r.ID = uuid.New()
	}
	return r, r.seal(buf)
}

// Head returns the head the chain has once r is stored.
func (r *Record) Head() Head {
	return Head{Position: r.Position, Hash: r.Hash, RecordedAt: r.RecordedAt}
}

// Extend checks that r continues the chain at h (the next position, and
// prev_hash equal to h's hash) and returns the head after it. It does not
// recompute r's hash: a store checks links, Verify checks content.
func (h Head) Extend(r *Record) (Head, error) {
	if r.Position != h.Position+1 || r.PrevHash != h.Hash {
		return h, fmt.Errorf("record at position %d does not continue the chain at %d: %w", r.Position, h.Position, ErrBroken)
	}
	return r.Head(), nil
}
