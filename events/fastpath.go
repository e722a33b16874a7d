package events

import (
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
	kind  reflect.Kind // String, Bool, Float64; Pointer for *bool and *float64
	elem  reflect.Kind
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
		if ff.kind == reflect.Pointer {
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

// fastOff turns the fast path off (tests compare both paths).
var fastOff bool

func fastWire(_ []byte, sc *scanner, mk func() Data, known bool) (wireEvent, bool) {
	var w wireEvent
	if fastOff || !known || sc.data != '{' || sc.nested || !sc.structural || sc.lax {
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
	body := mk()
	rv := reflect.ValueOf(body).Elem()
	plan := fastPlan(rv.Type())
	for _, m := range sc.fields {
		f, ok := plan[string(m.key)]
		if !ok {
			return w, false
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
		case reflect.String:
			v, ok := plainString(m.val)
			if !ok {
				return w, false
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
				return w, false
			}
			if f.kind == reflect.Pointer {
				fv.Set(reflect.ValueOf(&b))
			} else {
				fv.SetBool(b)
			}
		case reflect.Float64:
			c := m.val[0]
			if c != '-' && (c < '0' || c > '9') {
				return w, false
			}
			x, err := strconv.ParseFloat(string(m.val), 64)
			if err != nil {
				return w, false
			}
			if f.kind == reflect.Pointer {
				fv.Set(reflect.ValueOf(&x))
			} else {
				fv.SetFloat(x)
			}
		default:
			return w, false
		}
	}
	w.Data = body
	return w, true
}
