package events

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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
	Actor      string
	Ref        string
	Body       Data
	Data       []byte // canonical JSON of Body
}

// Record is a stored event: the envelope of events.md with what the ledger
// adds (position, stream, recorded_at, prev_hash, hash).
type Record struct {
	Position   int64
	ID         uuid.UUID
	Type       Type
	Stream     string
	OccurredAt time.Time
	RecordedAt time.Time
	Actor      string
	Ref        string
	Data       []byte // canonical JSON
	PrevHash   Hash
	Hash       Hash
}

// Hash is a sha256 digest.
type Hash [32]byte

// ZeroHash is the prev_hash of the first event.
var ZeroHash Hash

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses 64 lowercase hex characters.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, errors.New("hash must be 64 hex characters")
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
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
// duplicate keys, bad enums, bad ids and times without offset or outside
// the window are all refused with a FieldError.
func Decode(raw []byte, opt DecodeOptions) (*Event, *FieldError) {
	if len(raw) > MaxEventBytes {
		return nil, invalid(EventField, "event larger than %d bytes", MaxEventBytes)
	}
	if !utf8.Valid(raw) {
		return nil, invalid(EventField, "not valid UTF-8")
	}
	sc := scanEvent(raw)
	if sc.err != nil {
		return nil, sc.err
	}
	mk, known := newData[Type(sc.typ)]
	var w wireEvent
	if fw, ok := fastWire(raw, sc, mk, known); ok {
		w = fw
	} else if known && sc.data == '{' {
		w.Data = mk() // decoded in the same pass as the envelope
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, jsonError("", err)
		}
	} else {
		// No body to decode into: check the envelope, keep data raw.
		var r wire[json.RawMessage]
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, jsonError("", err)
		}
		w = wireEvent{ID: r.ID, Type: r.Type, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Actor: r.Actor, Ref: r.Ref}
	}
	if !sc.structural {
		return nil, invalid(EventField, "malformed JSON")
	}
	ev := &Event{}
	if w.ID != nil {
		id, err := uuid.Parse(*w.ID)
		if err != nil || len(*w.ID) != 36 {
			return nil, invalid("id", "must be a UUID")
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
	if !InWindow(t) {
		return nil, invalid("occurred_at", "outside the evaluation window %s", WindowText)
	}
	ev.OccurredAt = t
	if w.RecordedAt != nil {
		if !opt.Historical {
			return nil, invalid("recorded_at", "set by the ledger; only a historical import may supply it")
		}
		rt, err := ParseInstant(*w.RecordedAt)
		if err != nil {
			return nil, invalid("recorded_at", "%v", err)
		}
		ev.RecordedAt = rt
	}
	if w.Actor == nil || *w.Actor == "" {
		return nil, invalid("actor", "required")
	}
	if err := checkString("actor", *w.Actor, 64); err != nil {
		return nil, err
	}
	ev.Actor = *w.Actor
	if w.Ref != nil && *w.Ref != "" {
		if err := checkString("ref", *w.Ref, 128); err != nil {
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
	if ferr := body.Check(); ferr != nil {
		return nil, ferr
	}
	ev.Body = body
	ev.Data = canonicalData(body)
	return ev, nil
}

// DecodeData parses a stored record's canonical data into its typed body.
func DecodeData(t Type, data []byte) (Data, error) {
	mk, ok := newData[t]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", t)
	}
	body := mk()
	if err := json.Unmarshal(data, body); err != nil {
		return nil, fmt.Errorf("decode %s data: %w", t, err)
	}
	return body, nil
}

// Body decodes the record's data.
func (r *Record) Body() (Data, error) { return DecodeData(r.Type, r.Data) }

func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// jsonError turns encoding/json's errors into field: reason.
func jsonError(prefix string, err error) *FieldError {
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

// Canonical appends the canonical bytes of r to dst: the stored envelope
// without prev_hash and hash, as compact JSON with keys in sorted order and
// ref left out when empty. It is exactly what
//
//	jq -cS 'del(.prev_hash, .hash)'
//
// prints for the record's JSON (GET /v1/events).
func (r *Record) Canonical(dst []byte) []byte {
	dst = append(dst, `{"actor":`...)
	dst = appendString(dst, r.Actor)
	dst = append(dst, `,"data":`...)
	dst = append(dst, r.Data...)
	dst = append(dst, `,"id":"`...)
	dst = appendUUID(dst, r.ID)
	dst = append(dst, `","occurred_at":"`...)
	dst = r.OccurredAt.In(CST).AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","position":`...)
	dst = strconv.AppendInt(dst, r.Position, 10)
	dst = append(dst, `,"recorded_at":"`...)
	dst = r.RecordedAt.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, '"')
	if r.Ref != "" {
		dst = append(dst, `,"ref":`...)
		dst = appendString(dst, r.Ref)
	}
	dst = append(dst, `,"stream":`...)
	dst = appendString(dst, r.Stream)
	dst = append(dst, `,"type":`...)
	dst = appendString(dst, string(r.Type))
	return append(dst, '}')
}

// ChainHash is sha256(prev_hash as 64 lowercase hex characters || canonical).
func ChainHash(prev Hash, canonical []byte) Hash {
	h := sha256.New()
	var hx [64]byte
	hex.Encode(hx[:], prev[:])
	h.Write(hx[:])
	h.Write(canonical)
	var out Hash
	h.Sum(out[:0])
	return out
}

// Seal computes r.Hash from r.PrevHash and the canonical bytes; buf is
// scratch space that Seal returns for reuse.
func (r *Record) Seal(buf []byte) []byte {
	buf = r.Canonical(buf[:0])
	r.Hash = ChainHash(r.PrevHash, buf)
	return buf
}

// Check recomputes the record's hash and reports whether it matches.
func (r *Record) Check(buf []byte) ([]byte, bool) {
	buf = r.Canonical(buf[:0])
	return buf, ChainHash(r.PrevHash, buf) == r.Hash
}

// MarshalJSON renders the stored envelope (GET /v1/events, export).
func (r *Record) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil), nil
}

// AppendJSON appends the stored envelope's JSON to dst.
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"position":`...)
	dst = strconv.AppendInt(dst, r.Position, 10)
	dst = append(dst, `,"id":"`...)
	dst = appendUUID(dst, r.ID)
	dst = append(dst, `","type":`...)
	dst = appendString(dst, string(r.Type))
	dst = append(dst, `,"stream":`...)
	dst = appendString(dst, r.Stream)
	dst = append(dst, `,"occurred_at":"`...)
	dst = r.OccurredAt.In(CST).AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","recorded_at":"`...)
	dst = r.RecordedAt.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","actor":`...)
	dst = appendString(dst, r.Actor)
	if r.Ref != "" {
		dst = append(dst, `,"ref":`...)
		dst = appendString(dst, r.Ref)
	}
	dst = append(dst, `,"data":`...)
	dst = append(dst, r.Data...)
	dst = append(dst, `,"prev_hash":"`...)
	dst = hex.AppendEncode(dst, r.PrevHash[:])
	dst = append(dst, `","hash":"`...)
	dst = hex.AppendEncode(dst, r.Hash[:])
	return append(dst, `"}`...)
}

// appendString quotes s as JSON. Stored strings never hold control
// characters (checkString), so only the quote and the backslash need escaping,
// which is what jq does too.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, `\u00`...)
			dst = append(dst, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func appendUUID(dst []byte, id uuid.UUID) []byte {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return append(dst, b[:]...)
}

// ContentDigest identifies what events.md calls an event's content (type,
// occurred_at as an instant, actor, ref, data; not recorded_at), for telling
// an idempotent retry from a conflicting reuse of an id.
func ContentDigest(t Type, occurred time.Time, actor, ref string, data []byte) [16]byte {
	h := sha256.New()
	var n [8]byte
	for _, s := range []string{string(t), actor, ref} {
		putLen(&n, len(s))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	putLen(&n, int(occurred.UnixNano()))
	h.Write(n[:])
	h.Write(data)
	var sum [32]byte
	h.Sum(sum[:0])
	var out [16]byte
	copy(out[:], sum[:16])
	return out
}

func putLen(b *[8]byte, v int) {
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(v) >> (8 * i))
	}
}

// Digest is the content digest of a decoded event.
func (e *Event) Digest() [16]byte {
	return ContentDigest(e.Type, e.OccurredAt, e.Actor, e.Ref, e.Data)
}

// Digest is the content digest of a stored record.
func (r *Record) Digest() [16]byte {
	return ContentDigest(r.Type, r.OccurredAt, r.Actor, r.Ref, r.Data)
}

// Build makes an event the way a client would send it (type, occurred_at,
// actor and a data object), through Decode, so that events the ledger
// makes itself (candidate lists, credentials, ballots taken over HTTP) are
// checked exactly like any other.
func Build(t Type, occurred time.Time, actor string, data any) (*Event, *FieldError) {
	d, err := json.Marshal(data)
	if err != nil {
		return nil, invalid("data", "not encodable: %v", err)
	}
	raw, _ := json.Marshal(map[string]any{"type": t, "occurred_at": FormatCST(occurred), "actor": actor,
		"data": json.RawMessage(d)})
	return Decode(raw, DecodeOptions{})
}
