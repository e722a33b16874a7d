package projections_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
)

// scenario folds hand-written events into a State, each recorded one
// minute after the one before, from 2021-01-01.
type scenario struct {
	t     testing.TB
	st    *projections.State
	head  events.Head
	clock time.Time
}

func newScenario(t testing.TB) *scenario {
	return &scenario{t: t, st: projections.New(), clock: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// try appends one event and returns its id or the validation error.
func (s *scenario) try(typ events.Type, occurred string, data any) (uuid.UUID, *events.FieldError) {
	s.t.Helper()
	d, err := json.Marshal(data)
	require.NoError(s.t, err)
	if len(occurred) == 10 {
		occurred += "T12:00:00+08:00"
	}
	raw := eventstest.Line(typ, occurred, string(d))
	ev, ferr := events.Decode([]byte(raw), events.DecodeOptions{})
	if ferr != nil {
		return uuid.Nil, ferr
	}
	s.clock = s.clock.Add(time.Minute)
	r, _ := events.Seal(s.head, ev, s.clock, nil)
	s.st.Begin()
	if ferr := s.st.Add(r, ev.Body, true); ferr != nil {
		s.st.Rollback()
		return uuid.Nil, ferr
	}
	s.st.Commit()
	s.head = r.Head()
	return r.ID, nil
}

func (s *scenario) add(typ events.Type, occurred string, data any) uuid.UUID {
	s.t.Helper()
	id, err := s.try(typ, occurred, data)
	require.Nil(s.t, err, "%s: %v", typ, err)
	return id
}

func (s *scenario) refuse(field string, typ events.Type, occurred string, data any) *events.FieldError {
	s.t.Helper()
	_, err := s.try(typ, occurred, data)
	require.NotNil(s.t, err, "accepted a bad %s", typ)
	require.Equal(s.t, field, err.Field, "%v", err)
	return err
}

func (s *scenario) unit(id string) {
	s.add(events.UnitRegistered, "2020-12-01", map[string]any{"unit_id": id, "name": "unit " + id})
}

func (s *scenario) section(id, unit string) {
	s.add(events.SectionRegistered, "2020-12-01", map[string]any{"section_id": id, "unit_id": unit, "name": "section " + id, "enforcement": false})
}

func (s *scenario) votes(sec, round string, sat, basic, unsat int) {
	n := 0
	for _, c := range []struct {
		rating string
		k      int
	}{{"satisfied", sat}, {"basic", basic}, {"unsatisfied", unsat}} {
		for i := 0; i < c.k; i++ {
			n++
			s.add(events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": sec, "round": round,
				"respondent": fmt.Sprintf("r-%s-%s-x%dx", sec, round, n), "rating": c.rating})
		}
	}
}

// now is the latest knowledge; asOf a date of the window.
func (s *scenario) standings(asOf string) *projections.Standings {
	a, err := events.ParseBound(asOf)
	require.NoError(s.t, err)
	return s.st.Standings(projections.View{AsOf: a, KnownAt: s.clock})
}

func (s *scenario) knownAt(asOf string, known time.Time) *projections.Standings {
	a, err := events.ParseBound(asOf)
	require.NoError(s.t, err)
	return s.st.Standings(projections.View{AsOf: a, KnownAt: known})
}

func row(t *testing.T, st *projections.Standings, id string) projections.Row {
	t.Helper()
	for _, r := range st.Sections {
		if r.SectionID == id {
			return r
		}
	}
	t.Fatalf("no row for %s", id)
	return projections.Row{}
}

func near(t *testing.T, want float64, got *float64, what string) {
	t.Helper()
	require.NotNil(t, got, "%s is null", what)
	require.InDelta(t, want, *got, 1e-9, what)
}

const end = "2021-11-30"

func TestServiceSmallSamplesAndPendingRounds(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	for _, id := range []string{"A", "B", "C", "X"} {
		s.section(id, "U1")
	}
	s.add(events.SectionExempted, "2020-12-01", map[string]any{"section_id": "X", "reason": "满意 2019, 2020"})
	s.votes("A", "H1", 20, 5, 5) // 30 votes: raw = (20 + 0.6*5)/30*25 = 23/30*25 = 19.1666…
	s.votes("B", "H1", 1, 0, 1)  // 2 votes: raw = 1/2*25 = 12.5
	// C has no H1 vote; nobody has an H2 vote: H2 is pending.
	st := s.standings(end)
	a, b, c := row(t, st, "A"), row(t, st, "B"), row(t, st, "C")
	// avg = (19.1666… + 12.5) / 2 = 15.8333…
	near(t, 23.0/30*25, a.Service.H1, "A h1 (n = 30: raw)")
	near(t, 15.833333333333334*0.7+12.5*0.3, b.Service.H1, "B h1 = avg*0.7 + raw*0.3 = 14.8333…")
	near(t, 15.833333333333334, c.Service.H1, "C h1 = avg")
	require.Nil(t, a.Service.H2, "H2 is pending")
	near(t, 23.0/30*25, a.Service.Score, "A service score = h1 + pending 0")
	require.Equal(t, 30, a.Service.VotesH1)
	require.Equal(t, 0, c.Service.VotesH1)
	// daily = 19.1666… + hotline 5 + qr 5 + supervisor pending 0 + inspection 20
	near(t, 23.0/30*25+30, a.DailyTotal, "A daily total")
	x := row(t, st, "X")
	require.True(t, x.Exempt)
	require.Nil(t, x.Service)
	require.Nil(t, x.Total)
	require.Nil(t, x.Rank)
	require.False(t, x.Candidate)
	// Before any vote both rounds are pending: both parts are null and the
	// score, a total, counts them 0.
	early := s.standings("2021-05-01")
	require.Nil(t, row(t, early, "A").Service.H1)
	require.Nil(t, row(t, early, "A").Service.H2)
	near(t, 0, row(t, early, "A").Service.Score, "service score with both rounds pending")
	near(t, 30, row(t, early, "A").DailyTotal, "daily total with service pending = 5 + 5 + 20")
	// An exempt section takes no vote.
	s.refuse("data.section_id", events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "X", "round": "H1", "respondent": "r-abcd", "rating": "basic"})
	// One respondent, one vote per section and round.
	s.refuse("data.respondent", events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "A", "round": "H1", "respondent": "r-A-H1-x1x", "rating": "basic"})
	s.add(events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "A", "round": "H2", "respondent": "r-A-H1-x1x", "rating": "basic"})
}

func TestHotlinePoolsAssistAndFloor(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.section("B", "U1")
	hot := func(sec, item string, pts int, role string) uuid.UUID {
		return s.add(events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": sec, "item": item, "points": pts, "role": role})
	}
	hot("A", "conduct", 5, "lead")
	hot("A", "conduct", 4, "assist")          // half: 2
	hot("A", "shirking", 2, "lead")           // handling
	hot("A", "urgent_unhandled", 5, "assist") // half: 2.5
	hot("A", "poor_handling", 5, "lead")
	for i := 0; i < 3; i++ {
		hot("B", "conduct", 5, "lead") // 15 off a pool of 10: floored at 0
	}
	st := s.standings(end)
	// A: conduct 10 - (5 + 2) = 3; handling 90 - (2 + 2.5 + 5) = 80.5; (3 + 80.5)/100*5 = 4.175
	near(t, 4.175, row(t, st, "A").Hotline, "A hotline")
	// B: conduct max(0, 10 - 15) = 0; handling 90: 90/100*5 = 4.5
	near(t, 4.5, row(t, st, "B").Hotline, "B hotline")
	s.refuse("data.points", events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": "A", "item": "late_feedback", "points": 2, "role": "lead"})
}

func TestQRSupervisorInspectionBonus(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.unit("U2")
	for _, id := range []string{"A", "B", "C"} {
		s.section(id, "U1")
	}
	s.section("D", "U2")
	for i := 0; i < 6; i++ {
		s.add(events.OnlineComplaintVerified, "2021-04-01", map[string]any{"section_id": "A"})
	}
	s.add(events.OnlineComplaintVerified, "2021-04-01", map[string]any{"section_id": "B"})
	s.add(events.OnlineComplaintVerified, "2021-04-01", map[string]any{"section_id": "B"})

	// R-SUP: three sections, at most one per tier.
	grades := func(a, b, c float64) map[string]any {
		return map[string]any{"unit_id": "U1", "grades": []map[string]any{
			{"section_id": "A", "score": a}, {"section_id": "B", "score": b}, {"section_id": "C", "score": c}}}
	}
	s.refuse("data.grades", events.SupervisorGradesSubmitted, "2021-11-05", grades(4.5, 4.0, 1.0))
	s.refuse("data.grades", events.SupervisorGradesSubmitted, "2021-11-05", map[string]any{"unit_id": "U1",
		"grades": []map[string]any{{"section_id": "A", "score": 4.5}, {"section_id": "B", "score": 3.5}}})
	s.refuse("data.grades[2].section_id", events.SupervisorGradesSubmitted, "2021-11-05", map[string]any{"unit_id": "U1",
		"grades": []map[string]any{{"section_id": "A", "score": 4.5}, {"section_id": "B", "score": 3.5}, {"section_id": "D", "score": 1}}})
	s.add(events.SupervisorGradesSubmitted, "2021-11-05", grades(4.5, 3.2, 1.0))
	s.add(events.SupervisorGradesSubmitted, "2021-11-08", grades(2.9, 4.1, 3.0)) // replaces

	// R-INS: A loses 1 + 4 + 2 + 10 + 1.5 + 2 = 20.5 of 20; C loses 2 + 2 = 4.
	s.add(events.InspectionFinding, "2021-05-01", map[string]any{"section_id": "A", "level": "county", "serious": false})
	s.add(events.InspectionFinding, "2021-05-01", map[string]any{"section_id": "A", "level": "city", "serious": true})
	s.add(events.ComplaintSubstantiated, "2021-05-01", map[string]any{"section_id": "A", "serious": true})
	s.add(events.DisciplinaryCaseFiled, "2021-05-01", map[string]any{"section_id": "A", "subject": "deputy", "violation": "current_year"})
	s.add(events.DiscretionaryDeduction, "2021-05-01", map[string]any{"section_id": "A", "points": 1.5, "reason": "迟报"})
	s.add(events.UnitDeduction, "2021-05-01", map[string]any{"unit_id": "U1", "points": 2, "reason": "应报未报"})
	s.add(events.InspectionFinding, "2021-05-01", map[string]any{"section_id": "C", "level": "county", "serious": true})
	s.add(events.DisciplinaryCaseFiled, "2021-05-01", map[string]any{"section_id": "C", "subject": "staff", "violation": "earlier_year"})

	// R-BON: A: national 5 + municipal 1 of the same deed = 5 (once, highest);
	// B: provincial 3 + central media 3 = 6, capped at 5; C: municipal media
	// 0.5 twice for one matter = 0.5.
	s.add(events.CommendationAwarded, "2021-06-01", map[string]any{"section_id": "A", "level": "municipal", "deed_id": "D1"})
	s.add(events.CommendationAwarded, "2021-07-01", map[string]any{"section_id": "A", "level": "national", "deed_id": "D1"})
	s.add(events.CommendationAwarded, "2021-06-01", map[string]any{"section_id": "B", "level": "provincial", "deed_id": "D2"})
	s.add(events.MediaCoverageRecorded, "2021-06-01", map[string]any{"section_id": "B", "level": "central", "matter_id": "M1"})
	s.add(events.MediaCoverageRecorded, "2021-06-01", map[string]any{"section_id": "C", "level": "municipal", "matter_id": "M2"})
	s.add(events.MediaCoverageRecorded, "2021-06-02", map[string]any{"section_id": "C", "level": "municipal", "matter_id": "M2"})

	st := s.standings(end)
	a, b, c, d := row(t, st, "A"), row(t, st, "B"), row(t, st, "C"), row(t, st, "D")
	near(t, 0, a.QR, "A qr = max(0, 5 - 6)")
	near(t, 3, b.QR, "B qr = 5 - 2")
	near(t, 2.9, a.Supervisor, "A grade of the later submission")
	near(t, 4.1, b.Supervisor, "B grade")
	require.Nil(t, d.Supervisor, "U2 submitted nothing: pending")
	near(t, 0, a.Inspection, "A inspection = max(0, 20 - 20.5)")
	near(t, 14, c.Inspection, "C inspection = 20 - (2 + 2) - unit 2")
	near(t, 18, b.Inspection, "B inspection = 20 - unit 2")
	near(t, 20, d.Inspection, "D inspection: other unit")
	near(t, 5, a.Bonus, "A bonus")
	near(t, 5, b.Bonus, "B bonus capped")
	near(t, 0.5, c.Bonus, "C bonus")
	// A: service pending 0 + hotline 5 + qr 0 + supervisor 2.9 + inspection 0 = 7.9; total 7.9 + 5
	near(t, 7.9, a.DailyTotal, "A daily")
	near(t, 12.9, a.Total, "A total")
	// As of 2021-11-06 the first submission is in force.
	early := s.standings("2021-11-06")
	near(t, 4.5, row(t, early, "A").Supervisor, "A grade on 11-06")
	// As of 2021-06-15 only the municipal commendation of D1 has happened.
	near(t, 1, row(t, s.standings("2021-06-15"), "A").Bonus, "A bonus on 06-15")
}

// TestCorrectionsAreBitemporal: a correction acts from its target's
// occurred_at, but only in views that know it.
func TestCorrectionsAreBitemporal(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.section("B", "U1")
	find := s.add(events.InspectionFinding, "2021-03-01", map[string]any{"section_id": "A", "level": "city", "serious": false}) // -2
	afterFinding := s.clock
	case1 := s.add(events.DisciplinaryCaseFiled, "2021-03-02", map[string]any{"section_id": "A", "subject": "staff", "violation": "current_year"}) // -5
	ded := s.add(events.UnitDeduction, "2021-03-03", map[string]any{"unit_id": "U1", "points": 3, "reason": "应报未报"})
	vote := s.add(events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "B", "round": "H1", "respondent": "r-bbbb", "rating": "unsatisfied"})

	s.add(events.EventRetracted, "2021-10-01", map[string]any{"target_id": find.String(), "reason": "wrong section"})
	afterRetraction := s.clock
	s.add(events.DeductionContested, "2021-10-02", map[string]any{"target_id": case1.String(), "section_id": "A", "grounds": "not ours"})
	contested := s.clock
	s.add(events.ContestResolved, "2021-10-20", map[string]any{"target_id": case1.String(), "outcome": "reduced", "points": 2})
	s.add(events.DeductionContested, "2021-10-21", map[string]any{"target_id": ded.String(), "section_id": "B", "grounds": "reported"})
	s.add(events.ContestResolved, "2021-10-22", map[string]any{"target_id": ded.String(), "outcome": "overturned"})

	// Known before the retraction: 20 - 2 - 5 - 3 = 10, even as of March.
	near(t, 10, row(t, s.knownAt("2021-03-31", afterRetraction.Add(-time.Second)), "A").Inspection, "A before the retraction was known")
	// Known after: as of March already, the finding is gone: 20 - 5 - 3 = 12.
	near(t, 12, row(t, s.knownAt("2021-03-31", afterRetraction), "A").Inspection, "A after the retraction")
	// Contested: still counted.
	near(t, 12, row(t, s.knownAt(end, contested), "A").Inspection, "A while contested")
	// Now: case reduced to 2, unit deduction overturned: 20 - 2 = 18.
	near(t, 18, row(t, s.standings(end), "A").Inspection, "A now")
	near(t, 20, row(t, s.standings(end), "B").Inspection, "B now: unit deduction overturned")
	// Known at the first minute: only the finding.
	near(t, 18, row(t, s.knownAt(end, afterFinding), "A").Inspection, "A knowing only the finding")

	// Corrections are refused where events.md says so.
	s.refuse("data.target_id", events.EventRetracted, "2021-10-01", map[string]any{"target_id": find.String(), "reason": "again"})
	s.refuse("data.target_id", events.DeductionContested, "2021-10-01", map[string]any{"target_id": vote.String(), "section_id": "B", "grounds": "a vote"})
	s.refuse("data.target_id", events.DeductionContested, "2021-10-01", map[string]any{"target_id": find.String(), "section_id": "A", "grounds": "retracted"})
	s.refuse("data.target_id", events.ContestResolved, "2021-10-01", map[string]any{"target_id": case1.String(), "outcome": "upheld"})
	s.add(events.DeductionContested, "2021-10-25", map[string]any{"target_id": case1.String(), "section_id": "A", "grounds": "again"})
	s.refuse("data.target_id", events.DeductionContested, "2021-10-25", map[string]any{"target_id": case1.String(), "section_id": "A", "grounds": "twice"})
	s.refuse("data.points", events.ContestResolved, "2021-10-26", map[string]any{"target_id": case1.String(), "outcome": "reduced", "points": 5})

	// A retracted vote frees its respondent to vote again.
	s.refuse("data.respondent", events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "B", "round": "H1", "respondent": "r-bbbb", "rating": "satisfied"})
	s.add(events.EventRetracted, "2021-06-02", map[string]any{"target_id": vote.String(), "reason": "typo"})
	s.add(events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "B", "round": "H1", "respondent": "r-bbbb", "rating": "satisfied"})
	near(t, 25, row(t, s.standings(end), "B").Service.H1, "B h1 after the vote was fixed")
}

// section k of 22 loses 0.25*k: daily = 5 + 5 + 20 - 0.25k = 30 - 0.25k.
func rankedScenario(t testing.TB) *scenario {
	s := newScenario(t)
	s.unit("U1")
	s.unit("U2")
	for k := 0; k < 22; k++ {
		u := "U1"
		if k >= 11 {
			u = "U2"
		}
		s.section(fmt.Sprintf("S%02d", k), u)
		if k > 0 {
			s.add(events.DiscretionaryDeduction, "2021-05-01", map[string]any{"section_id": fmt.Sprintf("S%02d", k), "points": 0.25 * float64(k), "reason": "x"})
		}
	}
	return s
}

func TestOnlineRankAndOutcome(t *testing.T) {
	s := rankedScenario(t)
	st := s.standings(end)
	require.False(t, st.CandidatesFrozen)
	require.Len(t, st.Candidates, 22, "fewer than 100 others: all are candidates")
	require.Nil(t, st.Outcome, "no outcome before a list is frozen")
	require.Equal(t, 1, *row(t, st, "S00").Rank)
	require.Equal(t, 22, *row(t, st, "S21").Rank)

	var ids []string
	for k := 0; k < 22; k++ {
		ids = append(ids, fmt.Sprintf("S%02d", k))
	}
	s.add(events.OnlineCandidatesFrozen, "2021-11-15", map[string]any{"section_ids": ids})
	s.refuse("type", events.OnlineCandidatesFrozen, "2021-11-15", map[string]any{"section_ids": ids})
	s.add(events.VoterCredentialIssued, "2021-11-15", map[string]any{"credential_key": events.CredentialKey("code-one"), "group": "recipient"})
	s.add(events.VoterCredentialIssued, "2021-11-15", map[string]any{"credential_key": events.CredentialKey("code-two"), "group": "representative"})
	// Both ballots mark S21 satisfied; S00 unsatisfied once; S01 unmarked.
	sat1 := []string{"S21", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10"}
	uns1 := []string{"S00", "S11", "S12", "S13", "S14", "S15", "S16", "S17", "S18", "S19"}
	sat2 := []string{"S21", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S20"}
	uns2 := []string{"S10", "S11", "S12", "S13", "S14", "S15", "S16", "S17", "S18", "S19"}
	s.add(events.BallotCast, "2021-11-20", ballot("code-one", sat1, uns1))
	s.refuse("data.credential_key", events.BallotCast, "2021-11-20", ballot("code-one", sat2, uns2))
	s.refuse("data.credential_key", events.BallotCast, "2021-11-20", ballot("nope", sat2, uns2))
	s.add(events.BallotCast, "2021-11-20", ballot("code-two", sat2, uns2))

	st = s.standings(end)
	require.True(t, st.CandidatesFrozen)
	s21, s00, s01 := row(t, st, "S21"), row(t, st, "S00"), row(t, st, "S01")
	near(t, 15, s21.Online, "S21: (2 + 0)/2 * 15")
	near(t, 4.5, s00.Online, "S00: (0 + 0.6*1 + 0)/2 * 15")
	near(t, 9, s01.Online, "S01: (0.6*2)/2 * 15")
	require.Equal(t, 2, *s21.OnlineBallots)
	// Totals (daily 30 - 0.25k plus online):
	//   S02..S09 marked satisfied twice: 15, total 45 - 0.25k (S02 44.5 … S09 42.75)
	//   S21: 24.75 + 15 = 39.75; S01: 29.75 + 9 = 38.75; S20: 25 + (0.6+1)/2*15 = 37
	//   S10: 27.5 + (1+0)/2*15 = 35; S00: 30 + 4.5 = 34.5
	//   S11..S19 marked unsatisfied twice: 30 - 0.25k (S11 27.25 … S19 25.25)
	near(t, 39.75, s21.Total, "S21 total")
	near(t, 34.5, s00.Total, "S00 total")
	near(t, 38.75, s01.Total, "S01 total")
	near(t, 37, row(t, st, "S20").Total, "S20 total")
	near(t, 35, row(t, st, "S10").Total, "S10 total")
	require.Equal(t, 9, *s21.Rank)
	require.Equal(t, 13, *s00.Rank)
	require.Equal(t, 1, st.OnlineVoters.Recipient)
	require.Equal(t, 1, st.OnlineVoters.Representative)
	o := st.Outcome
	require.NotNil(t, o)
	require.Equal(t, []string{"S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S21", "S01"}, o.Satisfied)
	require.Equal(t, []string{"S00", "S11", "S12", "S13", "S14", "S15", "S16", "S17", "S18", "S19"}, o.Unsatisfied)
	require.Equal(t, []string{"S17", "S18", "S19"}, o.MostUnsatisfied)
	require.Equal(t, []string{"S02", "S03", "S04"}, o.Top3)
	// U1 (S00-S10): 9 satisfied * 5 - S00 5 = 40; U2 (S11-S21): S21 5 - 6*5 - 3*10 = -55.
	require.Equal(t, []projections.UnitAdjustment{{UnitID: "U1", Adjustment: 40}, {UnitID: "U2", Adjustment: -55}}, o.Units)
}

func TestPreviewTopAndBottomFifty(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	for k := 0; k < 106; k++ {
		id := fmt.Sprintf("S%03d", k)
		s.section(id, "U1")
		if k > 0 {
			s.add(events.DiscretionaryDeduction, "2021-05-01", map[string]any{"section_id": id, "points": float64(k) / 10, "reason": "x"})
		}
	}
	s.add(events.PriorYearUnsatisfiedMarked, "2020-12-01", map[string]any{"section_id": "S050"})
	st := s.standings(end)
	// 105 others: top 50 (S000-S049 but S050 is prior) … the middle 5 are out.
	require.Len(t, st.Candidates, 101)
	for _, out := range []string{"S051", "S052", "S053", "S054", "S055"} {
		require.NotContains(t, st.Candidates, out)
		require.False(t, row(t, st, out).Candidate)
	}
	require.Contains(t, st.Candidates, "S050")
	require.Contains(t, st.Candidates, "S056")
	require.Contains(t, st.Candidates, "S105")
}

func TestRegistryRules(t *testing.T) {
	s := newScenario(t)
	s.refuse("data.unit_id", events.SectionRegistered, "2020-12-01", map[string]any{"section_id": "A", "unit_id": "U9", "name": "x", "enforcement": false})
	s.add(events.UnitRegistered, "2021-02-01", map[string]any{"unit_id": "U1", "name": "u"})
	s.refuse("data.unit_id", events.UnitRegistered, "2021-02-01", map[string]any{"unit_id": "U1", "name": "u"})
	// A section cannot be registered before its unit's occurred_at.
	s.refuse("data.unit_id", events.SectionRegistered, "2021-01-01", map[string]any{"section_id": "A", "unit_id": "U1", "name": "x", "enforcement": false})
	s.add(events.SectionRegistered, "2021-06-10", map[string]any{"section_id": "L", "unit_id": "U1", "name": "late", "enforcement": false, "late_reported": true})
	s.refuse("data.section_id", events.HotlineVerdict, "2021-06-01", map[string]any{"section_id": "L", "item": "conduct", "points": 3, "role": "lead"})
	s.add(events.UnitDeduction, "2021-03-01", map[string]any{"unit_id": "U1", "points": 2, "reason": "应报未报"})
	// R-UNREP: the late section is registered in the replayed state, so the
	// unit deduction dated before it still applies to it.
	near(t, 18, row(t, s.standings(end), "L").Inspection, "late section: 20 - 2")
	require.Empty(t, s.standings("2021-06-01").Sections, "not registered yet on 06-01")
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("P%d", i)
		s.add(events.SectionRegistered, "2021-06-10", map[string]any{"section_id": id, "unit_id": "U1", "name": id, "enforcement": false})
		s.add(events.PriorYearUnsatisfiedMarked, "2021-06-10", map[string]any{"section_id": id})
	}
	err := s.refuse("data.section_id", events.PriorYearUnsatisfiedMarked, "2021-06-10", map[string]any{"section_id": "L"})
	require.Contains(t, err.Reason, "already 10 prior-year unsatisfied sections")
}

func TestReplayIsDeterministic(t *testing.T) {
	s := rankedScenario(t)
	a, _ := json.Marshal(s.standings(end))
	b, _ := json.Marshal(s.standings(end))
	require.Equal(t, string(a), string(b))
	// A checkpoint round trip answers the same.
	st2, err := projections.DecodeCheckpoint(projections.EncodeCheckpoint(s.st))
	require.NoError(t, err)
	c, _ := json.Marshal(st2.Standings(projections.View{AsOf: events.WindowEnd, KnownAt: s.clock}))
	require.Equal(t, string(a), string(c))
}

// R-RANK tie-breaks: equal totals go by daily_total, then section_id.
func TestRankTieBreaks(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	for _, id := range []string{"C", "B", "A"} {
		s.section(id, "U1")
	}
	// B: daily 30 - 1 = 29, bonus 1: total 30; A and C: daily 30, total 30.
	s.add(events.DiscretionaryDeduction, "2021-05-01", map[string]any{"section_id": "B", "points": 1, "reason": "x"})
	s.add(events.CommendationAwarded, "2021-05-01", map[string]any{"section_id": "B", "level": "municipal", "deed_id": "D"})
	st := s.standings(end)
	near(t, 30, row(t, st, "B").Total, "B total = 29 + 1")
	require.Equal(t, 1, *row(t, st, "A").Rank) // total 30, daily 30, "A" < "C"
	require.Equal(t, 2, *row(t, st, "C").Rank)
	require.Equal(t, 3, *row(t, st, "B").Rank) // total 30, daily 29
}

// A refused batch leaves no trace in the uniqueness indexes: its vote,
// credential and id can all be appended afterwards.
func TestRollbackForgetsTheBatch(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	mk := func(typ events.Type, data string, id uuid.UUID) (*events.Record, events.Data) {
		ev := eventstest.Event(t, eventstest.Line(typ, "2021-11-20T10:00:00+08:00", data, eventstest.WithActor("t")))
		ev.ID = id
		r, _ := events.Seal(s.st.Head, ev, s.clock, nil)
		return r, ev.Body
	}
	vote := `{"section_id":"A","round":"H2","respondent":"r-abcd","rating":"basic"}`
	cred := eventstest.CredentialData("c", "recipient")
	id1, id2 := uuid.New(), uuid.New()
	for attempt := 0; attempt < 2; attempt++ {
		s.st.Begin()
		r, b := mk(events.ServiceVoteRecorded, vote, id1)
		require.Nil(t, s.st.Add(r, b, true))
		r, b = mk(events.VoterCredentialIssued, cred, id2)
		require.Nil(t, s.st.Add(r, b, true))
		if attempt == 0 {
			s.st.Rollback()
			_, ok := s.st.Lookup(id1)
			require.False(t, ok)
			continue
		}
		s.st.Commit()
	}
	require.Equal(t, int64(4), s.st.Len()) // unit, section, vote, credential
	s.head = s.st.Head
	s.refuse("data.respondent", events.ServiceVoteRecorded, "2021-11-20", map[string]any{"section_id": "A", "round": "H2", "respondent": "r-abcd", "rating": "basic"})
}

// TestEveryFactValue: one fact on a fresh section, and the component it
// moves, for every value in the tables of rules.md.
func TestEveryFactValue(t *testing.T) {
	cases := []struct {
		name      string
		typ       events.Type
		data      map[string]any
		component string
		want      float64 // worked by hand, in the comment
	}{
		// R-HOT: (conduct + handling) / 100 * 5
		{"conduct 3 lead", events.HotlineVerdict, map[string]any{"item": "conduct", "points": 3, "role": "lead"}, "hotline", 4.85},      // (7 + 90)/100*5
		{"conduct 5 assist", events.HotlineVerdict, map[string]any{"item": "conduct", "points": 5, "role": "assist"}, "hotline", 4.875}, // (7.5 + 90)/100*5
		{"late_feedback", events.HotlineVerdict, map[string]any{"item": "late_feedback", "points": 1, "role": "lead"}, "hotline", 4.95}, // (10 + 89)/100*5
		{"contact_outdated", events.HotlineVerdict, map[string]any{"item": "contact_outdated", "points": 1, "role": "lead"}, "hotline", 4.95},
		{"shirking", events.HotlineVerdict, map[string]any{"item": "shirking", "points": 2, "role": "lead"}, "hotline", 4.9},             // (10 + 88)/100*5
		{"poor_handling 4", events.HotlineVerdict, map[string]any{"item": "poor_handling", "points": 4, "role": "lead"}, "hotline", 4.8}, // (10 + 86)/100*5
		{"urgent_unhandled", events.HotlineVerdict, map[string]any{"item": "urgent_unhandled", "points": 5, "role": "lead"}, "hotline", 4.75},
		// R-QR
		{"qr", events.OnlineComplaintVerified, map[string]any{}, "qr", 4}, // 5 - 1
		// R-INS-FIND, R-INS-CPL: 20 - deduction
		{"county finding", events.InspectionFinding, map[string]any{"level": "county", "serious": false}, "inspection", 19},
		{"county finding, serious", events.InspectionFinding, map[string]any{"level": "county", "serious": true}, "inspection", 18},
		{"city finding", events.InspectionFinding, map[string]any{"level": "city", "serious": false}, "inspection", 18},
		{"city finding, serious", events.InspectionFinding, map[string]any{"level": "city", "serious": true}, "inspection", 16},
		{"complaint", events.ComplaintSubstantiated, map[string]any{"serious": false}, "inspection", 19},
		{"complaint, serious", events.ComplaintSubstantiated, map[string]any{"serious": true}, "inspection", 18},
		// R-INS-CASE: this year head 20 / deputy 10 / staff 5 / collective 20; earlier 6 / 4 / 2 / 10
		{"case head, this year", events.DisciplinaryCaseFiled, map[string]any{"subject": "head", "violation": "current_year"}, "inspection", 0},
		{"case deputy, this year", events.DisciplinaryCaseFiled, map[string]any{"subject": "deputy", "violation": "current_year"}, "inspection", 10},
		{"case staff, this year", events.DisciplinaryCaseFiled, map[string]any{"subject": "staff", "violation": "current_year"}, "inspection", 15},
		{"case collective, this year", events.DisciplinaryCaseFiled, map[string]any{"subject": "collective", "violation": "current_year"}, "inspection", 0},
		{"case head, earlier", events.DisciplinaryCaseFiled, map[string]any{"subject": "head", "violation": "earlier_year"}, "inspection", 14},
		{"case deputy, earlier", events.DisciplinaryCaseFiled, map[string]any{"subject": "deputy", "violation": "earlier_year"}, "inspection", 16},
		{"case staff, earlier", events.DisciplinaryCaseFiled, map[string]any{"subject": "staff", "violation": "earlier_year"}, "inspection", 18},
		{"case collective, earlier", events.DisciplinaryCaseFiled, map[string]any{"subject": "collective", "violation": "earlier_year"}, "inspection", 10},
		// R-DISC
		{"discretionary 2.25", events.DiscretionaryDeduction, map[string]any{"points": 2.25, "reason": "迟报"}, "inspection", 17.75},
		// R-BON-COM, R-BON-MED
		{"commendation national", events.CommendationAwarded, map[string]any{"level": "national", "deed_id": "D"}, "bonus", 5},
		{"commendation provincial", events.CommendationAwarded, map[string]any{"level": "provincial", "deed_id": "D"}, "bonus", 3},
		{"commendation municipal", events.CommendationAwarded, map[string]any{"level": "municipal", "deed_id": "D"}, "bonus", 1},
		{"media central", events.MediaCoverageRecorded, map[string]any{"level": "central", "matter_id": "M"}, "bonus", 3},
		{"media provincial", events.MediaCoverageRecorded, map[string]any{"level": "provincial", "matter_id": "M"}, "bonus", 2},
		{"media municipal", events.MediaCoverageRecorded, map[string]any{"level": "municipal", "matter_id": "M"}, "bonus", 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario(t)
			s.unit("U1")
			s.section("A", "U1")
			c.data["section_id"] = "A"
			s.add(c.typ, "2021-05-01", c.data)
			r := row(t, s.standings(end), "A")
			got := map[string]*float64{"hotline": r.Hotline, "qr": r.QR, "inspection": r.Inspection, "bonus": r.Bonus}[c.component]
			near(t, c.want, got, c.component)
		})
	}
}

// ballot is a BallotCast's data, signed with code's key.
func ballot(code string, sat, unsat []string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(eventstest.BallotData(code, sat, unsat)), &m); err != nil {
		panic(err)
	}
	return m
}
