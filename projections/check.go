package projections

import (
	"strconv"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

// MaxPriorYear is how many of 2020's 不满意单位 there are (R-ONL).
const MaxPriorYear = 10

// check applies the stateful rules of events.md to a record about to be
// appended at r.Position. It never echoes a respondent or a credential.
func (s *State) check(r *events.Record, body events.Data) *events.FieldError {
	x := s.index()
	if _, dup := x.ids[r.ID]; dup {
		return events.Conflict("id", "event %s is already stored with other content", r.ID)
	}
	at := r.OccurredAt.UnixNano()
	// section returns a section registered by an earlier event not dated
	// later; active also requires it not to be exempt.
	section := func(field, id string, active bool) (int32, *events.FieldError) {
		i, ok := s.secIdx[id]
		if !ok {
			return -1, events.Invalid(field, "section %s is not registered", id)
		}
		sec := &s.sections[i]
		if sec.Occurred > at {
			return -1, events.Invalid(field, "section %s is registered only from %s, after this event's occurred_at",
				id, events.FormatCST(unixTime(sec.Occurred)))
		}
		if active && sec.ExemptPos != 0 {
			return -1, events.Invalid(field, "section %s is exempt (R-EXEMPT)", id)
		}
		return i, nil
	}
	unit := func(field, id string) (int32, *events.FieldError) {
		i, ok := s.unitIdx[id]
		if !ok {
			return -1, events.Invalid(field, "unit %s is not registered", id)
		}
		if s.facts[s.units[i].Pos-1].Occurred > at {
			return -1, events.Invalid(field, "unit %s is registered only from %s, after this event's occurred_at",
				id, events.FormatCST(unixTime(s.facts[s.units[i].Pos-1].Occurred)))
		}
		return i, nil
	}
	// target finds the event a correction names.
	target := func(id string) (int64, *Fact, *events.FieldError) {
		u, err := uuid.Parse(id)
		if err != nil {
			return 0, nil, events.Invalid("data.target_id", "must be a UUID")
		}
		pos, ok := x.ids[u]
		if !ok {
			return 0, nil, events.Invalid("data.target_id", "no stored event has id %s", id)
		}
		return pos, &s.facts[pos-1], nil
	}
	var err *events.FieldError
	switch d := body.(type) {
	case *events.UnitRegisteredData:
		if _, dup := s.unitIdx[d.UnitID]; dup {
			return events.Conflict("data.unit_id", "unit %s is already registered", d.UnitID)
		}
	case *events.SectionRegisteredData:
		if _, dup := s.secIdx[d.SectionID]; dup {
			return events.Conflict("data.section_id", "section %s is already registered", d.SectionID)
		}
		_, err = unit("data.unit_id", d.UnitID)
	case *events.SectionExemptedData:
		var i int32
		if i, err = section("data.section_id", d.SectionID, false); err == nil && s.sections[i].ExemptPos != 0 {
			return events.Conflict("data.section_id", "section %s is already exempt", d.SectionID)
		}
	case *events.PriorYearUnsatisfiedMarkedData:
		var i int32
		if i, err = section("data.section_id", d.SectionID, false); err != nil {
			return err
		}
		if s.sections[i].PriorPos != 0 {
			return events.Conflict("data.section_id", "section %s is already marked", d.SectionID)
		}
		if s.priorN >= MaxPriorYear {
			return events.Invalid("data.section_id", "already %d prior-year unsatisfied sections, the most there are", MaxPriorYear)
		}
	case *events.ServiceVoteRecordedData:
		var i int32
		if i, err = section("data.section_id", d.SectionID, true); err != nil {
			return err
		}
		if _, dup := x.votes[voteKey{i, roundCode(string(d.Round)), respondentKey(d.Respondent)}]; dup {
			return events.Conflict("data.respondent", "this respondent already voted for section %s in round %s", d.SectionID, d.Round)
		}
	case *events.HotlineVerdictData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.OnlineComplaintVerifiedData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.InspectionFindingData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.ComplaintSubstantiatedData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.DisciplinaryCaseFiledData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.DiscretionaryDeductionData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.CommendationAwardedData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.MediaCoverageRecordedData:
		_, err = section("data.section_id", d.SectionID, true)
	case *events.UnitDeductionData:
		_, err = unit("data.unit_id", d.UnitID)
	case *events.SupervisorGradesSubmittedData:
		err = s.checkGrades(d, at, unit, section)
	case *events.OnlineCandidatesFrozenData:
		if s.frozenPos != 0 {
			return events.Conflict("type", "a candidate list is already frozen (position %d); there is at most one", s.frozenPos)
		}
		for k, id := range d.SectionIDs {
			if _, err = section("data.section_ids["+strconv.Itoa(k)+"]", id, true); err != nil {
				return err
			}
		}
	case *events.VoterCredentialIssuedData:
		h, _ := events.ParseHash(d.CredentialHash)
		if _, dup := s.credPos[h]; dup {
			return events.Conflict("data.credential_hash", "this credential is already issued")
		}
	case *events.BallotCastData:
		err = s.checkBallot(d, at)
	case *events.EventRetractedData:
		pos, tf, e := target(d.TargetID)
		if e != nil {
			return e
		}
		if sp, _ := events.SpecByCode(tf.Type); !sp.Retractable {
			t := sp.Type
			return events.Invalid("data.target_id", "a %s cannot be retracted", t)
		}
		if retracted, _ := s.disputed(pos); retracted {
			return events.Conflict("data.target_id", "event %s is already retracted", d.TargetID)
		}
	case *events.DeductionContestedData:
		pos, tf, e := target(d.TargetID)
		if e != nil {
			return e
		}
		sp, _ := events.SpecByCode(tf.Type)
		t := sp.Type
		if !sp.Deduction {
			return events.Invalid("data.target_id", "a %s is not a deduction and cannot be contested", t)
		}
		retracted, open := s.disputed(pos)
		if retracted {
			return events.Invalid("data.target_id", "event %s is retracted", d.TargetID)
		}
		if open {
			return events.Conflict("data.target_id", "event %s already has an open contest", d.TargetID)
		}
		var i int32
		if i, err = section("data.section_id", d.SectionID, false); err != nil {
			return err
		}
		if (t == events.UnitDeduction && s.sections[i].Unit != tf.Unit) || (t != events.UnitDeduction && tf.Sec != i) {
			return events.Invalid("data.section_id", "event %s does not affect section %s", d.TargetID, d.SectionID)
		}
	case *events.ContestResolvedData:
		pos, tf, e := target(d.TargetID)
		if e != nil {
			return e
		}
		if _, open := s.disputed(pos); !open {
			return events.Invalid("data.target_id", "event %s has no open contest", d.TargetID)
		}
		if d.Outcome == events.OutcomeReduced && !(*d.Points < tf.Pts) {
			return events.Invalid("data.points", "a reduction must be fewer than the original %s points", num(tf.Pts))
		}
	default:
		return events.Invalid("type", "unknown event type")
	}
	return err
}

func (s *State) checkGrades(d *events.SupervisorGradesSubmittedData, at int64,
	unit func(string, string) (int32, *events.FieldError),
	section func(string, string, bool) (int32, *events.FieldError)) *events.FieldError {
	u, err := unit("data.unit_id", d.UnitID)
	if err != nil {
		return err
	}
	graded := make(map[int32]bool, len(d.Grades))
	var tiers [3]int
	for k, g := range d.Grades {
		f := "data.grades[" + strconv.Itoa(k) + "]"
		i, err := section(f+".section_id", g.SectionID, true)
		if err != nil {
			return err
		}
		if s.sections[i].Unit != u {
			return events.Invalid(f+".section_id", "section %s belongs to unit %s, not %s",
				g.SectionID, s.units[s.sections[i].Unit].ID, d.UnitID)
		}
		graded[i] = true
		tiers[Tier(*g.Score)]++
	}
	for _, i := range s.units[u].sections {
		sec := &s.sections[i]
		if sec.ExemptPos == 0 && sec.Occurred <= at && !graded[i] {
			return events.Invalid("data.grades", "section %s of unit %s is not graded; a submission grades every non-exempt section", sec.ID, d.UnitID)
		}
	}
	n := len(d.Grades)
	lo, hi := n/3, (n+2)/3
	for t, c := range tiers {
		if c < lo || c > hi {
			return events.Invalid("data.grades", "%d of %d sections in tier %s; each tier must hold %d to %d (R-SUP)",
				c, n, TierNames[t], lo, hi)
		}
	}
	return nil
}

// TierNames are the R-SUP tiers.
var TierNames = [3]string{"excellent", "good", "fair"}

// Tier returns the R-SUP tier of a grade: 0 excellent (4.0-5.0), 1 good
// (3.0-3.9), 2 fair (below 3.0).
func Tier(score float64) int {
	switch {
	case score >= 4-1e-9:
		return 0
	case score >= 3-1e-9:
		return 1
	}
	return 2
}

func (s *State) checkBallot(d *events.BallotCastData, at int64) *events.FieldError {
	x := s.idx
	if s.frozenPos == 0 {
		return events.Invalid("type", "no candidate list is frozen yet")
	}
	if s.facts[s.frozenPos-1].Occurred > at {
		return events.Invalid("occurred_at", "before the candidate list was frozen")
	}
	h, _ := events.ParseHash(d.CredentialHash)
	c, ok := s.credPos[h]
	if !ok || s.facts[c-1].Occurred > at {
		return events.Invalid("data.credential_hash", "unknown credential")
	}
	if x.used[c] != 0 {
		return events.Conflict("data.credential_hash", "this credential has already voted")
	}
	on := make(map[int32]bool, len(s.frozen))
	for _, i := range s.frozen {
		on[i] = true
	}
	for _, l := range []struct {
		f   string
		ids []string
	}{{"data.satisfied", d.Satisfied}, {"data.unsatisfied", d.Unsatisfied}} {
		for k, id := range l.ids {
			i, ok := s.secIdx[id]
			if !ok || !on[i] {
				return events.Invalid(l.f+"["+strconv.Itoa(k)+"]", "section %s is not on the frozen candidate list", id)
			}
			if s.sections[i].ExemptPos != 0 {
				return events.Invalid(l.f+"["+strconv.Itoa(k)+"]", "section %s is exempt (R-EXEMPT)", id)
			}
		}
	}
	return nil
}

// num shows a number in its shortest form (4, 0.6, 2.25).
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
