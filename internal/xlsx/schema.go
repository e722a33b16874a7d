package xlsx

import (
	"reflect"
	"slices"
	"strings"

	"github.com/pingyang/ledger/events"
)

// A sheet of facts has one column per field of its event type: the
// envelope's (occurred_at, actor, ref; id and recorded_at when given) and
// the body's, named by their JSON names. The columns are derived from the
// catalogue (events.Types, events.SpecOf and the bodies' json tags), so a
// new type or field needs no change here; an enumerated field's values come
// from its events.Enum.

// Kind is how a cell becomes a JSON value.
type Kind uint8

const (
	KindString Kind = iota // a JSON string, as written
	KindEnum               // a JSON string from a closed set (a drop-down list)
	KindBool               // true or false (also TRUE/FALSE, 1/0, 是/否)
	KindNumber             // a JSON number
	KindList               // a list of ids: "U01-S01, U01-S02" (also 、 ; and new lines)
	KindPairs              // a list of objects, one "a=b" per item: "U01-S01=4.6; U01-S02=4.2"
	KindTime               // an RFC 3339 time with offset, or an Excel date-time read as +08:00
)

// Column is one column of a sheet.
type Column struct {
	Name     string   // the JSON name, which is also the header cell
	Path     string   // the field path errors name: "occurred_at", "data.section_id"
	Kind     Kind     //
	Values   []string // KindEnum and KindBool: the allowed values
	Required bool     // an empty cell is refused
	// Pair lists, for KindPairs, the item's fields in the order a cell
	// writes them (string fields first: "U01-S01=4.6"), with their kinds.
	Pair []Column
}

// Schema is the sheet of one event type.
type Schema struct {
	Type    events.Type
	Columns []Column // the template's columns, in order
	// Optional are columns the reader also takes: id, and recorded_at for a
	// historical import.
	Optional []Column
}

// Column returns the column named name (the template's or an optional one).
func (s *Schema) Column(name string) (*Column, bool) {
	for _, l := range [][]Column{s.Columns, s.Optional} {
		for i := range l {
			if l[i].Name == name {
				return &l[i], true
			}
		}
	}
	return nil, false
}

var boolValues = []string{"true", "false"}

// enums maps each enumerated type of the catalogue to its values, from the
// Enum variables in events/enums.go. TestEveryEnumeratedFieldHasItsValues
// fails when a body gains a field of a named string type missing here.
var enums = map[reflect.Type][]string{}

func addEnum[T ~string](e events.Enum[T]) {
	vals := make([]string, len(e))
	for i, v := range e {
		vals[i] = string(v)
	}
	enums[reflect.TypeFor[T]()] = vals
}

func init() {
	addEnum(events.Rounds)
	addEnum(events.Ratings)
	addEnum(events.HotlineItems)
	addEnum(events.HotlineRoles)
	addEnum(events.FindingLevels)
	addEnum(events.CaseSubjects)
	addEnum(events.Violations)
	addEnum(events.CommendationLevels)
	addEnum(events.MediaLevels)
	addEnum(events.VoterGroups)
	addEnum(events.ContestOutcomes)
	addEnum(events.Components)
}

// SchemaOf derives the sheet of an event type from the catalogue.
func SchemaOf(t events.Type) (*Schema, bool) {
	spec, ok := events.SpecOf(t)
	if !ok {
		return nil, false
	}
	s := &Schema{Type: t}
	s.Columns = append(s.Columns,
		Column{Name: "occurred_at", Path: "occurred_at", Kind: KindTime, Required: true},
		Column{Name: "actor", Path: "actor", Kind: KindString, Required: true})
	s.Columns = append(s.Columns, fieldsOf(reflect.TypeOf(spec.New()).Elem(), "data.")...)
	s.Columns = append(s.Columns, Column{Name: "ref", Path: "ref", Kind: KindString})
	s.Optional = []Column{
		{Name: "id", Path: "id", Kind: KindString},
		{Name: "recorded_at", Path: "recorded_at", Kind: KindTime},
	}
	return s, true
}

// fieldsOf lists a body struct's fields as columns, in the struct's order
// (alphabetical: the canonical order).
func fieldsOf(st reflect.Type, prefix string) []Column {
	var out []Column
	for i := range st.NumField() {
		f := st.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		c := Column{Name: name, Path: prefix + name}
		t := f.Type
		ptr := t.Kind() == reflect.Pointer
		if ptr {
			t = t.Elem()
		}
		switch {
		case enums[t] != nil:
			// A *Enum is optional (a discretionary deduction's component).
			c.Kind, c.Values, c.Required = KindEnum, enums[t], !ptr
		case t.Kind() == reflect.String:
			c.Kind, c.Required = KindString, true
		case t.Kind() == reflect.Bool:
			// A *bool is a required yes or no; a bool defaults to false.
			c.Kind, c.Values, c.Required = KindBool, boolValues, ptr
		case t.Kind() == reflect.Float64, t.Kind() == reflect.Int, t.Kind() == reflect.Int64:
			c.Kind, c.Required = KindNumber, !ptr && !strings.Contains(opts, "omitempty")
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
			c.Kind, c.Required = KindList, true
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
			c.Kind, c.Required = KindPairs, true
			item := fieldsOf(t.Elem(), "")
			// Strings (the ids) first: "U01-S01=4.6" reads as section = grade.
			slices.SortStableFunc(item, func(a, b Column) int { return rank(a) - rank(b) })
			c.Pair = item
		default:
			c.Kind, c.Required = KindString, !ptr
		}
		out = append(out, c)
	}
	return out
}

func rank(c Column) int {
	if c.Kind == KindString || c.Kind == KindEnum {
		return 0
	}
	return 1
}
