package events

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// MaxDepth bounds the nesting of an event's JSON. The deepest legitimate
// event (a grade inside grades inside data) nests 3 levels.
const MaxDepth = 16

// schema is the set of keys an object may have; a key's schema applies to
// its value when that is an object, or to the objects of an array.
type schema map[string]schema

// envelopeSchemas holds, per type, the envelope's keys with data's keys
// taken from the body struct's JSON tags; register fills it.
var envelopeSchemas = map[Type]schema{}

func envelopeSchema(body Data) schema {
	return schema{"id": nil, "type": nil, "occurred_at": nil, "recorded_at": nil, "actor": nil, "ref": nil,
		"data": structSchema(reflect.TypeOf(body).Elem())}
}

func structSchema(t reflect.Type) schema {
	s := schema{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			s[name] = structSchema(ft)
		} else {
			s[name] = nil
		}
	}
	return s
}

// scanner is a first pass over one event's JSON. It refuses duplicate keys
// (encoding/json silently keeps the last of two, which would let two readers
// of one line disagree about what it says), unknown keys, nesting deeper
// than MaxDepth, and values that encoding/json would change without a word:
// a lone UTF-16 surrogate escape (\ud800, which it turns into U+FFFD) and a
// number the ledger cannot keep exactly (numbers.go). It also finds the
// top-level "type" so that the event can be decoded in one pass into its
// typed body. Malformed JSON is left for encoding/json to report.
type scanner struct {
	b          []byte
	i          int
	err        *FieldError
	typ        string
	data       byte // first byte of data's value, 0 if absent
	dataStart  int
	dataEnd    int
	structural bool // the top level is an object that scanned to its end

	// Captured for the fast path (fast.go): the raw value of each member of
	// the top level and of data, and whether data nests anything.
	top     []member
	fields  []member
	nested  bool
	capture *[]member // where object() records members, nil: nowhere
	lax     bool      // something encoding/json would reject was let through
	// deep checks the strings and numbers at every depth; otherwise only
	// those of the top level (data has a scanner of its own, deep).
	deep bool
	lone bool // the string str scanned last holds a lone surrogate escape

	whole bool // scanData's: the data scanned to its end, clean
}

// member is one key and its raw value (a string keeps its quotes).
type member struct {
	key, val []byte
}

// topSchema checks the envelope's keys; data is checked once the type is
// known, wherever "type" stands in the object.
var topSchema = schema{"id": nil, "type": nil, "occurred_at": nil, "recorded_at": nil, "actor": nil, "ref": nil, "data": nil}

// scanEvent makes the first pass over an event's line. Its scanner comes
// from a pool (an import scans hundreds of thousands of lines); the caller
// puts it back with putScanner once done with it.
func scanEvent(raw []byte) *scanner {
	s := dataScanners.Get().(*scanner)
	*s = scanner{b: raw, top: s.top[:0], fields: s.fields[:0]}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s
	}
	s.capture = &s.top
	s.structural = s.object(0, "", topSchema, true)
	s.ws()
	if s.i != len(s.b) {
		s.lax = true
	}
	if s.err != nil || !s.structural || s.data != '{' {
		return s
	}
	if es, ok := envelopeSchemas[Type(s.typ)]; ok {
		d := dataScanners.Get().(*scanner)
		*d = scanner{b: raw[:s.dataEnd], i: s.dataStart, fields: d.fields[:0], top: d.top[:0], deep: true}
		d.capture = &d.fields
		d.value(1, "data", es["data"])
		// s takes d's members, d the room s had for them.
		s.err, s.nested = d.err, d.nested
		s.fields, d.fields = d.fields, s.fields
		s.lax = s.lax || d.lax
		putScanner(d)
	}
	return s
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object scans an object; sch nil means any keys (not checked). Keys are
// compared as raw bytes (an escaped key is unescaped first), and a field
// path is only built for an error.
func (s *scanner) object(depth int, path string, sch schema, top bool) bool {
	s.i++ // '{'
	capture := s.capture
	s.capture = nil // nested objects are not captured
	defer func() { s.capture = capture }()
	var seen [16][]byte
	var more map[string]bool
	n := 0
	join := func(key []byte) string {
		if path == "" {
			return string(key)
		}
		return path + "." + string(key)
	}
	for first := true; ; first = false {
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.lax = s.lax || !first // a trailing comma
			s.i++
			return true
		}
		// A key with a lone surrogate escape is refused as unknown: every
		// key the schemas know is plain ASCII.
		key, ok := s.str()
		if !ok {
			return false
		}
		dup := false
		if n < len(seen) {
			for _, k := range seen[:n] {
				if string(k) == string(key) {
					dup = true
					break
				}
			}
			seen[n] = key
		} else {
			if more == nil {
				more = map[string]bool{}
				for _, k := range seen {
					more[string(k)] = true
				}
			}
			dup = more[string(key)]
			more[string(key)] = true
		}
		n++
		if dup {
			s.err = invalid(join(key), "duplicate key")
			return false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		var child schema
		valueStart := s.i
		if top && string(key) == "type" && s.i < len(s.b) && s.b[s.i] == '"' {
			if v, ok := s.str(); ok {
				s.typ = string(v)
			}
			s.i = valueStart
		}
		if sch != nil {
			c, known := sch[string(key)]
			if !known {
				s.err = invalid(join(key), "unknown field")
				return false
			}
			child = c
		}
		sub := ""
		if s.i < len(s.b) && (s.b[s.i] == '{' || s.b[s.i] == '[') {
			sub = join(key) // only containers need a path below them
			if capture != nil && !top {
				s.nested = true
			}
		}
		if !s.value(depth+1, sub, child) {
			return false
		}
		if (top || s.deep) && !s.scalar(valueStart, func() string { return join(key) }) {
			return false
		}
		if capture != nil {
			*capture = append(*capture, member{key: key, val: s.b[valueStart:s.i]})
		}
		if top && string(key) == "data" && valueStart < len(s.b) {
			s.data, s.dataStart, s.dataEnd = s.b[valueStart], valueStart, s.i
		}
		if more, ok := s.next('}'); !more {
			return ok
		}
	}
}

// next reads what follows a member or element: a comma (more), or the
// closing byte (done, ok), or anything else (done, malformed).
func (s *scanner) next(closing byte) (more, ok bool) {
	s.ws()
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true, true
	case closing:
		s.i++
		return false, true
	}
	return false, false
}

// value scans one value; it stops quietly on malformed input.
func (s *scanner) value(depth int, path string, sch schema) bool {
	if s.err != nil {
		return false
	}
	if depth > MaxDepth {
		s.err = invalid(path, "nested deeper than %d levels", MaxDepth)
		return false
	}
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '{':
		return s.object(depth, path, sch, false)
	case '[':
		s.i++
		for k := 0; ; k++ {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ']' {
				s.lax = s.lax || k > 0 // a trailing comma
				s.i++
				return true
			}
			// An object in an array is named by its index (data.grades[2]);
			// an array in an array keeps the path of the outer one.
			start, sub := s.i, path
			if start < len(s.b) && s.b[start] == '{' {
				sub = path + "[" + strconv.Itoa(k) + "]"
			}
			if !s.value(depth+1, sub, sch) {
				return false
			}
			if s.deep && !s.scalar(start, func() string { return path + "[" + strconv.Itoa(k) + "]" }) {
				return false
			}
			if more, ok := s.next(']'); !more {
				return ok
			}
		}
	case '"':
		_, ok := s.str()
		return ok
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				s.lax = s.lax || !literal(s.b[start:s.i])
				return true
			}
			s.i++
		}
		s.lax = s.lax || !literal(s.b[start:s.i])
		return true
	}
}

// scalar checks the string or number that starts at start and ends at s.i,
// naming it by path (built only for an error).
func (s *scanner) scalar(start int, path func() string) bool {
	if start >= s.i {
		return true
	}
	tok := s.b[start:s.i]
	switch c := tok[0]; {
	case c == '"':
		if s.lone { // str scanned it last
			s.err = invalid(path(), "holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), not a character")
			return false
		}
	case c == '-' || c >= '0' && c <= '9':
		if !literal(tok) {
			return true // malformed: encoding/json says so
		}
		if why := numberProblem(tok); why != "" {
			s.err = invalid(path(), "%s", why)
			return false
		}
	}
	return true
}

// loneSurrogate reports a \uXXXX escape of a UTF-16 surrogate that is not
// half of a pair, in a JSON string token: encoding/json would store U+FFFD
// in its place.
func loneSurrogate(tok []byte) bool {
	if bytes.IndexByte(tok, '\\') < 0 {
		return false
	}
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(tok) || tok[i] != '\\' || tok[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(tok[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		if !ok {
			i++ // another escape: skip its letter
			continue
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if lo, ok := hex4(i + 6); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

// literal reports whether tok is true, false, null or a JSON number.
func literal(tok []byte) bool {
	switch string(tok) {
	case "true", "false", "null":
		return true
	}
	i := 0
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(tok) && tok[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(tok)
}

// str scans a string and returns its raw bytes, unescaped if it had
// escapes (then a copy).
func (s *scanner) str() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c < 0x20 {
			s.lax = true
		}
		switch c {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			if !escaped {
				s.lone = false
				return s.b[start+1 : s.i-1], true
			}
			s.lone = loneSurrogate(s.b[start:s.i])
			var out string
			if json.Unmarshal(s.b[start:s.i], &out) != nil {
				return nil, false
			}
			return []byte(out), true
		}
		s.i++
	}
	return nil, false
}
