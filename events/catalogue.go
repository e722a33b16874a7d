package events

import (
	"fmt"
	"slices"
)

// Type names an event type of the catalogue (docs/events.md).
type Type string

// Class sorts the catalogue by what a type's events do.
type Class uint8

const (
	// Registry events say who is scored (units, sections, exemptions,
	// prior-year marks). They cannot be retracted.
	Registry Class = iota + 1
	// Fact events move a section's score.
	Fact
	// Online events run the online stage (lists, credentials, ballots,
	// the committee's decision).
	Online
	// Correction events withdraw or settle other events.
	Correction
)

// Spec is what the vocabulary knows of one event type, declared beside
// the type's body in its family file (registry.go, service.go, …). What the
// fold does with it (its component, clause, scoring and explain wording)
// is declared in the family file of the same name in package projections.
type Spec struct {
	Type Type
	// Code is the type's stable number: the fold and its checkpoints store
	// it instead of the name, so it never changes once given.
	Code  uint8
	Class Class
	// Deduction marks a deduction that may be contested (R-FIX).
	Deduction bool
	// Retractable marks a type that an EventRetracted may target.
	Retractable bool
	// AfterWindow marks a type that acts by knowledge, not by its own date
	// (corrections, the committee's decision): the disputes and the
	// decision come in December, after the window, so its occurred_at may
	// be any time from the window's start on (rules.md, Time).
	AfterWindow bool
	// New makes an empty body to decode into.
	New func() Data

	data schema // the keys of data, from the body's JSON tags
}

// Data is the typed body of one event. Its JSON form, with fields in
// alphabetical order, is the canonical form of the event's data.
type Data interface {
	// Type is the event type this body belongs to.
	Type() Type
	// Check validates the body's own fields (the stateless rules of the
	// catalogue). Field paths start with "data.".
	Check() *FieldError
	// Stream is the stream the event belongs to.
	Stream() string
}

// normalizer is a body with fields that have one canonical spelling (the
// identifiers that de-duplicate): Decode and Build normalise it before they
// check it, and the normalised form is what the ledger stores.
type normalizer interface {
	normalize()
}

var (
	specs  = map[Type]*Spec{}
	byCode = map[uint8]*Spec{}
	// Types lists every type of the catalogue, by code.
	Types []Type
)

// register adds the specs of one family to the catalogue. Each family file
// calls it from a package-level variable, so the catalogue is complete
// before any init function or caller runs.
func register(list ...Spec) bool {
	for i := range list {
		s := &list[i]
		if _, dup := specs[s.Type]; dup {
			panic(fmt.Sprintf("events: type %s registered twice", s.Type))
		}
		if o, dup := byCode[s.Code]; dup {
			panic(fmt.Sprintf("events: code %d given to %s and %s", s.Code, o.Type, s.Type))
		}
		if s.New().Type() != s.Type {
			panic(fmt.Sprintf("events: the body of %s says it is a %s", s.Type, s.New().Type()))
		}
		specs[s.Type], byCode[s.Code] = s, s
		envelopeSchemas[s.Type] = envelopeSchema(s.New())
		s.data = envelopeSchemas[s.Type]["data"]
		at, _ := slices.BinarySearchFunc(Types, s.Code, func(t Type, c uint8) int { return int(specs[t].Code) - int(c) })
		Types = slices.Insert(Types, at, s.Type)
	}
	return true
}

// SpecOf returns the spec of a type of the catalogue.
func SpecOf(t Type) (*Spec, bool) {
	s, ok := specs[t]
	return s, ok
}

// SpecByCode returns the spec with the given code.
func SpecByCode(code uint8) (*Spec, bool) {
	s, ok := byCode[code]
	return s, ok
}

// Code is the type's stable code; ok is false for a type outside the
// catalogue.
func (t Type) Code() (code uint8, ok bool) {
	if s, ok := specs[t]; ok {
		return s.Code, true
	}
	return 0, false
}

// Is reports whether t belongs to class c.
func (t Type) Is(c Class) bool { s, ok := specs[t]; return ok && s.Class == c }
