package events

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Reading stored envelopes back (GET /v1/events, as an outside auditor
// does). The fast path reads exactly what AppendJSON writes; anything else
// goes through encoding/json. Either way the caller re-derives the hash
// from what was read, so a misread record is a mismatch, never a pass.

// storedWire is the envelope for encoding/json.
type storedWire struct {
	Position   int64           `json:"position"`
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Stream     string          `json:"stream"`
	OccurredAt string          `json:"occurred_at"`
	RecordedAt string          `json:"recorded_at"`
	Actor      string          `json:"actor"`
	Ref        string          `json:"ref"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// ParseStored reads one stored envelope.
//
// The fast path copies data as it came; a record whose hash does not hold
// is read again through encoding/json, which re-encodes data canonically
// (a proxy may have re-indented it or reordered its keys), so that only a
// changed content fails the hash.
func ParseStored(b []byte) (*Record, error) {
	b = bytes.TrimSpace(b)
	if r, rest, ok := fastStored(b); ok && len(rest) == 0 {
		if _, good := r.Check(nil); good {
			return r, nil
		}
	}
	var w storedWire
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	return w.record()
}

// ParseStoredArray reads a JSON array of stored envelopes.
func ParseStoredArray(b []byte) ([]*Record, error) {
	b = bytes.TrimSpace(b)
	if out, ok := fastStoredArray(b); ok && allHold(out) {
		return out, nil
	}
	var ws []storedWire
	if err := json.Unmarshal(b, &ws); err != nil {
		return nil, err
	}
	out := make([]*Record, len(ws))
	for i := range ws {
		r, err := ws[i].record()
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out[i] = r
	}
	return out, nil
}

func (w *storedWire) record() (*Record, error) {
	r := &Record{Position: w.Position, Type: Type(w.Type), Stream: w.Stream, Actor: w.Actor, Ref: w.Ref}
	// The hash covers the canonical bytes, not the spelling in transit: a
	// proxy that re-indents the JSON or reorders its keys changes nothing.
	data, err := recanonical(w.Data)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	r.Data = data
	if r.ID, err = uuid.Parse(w.ID); err != nil {
		return nil, fmt.Errorf("id: %w", err)
	}
	if r.OccurredAt, err = time.Parse(time.RFC3339Nano, w.OccurredAt); err != nil {
		return nil, fmt.Errorf("occurred_at: %w", err)
	}
	if r.RecordedAt, err = time.Parse(time.RFC3339Nano, w.RecordedAt); err != nil {
		return nil, fmt.Errorf("recorded_at: %w", err)
	}
	if r.PrevHash, err = ParseHash(w.PrevHash); err != nil {
		return nil, fmt.Errorf("prev_hash: %w", err)
	}
	if r.Hash, err = ParseHash(w.Hash); err != nil {
		return nil, fmt.Errorf("hash: %w", err)
	}
	return r, nil
}

// allHold reports whether every record's hash holds (ParseStored).
func allHold(recs []*Record) bool {
	var buf []byte
	for _, r := range recs {
		var ok bool
		if buf, ok = r.Check(buf); !ok {
			return false
		}
	}
	return true
}

// recanonical re-encodes a JSON value as the ledger writes its canonical
// bytes: compact, object keys sorted, strings escaped as appendString does
// and numbers as appendNumber does (what jq -cS prints of stored data).
func recanonical(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return appendCanonical(make([]byte, 0, len(raw)), v)
}

func appendCanonical(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case string:
		return appendString(dst, x), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		return appendNumber(dst, f), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendCanonical(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(appendString(dst, k), ':')
			var err error
			if dst, err = appendCanonical(dst, x[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return nil, fmt.Errorf("unexpected JSON value %T", v)
}

func fastStoredArray(b []byte) ([]*Record, bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, false
	}
	b = b[1 : len(b)-1]
	var out []*Record
	for len(b) > 0 {
		r, rest, ok := fastStored(b)
		if !ok {
			return nil, false
		}
		out = append(out, r)
		if len(rest) > 0 {
			if rest[0] != ',' {
				return nil, false
			}
			rest = rest[1:]
			if len(rest) == 0 {
				return nil, false
			}
		}
		b = rest
	}
	return out, true
}

var errFast = errors.New("not the stored layout")

// fastStored reads one envelope in AppendJSON's layout from the start of b.
func fastStored(b []byte) (*Record, []byte, bool) {
	p := &storedParser{b: b}
	r := &Record{}
	p.lit(`{"position":`)
	r.Position = p.int()
	p.lit(`,"id":`)
	id := p.str()
	if p.err == nil {
		var err error
		if r.ID, err = uuid.ParseBytes(id); err != nil || len(id) != 36 {
			p.err = errFast
		}
	}
	p.lit(`,"type":`)
	r.Type = Type(p.str())
	p.lit(`,"stream":`)
	r.Stream = string(p.str())
	p.lit(`,"occurred_at":`)
	r.OccurredAt = p.time()
	p.lit(`,"recorded_at":`)
	r.RecordedAt = p.time()
	p.lit(`,"actor":`)
	r.Actor = string(p.str())
	if p.has(`,"ref":`) {
		r.Ref = string(p.str())
	}
	p.lit(`,"data":`)
	r.Data = p.object()
	p.lit(`,"prev_hash":`)
	r.PrevHash = p.hash()
	p.lit(`,"hash":`)
	r.Hash = p.hash()
	p.lit(`}`)
	if p.err != nil {
		return nil, nil, false
	}
	return r, p.b[p.i:], true
}

type storedParser struct {
	b   []byte
	i   int
	err error
}

func (p *storedParser) has(s string) bool {
	if p.err == nil && bytes.HasPrefix(p.b[p.i:], []byte(s)) {
		p.i += len(s)
		return true
	}
	return false
}

func (p *storedParser) lit(s string) {
	if !p.has(s) {
		p.err = errFast
	}
}

func (p *storedParser) int() int64 {
	if p.err != nil {
		return 0
	}
	j := p.i
	for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(string(p.b[p.i:j]), 10, 64)
	if err != nil {
		p.err = errFast
	}
	p.i = j
	return n
}

// str reads a string without escapes (the fast path leaves the rest to
// encoding/json), returning its bytes.
func (p *storedParser) str() []byte {
	if p.err != nil || p.i >= len(p.b) || p.b[p.i] != '"' {
		p.err = errFast
		return nil
	}
	j := p.i + 1
	for j < len(p.b) && p.b[j] != '"' {
		if p.b[j] == '\\' || p.b[j] < 0x20 {
			p.err = errFast
			return nil
		}
		j++
	}
	if j >= len(p.b) {
		p.err = errFast
		return nil
	}
	s := p.b[p.i+1 : j]
	p.i = j + 1
	return s
}

func (p *storedParser) time() time.Time {
	s := p.str()
	if p.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil {
		p.err = errFast
	}
	return t
}

func (p *storedParser) hash() Hash {
	s := p.str()
	var h Hash
	if p.err != nil {
		return h
	}
	if len(s) != 64 {
		p.err = errFast
		return h
	}
	if _, err := hex.Decode(h[:], s); err != nil {
		p.err = errFast
	}
	return h
}

// object returns a copy of the raw JSON object at p and moves past it.
func (p *storedParser) object() []byte {
	start := p.i
	p.skipObject()
	if p.err != nil {
		return nil
	}
	return append([]byte(nil), p.b[start:p.i]...)
}

// Redecode passes a stored record through the decoder an append uses, as
// the historical import's line it would have been (id, type, occurred_at,
// recorded_at, actor, ref, data), and checks that the record is what
// sealing that event gives: the same type and id, the same instant, the
// body's stream, and data in its canonical form. It is how verify
// re-validates a record whose hash is right but that no append would have
// accepted (a row written around the ledger). The event's Data may be
// r.Data itself: the caller keeps r's data for as long as the event.
func Redecode(r *Record) (*Event, *FieldError) {
	if ev, ok := redecodeStored(r); ok {
		return ev, nil
	}
	return redecodeLine(r)
}

// lineOverhead bounds the bytes of the line redecodeLine builds beyond
// data and the quoted type, actor and ref: the keys, an id and two times.
const lineOverhead = 200

// redecodeStored is Redecode for a record that passes: its envelope's
// fields are typed already and checked as they are, and only data is
// scanned, with the same scanner, fast path and checks as Decode's. It
// takes nothing it would have to refuse: a record with anything wrong, or
// whose data needs encoding/json's slow path, goes to redecodeLine, which
// gives Decode's own answer, so the two never differ on a refusal.
func redecodeStored(r *Record) (*Event, bool) {
	spec, known := specs[r.Type]
	if fastOff || !known || r.ID == uuid.Nil || len(r.Data) == 0 || r.Data[0] != '{' {
		return nil, false
	}
	// A line escapes a byte into at most 6 (\u00XX): one that could be over
	// MaxEventBytes is measured by Decode itself.
	if len(r.Data)+lineOverhead+6*(len(r.Type)+len(r.Actor)+len(r.Ref)) > MaxEventBytes {
		return nil, false
	}
	if CheckOccurred(r.Type, r.OccurredAt) != nil || !Storable(r.RecordedAt) ||
		(r.Ref != "" && checkString("ref", r.Ref, MaxRefLen) != nil) || !utf8.Valid(r.Data) {
		return nil, false
	}
	x := storedScratches.Get().(*storedScratch)
	defer func() {
		x.sc.reset()
		storedScratches.Put(x)
	}()
	// Actors repeat from record to record (a store hands the same string
	// again): the last one found good is not checked again.
	if !x.actorOK || r.Actor != x.actor {
		if checkString("actor", r.Actor, MaxActorLen) != nil {
			return nil, false
		}
		x.actor, x.actorOK = r.Actor, true
	}
	sc := &x.sc
	body, ok := scanData(sc, spec, r.Data)
	if !ok {
		if !sc.whole || !sc.nested {
			return nil, false
		}
		body = spec.New()
		if json.Unmarshal(r.Data, body) != nil {
			return nil, false
		}
	}
	if n, ok := body.(normalizer); ok {
		n.normalize()
	}
	if body.Check() != nil || body.Stream() != r.Stream {
		return nil, false
	}
	buf := canonicalBufs.Get().(*[]byte)
	*buf = appendStruct((*buf)[:0], reflect.ValueOf(body).Elem())
	same := bytes.Equal(*buf, r.Data)
	canonicalBufs.Put(buf)
	if !same {
		return nil, false
	}
	// The record's data is the canonical data, byte for byte.
	return &Event{ID: r.ID, Type: r.Type, OccurredAt: r.OccurredAt.In(CST), RecordedAt: r.RecordedAt.UTC(),
		Actor: r.Actor, Ref: r.Ref, Body: body, Data: r.Data}, true
}

// dataScanners are the scanners of events and of stored data (Decode,
// DecodeData).
var dataScanners = sync.Pool{New: func() any { return newScanner() }}

// newScanner is a scanner with room for an envelope's and a body's members.
func newScanner() *scanner {
	return &scanner{fields: make([]member, 0, 8), top: make([]member, 0, 8)}
}

func putScanner(sc *scanner) {
	sc.reset()
	dataScanners.Put(sc)
}

// reset empties a scanner for its next input, keeping the room it has for
// members; nothing of the last input stays in it.
func (sc *scanner) reset() {
	clear(sc.fields)
	clear(sc.top)
	*sc = scanner{fields: sc.fields[:0], top: sc.top[:0]}
}

// storedScratch is redecodeStored's: a scanner, and the last actor it
// found good.
type storedScratch struct {
	sc      scanner
	actor   string
	actorOK bool
}

var storedScratches = sync.Pool{New: func() any {
	return &storedScratch{sc: *newScanner()}
}}

// scanData scans a data object alone, as Decode scans an event's, and
// sets its flat members (and arrays of plain strings) on a new body; it
// says false where it found anything else (an error, a nested object,
// a value encoding/json must read), and sc says what.
func scanData(sc *scanner, spec *Spec, data []byte) (Data, bool) {
	*sc = scanner{b: data, fields: sc.fields[:0], top: sc.top[:0], deep: true}
	sc.capture = &sc.fields
	if len(data) == 0 || data[0] != '{' {
		return nil, false
	}
	if !sc.value(1, "data", spec.data) || sc.err != nil || sc.lax {
		return nil, false
	}
	if sc.ws(); sc.i != len(data) {
		return nil, false
	}
	sc.whole = true
	return fastBody(sc.fields, spec.New)
}

// fastData is DecodeData's fast path, for data as the ledger stores it;
// anything else is left to encoding/json.
func fastData(spec *Spec, data []byte) (Data, bool) {
	// encoding/json turns invalid UTF-8 into U+FFFD; the fast path would
	// keep the bytes.
	if fastOff || !utf8.Valid(data) {
		return nil, false
	}
	sc := dataScanners.Get().(*scanner)
	defer putScanner(sc)
	return scanData(sc, spec, data)
}

// canonicalBufs hold the canonical data redecodeStored compares and
// drops.
var canonicalBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// redecodeLine is Redecode the long way: the envelope's line, through
// Decode.
func redecodeLine(r *Record) (*Event, *FieldError) {
	line := make([]byte, 0, 128+len(r.Data))
	line = append(line, `{"id":"`...)
	line = AppendUUID(line, r.ID)
	line = append(line, `","type":`...)
	line = appendString(line, string(r.Type))
	line = append(line, `,"occurred_at":"`...)
	line = AppendCST(line, r.OccurredAt)
	line = append(line, `","recorded_at":"`...)
	line = AppendUTC(line, r.RecordedAt)
	line = append(line, `","actor":`...)
	line = appendString(line, r.Actor)
	if r.Ref != "" {
		line = append(line, `,"ref":`...)
		line = appendString(line, r.Ref)
	}
	line = append(line, `,"data":`...)
	line = append(line, r.Data...)
	line = append(line, '}')
	ev, ferr := Decode(line, DecodeOptions{Historical: true})
	if ferr != nil {
		return nil, ferr
	}
	if ev.ID == uuid.Nil {
		return nil, invalid("id", "a stored event must have an id")
	}
	if !bytes.Equal(ev.Data, r.Data) {
		return nil, invalid("data", "not in canonical form (the ledger stores data as compact JSON with sorted keys)")
	}
	if want := ev.Body.Stream(); r.Stream != want {
		return nil, invalid("stream", "is %q where a %s belongs in %q", clip(r.Stream), r.Type, want)
	}
	return ev, nil
}

// StoredLeaf is what an auditor needs of a stored envelope: its position,
// its hashes, and the leaf hash of its canonical bytes.
type StoredLeaf struct {
	Position       int64
	PrevHash, Hash Hash
	Leaf           Hash
	ContentOK      bool // Hash is the chain hash of PrevHash and the canonical bytes
}

// LeavesOfStoredArray reads a JSON array of stored envelopes in
// AppendJSON's layout and derives each one's canonical bytes from the
// served tokens themselves, without decoding them: the canonical form is
// the same tokens in sorted key order, so no time or id is parsed. What is
// not in that layout is read by ParseStoredArray instead. buf is scratch.
func LeavesOfStoredArray(b []byte) ([]StoredLeaf, error) {
	b = bytes.TrimSpace(b)
	if out, ok := fastLeaves(b); ok {
		return out, nil
	}
	recs, err := ParseStoredArray(b)
	if err != nil {
		return nil, err
	}
	out := make([]StoredLeaf, len(recs))
	var buf []byte
	for i, r := range recs {
		var ok bool
		buf, ok = r.Check(buf)
		out[i] = StoredLeaf{Position: r.Position, PrevHash: r.PrevHash, Hash: r.Hash, Leaf: LeafHash(buf), ContentOK: ok}
	}
	return out, nil
}

func fastLeaves(b []byte) ([]StoredLeaf, bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, false
	}
	b = b[1 : len(b)-1]
	out := make([]StoredLeaf, 0, 1024)
	canon := make([]byte, 0, 1024)
	for len(b) > 0 {
		p := &storedParser{b: b}
		p.lit(`{"position":`)
		posStart := p.i
		pos := p.int()
		posTok := p.b[posStart:p.i]
		p.lit(`,"id":`)
		id := p.rawStr()
		p.lit(`,"type":`)
		typ := p.rawStr()
		p.lit(`,"stream":`)
		stream := p.rawStr()
		p.lit(`,"occurred_at":`)
		occ := p.rawStr()
		p.lit(`,"recorded_at":`)
		rec := p.rawStr()
		p.lit(`,"actor":`)
		actor := p.rawStr()
		var ref []byte
		if p.has(`,"ref":`) {
			ref = p.rawStr()
		}
		p.lit(`,"data":`)
		dataStart := p.i
		p.skipObject()
		data := p.b[dataStart:p.i]
		p.lit(`,"prev_hash":`)
		prev := p.hash()
		p.lit(`,"hash":`)
		hash := p.hash()
		p.lit(`}`)
		if p.err != nil || len(id) != 38 {
			return nil, false
		}
		canon = append(canon[:0], `{"actor":`...)
		canon = append(canon, actor...)
		canon = append(canon, `,"data":`...)
		canon = append(canon, data...)
		canon = append(canon, `,"id":`...)
		canon = append(canon, id...)
		canon = append(canon, `,"occurred_at":`...)
		canon = append(canon, occ...)
		canon = append(canon, `,"position":`...)
		canon = append(canon, posTok...)
		canon = append(canon, `,"recorded_at":`...)
		canon = append(canon, rec...)
		if ref != nil {
			canon = append(canon, `,"ref":`...)
			canon = append(canon, ref...)
		}
		canon = append(canon, `,"stream":`...)
		canon = append(canon, stream...)
		canon = append(canon, `,"type":`...)
		canon = append(canon, typ...)
		canon = append(canon, '}')
		if ChainHash(prev, canon) != hash {
			// Changed, or spelled otherwise in transit: the slow path
			// re-encodes data canonically and tells which (ParseStored).
			return nil, false
		}
		out = append(out, StoredLeaf{Position: pos, PrevHash: prev, Hash: hash, Leaf: LeafHash(canon), ContentOK: true})
		rest := p.b[p.i:]
		if len(rest) > 0 {
			if rest[0] != ',' || len(rest) == 1 {
				return nil, false
			}
			rest = rest[1:]
		}
		b = rest
	}
	return out, true
}

// rawStr returns a JSON string token, quotes and escapes as they are.
func (p *storedParser) rawStr() []byte {
	if p.err != nil || p.i >= len(p.b) || p.b[p.i] != '"' {
		p.err = errFast
		return nil
	}
	for j := p.i + 1; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '\\':
			j++
		case c < 0x20:
			p.err = errFast
			return nil
		case c == '"':
			tok := p.b[p.i : j+1]
			p.i = j + 1
			return tok
		}
	}
	p.err = errFast
	return nil
}

// skipObject moves past the JSON object at p, finding its end by depth,
// minding strings.
func (p *storedParser) skipObject() {
	if p.err != nil || p.i >= len(p.b) || p.b[p.i] != '{' {
		p.err = errFast
		return
	}
	depth, in := 0, false
	for j := p.i; j < len(p.b); j++ {
		c := p.b[j]
		if in {
			switch c {
			case '\\':
				j++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i = j + 1
				return
			}
		}
	}
	p.err = errFast
}
