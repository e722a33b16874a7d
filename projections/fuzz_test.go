package projections_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/projections"
)

// FuzzValidate: any decodable event, checked against a small registry,
// never panics; a refused event leaves the state as it was; standings and
// explain of whatever was accepted never panic.
func FuzzValidate(f *testing.F) {
	by := eventstest.WithActor("a")
	seeds := []string{
		eventstest.Line(events.ServiceVoteRecorded, "2021-06-01T10:00:00+08:00", `{"section_id":"A","round":"H1","respondent":"r-abcd","rating":"basic"}`, by),
		eventstest.Line(events.SupervisorGradesSubmitted, "2021-11-05T10:00:00+08:00", `{"unit_id":"U1","grades":[{"section_id":"A","score":4.5},{"section_id":"B","score":3.1}]}`, by),
		eventstest.Line(events.OnlineCandidatesFrozen, "2021-11-15T10:00:00+08:00", `{"section_ids":["A","B"]}`, by),
		eventstest.Line(events.DeductionContested, "2021-11-15T10:00:00+08:00", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","section_id":"A","grounds":"g"}`, by),
		eventstest.Line(events.UnitDeduction, "2021-03-01T10:00:00+08:00", `{"unit_id":"U1","points":2,"reason":"r"}`, by),
		eventstest.Line(events.DiscretionaryDeduction, "2021-03-01T10:00:00+08:00", `{"section_id":"A","points":2,"reason":"r","component":"online"}`, by),
		eventstest.Line(events.OutcomeConfirmed, "2021-12-08T10:00:00+08:00", `{"satisfied":["A","B","C","D","E","F","G","H","I","J"],"unsatisfied":["K","L","M","N","O","P","Q","R","S","T"],"most_unsatisfied":["R","S","T"],"document":"d"}`, by),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := newScenario(t)
		s.unit("U1")
		s.section("A", "U1")
		s.section("B", "U1")
		ev, ferr := events.Decode(raw, events.DecodeOptions{})
		if ferr != nil {
			return
		}
		before := s.st.Len()
		r, _ := events.Seal(s.head, ev, s.clock.Add(time.Minute), nil)
		s.st.Begin()
		if err := s.st.Add(r, ev.Body, true); err != nil {
			s.st.Rollback()
			if s.st.Len() != before {
				t.Fatal("a refused event changed the state")
			}
		} else {
			s.st.Commit()
		}
		v := projections.View{AsOf: events.WindowEnd, KnownAt: s.clock.Add(time.Hour)}
		s.st.Standings(v)
		_, _ = s.st.Explain("A", v)
	})
}

// FuzzCheckpoint: a damaged checkpoint is refused or, if it decodes, can
// be queried without a panic.
func FuzzCheckpoint(f *testing.F) {
	s := rankedScenario(f)
	f.Add(projections.EncodeCheckpoint(s.st))
	// and one with a frozen list and the committee's decision
	var ids []string
	for k := 0; k < 22; k++ {
		ids = append(ids, fmt.Sprintf("S%02d", k))
	}
	s.add(events.OnlineCandidatesFrozen, "2021-11-15", map[string]any{"section_ids": ids})
	s.add(events.OutcomeConfirmed, "2021-12-08", map[string]any{"satisfied": ids[:10], "unsatisfied": ids[10:20], "most_unsatisfied": ids[17:20], "document": "d"})
	f.Add(projections.EncodeCheckpoint(s.st))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := projections.DecodeCheckpoint(b)
		if err != nil {
			return
		}
		v := projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()}
		st.Standings(v)
		for _, id := range []string{"S00", "S05"} {
			_, _ = st.Explain(id, v)
		}
	})
}
