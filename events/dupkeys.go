package events

import "encoding/json"

// MaxDepth bounds the nesting of an event's JSON. The deepest legitimate
// event (a grade inside grades inside data) nests 3 levels.
const MaxDepth = 16

// checkDuplicateKeys refuses an object that names a key twice, at any depth,
// and nesting deeper than MaxDepth. encoding/json silently keeps the last of
// two equal keys, which would let two readers of one line disagree about
// what it says. Malformed JSON is left for the decoder to report.
func checkDuplicateKeys(raw []byte) *FieldError {
	s := dupScanner{b: raw}
	s.value(0, "")
	return s.err
}

type dupScanner struct {
	b   []byte
	i   int
	err *FieldError
}

func (s *dupScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans one value; it stops quietly on malformed input.
func (s *dupScanner) value(depth int, path string) bool {
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
		s.i++
		var keys map[string]bool
		for {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == '}' {
				s.i++
				return true
			}
			key, ok := s.str()
			if !ok {
				return false
			}
			if keys == nil {
				keys = make(map[string]bool, 8)
			}
			field := key
			if path != "" {
				field = path + "." + key
			}
			if keys[key] {
				s.err = invalid(field, "duplicate key")
				return false
			}
			keys[key] = true
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return false
			}
			s.i++
			if !s.value(depth+1, field) {
				return false
			}
			s.ws()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.b[s.i] == '}' {
				s.i++
				return true
			}
			return false
		}
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ']' {
				s.i++
				return true
			}
			if !s.value(depth+1, path) {
				return false
			}
			s.ws()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.b[s.i] == ']' {
				s.i++
				return true
			}
			return false
		}
	case '"':
		_, ok := s.str()
		return ok
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return true
			}
			s.i++
		}
		return true
	}
}

// str scans a string and returns its unescaped value.
func (s *dupScanner) str() (string, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false
	}
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch c {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			if !escaped {
				return string(s.b[start+1 : s.i-1]), true
			}
			var out string
			if json.Unmarshal(s.b[start:s.i], &out) != nil {
				return "", false
			}
			return out, true
		}
		s.i++
	}
	return "", false
}
