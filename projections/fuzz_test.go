package projections_test

import (
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
