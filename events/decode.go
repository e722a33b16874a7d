package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Event is one decoded, field-checked event as a client sent it. It has no
// position or hash yet; the ledger seals it into a Record when it appends it.
type Event struct {
	ID         uuid.UUID // uuid.Nil when the client sent none
	Type       Type
	OccurredAt time.Time
	RecordedAt time.Time // zero unless a historical import supplied it
	// ForeignRecordedAt: the input carried a recorded_at outside a
	// historical import. The append refuses it (RecordedAtNotHistorical)
	// unless the event repeats a stored one, which events.md exempts from
	// every other check: a file imported with --historical can be sent
	// again without it.
	ForeignRecordedAt bool
	Actor             string
	Ref               string
	Body              Data
	Data              []byte // canonical JSON of Body
}

// RecordedAtNotHistorical is the refusal of a recorded_at outside a
// historical import.
func RecordedAtNotHistorical() *FieldError {
	return invalid("recorded_at", "set by the ledger; only a historical import may supply it")
}

// EventField names the whole event in a FieldError that is about no one
// field (malformed JSON, an event too large, invalid UTF-8), so that every
// error reads "field: reason".
const EventField = "event"

// MaxEventBytes bounds one encoded event (one import line, one array item).
const MaxEventBytes = 64 << 10

// wire is the client envelope with data as D: the typed body, or raw JSON
// when there is no body to decode into.
type wire[D any] struct {
	ID         *string `json:"id"`
	Type       *string `json:"type"`
	OccurredAt *string `json:"occurred_at"`
	RecordedAt *string `json:"recorded_at"`
	Actor      *string `json:"actor"`
	Ref        *string `json:"ref"`
	Data       D       `json:"data"`
}

type wireEvent = wire[Data]

// DecodeOptions says what a caller may supply beyond events.md's client
// envelope.
type DecodeOptions struct {
	// Historical allows recorded_at (import --historical).
	Historical bool
}

// Decode parses one event strictly: unknown fields, wrong JSON types,
// duplicate keys, bad enums, bad ids, times without offset and times the
// catalogue's time rule refuses (CheckOccurred) are all refused with a
// FieldError.
func Decode(raw []byte, opt DecodeOptions) (*Event, *FieldError) {
	if len(raw) > MaxEventBytes {
		return nil, invalid(EventField, "event larger than %d bytes", MaxEventBytes)
	}
	if !utf8.Valid(raw) {
		return nil, invalid(EventField, "not valid UTF-8")
	}
	sc := scanEvent(raw)
	defer putScanner(sc)
	if sc.err != nil {
		return nil, sc.err
	}
	spec, known := specs[Type(sc.typ)]
	var mk func() Data
	if known {
		mk = spec.New
	}
	var w wireEvent
	if fw, ok := fastWire(raw, sc, mk, known); ok {
		w = fw
	} else if known && sc.data == '{' {
		w.Data = mk() // decoded in the same pass as the envelope
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, jsonError("", err, raw)
		}
	} else {
		// No body to decode into: check the envelope, keep data raw.
		var r wire[json.RawMessage]
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, jsonError("", err, raw)
		}
		w = wireEvent{ID: r.ID, Type: r.Type, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Actor: r.Actor, Ref: r.Ref}
	}
	if !sc.structural {
		return nil, invalid(EventField, "malformed JSON")
	}
	// encoding/json reads null as absent: an optional field sent as null
	// would silently become a new random id, the ledger's clock or no ref.
	for _, m := range sc.top {
		if string(m.val) != "null" {
			continue
		}
		switch string(m.key) { // compared, not copied: no allocation
		case "recorded_at":
			if !opt.Historical {
				return nil, RecordedAtNotHistorical()
			}
			return nil, invalid("recorded_at", "must not be null; leave the field out instead")
		case "id":
			return nil, invalid("id", "must not be null; leave the field out instead")
		case "ref":
			return nil, invalid("ref", "must not be null; leave the field out instead")
		}
	}
	ev := &Event{}
	if w.ID != nil {
		id, err := uuid.Parse(*w.ID)
		if err != nil || len(*w.ID) != 36 {
			return nil, invalid("id", "must be a UUID")
		}
		if id == uuid.Nil {
			return nil, invalid("id", "the nil UUID is not an event id; leave id out and the ledger makes one")
		}
		ev.ID = id
	}
	if w.Type == nil || *w.Type == "" {
		return nil, invalid("type", "required")
	}
	ev.Type = Type(*w.Type)
	if !known {
		return nil, invalid("type", "unknown event type %q", clip(*w.Type))
	}
	if w.OccurredAt == nil {
		return nil, invalid("occurred_at", "required")
	}
	t, err := ParseInstant(*w.OccurredAt)
	if err != nil {
		return nil, invalid("occurred_at", "%v", err)
	}
	if ferr := CheckOccurred(ev.Type, t); ferr != nil {
		return nil, ferr
	}
	ev.OccurredAt = t
	if w.RecordedAt != nil && !opt.Historical {
		ev.ForeignRecordedAt = true // refused by the append, unless a repeat
	} else if w.RecordedAt != nil {
		rt, err := ParseInstant(*w.RecordedAt)
		if err != nil {
			return nil, invalid("recorded_at", "%v", err)
		}
		if !Storable(rt) {
			// 0001-01-01T00:00:00Z among them: Go's zero time, which
			// would otherwise read as "no recorded_at" and become now.
			return nil, invalid("recorded_at", "%s is not a time the ledger can store (%s to %s)",
				clip(*w.RecordedAt), FormatUTC(MinStored), FormatUTC(MaxStored))
		}
		ev.RecordedAt = rt
	}
	if w.Actor == nil || *w.Actor == "" {
		return nil, invalid("actor", "required")
	}
	if err := checkString("actor", *w.Actor, MaxActorLen); err != nil {
		return nil, err
	}
	ev.Actor = *w.Actor
	if w.Ref != nil && *w.Ref != "" {
		if err := checkString("ref", *w.Ref, MaxRefLen); err != nil {
			return nil, err
		}
		ev.Ref = *w.Ref
	}
	switch sc.data {
	case 0, 'n':
		return nil, invalid("data", "required")
	case '{':
	default:
		return nil, invalid("data", "must be an object")
	}
	body := w.Data
	if n, ok := body.(normalizer); ok {
		n.normalize()
	}
	if ferr := body.Check(); ferr != nil {
		return nil, ferr
	}
	ev.Body = body
	ev.Data = canonicalData(body)
	return ev, nil
}

// DecodeData parses a stored record's canonical data into its typed body.
func DecodeData(t Type, data []byte) (Data, error) {
	spec, ok := specs[t]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", t)
	}
	if body, ok := fastData(spec, data); ok {
		return body, nil
	}
	body := spec.New()
	if err := json.Unmarshal(data, body); err != nil {
		return nil, fmt.Errorf("decode %s data: %w", t, err)
	}
	return body, nil
}

// Body decodes the record's data.
func (r *Record) Body() (Data, error) { return DecodeData(r.Type, r.Data) }

// jsonError turns encoding/json's errors into field: reason.
//
// raw is the JSON that err is about: a type error inside an array is named
// with the element's index (data.grades[1].score), which encoding/json
// leaves out.
func jsonError(prefix string, err error, raw []byte) *FieldError {
	join := func(f string) string {
		if prefix == "" {
			if f == "" {
				return EventField
			}
			return f
		}
		if f == "" {
			return prefix
		}
		return prefix + "." + f
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return invalid(join(""), "must be a JSON object")
		}
		if p := pathAt(raw, te.Offset); strings.Contains(p, "[") && stripIndices(p) == field {
			field = p
		}
		return invalid(join(field), "must be %s, not %s", jsonKind(te.Type), te.Value)
	case errors.As(err, &se):
		return invalid(join(""), "malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalid(join(""), "malformed JSON: unexpected end of input")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name, _ := strconv.Unquote(f)
		return invalid(join(name), "unknown field")
	}
	return invalid(join(""), "%s", strings.TrimPrefix(msg, "json: "))
}

// pathAt names the value of raw that starts last before byte off (where
// encoding/json reports a type error: just after a literal, just inside an
// array's or object's opening bracket), with the indices of the
// arrays it is in: data.grades[1].score. It is only called on the error
// path; "" when raw does not parse that far.
func pathAt(raw []byte, off int64) string {
	type frame struct {
		array bool
		n     int    // an array's elements so far
		key   string // an object's current key
		isKey bool   // an object's next token is a key
	}
	var stack []frame
	name := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.n-1)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	found := ""
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return found
		}
		for start < int64(len(raw)) && strings.IndexByte(" \t\r\n:,", raw[start]) >= 0 {
			start++
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].isKey {
			stack[top].key, stack[top].isKey = fmt.Sprint(tok), false
			continue
		}
		if start >= off {
			return found
		}
		if top >= 0 {
			if stack[top].array {
				stack[top].n++
			} else {
				stack[top].isKey = true
			}
		}
		found = name()
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{array: d == '[', isKey: d == '{'})
		}
	}
}

// stripIndices is a path as encoding/json names it: without indices.
func stripIndices(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '[')
		if i < 0 {
			return b.String() + p
		}
		b.WriteString(p[:i])
		j := strings.IndexByte(p[i:], ']')
		if j < 0 {
			return b.String() + p[i:]
		}
		p = p[i+j+1:]
	}
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float64, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// Build makes an event the ledger writes itself (a candidate list,
// credentials, a ballot taken over HTTP) from its typed body, with the same
// checks as Decode: the time rule, the actor, the body's fields.
func Build(occurred time.Time, actor string, body Data) (*Event, *FieldError) {
	if err := CheckOccurred(body.Type(), occurred); err != nil {
		return nil, err
	}
	if err := checkString("actor", actor, MaxActorLen); err != nil {
		return nil, err
	}
	if n, ok := body.(normalizer); ok {
		n.normalize()
	}
	if err := body.Check(); err != nil {
		return nil, err
	}
	return &Event{Type: body.Type(), OccurredAt: occurred, Actor: actor, Body: body, Data: canonicalData(body)}, nil
}
