package projections

import (
	"errors"
	"maps"
	"slices"
)

// A State is folded by one writer. Readers (standings, explain, a
// checkpoint being saved) use a Snapshot instead: a State that never
// changes, which they read without any lock while the writer goes on
// folding. A snapshot shares the writer's tables, which only grow, and
// copies or takes over what the fold changes in place:
//
//   - facts, texts, grades, ballots and creds are append-only: a
//     snapshot keeps a slice of the length they had, with no spare capacity,
//     and never sees what the writer appends after it (nor what a rolled-back
//     batch wrote there, since a snapshot is never taken within a batch).
//   - A Fact never changes once folded. Whether a correction targets it
//     lives in corrBits, and the corrections of each target in corr; the
//     writer copies either before it first changes it after a snapshot
//     (copy on write: corrections are few and come one append at a time).
//   - units and sections change in place when a registry event is folded
//     (a unit's section list, a section's ExemptPos and PriorPos), and so
//     does secIdx: a snapshot takes a copy of them when a registry event
//     was folded since the last snapshot, else shares the last copy. A kind
//     that changes a unit or a section in place must therefore be of class
//     events.Registry.
//   - The indexes only validation needs (unitIdx, textIdx, credPos, idx)
//     are not in a snapshot.

// errReadOnly refuses a fold into a snapshot.
var errReadOnly = errors.New("a snapshot is read-only")

// Snapshot returns the state as it is now, for readers. It must not be
// called within a batch (between Begin and Commit or Rollback).
func (s *State) Snapshot() *State {
	if s.batch != nil {
		panic("projections: Snapshot within a batch")
	}
	if s.readOnly {
		return s
	}
	snap := &State{
		Head:      s.Head,
		facts:     s.facts.shared(),
		texts:     slices.Clip(s.texts),
		grades:    slices.Clip(s.grades),
		ballots:   slices.Clip(s.ballots),
		creds:     slices.Clip(s.creds),
		frozen:    slices.Clip(s.frozen),
		decisions: slices.Clip(s.decisions),
		frozenPos: s.frozenPos,
		priorN:    s.priorN,
		corr:      s.corr,
		corrBits:  slices.Clip(s.corrBits),
		readOnly:  true,
		computed:  &computed{},
	}
	s.sharedStreams(snap)
	s.corrShared = true
	if last := s.published; last != nil && last.regGen == s.regGen {
		snap.units, snap.sections, snap.secIdx = last.units, last.sections, last.secIdx
	} else {
		snap.units = slices.Clone(s.units)
		snap.sections = slices.Clone(s.sections)
		snap.secIdx = maps.Clone(s.secIdx)
	}
	snap.regGen = s.regGen
	s.published = snap
	return snap
}

// corrected reports whether a correction targets the fact at position t.
func (s *State) corrected(t int64) bool {
	i := uint64(t - 1)
	w := i >> 6
	return w < uint64(len(s.corrBits)) && s.corrBits[w]&(1<<(i&63)) != 0
}

// setCorrected marks (or, undoing a batch, unmarks) the fact at position t
// as the target of a correction.
func (s *State) setCorrected(t int64, on bool) {
	if s.corrShared {
		s.corrBits = slices.Clone(s.corrBits)
		s.corr = maps.Clone(s.corr)
		s.corrShared = false
	}
	i := uint64(t - 1)
	w := int(i >> 6)
	for len(s.corrBits) <= w {
		s.corrBits = append(s.corrBits, 0)
	}
	if on {
		s.corrBits[w] |= 1 << (i & 63)
	} else {
		s.corrBits[w] &^= 1 << (i & 63)
	}
}

// corrections is the writer's map of corrections by target, its own
// (copied first if a snapshot shares it).
func (s *State) corrections() map[int64][]int64 {
	if s.corrShared {
		s.corrBits = slices.Clone(s.corrBits)
		s.corr = maps.Clone(s.corr)
		s.corrShared = false
	}
	return s.corr
}
