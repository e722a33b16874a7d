package projections

import (
	"fmt"
	"math"
	"slices"

	"github.com/pingyang/ledger/events"
)

// A kind is everything the fold knows of one event type. Each family file
// of this package (registry.go, service.go, complaints.go, supervisor.go,
// inspection.go, online.go, bonus.go, corrections.go) declares the kinds of
// its types, beside the same-named file of package events that declares
// their bodies; TestEveryTypeHasAKind holds the two catalogues together.
type kind struct {
	spec *events.Spec
	// component and clause label the type's entries in explain (a hook may
	// refine them, as R-SVC-SMALL does).
	component, clause string
	// componentOf is the component of a fact when the fact names it (a
	// discretionary deduction); nil: component.
	componentOf func(f *Fact) string

	// fold turns a body into its compact Fact and the tables the fact
	// points into. It refuses what cannot be placed (an unknown section or
	// target): on an append, check has already said why; on a stored
	// record, the store no longer holds a valid log.
	fold func(s *State, f *Fact, pos int64, d events.Data) *events.FieldError
	// points is what a fact is worth on its component's own scale before
	// any correction (nil: its facts carry no points).
	points func(d events.Data) float64
	// check applies the stateful rules an append must pass (nil: none).
	check func(c *checker, d events.Data) *events.FieldError
	// score adds a visible, live fact to a view's sums, with its points in
	// force (after corrections). Nil for a type that moves no score; then
	// unscored says why.
	score    func(c *calc, f *Fact, pos int64, pts float64)
	unscored string
	// explain words an entry: its note, points and, where the fact's
	// status in the view changes them, its status.
	explain func(x *explainer, e *Entry)
	// actsFrom is the effective time from which a fact counts in a view,
	// as_of being compared with it (nil: its own occurred_at). A
	// correction acts from its target's; an exemption and the committee's
	// decision for the whole year.
	actsFrom func(s *State, f *Fact) int64
	// touches reports whether a fact concerns a section (nil: the fact
	// names the section).
	touches func(s *State, f *Fact, si int32) bool
	// names lists the sections a fact concerns, for a fact that names them
	// in a list (or none): the streams and the diff take them from it
	// rather than asking of every section.
	names func(s *State, f *Fact) []int32
	// unitWide marks a fact about a whole unit: it touches the sections
	// its unit has in a view, those registered after it too.
	unitWide bool
	// valid checks what a restored checkpoint says of a fact beyond the
	// indexes every fact has (nil: nothing more).
	valid func(s *State, f *Fact, pos int64) bool
	// index and unindex keep the uniqueness indexes of validation (built
	// on first use) in step with the facts; relink rebuilds the maps a
	// checkpoint does not store.
	index   func(s *State, x *index, f *Fact, pos int64)
	unindex func(s *State, x *index, f *Fact, pos int64)
	relink  func(s *State, f *Fact, pos int64)
}

// kindOf declares a kind with its typed body.
type kindOf[D events.Data] struct {
	component, clause string
	componentOf       func(f *Fact) string
	fold              func(s *State, f *Fact, pos int64, d D) *events.FieldError
	points            func(d D) float64
	check             func(c *checker, d D) *events.FieldError
	score             func(c *calc, f *Fact, pos int64, pts float64)
	unscored          string
	explain           func(x *explainer, e *Entry)
	actsFrom          func(s *State, f *Fact) int64
	touches           func(s *State, f *Fact, si int32) bool
	names             func(s *State, f *Fact) []int32
	unitWide          bool
	valid             func(s *State, f *Fact, pos int64) bool
	index, unindex    func(s *State, x *index, f *Fact, pos int64)
	relink            func(s *State, f *Fact, pos int64)
}

// kinds is indexed by type code.
var kinds [256]*kind

// define registers the kind of type t; family files call it from a
// package-level variable.
func define[D events.Data](t events.Type, k kindOf[D]) bool {
	spec, ok := events.SpecOf(t)
	if !ok {
		panic(fmt.Sprintf("projections: %s is not in the catalogue", t))
	}
	if kinds[spec.Code] != nil {
		panic(fmt.Sprintf("projections: %s defined twice", t))
	}
	typed := func(d events.Data) (D, *events.FieldError) {
		b, ok := d.(D)
		if !ok {
			return b, events.Invalid("data", "a %T is not the body of a %s", d, t)
		}
		return b, nil
	}
	out := &kind{spec: spec, component: k.component, componentOf: k.componentOf, clause: k.clause, score: k.score, unscored: k.unscored,
		explain: k.explain, actsFrom: k.actsFrom, touches: k.touches, names: k.names, unitWide: k.unitWide, valid: k.valid, index: k.index, unindex: k.unindex,
		relink: k.relink}
	out.fold = func(s *State, f *Fact, pos int64, d events.Data) *events.FieldError {
		b, err := typed(d)
		if err != nil {
			return err
		}
		return k.fold(s, f, pos, b)
	}
	if k.points != nil {
		out.points = func(d events.Data) float64 {
			if b, ok := d.(D); ok {
				return k.points(b)
			}
			return 0
		}
	}
	if k.check != nil {
		out.check = func(c *checker, d events.Data) *events.FieldError {
			b, err := typed(d)
			if err != nil {
				return err
			}
			return k.check(c, b)
		}
	}
	kinds[spec.Code] = out
	return true
}

// kindAt is the kind of a fact.
func kindAt(f *Fact) *kind { return kinds[f.Type] }

// enumCode is v's code in e, or an error naming the field.
func enumCode[T ~string](field string, e events.Enum[T], v T) (uint8, *events.FieldError) {
	c, ok := e.Code(v)
	if !ok {
		return 0, events.Invalid(field, "must be one of %s", e)
	}
	return c, nil
}

// has reports whether code is a code of e: what a restored fact's small
// enums must be.
func has[T ~string](e events.Enum[T], code uint8) bool { return int(code) < len(e) }

// componentFor is the component the fact f of this kind counts in.
func (k *kind) componentFor(f *Fact) string {
	if k.componentOf != nil {
		return k.componentOf(f)
	}
	return k.component
}

// allYear is the actsFrom of a fact in force by knowledge alone, in every
// view that knows it whatever the view's as_of and the fact's own date: an
// exemption (R-EXEMPT), the committee's decision (R-OUT-CONF).
func allYear(*State, *Fact) int64 { return math.MinInt64 }

// from is the effective time from which the fact f of this kind counts
// (kind.actsFrom).
func (k *kind) from(s *State, f *Fact) int64 {
	if k.actsFrom != nil {
		return k.actsFrom(s, f)
	}
	return f.Occurred
}

// touchesSection reports whether a fact of this kind concerns section si.
func (k *kind) touchesSection(s *State, f *Fact, si int32) bool {
	switch {
	case k.touches != nil:
		return k.touches(s, f, si)
	case k.names != nil:
		return slices.Contains(k.names(s, f), si)
	}
	return f.Sec == si
}

// Points is what a fact with this body is worth on its component's own
// scale before any correction (a deduction's points, a bonus, a reduced
// deduction's new points); ok is false for a type whose facts carry none.
func Points(d events.Data) (pts float64, ok bool) {
	c, known := d.Type().Code()
	if !known || kinds[c] == nil || kinds[c].points == nil {
		return 0, false
	}
	return kinds[c].points(d), true
}
