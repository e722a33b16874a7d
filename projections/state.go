// Package projections folds the ledger's records into state: the registry
// and uniqueness indexes that validation needs, and the compact fact table
// from which standings and explain trails are computed for any (as_of,
// known_at). Everything here is pure and deterministic: no I/O, no clock.
//
// The fold keeps one Fact per record, indexed by position-1. Because the
// ledger never lets recorded_at go backwards, "known at K" is a prefix of
// the facts; "as of A" filters that prefix by occurred_at. A query is one
// pass over the prefix (tens of nanoseconds a fact), so every (as_of,
// known_at) is answered exactly from the same state without re-reading
// the store.
package projections

import (
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

func code(t events.Type) uint8 { c, _ := t.Code(); return c }

var (
	cUnitReg    = code(events.UnitRegistered)
	cSecReg     = code(events.SectionRegistered)
	cExempt     = code(events.SectionExempted)
	cPrior      = code(events.PriorYearUnsatisfiedMarked)
	cVote       = code(events.ServiceVoteRecorded)
	cHotline    = code(events.HotlineVerdict)
	cQR         = code(events.OnlineComplaintVerified)
	cGrades     = code(events.SupervisorGradesSubmitted)
	cFinding    = code(events.InspectionFinding)
	cComplaint  = code(events.ComplaintSubstantiated)
	cCase       = code(events.DisciplinaryCaseFiled)
	cDiscretion = code(events.DiscretionaryDeduction)
	cUnitDed    = code(events.UnitDeduction)
	cFrozen     = code(events.OnlineCandidatesFrozen)
	cCred       = code(events.VoterCredentialIssued)
	cBallot     = code(events.BallotCast)
	cCommend    = code(events.CommendationAwarded)
	cMedia      = code(events.MediaCoverageRecorded)
	cRetract    = code(events.EventRetracted)
	cContest    = code(events.DeductionContested)
	cResolve    = code(events.ContestResolved)
)

// Fact is the compact, typed form of one record: what scoring and explain
// need, nothing more. Field use depends on the type (see apply).
type Fact struct {
	Occurred int64 // Unix nanoseconds
	Recorded int64 // Unix nanoseconds
	ID       uuid.UUID
	Pts      float64 // points, score or grade; reduced points for a resolution
	Target   int64   // target position (corrections), credential position (ballots), respondent key (votes)
	Sec      int32   // section index, or -1
	Unit     int32   // unit index, or -1
	Aux      int32   // index into texts, grade sets or ballots, or -1
	Type     uint8
	A, B     uint8 // small enums, per type
	Corr     bool  // some correction targets this fact
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

// Grade is one section's grade in a SupervisorGradesSubmitted.
type Grade struct {
	Sec   int32
	Score float64
}

// State is the fold of a log prefix. The zero value is not ready: use New.
type State struct {
	Head events.Head

	units    []Unit
	sections []Section
	unitIdx  map[string]int32
	secIdx   map[string]int32

	facts   []Fact
	digests [][16]byte // content digest per position, for idempotent retries
	texts   []string   // reasons, grounds, deed and matter ids
	grades  [][]Grade
	ballots []int32 // BallotSize satisfied then BallotSize unsatisfied section indexes per ballot
	creds   []events.Hash
	frozen  []int32 // the frozen candidate list, if any
	corr    map[int64][]int64
	textIdx map[string]int32
	credPos map[events.Hash]int64 // credential hash -> issue position

	// Counters that validation needs and that are cheap to keep.
	frozenPos int64
	priorN    int

	// Indexes that only validation needs, built on first use (see index).
	idx *index

	batch *journal
}

type voteKey struct {
	sec   int32
	round uint8
	resp  uint64
}

// index holds the uniqueness state of events.md.
type index struct {
	ids   map[uuid.UUID]int64 // event id -> position
	votes map[voteKey]int64
	used  map[int64]int64 // credential position -> the ballot that used it
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
func (s *State) Len() int64 { return int64(len(s.facts)) }

// Lookup returns the position of a stored event id and its content digest.
func (s *State) Lookup(id uuid.UUID) (pos int64, digest [16]byte, ok bool) {
	pos, ok = s.index().ids[id]
	if !ok {
		return 0, digest, false
	}
	return pos, s.digests[pos-1], true
}

func respondentKey(r string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(r))
	return h.Sum64()
}

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

// index builds the validation indexes from the facts the first time a
// writer needs them; readers never pay for them.
func (s *State) index() *index {
	if s.idx != nil {
		return s.idx
	}
	x := &index{
		ids:   make(map[uuid.UUID]int64, len(s.facts)),
		votes: map[voteKey]int64{},
		used:  map[int64]int64{},
	}
	for i := range s.facts {
		f := &s.facts[i]
		pos := int64(i + 1)
		x.ids[f.ID] = pos
		switch f.Type {
		case cVote:
			if f.Sec >= 0 {
				x.votes[voteKey{f.Sec, f.A, uint64(f.Target)}] = pos
			}
		case cBallot:
			if f.Target > 0 {
				x.used[f.Target] = pos
			}
		case cRetract:
			if t := f.Target; t > 0 && t <= int64(len(s.facts)) {
				if tf := &s.facts[t-1]; tf.Type == cVote {
					delete(x.votes, voteKey{tf.Sec, tf.A, uint64(tf.Target)})
				}
			}
		}
	}
	s.idx = x
	return x
}

// journal undoes the changes of a batch that is refused.
type journal struct {
	undo                                                        []func()
	units, sections, facts, digests, texts, grades, ballots, cr int
	frozen                                                      []int32
	frozenPos                                                   int64
	priorN                                                      int
	head                                                        events.Head
}

// Begin starts a batch: until Commit, Rollback can undo every Add.
func (s *State) Begin() {
	s.index()
	s.batch = &journal{
		units: len(s.units), sections: len(s.sections), facts: len(s.facts), digests: len(s.digests),
		texts: len(s.texts), grades: len(s.grades), ballots: len(s.ballots), cr: len(s.creds),
		frozen: s.frozen, frozenPos: s.frozenPos, priorN: s.priorN, head: s.Head,
	}
}

// Commit keeps the batch.
func (s *State) Commit() { s.batch = nil }

// Rollback undoes every Add since Begin.
func (s *State) Rollback() {
	j := s.batch
	if j == nil {
		return
	}
	s.batch = nil
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	// Index entries that the batch's new facts added are found from the
	// facts themselves rather than kept in the journal: an import of a
	// million events would otherwise hold two million undo closures.
	if x := s.idx; x != nil {
		for i := j.facts; i < len(s.facts); i++ {
			f, pos := &s.facts[i], int64(i+1)
			if x.ids[f.ID] == pos {
				delete(x.ids, f.ID)
			}
			switch f.Type {
			case cVote:
				if k := (voteKey{f.Sec, f.A, uint64(f.Target)}); f.Sec >= 0 && x.votes[k] == pos {
					delete(x.votes, k)
				}
			case cBallot:
				if f.Target > 0 && x.used[f.Target] == pos {
					delete(x.used, f.Target)
				}
			}
		}
	}
	for i := j.facts; i < len(s.facts); i++ {
		if f := &s.facts[i]; f.Type == cCred && s.credPos[s.creds[f.Aux]] == int64(i+1) {
			delete(s.credPos, s.creds[f.Aux])
		}
	}
	s.units, s.sections, s.facts, s.digests = s.units[:j.units], s.sections[:j.sections], s.facts[:j.facts], s.digests[:j.digests]
	s.texts, s.grades, s.ballots, s.creds = s.texts[:j.texts], s.grades[:j.grades], s.ballots[:j.ballots], s.creds[:j.cr]
	s.frozen, s.frozenPos, s.priorN, s.Head = j.frozen, j.frozenPos, j.priorN, j.head
}

func (s *State) undo(f func()) {
	if s.batch != nil {
		s.batch.undo = append(s.batch.undo, f)
	}
}

// Add folds one record. With check, it first validates the record against
// the state (events.md's stateful rules) and, if that fails, returns the
// error and changes nothing. Without check (catching up on records already
// stored) it folds whatever it is given and never fails: facts it cannot
// place are kept with no section, so positions stay aligned.
func (s *State) Add(r *events.Record, body events.Data, check bool) *events.FieldError {
	if r.Position != int64(len(s.facts))+1 {
		return events.Invalid("position", "record %d folded after %d", r.Position, len(s.facts))
	}
	if check {
		if err := s.check(r, body); err != nil {
			return err
		}
	}
	s.apply(r, body)
	return nil
}

func (s *State) apply(r *events.Record, body events.Data) {
	pos := r.Position
	f := Fact{
		Occurred: r.OccurredAt.UnixNano(), Recorded: r.RecordedAt.UnixNano(), ID: r.ID,
		Sec: -1, Unit: -1, Aux: -1, Type: code(r.Type),
	}
	sec := func(id string) int32 {
		if i, ok := s.secIdx[id]; ok {
			return i
		}
		return -1
	}
	unit := func(id string) int32 {
		if i, ok := s.unitIdx[id]; ok {
			return i
		}
		return -1
	}
	x := s.idx
	switch d := body.(type) {
	case *events.UnitRegisteredData:
		if _, dup := s.unitIdx[d.UnitID]; !dup {
			i := int32(len(s.units))
			s.units = append(s.units, Unit{ID: d.UnitID, Name: d.Name, Pos: pos})
			s.unitIdx[d.UnitID] = i
			s.undo(func() { delete(s.unitIdx, d.UnitID) })
			f.Unit = i
		}
	case *events.SectionRegisteredData:
		u := unit(d.UnitID)
		f.Unit = u
		if _, dup := s.secIdx[d.SectionID]; !dup && u >= 0 {
			i := int32(len(s.sections))
			s.sections = append(s.sections, Section{ID: d.SectionID, Name: d.Name, Unit: u,
				Enforcement: d.Enforcement != nil && *d.Enforcement, LateReported: d.LateReported,
				Pos: pos, Occurred: f.Occurred})
			s.secIdx[d.SectionID] = i
			old := s.units[u].sections
			s.units[u].sections = append(old, i)
			s.undo(func() { delete(s.secIdx, d.SectionID); s.units[u].sections = old })
			f.Sec = i
		}
	case *events.SectionExemptedData:
		f.Sec = sec(d.SectionID)
		f.Aux = s.text(d.Reason)
		if i := f.Sec; i >= 0 && s.sections[i].ExemptPos == 0 {
			s.sections[i].ExemptPos = pos
			s.undo(func() { s.sections[i].ExemptPos = 0 })
		}
	case *events.PriorYearUnsatisfiedMarkedData:
		f.Sec = sec(d.SectionID)
		if i := f.Sec; i >= 0 && s.sections[i].PriorPos == 0 {
			s.sections[i].PriorPos = pos
			s.undo(func() { s.sections[i].PriorPos = 0 })
			s.priorN++
		}
	case *events.ServiceVoteRecordedData:
		f.Sec = sec(d.SectionID)
		f.A = roundCode(string(d.Round))
		f.B = ratingCode(string(d.Rating))
		f.Target = int64(respondentKey(d.Respondent))
		if x != nil && f.Sec >= 0 {
			x.votes[voteKey{f.Sec, f.A, uint64(f.Target)}] = pos // undone by Rollback's scan
		}
	case *events.HotlineVerdictData:
		f.Sec = sec(d.SectionID)
		f.A = hotlineItemCode(string(d.Item))
		if d.Role == events.RoleAssist {
			f.B = 1
		}
		f.Pts = d.Points
	case *events.OnlineComplaintVerifiedData:
		f.Sec = sec(d.SectionID)
		f.Pts = 1
	case *events.SupervisorGradesSubmittedData:
		f.Unit = unit(d.UnitID)
		gs := make([]Grade, 0, len(d.Grades))
		for _, g := range d.Grades {
			if i := sec(g.SectionID); i >= 0 && g.Score != nil {
				gs = append(gs, Grade{Sec: i, Score: *g.Score})
			}
		}
		f.Aux = int32(len(s.grades))
		s.grades = append(s.grades, gs)
	case *events.InspectionFindingData:
		f.Sec = sec(d.SectionID)
		f.Pts = 1
		if d.Level == events.FindingCity {
			f.A, f.Pts = 1, 2
		}
		if d.Serious != nil && *d.Serious {
			f.B, f.Pts = 1, f.Pts*2
		}
	case *events.ComplaintSubstantiatedData:
		f.Sec = sec(d.SectionID)
		f.Pts = 1
		if d.Serious != nil && *d.Serious {
			f.B, f.Pts = 1, 2
		}
	case *events.DisciplinaryCaseFiledData:
		f.Sec = sec(d.SectionID)
		f.A = subjectCode(string(d.Subject))
		f.B = violationCode(string(d.Violation))
		f.Pts = CasePoints[f.B][f.A]
	case *events.DiscretionaryDeductionData:
		f.Sec = sec(d.SectionID)
		f.Pts = d.Points
		f.Aux = s.text(d.Reason)
	case *events.UnitDeductionData:
		f.Unit = unit(d.UnitID)
		f.Pts = d.Points
		f.Aux = s.text(d.Reason)
	case *events.OnlineCandidatesFrozenData:
		if s.frozenPos == 0 {
			list := make([]int32, 0, len(d.SectionIDs))
			for _, id := range d.SectionIDs {
				if i := sec(id); i >= 0 {
					list = append(list, i)
				}
			}
			s.frozen, s.frozenPos = list, pos
		}
	case *events.VoterCredentialIssuedData:
		h, _ := events.ParseHash(d.CredentialHash)
		f.Aux = int32(len(s.creds))
		s.creds = append(s.creds, h)
		if d.Group == events.GroupRepresentative {
			f.B = 1
		}
		if _, dup := s.credPos[h]; !dup {
			s.credPos[h] = pos // undone by Rollback's scan
		}
	case *events.BallotCastData:
		h, _ := events.ParseHash(d.CredentialHash)
		if cp := s.credPos[h]; cp > 0 {
			f.Target = cp
			f.B = s.facts[cp-1].B
			if x != nil {
				x.used[cp] = pos // undone by Rollback's scan
			}
		}
		f.Aux = int32(len(s.ballots) / (2 * events.BallotSize))
		for _, l := range [][]string{d.Satisfied, d.Unsatisfied} {
			for k := 0; k < events.BallotSize; k++ {
				i := int32(-1)
				if k < len(l) {
					i = sec(l[k])
				}
				s.ballots = append(s.ballots, i)
			}
		}
	case *events.CommendationAwardedData:
		f.Sec = sec(d.SectionID)
		f.A = commendCode(string(d.Level))
		f.Pts = CommendPoints[f.A]
		f.Aux = s.text(d.DeedID)
	case *events.MediaCoverageRecordedData:
		f.Sec = sec(d.SectionID)
		f.A = mediaCode(string(d.Level))
		f.Pts = MediaPoints[f.A]
		f.Aux = s.text(d.MatterID)
	case *events.EventRetractedData:
		f.Aux = s.text(d.Reason)
		s.correct(&f, pos, d.TargetID)
		if x != nil && f.Target > 0 {
			if tf := &s.facts[f.Target-1]; tf.Type == cVote {
				k := voteKey{tf.Sec, tf.A, uint64(tf.Target)}
				if old, ok := x.votes[k]; ok && old == f.Target {
					delete(x.votes, k)
					s.undo(func() { x.votes[k] = old })
				}
			}
		}
	case *events.DeductionContestedData:
		f.Sec = sec(d.SectionID)
		f.Aux = s.text(d.Grounds)
		s.correct(&f, pos, d.TargetID)
	case *events.ContestResolvedData:
		f.A = outcomeCode(string(d.Outcome))
		if d.Points != nil {
			f.Pts = *d.Points
		}
		s.correct(&f, pos, d.TargetID)
	}
	s.facts = append(s.facts, f)
	s.digests = append(s.digests, r.Digest())
	if x != nil {
		if _, dup := x.ids[r.ID]; !dup {
			x.ids[r.ID] = pos // undone by Rollback's scan
		}
	}
	s.Head = events.Head{Position: pos, Hash: r.Hash, RecordedAt: r.RecordedAt}
}

// correct links a correction to its target.
func (s *State) correct(f *Fact, pos int64, target string) {
	id, err := uuid.Parse(target)
	if err != nil {
		return
	}
	t := s.positionOf(id)
	if t <= 0 {
		return
	}
	f.Target = t
	tf := &s.facts[t-1]
	if f.Sec < 0 {
		f.Sec = tf.Sec
	}
	if tf.Type == cUnitDed {
		f.Unit = tf.Unit
	}
	was := tf.Corr
	tf.Corr = true
	s.corr[t] = append(s.corr[t], pos)
	s.undo(func() {
		s.facts[t-1].Corr = was
		if l := s.corr[t]; len(l) <= 1 {
			delete(s.corr, t)
		} else {
			s.corr[t] = l[:len(l)-1]
		}
	})
}

// positionOf finds a stored id; without the validation index it scans,
// which only a catch-up of a correction on a read-only state does.
func (s *State) positionOf(id uuid.UUID) int64 {
	if s.idx != nil {
		return s.idx.ids[id]
	}
	for i := len(s.facts) - 1; i >= 0; i-- {
		if s.facts[i].ID == id {
			return int64(i + 1)
		}
	}
	return 0
}

// ---- enums ----

// CasePoints[violation][subject] is the R-INS-CASE deduction.
var CasePoints = [2][4]float64{
	{20, 10, 5, 20}, // current_year: head, deputy, staff, collective
	{6, 4, 2, 10},   // earlier_year
}

// CommendPoints and MediaPoints are R-BON-COM and R-BON-MED, by level code.
var (
	CommendPoints = [3]float64{5, 3, 1}   // national, provincial, municipal
	MediaPoints   = [3]float64{3, 2, 0.5} // central, provincial, municipal
)

var (
	rounds     = []string{"H1", "H2"}
	ratings    = []string{"satisfied", "basic", "unsatisfied"}
	hotItems   = []string{"conduct", "late_feedback", "contact_outdated", "shirking", "poor_handling", "urgent_unhandled"}
	subjects   = []string{"head", "deputy", "staff", "collective"}
	violations = []string{"current_year", "earlier_year"}
	commends   = []string{"national", "provincial", "municipal"}
	medias     = []string{"central", "provincial", "municipal"}
	outcomes   = []string{"upheld", "overturned", "reduced"}
)

// RatingValue is the value of a vote or ballot mark (R-SVC, R-ONL).
var RatingValue = [3]float64{1, 0.6, 0}

func indexOf(l []string, v string) uint8 {
	for i, s := range l {
		if s == v {
			return uint8(i)
		}
	}
	return 0
}

func roundCode(v string) uint8       { return indexOf(rounds, v) }
func ratingCode(v string) uint8      { return indexOf(ratings, v) }
func hotlineItemCode(v string) uint8 { return indexOf(hotItems, v) }
func subjectCode(v string) uint8     { return indexOf(subjects, v) }
func violationCode(v string) uint8   { return indexOf(violations, v) }
func commendCode(v string) uint8     { return indexOf(commends, v) }
func mediaCode(v string) uint8       { return indexOf(medias, v) }
func outcomeCode(v string) uint8     { return indexOf(outcomes, v) }

func unixTime(ns int64) time.Time { return time.Unix(0, ns) }

// disputed tells, from the corrections stored for the event at position t,
// whether it is retracted and whether a contest of it is open.
func (s *State) disputed(t int64) (retracted, open bool) {
	for _, p := range s.corr[t] {
		switch s.facts[p-1].Type {
		case cRetract:
			retracted = true
		case cContest:
			open = true
		case cResolve:
			open = false
		}
	}
	return retracted, open
}
