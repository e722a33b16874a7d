package events

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error the ledger returns for a refused request wraps
// exactly one of them, so that callers (the CLI's exit codes, the API's status
// table) classify with errors.Is and never by message.
var (
	// ErrInvalid: the input is malformed or breaks a rule of events.md.
	ErrInvalid = errors.New("invalid")
	// ErrConflict: the input collides with what is stored (an id stored with
	// other content, a duplicate vote, a used credential, a second list).
	ErrConflict = errors.New("conflict")
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrStale: an append expected a head the store no longer has; the caller
	// catches up and tries again.
	ErrStale = errors.New("stale head")
	// ErrBroken: stored data no longer forms a valid hash chain, or records
	// handed to a store do not continue it.
	ErrBroken = errors.New("broken chain")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrPartial: an append stored only the first part of its batch. A
	// backend that cannot store a large batch in one atomic write
	// (EventStoreDB) writes it as several; when it is cut between two of
	// them (another writer got in, the connection dropped, the context
	// ended, the store was closed), a prefix of the batch that continues
	// the chain is stored and the rest is not. Only Store.Append returns
	// it, and never together with ErrStale: catching up and sending the
	// batch again would store the prefix twice wherever an event has no
	// id. Sending the same events again completes the batch when each of
	// them carries an id (the stored ones are idempotent repeats).
	ErrPartial = errors.New("batch stored in part")
	// ErrStoreLost: the store's files were removed or replaced beneath the
	// process that opened them (SQLite): it refuses every append from then
	// on, since what it would acknowledge could be lost or taken over.
	ErrStoreLost = errors.New("store files lost")
)

// FieldError names the field of one event that is wrong and why. Field is a
// dotted path ("data.section_id", "data.grades[2].score"); Kind is ErrInvalid
// or ErrConflict.
type FieldError struct {
	Field  string
	Reason string
	Kind   error
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func (e *FieldError) Unwrap() error { return e.Kind }

func invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Kind: ErrInvalid}
}

// Invalid builds an ErrInvalid FieldError.
func Invalid(field, format string, args ...any) *FieldError { return invalid(field, format, args...) }

// NotFound builds an error wrapping ErrNotFound whose message is the text
// alone (no field, no ": not found" after it).
func NotFound(format string, args ...any) *FieldError {
	return &FieldError{Reason: fmt.Sprintf(format, args...), Kind: ErrNotFound}
}

// Conflict builds an ErrConflict FieldError.
func Conflict(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Kind: ErrConflict}
}

// ItemError is one bad event of a batch: Index counts from 0 in the batch,
// Line (when the batch came from a file) counts from 1 in the file.
type ItemError struct {
	Index int
	Line  int
	Err   *FieldError
}

func (e ItemError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Err)
	}
	return fmt.Sprintf("event %d: %s", e.Index, e.Err)
}

// BatchError reports the bad events of a refused batch, in input order:
// the first of them in Items, and how many more there were. Nothing of the
// batch was stored.
type BatchError struct {
	Items []ItemError
	// More counts the bad events after those in Items; MoreInvalid says
	// whether any of them was invalid rather than a conflict.
	More        int
	MoreInvalid bool
}

// MaxReported bounds how many bad events a message lists before it counts
// the rest, and how many Add keeps: an import of millions of bad lines must
// not hold millions of errors.
const MaxReported = 100

// Add records one more bad event, keeping the first MaxReported.
func (e *BatchError) Add(it ItemError) {
	if len(e.Items) < MaxReported {
		e.Items = append(e.Items, it)
		return
	}
	e.More++
	e.MoreInvalid = e.MoreInvalid || errors.Is(it.Err, ErrInvalid)
}

// Len is the number of bad events.
func (e *BatchError) Len() int { return len(e.Items) + e.More }

func (e *BatchError) Error() string {
	var b strings.Builder
	for i, it := range e.Items {
		if i == MaxReported {
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(it.Error())
	}
	if n := e.Len() - min(len(e.Items), MaxReported); n == 1 {
		b.WriteString("\n... and 1 more bad event")
	} else if n > 1 {
		fmt.Fprintf(&b, "\n... and %d more bad events", n)
	}
	return b.String()
}

// Unwrap lets errors.Is see the kinds of the items: a batch whose every
// error is a conflict is a conflict; any invalid item makes it invalid.
func (e *BatchError) Unwrap() error {
	if e.MoreInvalid {
		return ErrInvalid
	}
	for _, it := range e.Items {
		if errors.Is(it.Err, ErrInvalid) {
			return ErrInvalid
		}
	}
	if e.Len() > 0 {
		return ErrConflict
	}
	return ErrInvalid
}
