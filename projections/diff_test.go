package projections_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
)

// frozenScenario is rankedScenario with its 22 sections frozen: daily
// totals 30 - 0.25k, ranks S00 1st to S21 22nd; the outcome's satisfied are
// S00-S09 (all of U1: +50), the unsatisfied S12-S21 (U2: 7 x -5 + 3 x -10
// = -65).
func frozenScenario(t *testing.T) *scenario {
	s := rankedScenario(t)
	var ids []string
	for k := 0; k < 22; k++ {
		ids = append(ids, fmt.Sprintf("S%02d", k))
	}
	s.add(events.OnlineCandidatesFrozen, "2021-11-15", map[string]any{"section_ids": ids})
	return s
}

func findSection(t *testing.T, d *projections.Diff, id string) projections.SectionDiff {
	t.Helper()
	for _, s := range d.Sections {
		if s.SectionID == id {
			return s
		}
	}
	t.Fatalf("%s is not in the diff", id)
	return projections.SectionDiff{}
}

func TestDiffOfADeductionItsContestAndItsResolution(t *testing.T) {
	s := frozenScenario(t)
	view := func(known time.Time) projections.View {
		return projections.View{AsOf: events.WindowEnd, KnownAt: known}
	}
	t0 := s.clock
	// S05 loses 3.1 more: 30 - 1.25 - 3.1 = 25.65, between S17 (25.75) and
	// S18 (25.5): rank 18, unsatisfied. S06-S17 move up one; S10 becomes
	// satisfied (rank 10), S12 leaves the unsatisfied (rank 12).
	ded := s.add(events.DiscretionaryDeduction, "2021-05-02", map[string]any{"section_id": "S05", "points": 3.1, "reason": "台账缺失"})
	t1 := s.clock
	d := s.st.Diff(view(t0), view(t1))
	s05 := findSection(t, d, "S05")
	require.Equal(t, []string{"inspection", "daily_total", "total", "rank", "outcome"}, s05.Changed)
	near(t, 18.75, s05.Before.Inspection, "20 - 1.25")
	near(t, 15.65, s05.After.Inspection, "20 - 1.25 - 3.1")
	require.Equal(t, 6, *s05.Before.Rank)
	require.Equal(t, 18, *s05.After.Rank)
	require.Equal(t, "satisfied", *s05.Before.Outcome)
	require.Equal(t, "unsatisfied", *s05.After.Outcome)
	require.Len(t, s05.Events, 1)
	require.Equal(t, "added", s05.Events[0].Change)
	require.Equal(t, ded.String(), s05.Events[0].EventID)
	require.Nil(t, s05.Events[0].Before)
	require.InDelta(t, -3.1, s05.Events[0].After.Points, 1e-9)
	s10 := findSection(t, d, "S10")
	require.Nil(t, s10.Before.Outcome)
	require.Equal(t, "satisfied", *s10.After.Outcome)
	require.Empty(t, s10.Events, "S10 moved with the others: no event of its own")
	require.Equal(t, []string{"rank"}, findSection(t, d, "S06").Changed)
	// S00-S04 and S18-S21 keep their figures: not in the diff.
	for _, sd := range d.Sections {
		require.NotContains(t, []string{"S00", "S04", "S18", "S21"}, sd.SectionID)
	}
	// U1: 50 - 5 = 45; U2: S13-S18 6 x -5 + 3 x -10 = -60.
	require.Equal(t, []projections.UnitDiff{
		{UnitID: "U1", Name: "unit U1", Before: ip(50), After: ip(45)},
		{UnitID: "U2", Name: "unit U2", Before: ip(-65), After: ip(-60)},
	}, d.Units)

	// A contest changes no figure, only the deduction's status.
	s.add(events.DeductionContested, "2021-11-20", map[string]any{"target_id": ded.String(), "section_id": "S05", "grounds": "依据不足"})
	t2 := s.clock
	d = s.st.Diff(view(t1), view(t2))
	require.Len(t, d.Sections, 1)
	require.Empty(t, d.Sections[0].Changed)
	require.Len(t, d.Sections[0].Events, 2)
	require.Equal(t, "changed", d.Sections[0].Events[0].Change)
	require.Equal(t, "counted", d.Sections[0].Events[0].Before.Status)
	require.Equal(t, "contested", d.Sections[0].Events[0].After.Status)
	require.Equal(t, "DeductionContested", d.Sections[0].Events[1].Type)
	require.Empty(t, d.Units)

	// Overturned: the diff of the decision undoes the first one.
	s.add(events.ContestResolved, "2021-11-25", map[string]any{"target_id": ded.String(), "outcome": "overturned"})
	t3 := s.clock
	d = s.st.Diff(view(t3.Add(-time.Nanosecond)), view(t3))
	s05 = findSection(t, d, "S05")
	require.Equal(t, 18, *s05.Before.Rank)
	require.Equal(t, 6, *s05.After.Rank)
	require.Equal(t, "overturned", s05.Events[0].After.Status)
	require.Equal(t, "ContestResolved", s05.Events[1].Type)
	require.Equal(t, "added", s05.Events[1].Change)
	require.Len(t, d.Units, 2)

	// The disputes page's list.
	ds := s.st.Disputes(view(t3))
	require.Len(t, ds, 1)
	require.Equal(t, "overturned", ds[0].Status)
	require.Equal(t, "S05", ds[0].SectionID)
	require.Equal(t, "依据不足", ds[0].Grounds)
	require.InDelta(t, -3.1, ds[0].Deduction.Points, 1e-9)
	require.Equal(t, t3.UnixNano(), ds[0].Resolution.RecordedNS)
	ds = s.st.Disputes(view(t2))
	require.Equal(t, "open", ds[0].Status)
	require.Nil(t, ds[0].Resolution)

	// The same view twice: nothing changed.
	d = s.st.Diff(view(t3), view(t3))
	require.Empty(t, d.Sections)
	require.Empty(t, d.Units)
}

func TestDiffOfTwoDatesCountsVotesWithoutListingThem(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.votes("A", "H1", 20, 10, 0)
	s.add(events.HotlineVerdict, "2021-07-01", map[string]any{"section_id": "A", "item": "shirking", "points": 2, "role": "lead"})
	asOf := func(d string) projections.View {
		a, err := events.ParseBound(d)
		require.NoError(t, err)
		return projections.View{AsOf: a, KnownAt: s.clock}
	}
	d := s.st.Diff(asOf("2021-05-31"), asOf("2021-07-31"))
	require.Len(t, d.Sections, 1)
	a := d.Sections[0]
	require.Equal(t, 0, a.Before.VotesH1)
	require.Equal(t, 30, a.After.VotesH1)
	require.Contains(t, a.Changed, "votes_h1")
	require.Contains(t, a.Changed, "hotline")
	require.Len(t, a.Events, 1, "the verdict; the 30 votes are counted, not listed")
	require.Equal(t, "HotlineVerdict", a.Events[0].Type)
}

func TestExplainGroupsAndFilters(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.section("B", "U1")
	s.votes("A", "H1", 3, 1, 1) // 5 votes: small sample
	s.votes("B", "H1", 30, 0, 0)
	hot := s.add(events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": "A", "item": "conduct", "points": 4, "role": "lead"})
	s.add(events.CommendationAwarded, "2021-04-01", map[string]any{"section_id": "A", "level": "provincial", "deed_id": "D1"})
	s.add(events.UnitDeduction, "2021-03-01", map[string]any{"unit_id": "U1", "points": 1.5, "reason": "应报未报"})
	s.add(events.DeductionContested, "2021-10-03", map[string]any{"target_id": hot.String(), "section_id": "A", "grounds": "g"})
	e, err := s.st.Explain("A", projections.View{AsOf: events.WindowEnd, KnownAt: s.clock})
	require.NoError(t, err)
	require.Equal(t, "unit U1", e.UnitName)
	var comps []string
	for _, g := range e.Groups {
		comps = append(comps, g.Component)
	}
	require.Equal(t, projections.Components, comps)
	hotline := e.Groups[0]
	near(t, 4, hotline.Conduct, "conduct deducted")
	near(t, 4.8, hotline.Score, "(6 + 90) / 100 x 5")
	require.Len(t, hotline.Positions, 2, "the verdict, then its contest")
	require.Equal(t, e.Entries[len(e.Entries)-1].Position, hotline.Positions[1])
	svc := e.Groups[5]
	r := svc.Rounds[0]
	// A: raw (3 + 0.6) / 5 x 25 = 18; B: raw 25; the average of the two
	// sections with votes 21.5; A's part 21.5 x 0.7 + 18 x 0.3 = 20.45.
	require.Equal(t, "small", r.Rule)
	require.Equal(t, "R-SVC-SMALL", r.Clause)
	require.Equal(t, 5, r.Votes)
	near(t, 18, r.Raw, "raw")
	near(t, 21.5, r.Average, "average")
	require.Equal(t, 2, r.AverageOf)
	near(t, 20.45, r.Part, "part")
	require.Equal(t, "pending", svc.Rounds[1].Rule)
	require.Len(t, e.Groups[5].Positions, 5)
	near(t, 1.5, e.Groups[2].UnitDeducted, "unit deduction")
	near(t, 3, e.Groups[3].BeforeCap, "bonus before the cap")
	require.NotEmpty(t, e.Arithmetic)
	require.NotEmpty(t, e.Groups[0].Arithmetic)

	all := len(e.Entries)
	d := e.Filtered(projections.ExplainFilter{Deductions: true})
	require.Len(t, d.Entries, 3, "the verdict, the unit deduction, the contest")
	for _, g := range d.Groups {
		if g.Component == "service" {
			require.Empty(t, g.Positions)
		}
	}
	require.Len(t, e.Entries, all, "the explanation filtered is left whole: another reader may share it")
	require.Len(t, e.Groups[5].Positions, 5)
	d = e.Filtered(projections.ExplainFilter{Component: "service"})
	require.Len(t, d.Entries, 5)
	require.Len(t, d.Groups, 1)
	require.Less(t, len(d.Entries), all)
	require.Same(t, e, e.Filtered(projections.ExplainFilter{}), "no filter: the same explanation")
	require.NotNil(t, projections.ExplainFilter{Component: "nope"}.Check())
}

func ip(v int) *int { return &v }

// ExplainCounted is Explain with the votes and ballots unworded: the same
// entries, groups and figures.
func TestExplainCountedMatchesExplain(t *testing.T) {
	s := newScenario(t)
	s.unit("U1")
	s.section("A", "U1")
	s.votes("A", "H1", 3, 1, 1)
	s.add(events.HotlineVerdict, "2021-03-01", map[string]any{"section_id": "A", "item": "conduct", "points": 4, "role": "lead"})
	v := projections.View{AsOf: events.WindowEnd, KnownAt: s.clock}
	full, err := s.st.Explain("A", v)
	require.NoError(t, err)
	brief, err := s.st.ExplainCounted("A", v)
	require.NoError(t, err)
	require.Equal(t, full.Groups, brief.Groups)
	require.Equal(t, full.Row, brief.Row)
	require.Len(t, brief.Entries, len(full.Entries))
	for i, e := range brief.Entries {
		require.Equal(t, full.Entries[i].Position, e.Position)
		require.Equal(t, full.Entries[i].Status, e.Status)
		if !e.Summarised() {
			require.Equal(t, full.Entries[i], e)
		}
	}
}

// The committee's decision shows in the diff: each section's confirmed
// list, and the units' adjustments by the decision.
func TestDiffOfTheCommitteesDecision(t *testing.T) {
	s := frozenScenario(t)
	t0 := s.clock
	ids := func(from, to int) []string {
		var out []string
		for k := from; k < to; k++ {
			out = append(out, fmt.Sprintf("S%02d", k))
		}
		return out
	}
	// The proposal's satisfied are S00-S09; the committee swaps S09 for S10.
	sat := append(ids(0, 9), "S10")
	s.add(events.OutcomeConfirmed, "2021-12-20", map[string]any{"satisfied": sat, "unsatisfied": ids(12, 22),
		"most_unsatisfied": ids(19, 22), "document": "平委〔2021〕45号"})
	d := s.st.Diff(projections.View{AsOf: events.WindowEnd, KnownAt: t0}, projections.View{AsOf: events.WindowEnd, KnownAt: s.clock})
	s10 := findSection(t, d, "S10")
	require.Equal(t, []string{"confirmed"}, s10.Changed)
	require.Nil(t, s10.Before.Confirmed)
	require.Equal(t, "satisfied", *s10.After.Confirmed)
	require.Nil(t, s10.After.Outcome, "the proposal stays what the ranking gives")
	require.Equal(t, "unsatisfied", *findSection(t, d, "S12").After.Confirmed)
	require.Equal(t, "most_unsatisfied", *findSection(t, d, "S21").After.Confirmed)
	// U1 has S00-S08 and S10 satisfied by the decision: +50, as proposed.
	for _, u := range d.Units {
		require.Equal(t, *u.Before, *u.After, "the proposal's adjustments did not change")
		require.Nil(t, u.ConfirmedBefore)
		require.NotNil(t, u.ConfirmedAfter)
	}
}
