package events

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Canonical data is the body as compact JSON with keys in sorted order
// (the body structs declare their fields alphabetically), numbers in their
// shortest form and strings escaped only where JSON requires it: exactly
// what encoding/json (without HTML escaping) and `jq -cS` print for the
// values the ledger accepts. This hand-rolled encoder exists because it is
// on the import's hot path; TestCanonicalMatchesEncodingJSON holds it to
// encoding/json.

type fieldPlan struct {
	key   string // `"name":`
	index int
	enc   func(dst []byte, v reflect.Value) []byte
}

var plans sync.Map // reflect.Type -> []fieldPlan

func planOf(t reflect.Type) []fieldPlan {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldPlan)
	}
	var out []fieldPlan
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, fieldPlan{key: strconv.Quote(name) + ":", index: i, enc: encoderOf(f.Type, opts == "omitempty")})
	}
	plans.Store(t, out)
	return out
}

// omit marks a value that an omitempty field leaves out.
const omit = "\x00omit"

func encoderOf(t reflect.Type, omitEmpty bool) func([]byte, reflect.Value) []byte {
	switch t.Kind() {
	case reflect.String:
		return func(dst []byte, v reflect.Value) []byte { return appendString(dst, v.String()) }
	case reflect.Bool:
		return func(dst []byte, v reflect.Value) []byte { return strconv.AppendBool(dst, v.Bool()) }
	case reflect.Float64:
		return func(dst []byte, v reflect.Value) []byte { return appendNumber(dst, v.Float()) }
	case reflect.Pointer:
		elem := encoderOf(t.Elem(), false)
		return func(dst []byte, v reflect.Value) []byte {
			if v.IsNil() {
				if omitEmpty {
					return append(dst, omit...)
				}
				return append(dst, "null"...)
			}
			return elem(dst, v.Elem())
		}
	case reflect.Slice:
		elem := encoderOf(t.Elem(), false)
		return func(dst []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(dst, "null"...)
			}
			dst = append(dst, '[')
			for i := 0; i < v.Len(); i++ {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = elem(dst, v.Index(i))
			}
			return append(dst, ']')
		}
	case reflect.Struct:
		return func(dst []byte, v reflect.Value) []byte { return appendStruct(dst, v) }
	}
	panic(fmt.Sprintf("events: no canonical encoding for %s", t))
}

func appendStruct(dst []byte, v reflect.Value) []byte {
	dst = append(dst, '{')
	first := true
	for _, f := range planOf(v.Type()) {
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, f.key...)
		before := len(dst)
		dst = f.enc(dst, v.Field(f.index))
		if string(dst[before:]) == omit {
			dst = dst[:mark]
			continue
		}
		first = false
	}
	return append(dst, '}')
}

// appendNumber writes a float the way encoding/json does.
func appendNumber(dst []byte, f float64) []byte {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// canonicalData is the canonical JSON of a body.
func canonicalData(d Data) []byte {
	return appendStruct(make([]byte, 0, 128), reflect.ValueOf(d).Elem())
}
