package projections_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
)

// TestFastViewsEqualTheFullFold holds the views' fast paths (votes counted
// through their index, explain from a section's own list) to the full fold
// of every fact, over random views of logs built to trouble them: votes
// entered late, early and out of order, retracted and entered again, over
// many blocks of the index, and a demo year.
func TestFastViewsEqualTheFullFold(t *testing.T) {
	logs := map[string]*projections.State{"random": randomLog(t, 60_000)}
	if !testing.Short() {
		logs["demo"] = demoLog(t, 0.25)
	}
	for name, st := range logs {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 11))
			last := st.Head.RecordedAt
			span := events.WindowEnd.Sub(events.WindowStart)
			for k := 0; k < 150; k++ {
				asOf := events.WindowStart.Add(time.Duration(rng.Int64N(int64(span))))
				if k%5 == 0 {
					asOf = events.WindowEnd
				}
				known := events.WindowStart.Add(time.Duration(rng.Int64N(int64(last.Sub(events.WindowStart) + 48*time.Hour))))
				if k%7 == 0 {
					known = last.Add(time.Hour)
				}
				v := projections.View{AsOf: asOf, KnownAt: known}
				fast, _ := json.Marshal(st.Standings(v))
				full, _ := json.Marshal(st.StandingsByScan(v))
				require.Equal(t, string(full), string(fast), "view %v", v)
				if k%10 == 0 {
					s := st.Standings(v)
					if len(s.Sections) == 0 {
						continue
					}
					id := s.Sections[rng.IntN(len(s.Sections))].SectionID
					e, err := st.Explain(id, v)
					require.NoError(t, err)
					want, _ := st.ExplainByScan(id, v)
					require.Equal(t, want.Row, e.Row, "explain %s %v", id, v)
					require.Equal(t, want.Entries, e.Entries, "explain %s %v", id, v)
				}
			}
		})
	}
}

// randomLog folds n votes over 12 sections with delays from none to half a
// year (some entered before they occurred), a few retracted and entered
// again, and a few deductions.
func randomLog(t *testing.T, n int) *projections.State {
	rng := rand.New(rand.NewPCG(1, 2))
	st := projections.New()
	clock := events.WindowStart
	var head events.Head
	var buf []byte
	add := func(typ events.Type, occurred time.Time, data string, id string) {
		t.Helper()
		opts := []eventstest.LineOption{}
		if id != "" {
			opts = append(opts, eventstest.WithID(id))
		}
		ev := eventstest.Event(t, eventstest.Line(typ, events.FormatCST(occurred), data, opts...))
		var r *events.Record
		r, buf = events.Seal(head, ev, clock, buf)
		require.Nil(t, st.Add(r, ev.Body, true), "%s %s", typ, data)
		head = r.Head()
	}
	add(events.UnitRegistered, events.WindowStart, `{"unit_id":"U1","name":"u"}`, "")
	for k := 0; k < 12; k++ {
		add(events.SectionRegistered, events.WindowStart, fmt.Sprintf(`{"section_id":"S%02d","unit_id":"U1","name":"s","enforcement":false}`, k), "")
	}
	span := events.WindowEnd.Sub(events.WindowStart)
	type vote struct {
		id, sec, round string
		occurred       time.Time
		resp           int
	}
	var votes []vote
	ratings := []string{"satisfied", "basic", "unsatisfied"}
	for i := 0; i < n; i++ {
		// The clock walks forward; a vote occurred from a day after it
		// (entered early) to half a year before (entered late).
		clock = clock.Add(time.Duration(rng.Int64N(int64(span) / int64(n) * 2)))
		occ := clock.Add(-time.Duration(rng.Int64N(int64(4 * 24 * time.Hour))))
		switch rng.IntN(20) {
		case 0:
			occ = clock.Add(-time.Duration(rng.Int64N(int64(180 * 24 * time.Hour))))
		case 1:
			occ = clock.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		}
		if occ.After(events.WindowEnd) {
			occ = events.WindowEnd
		}
		if occ.Before(events.WindowStart) {
			occ = events.WindowStart
		}
		round := "H1"
		if rng.IntN(2) == 0 {
			round = "H2"
		}
		v := vote{id: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), sec: fmt.Sprintf("S%02d", rng.IntN(12)), round: round, occurred: occ, resp: i}
		add(events.ServiceVoteRecorded, occ, fmt.Sprintf(`{"section_id":%q,"round":%q,"respondent":"resp-%s","rating":%q}`,
			v.sec, round, letters(i), ratings[rng.IntN(3)]), v.id)
		votes = append(votes, v)
		if rng.IntN(50) == 0 {
			// A wrong entry retracted and entered again.
			w := votes[rng.IntN(len(votes))]
			if w.id == "" {
				continue
			}
			add(events.EventRetracted, clock, fmt.Sprintf(`{"target_id":%q,"reason":"wrong"}`, w.id), "")
			add(events.ServiceVoteRecorded, w.occurred, fmt.Sprintf(`{"section_id":%q,"round":%q,"respondent":"resp-%s","rating":"satisfied"}`,
				w.sec, w.round, letters(w.resp)), "")
			for j := range votes {
				if votes[j].id == w.id {
					votes[j].id = ""
				}
			}
		}
		if rng.IntN(500) == 0 {
			add(events.InspectionFinding, occ, fmt.Sprintf(`{"section_id":"S%02d","level":"county","serious":false}`, rng.IntN(12)), "")
		}
	}
	return st
}

// letters spells i in letters, so that a respondent is never a phone number.
func letters(i int) string {
	var b strings.Builder
	for {
		b.WriteByte(byte('a' + i%26))
		i /= 26
		if i == 0 {
			return b.String()
		}
	}
}

// demoLog folds a demo year (a fraction of its votes) as it was recorded.
func demoLog(t *testing.T, scale float64) *projections.State {
	var b strings.Builder
	_, err := demo.Generate(&b, demo.Options{Seed: 3, Historical: true, Scale: scale})
	require.NoError(t, err)
	st := projections.New()
	seq, _ := events.ReadLines(strings.NewReader(b.String()), events.DecodeOptions{Historical: true})
	var head events.Head
	var buf []byte
	for d := range seq {
		require.Nil(t, d.Err)
		var r *events.Record
		r, buf = events.Seal(head, d.Event, d.Event.RecordedAt, buf)
		require.Nil(t, st.Add(r, d.Event.Body, false))
		head = r.Head()
	}
	return st
}
