package projections_test

import (
	"encoding/json"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
)

func TestExplainTrail(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.section("B", "U1")
	s.add(events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "A", "round": "H1", "respondent": "r-secret-pseudonym", "rating": "basic"})
	hot := s.add(events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": "A", "item": "conduct", "points": 4, "role": "assist"})
	find := s.add(events.InspectionFinding, "2021-03-01", map[string]any{"section_id": "A", "level": "city", "serious": true})
	qr := s.add(events.OnlineComplaintVerified, "2021-03-01", map[string]any{"section_id": "A"})
	s.add(events.UnitDeduction, "2021-03-01", map[string]any{"unit_id": "U1", "points": 1.5, "reason": "应报未报"})
	s.add(events.CommendationAwarded, "2021-04-01", map[string]any{"section_id": "A", "level": "provincial", "deed_id": "D1"})
	s.add(events.CommendationAwarded, "2021-04-02", map[string]any{"section_id": "A", "level": "municipal", "deed_id": "D1"})
	s.add(events.MediaCoverageRecorded, "2021-04-03", map[string]any{"section_id": "A", "level": "central", "matter_id": "M1"})
	s.add(events.CommendationAwarded, "2021-04-04", map[string]any{"section_id": "A", "level": "municipal", "deed_id": "D2"})
	s.add(events.EventRetracted, "2021-10-01", map[string]any{"target_id": qr.String(), "reason": "wrong"})
	s.add(events.DeductionContested, "2021-10-01", map[string]any{"target_id": find.String(), "section_id": "A", "grounds": "g"})
	s.add(events.ContestResolved, "2021-10-02", map[string]any{"target_id": find.String(), "outcome": "reduced", "points": 1})
	s.add(events.DeductionContested, "2021-10-03", map[string]any{"target_id": hot.String(), "section_id": "A", "grounds": "g"})
	s.add(events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": "B", "item": "conduct", "points": 5, "role": "lead"})

	e, err := s.st.Explain("A", projections.View{AsOf: events.WindowEnd, KnownAt: s.clock})
	require.NoError(t, err)
	type want struct {
		typ, component, clause, status string
		points                         float64
	}
	var got []want
	for _, x := range e.Entries {
		got = append(got, want{x.Type, x.Component, x.Clause, x.Status, x.Points})
	}
	require.Equal(t, []want{
		{"SectionRegistered", "roster", "R-ROSTER", "counted", 0},
		{"ServiceVoteRecorded", "service", "R-SVC-SMALL", "counted", 0.6},
		{"HotlineVerdict", "hotline", "R-HOT", "contested", -2}, // assist: half of 4
		{"InspectionFinding", "inspection", "R-INS-FIND", "reduced", -1},
		{"OnlineComplaintVerified", "qr", "R-QR", "retracted", -1}, // its own points; the status says they do not count
		{"UnitDeduction", "inspection", "R-UNREP", "counted", -1.5},
		{"CommendationAwarded", "bonus", "R-BON-COM", "counted", 3},
		{"CommendationAwarded", "bonus", "R-BON-COM", "not_counted", 1}, // same deed
		{"MediaCoverageRecorded", "bonus", "R-BON-MED", "counted", 3},   // 3 + 3 = 6: 2 of it within the cap
		{"CommendationAwarded", "bonus", "R-BON-COM", "not_counted", 1}, // above the cap
		{"EventRetracted", "qr", "R-FIX", "counted", 0},
		{"DeductionContested", "inspection", "R-FIX", "counted", 0},
		{"ContestResolved", "inspection", "R-FIX", "counted", 0},
		{"DeductionContested", "hotline", "R-FIX", "counted", 0},
	}, got)
	// Component totals: hotline (8 + 90)/100*5 = 4.9 while contested;
	// inspection 20 - 1 (reduced from 4) - 1.5 = 17.5; qr 5; bonus min(5, 6) = 5.
	near(t, 4.9, e.Hotline, "hotline")
	near(t, 17.5, e.Inspection, "inspection")
	near(t, 5, e.QR, "qr")
	near(t, 5, e.Bonus, "bonus")
	require.Contains(t, e.Entries[3].Note, "reduced from -4")
	raw, _ := json.Marshal(e)
	require.NotContains(t, string(raw), "r-secret-pseudonym")

	_, err = s.st.Explain("Z", projections.View{AsOf: events.WindowEnd, KnownAt: s.clock})
	require.ErrorIs(t, err, events.ErrNotFound)
}

// An exempt section has no score (R-EXEMPT): the facts recorded about it
// before the exemption are shown not counted, saying why, whatever their
// own status; its registry entries and a correction keep theirs.
func TestExplainExemptSectionCountsNothing(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.section("B", "U1")
	s.add(events.ServiceVoteRecorded, "2021-06-01", map[string]any{"section_id": "A", "round": "H1", "respondent": "r-0001", "rating": "basic"})
	hot := s.add(events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": "A", "item": "conduct", "points": 4, "role": "lead"})
	qr := s.add(events.OnlineComplaintVerified, "2021-03-01", map[string]any{"section_id": "A"})
	s.add(events.CommendationAwarded, "2021-04-01", map[string]any{"section_id": "A", "level": "national", "deed_id": "D1"})
	s.add(events.EventRetracted, "2021-05-01", map[string]any{"target_id": qr.String(), "reason": "wrong"})
	s.add(events.DeductionContested, "2021-05-01", map[string]any{"target_id": hot.String(), "section_id": "A", "grounds": "g"})
	s.add(events.PriorYearUnsatisfiedMarked, "2020-12-01", map[string]any{"section_id": "A"})
	s.add(events.SectionExempted, "2021-06-01", map[string]any{"section_id": "A", "reason": "2019、2020年度满意单位"})

	for _, votes := range []bool{true, false} {
		explain := s.st.ExplainCounted
		if votes {
			explain = s.st.Explain
		}
		e, err := explain("A", projections.View{AsOf: events.WindowEnd, KnownAt: s.clock})
		require.NoError(t, err)
		require.True(t, e.Exempt)
		require.Nil(t, e.Total)
		type want struct{ typ, status string }
		var got []want
		for _, x := range e.Entries {
			got = append(got, want{x.Type, x.Status})
			if x.Status == "not_counted" && (votes || !x.Summarised()) {
				require.Contains(t, x.Note, "not counted: the section is exempt (免评, R-EXEMPT)", x.Type)
			}
		}
		require.Equal(t, []want{
			{"SectionRegistered", "counted"},
			{"ServiceVoteRecorded", "not_counted"},
			{"HotlineVerdict", "not_counted"}, // contested, and not counted at all
			{"OnlineComplaintVerified", "retracted"},
			{"CommendationAwarded", "not_counted"},
			{"EventRetracted", "counted"},
			{"DeductionContested", "counted"},
			{"PriorYearUnsatisfiedMarked", "counted"}, // a fact of the roster, in force
			{"SectionExempted", "counted"},
		}, got, "votes worded: %v", votes)
		require.Contains(t, e.Entries[2].Note, "a contest of it is open", "the open contest is not lost")
	}
}

// A resolution dated after as_of still shows next to the target it acts on.
func TestExplainShowsCorrectionsOfVisibleTargets(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	find := s.add(events.InspectionFinding, "2021-03-01", map[string]any{"section_id": "A", "level": "county", "serious": false})
	s.add(events.EventRetracted, "2021-11-20", map[string]any{"target_id": find.String(), "reason": "wrong"})
	asOf, _ := events.ParseBound("2021-06-30")
	e, err := s.st.Explain("A", projections.View{AsOf: asOf, KnownAt: s.clock})
	require.NoError(t, err)
	require.Len(t, e.Entries, 3)
	require.Equal(t, "retracted", e.Entries[1].Status)
	require.Equal(t, "EventRetracted", e.Entries[2].Type)
	near(t, 20, e.Inspection, "inspection with the finding retracted")
}

// TestExplainArithmeticOfDiscretionaryDeductions: the table's arithmetic
// wraps a component in the R-DISC deduction off it, or says why the
// deduction does not count in the view.
func TestExplainArithmeticOfDiscretionaryDeductions(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	ded := func(component string, points float64) {
		s.add(events.DiscretionaryDeduction, "2021-06-01", map[string]any{"section_id": "A", "points": points, "reason": "r", "component": component})
	}
	ded("service", 2)
	ded("hotline", 1.5)
	ded("qr", 0.5)
	ded("supervisor", 1)
	ded("online", 1)
	view := projections.View{AsOf: events.WindowEnd, KnownAt: s.clock}
	e, err := s.st.Explain("A", view)
	require.NoError(t, err)
	// No vote, no grade, no list: service pending (0, its deduction not
	// counted); hotline 5 - 1.5 = 3.5; qr 5 - 0.5 = 4.5.
	require.Equal(t, []string{
		"service H1: pending (no section has a vote yet): null, counts 0",
		"service H2: pending (no section has a vote yet): null, counts 0",
		"service: H1 + H2 = 0.00 (a pending round counts 0); discretionary 2 not counted: no service round has a vote yet (R-DISC)",
		"hotline: max(0, (max(0, 10 - 0) + max(0, 90 - 0)) / 100 x 5 - discretionary 1.5) = 3.50 (R-HOT, R-DISC)",
		"qr: max(0, max(0, 5 - 0) - discretionary 0.5) = 4.50 (R-QR, R-DISC)",
		"supervisor: no submission yet: null, counts 0 (R-SUP); discretionary 1 not counted: no grade from the unit yet (R-DISC)",
		"inspection: max(0, 20 - 0 - unit 0) = 20.00 (R-INS, R-DISC, R-UNREP)",
		"online: null (R-ONL); discretionary 1 not counted: not a frozen candidate (R-DISC)",
		"bonus: min(5, 0) = 0.00 (R-BON)",
		"daily total 28.00, total 28.00", // 0 + 3.5 + 4.5 + 0 + 20
	}, e.Arithmetic)
	var statuses []string
	for _, x := range e.Entries[1:] {
		statuses = append(statuses, x.Component+" "+x.Status)
	}
	require.Equal(t, []string{"service not_counted", "hotline counted", "qr counted", "supervisor not_counted", "online not_counted"}, statuses)

	// A's unit grades it 4 (one section: any tier): 4 - 1 = 3.
	s.add(events.SupervisorGradesSubmitted, "2021-11-05", map[string]any{"unit_id": "U1", "grades": []map[string]any{{"section_id": "A", "score": 4}}})
	e, err = s.st.Explain("A", projections.View{AsOf: events.WindowEnd, KnownAt: s.clock})
	require.NoError(t, err)
	require.Contains(t, e.Arithmetic, "supervisor: max(0, grade 4 - discretionary 1) = 3.00 (R-SUP, R-DISC)")
	near(t, 3, e.Supervisor, "supervisor")
	require.Equal(t, "counted", e.Entries[4].Status)
}
