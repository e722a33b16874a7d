package eventstest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// The builders every test of the repository makes its events and records
// with: Line for the JSON line of one client event, Event to decode a line
// that must be valid, Chain to seal events into records. Batches of lines
// for a ledger are in replay/replaytest (DecodeLines, AppendLines).

// DefaultActor is the actor of a Line made without WithActor.
const DefaultActor = "test"

// A LineOption sets an envelope field of a Line other than type,
// occurred_at and data.
type LineOption func(*envelope)

type envelope struct {
	id, recordedAt, actor, ref   string
	hasID, hasRecordedAt, hasRef bool
}

// WithID gives the line an "id". Any string is written, so that a test of
// a bad id can pass one.
func WithID(id string) LineOption {
	return func(e *envelope) { e.id, e.hasID = id, true }
}

// WithRecordedAt gives the line a "recorded_at", as the lines of a
// historical import have.
func WithRecordedAt(at string) LineOption {
	return func(e *envelope) { e.recordedAt, e.hasRecordedAt = at, true }
}

// WithActor sets the "actor" (WithActor("") writes an empty one).
func WithActor(actor string) LineOption {
	return func(e *envelope) { e.actor = actor }
}

// WithRef gives the line a "ref".
func WithRef(ref string) LineOption {
	return func(e *envelope) { e.ref, e.hasRef = ref, true }
}

// Line is the JSON line of one client event, as `ledger import` and POST
// /v1/events read it: typ, occurredAt and data (raw JSON), by DefaultActor,
// with what opts add. Nothing is checked or normalised, so that a test can
// pass a bad value on purpose: occurredAt and the strings of opts are
// escaped only where JSON needs it (quote, backslash, control characters)
// and otherwise written byte for byte, data as it is. Keys come in the
// order id, type, occurred_at, recorded_at, actor, ref, data. A line that
// no Line makes (a field missing, repeated, unknown or of the wrong JSON
// type, or bytes that are not JSON) is a literal in its test.
func Line(typ events.Type, occurredAt, data string, opts ...LineOption) string {
	e := envelope{actor: DefaultActor}
	for _, o := range opts {
		o(&e)
	}
	b := make([]byte, 0, 112+len(data))
	b = append(b, '{')
	if e.hasID {
		b = appendField(b, "id", e.id)
	}
	b = appendField(b, "type", string(typ))
	b = appendField(b, "occurred_at", occurredAt)
	if e.hasRecordedAt {
		b = appendField(b, "recorded_at", e.recordedAt)
	}
	b = appendField(b, "actor", e.actor)
	if e.hasRef {
		b = appendField(b, "ref", e.ref)
	}
	b = append(b, `"data":`...)
	b = append(b, data...)
	return string(append(b, '}'))
}

// appendField appends "key":"value", with JSON's escapes and no others.
func appendField(b []byte, key, value string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":"`...)
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, `",`...)
}

// Event decodes line, a client event that must be valid (not a historical
// import's), and fails t if it is not.
func Event(t testing.TB, line string) *events.Event {
	t.Helper()
	ev, ferr := events.Decode([]byte(line), events.DecodeOptions{})
	require.Nil(t, ferr, "%v: %s", ferr, line)
	return ev
}

// Chain seals evs in order after head, each recorded at recordedAt: the
// records a ledger would store for them, each made by events.Seal (an
// event without an id gets a new random one).
func Chain(head events.Head, recordedAt time.Time, evs ...*events.Event) []*events.Record {
	out := make([]*events.Record, len(evs))
	var buf []byte
	for i, ev := range evs {
		out[i], buf = events.Seal(head, ev, recordedAt, buf)
		head = out[i].Head()
	}
	return out
}

// CredentialData is the data of a VoterCredentialIssued for code.
func CredentialData(code, group string) string {
	return `{"credential_key":"` + events.CredentialKey(code) + `","group":"` + group + `"}`
}

// BallotData is the data of a BallotCast signed with code's key.
func BallotData(code string, satisfied, unsatisfied []string) string {
	d := &events.BallotCastData{Satisfied: satisfied, Unsatisfied: unsatisfied}
	d.Sign(events.CodeKey(code))
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	return string(b)
}
