// Package projections folds the ledger's records into state: the registry
// and uniqueness indexes that validation needs, and the compact fact table
// from which standings and explain trails are computed for any (as_of,
// known_at). Everything here is pure and deterministic: no I/O, no clock.
//
// The fold keeps one Fact per record, indexed by position-1. Because the
// ledger never lets recorded_at go backwards, "known at K" is a prefix of
// the facts; "as of A" filters that prefix by occurred_at. A query is one
// pass over the prefix, so every (as_of, known_at) is answered exactly from
// the same state without re-reading the store.
//
// What each event type means to the fold is declared in one place, its
// kind (kinds.go), in the family file named like the type's file in
// package events; the rules' numbers come from events' rulebook.
package projections

import (
	"hash/fnv"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

// Fact is the compact, typed form of one record: what scoring and explain
// need, nothing more. What A, B, Aux and Target hold depends on the type
// (see its kind's fold).
type Fact struct {
	Occurred int64 // Unix nanoseconds
	Recorded int64 // Unix nanoseconds
	ID       uuid.UUID
	Pts      float64 // points, score or grade; reduced points for a resolution
	Target   int64   // target position (corrections), credential position (ballots), respondent key (votes)
	Sec      int32   // section index, or -1
	Unit     int32   // unit index, or -1
	Aux      int32   // index into texts, grade sets, ballots or credentials, or -1
	Type     uint8   // the type's code (events.Spec.Code)
	A, B     uint8   // small enums, per type
	// Whether a correction targets the fact is not kept here but in the
	// state (State.corrected): a fact never changes once folded, so that
	// snapshots can share the fact table with the writer (snapshot.go).
}

// Unit is a registered unit.
type Unit struct {
	ID, Name string
	Pos      int64
	sections []int32 // indexes of its sections, in registration order
}

// Section is a registered section.
type Section struct {
	ID, Name     string
	Unit         int32
	Enforcement  bool
	LateReported bool
	Pos          int64
	Occurred     int64
	ExemptPos    int64 // position of its SectionExempted, 0 if none
	PriorPos     int64 // position of its PriorYearUnsatisfiedMarked, 0 if none
}

// grade is one section's grade in a SupervisorGradesSubmitted.
type grade struct {
	sec   int32
	score float64
}

// State is the fold of a log prefix. The zero value is not ready: use New.
type State struct {
	Head events.Head

	units    []Unit
	sections []Section
	unitIdx  map[string]int32
	secIdx   map[string]int32

	facts   factTable
	texts   []string // reasons, grounds, deed and matter ids
	grades  [][]grade
	ballots []int32 // BallotSize satisfied then BallotSize unsatisfied section indexes per ballot
	creds   []events.Hash
	frozen  []int32 // the frozen candidate list, if any
	// decisions are the OutcomeConfirmed events, in log order.
	decisions []decision
	corr      map[int64][]int64 // target position -> its corrections' positions, in order
	// corrBits has bit t-1 set when a correction targets position t.
	corrBits []uint64
	textIdx  map[string]int32
	credPos  map[events.Hash]int64 // credential hash -> issue position

	frozenPos int64
	priorN    int

	// The facts filed for views (streams.go): votes in their index, every
	// other fact's position in others, each section's votes in secVotes.
	votes     voteIndex
	others    []uint32
	wide      []uint32
	secVotes  [][]uint32
	secOthers [][]uint32

	// Indexes that only validation needs, built on first use (index.go).
	idx *index

	batch *journal

	// Snapshots (snapshot.go).
	readOnly   bool      // a snapshot: Add refuses
	corrShared bool      // corr and corrBits are shared with a snapshot: copy before writing
	regGen     uint64    // counts registry facts folded: units and sections changed in place
	published  *State    // the last snapshot taken
	computed   *computed // a snapshot's last views, folded (compute.go)
}

// New returns the state of an empty log.
func New() *State {
	return &State{
		unitIdx: map[string]int32{},
		secIdx:  map[string]int32{},
		corr:    map[int64][]int64{},
		textIdx: map[string]int32{},
		credPos: map[events.Hash]int64{},
	}
}

// Len is the number of records folded.
func (s *State) Len() int64 { return int64(s.facts.len()) }

// Known is the number of records known at k: a view's knowledge prefix.
// recorded_at never goes backwards along the log, so it is a binary search.
func (s *State) Known(k time.Time) int64 {
	kn := events.Nanos(k)
	return int64(sort.Search(s.facts.len(), func(i int) bool { return s.facts.at(int64(i)).Recorded > kn }))
}

// Lookup returns the position of a stored event id. Its content is the
// store's: the state does not keep what it does not need for a view.
func (s *State) Lookup(id uuid.UUID) (pos int64, ok bool) {
	pos = s.index().id(id)
	return pos, pos != 0
}

// text interns a reason, grounds or id and returns its index.
func (s *State) text(t string) int32 {
	if i, ok := s.textIdx[t]; ok {
		return i
	}
	i := int32(len(s.texts))
	s.texts = append(s.texts, t)
	s.textIdx[t] = i
	s.undo(func() { delete(s.textIdx, t) })
	return i
}

func (s *State) textAt(i int32) string {
	if i < 0 || int(i) >= len(s.texts) {
		return ""
	}
	return s.texts[i]
}

// sectionOf places a section a fact names.
func (s *State) sectionOf(field, id string) (int32, *events.FieldError) {
	if i, ok := s.secIdx[id]; ok {
		return i, nil
	}
	return -1, events.Invalid(field, "section %s is not registered", id)
}

// unitOf places a unit a fact names.
func (s *State) unitOf(field, id string) (int32, *events.FieldError) {
	if i, ok := s.unitIdx[id]; ok {
		return i, nil
	}
	return -1, events.Invalid(field, "unit %s is not registered", id)
}

// positionOf finds a stored id; without the validation index it scans,
// which only a catch-up of a correction on a read-only state does.
func (s *State) positionOf(id uuid.UUID) int64 {
	if s.idx != nil {
		return s.idx.id(id)
	}
	for i := s.facts.len() - 1; i >= 0; i-- {
		if s.facts.at(int64(i)).ID == id {
			return int64(i + 1)
		}
	}
	return 0
}

func respondentKey(r string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(r))
	return h.Sum64()
}

func unixTime(ns int64) time.Time { return time.Unix(0, ns) }
