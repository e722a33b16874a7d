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
	lg := newSampleLog(t)
	s, add := lg.s, lg.add
	snap := s.Snapshot()
	views := []View{
		{AsOf: events.WindowEnd, KnownAt: lg.clock.Add(time.Hour)},
		{AsOf: events.WindowEnd, KnownAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{AsOf: time.Date(2021, 6, 30, 0, 0, 0, 0, events.CST), KnownAt: lg.clock},
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
		r, _ := events.Seal(s.Head, ev, lg.clock, nil)
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

// TestKeptViewsAnswerAsAFreshFold: a snapshot explains from the views it
// folded last, and answers exactly as the writer's state, which folds each
// view afresh, whatever order the views come in: the same as_of with fewer
// known records, more views than it keeps, a view asked again.
func TestKeptViewsAnswerAsAFreshFold(t *testing.T) {
	s := newSampleLog(t).s
	snap := s.Snapshot()
	last := s.Head.RecordedAt
	mid := time.Date(2021, 6, 30, 0, 0, 0, 0, events.CST)
	views := []View{
		{AsOf: events.WindowEnd, KnownAt: last},
		{AsOf: events.WindowEnd, KnownAt: last.Add(-time.Minute)}, // one record fewer
		{AsOf: events.WindowEnd, KnownAt: last.Add(time.Hour)},    // the same records as the first
		{AsOf: mid, KnownAt: last},
		{AsOf: mid, KnownAt: last.Add(-10 * time.Minute)},
		{AsOf: time.Date(2021, 9, 15, 0, 0, 0, 0, events.CST), KnownAt: last},
		{AsOf: events.WindowEnd, KnownAt: last}, // asked again, after four others
		{AsOf: mid, KnownAt: last},
	}
	for i, v := range views {
		if i%2 == 0 {
			// Standings keep their view too, and answer with their own
			// known_at when the view was kept for another.
			want, _ := json.Marshal(s.Standings(v))
			got, _ := json.Marshal(snap.Standings(v))
			require.Equal(t, string(want), string(got), "view %d", i)
		}
		for _, id := range []string{"S01", "S05"} {
			want, err := s.Explain(id, v)
			require.NoError(t, err)
			got, err := snap.Explain(id, v)
			require.NoError(t, err)
			require.Equal(t, want, got, "view %d, %s", i, id)
		}
	}
	// The third view folds the first one's records: it was answered from it.
	c := snap.computeKept(views[2])
	require.Equal(t, snap.known(views[0]), c.n)
	require.Same(t, c, snap.computeKept(views[0]))
	require.NotSame(t, c, snap.computeKept(views[1]))
	// A view asked again and again takes one slot, and keeps the others.
	for range 5 {
		snap.Standings(views[3])
	}
	require.Same(t, c, snap.computeKept(views[0]), "one view asked five times pushed out another")
	require.Nil(t, s.computed, "the writer's state keeps no view: it changes")
}

// sampleLog is a state that has folded the sample registry and one event
// of every type, a minute apart.
type sampleLog struct {
	t     *testing.T
	s     *State
	clock time.Time // the last record's recorded_at
}

func newSampleLog(t *testing.T) *sampleLog {
	l := &sampleLog{t: t, s: New(), clock: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, line := range sampleBase() {
		require.Nil(t, l.add(line))
	}
	// Every type, corrections included.
	for _, typ := range events.Types {
		sample := samples[typ]
		occurred := sample.occurred + "T12:00:00+08:00"
		if typ.Is(events.Correction) {
			occurred = "2021-11-30T12:00:00+08:00"
		}
		require.Nil(t, l.add(fmt.Sprintf(`{"id":%q,"type":%q,"occurred_at":%q,"actor":"t","data":%s}`,
			sampleID(typ), typ, occurred, sample.data)))
	}
	return l
}

// add folds one line a minute after the last, or reports why not.
func (l *sampleLog) add(line string) *events.FieldError {
	ev, ferr := events.Decode([]byte(line), events.DecodeOptions{})
	require.Nil(l.t, ferr, "%s: %v", line, ferr)
	l.clock = l.clock.Add(time.Minute)
	r, _ := events.Seal(l.s.Head, ev, l.clock, nil)
	l.s.Begin()
	if ferr := l.s.Add(r, ev.Body, true); ferr != nil {
		l.s.Rollback()
		return ferr
	}
	l.s.Commit()
	return nil
}
