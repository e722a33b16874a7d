package events

import (
	"encoding/json"
	"reflect"
	"sync"
	"unicode/utf8"
)

var strictSchemas sync.Map // reflect.Type -> schema

// DecodeObject decodes one JSON object into v, a pointer to a struct, as
// strictly as Decode reads an event: its keys exactly as v's JSON tags
// (encoding/json alone would take "Code" for "code"), none twice (it would
// keep the last), none unknown; nothing after the object; no lone
// surrogate escape; numbers the ledger keeps exactly; nesting at most
// MaxDepth. Errors name the field, or none for the object as a whole; no
// error repeats a value (a voter's code must not come back in one).
func DecodeObject(raw []byte, v any) *FieldError {
	if !utf8.Valid(raw) {
		return invalid("", "not valid UTF-8")
	}
	t := reflect.TypeOf(v).Elem()
	sch, ok := strictSchemas.Load(t)
	if !ok {
		sch, _ = strictSchemas.LoadOrStore(t, structSchema(t))
	}
	s := &scanner{b: raw, deep: true}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return invalid("", "must be a JSON object")
	}
	whole := s.object(1, "", sch.(schema), false)
	if s.err != nil {
		return s.err
	}
	s.ws()
	if !whole || s.i != len(s.b) || s.lax {
		return invalid("", "malformed JSON, or something after the object")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		fe := jsonError("", err, raw)
		if fe.Field == EventField {
			fe.Field = ""
		}
		return fe
	}
	return nil
}
