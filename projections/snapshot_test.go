package projections

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// TestSnapshotsNeverChange reads a snapshot from several goroutines while
// the writer folds everything that changes the state in place (a
// correction of an old fact, an exemption, a prior-year mark, a section
// registered into an old unit, a batch rolled back): the snapshot answers
// the same throughout, and -race sees no write to what it reads.
func TestSnapshotsNeverChange(t *testing.T) {
	clock := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New()
	add := func(line string) *events.FieldError {
		ev, ferr := events.Decode([]byte(line), events.DecodeOptions{})
		require.Nil(t, ferr, "%s: %v", line, ferr)
		clock = clock.Add(time.Minute)
		r, _ := events.Seal(s.Head, ev, clock, nil)
		s.Begin()
		if ferr := s.Add(r, ev.Body, true); ferr != nil {
			s.Rollback()
			return ferr
		}
		s.Commit()
		return nil
	}
	for _, line := range sampleBase() {
		require.Nil(t, add(line))
	}
	// Every type, corrections included: the snapshot reads the corrections
	// of some facts while the writer adds corrections of others.
	for _, typ := range events.Types {
		sample := samples[typ]
		occurred := sample.occurred + "T12:00:00+08:00"
		if typ.Is(events.Correction) {
			occurred = "2021-11-30T12:00:00+08:00"
		}
		require.Nil(t, add(fmt.Sprintf(`{"id":%q,"type":%q,"occurred_at":%q,"actor":"t","data":%s}`,
			sampleID(typ), typ, occurred, sample.data)))
	}
	snap := s.Snapshot()
	views := []View{
		{AsOf: events.WindowEnd, KnownAt: clock.Add(time.Hour)},
		{AsOf: events.WindowEnd, KnownAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{AsOf: time.Date(2021, 6, 30, 0, 0, 0, 0, events.CST), KnownAt: clock},
	}
	answer := func(st *State) string {
		var out []byte
		for _, v := range views {
			b, err := json.Marshal(st.Standings(v))
			require.NoError(t, err)
			out = append(out, b...)
			for _, id := range []string{"S01", "S05", "X"} {
				e, err := st.Explain(id, v)
				require.NoError(t, err)
				b, err := json.Marshal(e)
				require.NoError(t, err)
				out = append(out, b...)
			}
		}
		return string(append(out, EncodeCheckpoint(st)...))
	}
	want := answer(snap)

	var stop atomic.Bool
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if answer(snap) != want {
					t.Error("a snapshot changed while the writer folded")
					return
				}
			}
		}()
	}
	line := func(typ events.Type, data string) string {
		return fmt.Sprintf(`{"type":%q,"occurred_at":"2021-11-30T12:00:00+08:00","actor":"t","data":%s}`, typ, data)
	}
	for _, l := range []string{
		line(events.EventRetracted, `{"target_id":"`+sampleID(events.DisciplinaryCaseFiled)+`","reason":"录入错误"}`),
		line(events.DeductionContested, `{"target_id":"`+sampleID(events.InspectionFinding)+`","section_id":"S01","grounds":"again"}`),
		line(events.ContestResolved, `{"target_id":"`+sampleID(events.InspectionFinding)+`","outcome":"overturned"}`),
		line(events.DeductionContested, `{"target_id":"`+sampleID(events.DiscretionaryDeduction)+`","section_id":"S01","grounds":"g"}`),
		line(events.SectionExempted, `{"section_id":"S05","reason":"r"}`),
		line(events.PriorYearUnsatisfiedMarked, `{"section_id":"S06"}`),
		line(events.SectionRegistered, `{"section_id":"S99","unit_id":"U1","name":"new","enforcement":false}`),
		line(events.EventRetracted, `{"target_id":"`+sampleID(events.HotlineVerdict)+`","reason":"r"}`),
	} {
		require.Nil(t, add(l), l)
		s.Snapshot() // the writer goes on taking snapshots for others
		// A batch that is refused leaves the snapshots alone too.
		s.Begin()
		ev, _ := events.Decode([]byte(line(events.DiscretionaryDeduction, `{"section_id":"S02","points":1,"reason":"r"}`)), events.DecodeOptions{})
		r, _ := events.Seal(s.Head, ev, clock, nil)
		require.Nil(t, s.Add(r, ev.Body, true))
		s.Rollback()
	}
	stop.Store(true)
	wg.Wait()
	// (Compared as booleans: the answers are long.)
	require.True(t, want == answer(snap), "a snapshot changed")
	require.False(t, want == answer(s.Snapshot()), "the writer's corrections show in a later snapshot")
	require.True(t, answer(s) == answer(s.Snapshot()), "a new snapshot answers as the writer's state")
	require.NotNil(t, snap.Add(&events.Record{Position: snap.Len() + 1}, nil, false), "a snapshot refuses a fold")
}
