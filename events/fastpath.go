package events

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The fast path of Decode. Most events (votes above all) are flat: string,
// boolean and number members only. For those, the values the first scan
// captured are set on the body directly, which takes a fraction of what
// encoding/json's reflection does. Anything else (arrays, escapes in a
// value, a value of the wrong JSON type) goes the slow way, through
// encoding/json, so that every error message stays the same.

type fastField struct {
	index int
	kind  reflect.Kind // String, Bool, Float64; Pointer for *bool and *float64; Slice
	elem  reflect.Kind // a Pointer's or a Slice's element
}

var fastPlans sync.Map // reflect.Type -> map[string]fastField

func fastPlan(t reflect.Type) map[string]fastField {
	if p, ok := fastPlans.Load(t); ok {
		return p.(map[string]fastField)
	}
	p := map[string]fastField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ff := fastField{index: i, kind: f.Type.Kind()}
		if ff.kind == reflect.Pointer || ff.kind == reflect.Slice {
			ff.elem = f.Type.Elem().Kind()
		}
		p[name] = ff
	}
	fastPlans.Store(t, p)
	return p
}

// plainString returns a JSON string token's value when it has no escapes.
func plainString(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	body := tok[1 : len(tok)-1]
	for _, c := range body {
		if c == '\\' || c < 0x20 {
			return "", false
		}
	}
	return string(body), true
}

// plainStrings returns the strings of a JSON array written compactly, of
// strings without escapes only: ["a","b"] or []. Anything else (spaces,
// escapes, other values) is for encoding/json.
func plainStrings(tok []byte) ([]string, bool) {
	if len(tok) < 2 || tok[0] != '[' || tok[len(tok)-1] != ']' {
		return nil, false
	}
	body := tok[1 : len(tok)-1]
	if len(body) == 0 {
		return []string{}, true
	}
	list := make([]string, 0, 10)
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(body[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		v, ok := plainString(body[:end+1])
		if !ok {
			return nil, false
		}
		list = append(list, v)
		body = body[end+1:]
		if len(body) == 0 {
			return list, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}

// fastOff turns the fast path off (tests compare both paths).
var fastOff bool

func fastWire(_ []byte, sc *scanner, mk func() Data, known bool) (wireEvent, bool) {
	var w wireEvent
	if fastOff || !known || sc.data != '{' || !sc.structural || sc.lax {
		return w, false
	}
	for _, m := range sc.top {
		var dst **string
		switch string(m.key) {
		case "data":
			continue
		case "id":
			dst = &w.ID
		case "type":
			dst = &w.Type
		case "occurred_at":
			dst = &w.OccurredAt
		case "recorded_at":
			dst = &w.RecordedAt
		case "actor":
			dst = &w.Actor
		case "ref":
			dst = &w.Ref
		default:
			return w, false
		}
		if string(m.val) == "null" {
			continue
		}
		v, ok := plainString(m.val)
		if !ok {
			return w, false
		}
		*dst = &v
	}
	body, ok := fastBody(sc.fields, mk)
	if !ok {
		return w, false
	}
	w.Data = body
	return w, true
}

// fastBody sets the flat members the scanner captured on a new body, or
// says it cannot (a value that needs encoding/json and its messages).
func fastBody(fields []member, mk func() Data) (Data, bool) {
	body := mk()
	rv := reflect.ValueOf(body).Elem()
	plan := fastPlan(rv.Type())
	for _, m := range fields {
		f, ok := plan[string(m.key)]
		if !ok {
			return nil, false
		}
		if string(m.val) == "null" {
			continue
		}
		fv := rv.Field(f.index)
		kind := f.kind
		if kind == reflect.Pointer {
			kind = f.elem
		}
		switch kind {
		case reflect.Slice: // of strings only, as a ballot's lists
			if f.elem != reflect.String {
				return nil, false
			}
			list, ok := plainStrings(m.val)
			if !ok {
				return nil, false
			}
			sl := reflect.MakeSlice(fv.Type(), len(list), len(list))
			for i, v := range list {
				sl.Index(i).SetString(v)
			}
			fv.Set(sl)
		case reflect.String:
			v, ok := plainString(m.val)
			if !ok {
				return nil, false
			}
			if f.kind == reflect.Pointer { // an optional enum
				p := reflect.New(fv.Type().Elem())
				p.Elem().SetString(v)
				fv.Set(p)
			} else {
				fv.SetString(v)
			}
		case reflect.Bool:
			var b bool
			switch string(m.val) {
			case "true":
				b = true
			case "false":
			default:
				return nil, false
			}
			if f.kind == reflect.Pointer {
				fv.Set(reflect.ValueOf(&b))
			} else {
				fv.SetBool(b)
			}
		case reflect.Float64:
			c := m.val[0]
			if c != '-' && (c < '0' || c > '9') {
				return nil, false
			}
			x, err := strconv.ParseFloat(string(m.val), 64)
			if err != nil {
				return nil, false
			}
			if f.kind == reflect.Pointer {
				fv.Set(reflect.ValueOf(&x))
			} else {
				fv.SetFloat(x)
			}
		default:
			return nil, false
		}
	}
	return body, true
}
