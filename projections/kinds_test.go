package projections

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// TestEveryTypeHasAKind holds the two catalogues together: every type of
// events has a kind here with every part, and no kind is without a type.
func TestEveryTypeHasAKind(t *testing.T) {
	for _, typ := range events.Types {
		spec, _ := events.SpecOf(typ)
		k := kinds[spec.Code]
		require.NotNil(t, k, "%s has no kind: define it in the family file of projections", typ)
		require.Equal(t, spec, k.spec, typ)
		require.NotEmpty(t, k.clause, "%s: clause", typ)
		if spec.Class != events.Correction {
			require.NotEmpty(t, k.component, "%s: component", typ)
		} else {
			require.NotNil(t, k.touches, "%s: a correction concerns what its target concerns", typ)
		}
		require.NotNil(t, k.fold, "%s: fold", typ)
		require.NotNil(t, k.explain, "%s: explain", typ)
		require.True(t, (k.score == nil) != (k.unscored == ""), "%s: a score hook, or the reason it has none", typ)
	}
	n := 0
	for code, k := range kinds {
		if k != nil {
			n++
			_, ok := events.SpecByCode(uint8(code))
			require.True(t, ok, "kind %d has no type", code)
		}
	}
	require.Len(t, events.Types, n)
}

// The base of the samples: two units with 22 sections between them (U1:
// S00-S10, U2: S11-S21) and an exempt section X.
func sampleBase() []string {
	var out []string
	add := func(typ events.Type, data string) {
		out = append(out, fmt.Sprintf(`{"type":%q,"occurred_at":"2020-12-01T09:00:00+08:00","actor":"t","data":%s}`, typ, data))
	}
	add(events.UnitRegistered, `{"unit_id":"U1","name":"u1"}`)
	add(events.UnitRegistered, `{"unit_id":"U2","name":"u2"}`)
	for k := 0; k < 22; k++ {
		add(events.SectionRegistered, fmt.Sprintf(`{"section_id":"S%02d","unit_id":"U%d","name":"s","enforcement":false}`, k, 1+k/11))
	}
	add(events.SectionRegistered, `{"section_id":"X","unit_id":"U2","name":"x","enforcement":false}`)
	return out
}

func sampleID(typ events.Type) string {
	c, _ := typ.Code()
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", c)
}

func idList(from, to int) string {
	var l []string
	for k := from; k < to; k++ {
		l = append(l, fmt.Sprintf(`"S%02d"`, k))
	}
	return strings.Join(l, ",")
}

func ids(from, to int) []string {
	var l []string
	for k := from; k < to; k++ {
		l = append(l, fmt.Sprintf("S%02d", k))
	}
	return l
}

// samples is one event of every type, folded in code order, each on top
// of the ones before: a new type needs one here.
var samples = map[events.Type]struct{ occurred, data string }{
	events.UnitRegistered:             {"2021-01-01", `{"unit_id":"U3","name":"u3"}`},
	events.SectionRegistered:          {"2021-01-01", `{"section_id":"N","unit_id":"U3","name":"n","enforcement":true}`},
	events.SectionExempted:            {"2021-01-01", `{"section_id":"X","reason":"2019、2020年度满意单位"}`},
	events.PriorYearUnsatisfiedMarked: {"2021-01-01", `{"section_id":"S01"}`},
	events.ServiceVoteRecorded:        {"2021-06-01", `{"section_id":"S01","round":"H1","respondent":"r-abcd","rating":"basic"}`},
	events.HotlineVerdict:             {"2021-06-01", `{"section_id":"S01","item":"conduct","points":4,"role":"lead"}`},
	events.OnlineComplaintVerified:    {"2021-06-01", `{"section_id":"S01"}`},
	events.SupervisorGradesSubmitted: {"2021-11-01", `{"unit_id":"U1","grades":[` + func() string {
		var l []string
		for k := 0; k < 11; k++ {
			l = append(l, fmt.Sprintf(`{"section_id":"S%02d","score":%v}`, k, []float64{4.5, 3.5, 2}[k%3]))
		}
		return strings.Join(l, ",")
	}() + `]}`},
	events.InspectionFinding:      {"2021-06-01", `{"section_id":"S01","level":"city","serious":true}`},
	events.ComplaintSubstantiated: {"2021-06-01", `{"section_id":"S01","serious":false}`},
	events.DisciplinaryCaseFiled:  {"2021-06-01", `{"section_id":"S01","subject":"staff","violation":"earlier_year"}`},
	events.DiscretionaryDeduction: {"2021-06-01", `{"section_id":"S01","points":1.5,"reason":"迟报","component":"hotline"}`},
	events.UnitDeduction:          {"2021-06-01", `{"unit_id":"U1","points":2,"reason":"应报未报"}`},
	events.OnlineCandidatesFrozen: {"2021-11-15", `{"section_ids":[` + idList(0, 22) + `]}`},
	events.VoterCredentialIssued:  {"2021-11-15", eventstest.CredentialData("sample-code", "recipient")},
	events.BallotCast:             {"2021-11-16", eventstest.BallotData("sample-code", ids(0, 10), ids(10, 20))},
	events.CommendationAwarded:    {"2021-06-01", `{"section_id":"S01","level":"provincial","deed_id":"D1"}`},
	events.MediaCoverageRecorded:  {"2021-06-01", `{"section_id":"S01","level":"central","matter_id":"M1"}`},
	events.EventRetracted:         {"2021-12-01", `{"target_id":"` + sampleID(events.ComplaintSubstantiated) + `","reason":"录入错误"}`},
	events.DeductionContested:     {"2021-12-01", `{"target_id":"` + sampleID(events.InspectionFinding) + `","section_id":"S01","grounds":"g"}`},
	events.ContestResolved:        {"2021-12-01", `{"target_id":"` + sampleID(events.InspectionFinding) + `","outcome":"reduced","points":1}`},
	events.OutcomeConfirmed: {"2021-12-08", `{"satisfied":[` + idList(0, 10) + `],"unsatisfied":[` + idList(10, 20) +
		`],"most_unsatisfied":[` + idList(17, 20) + `],"document":"平委〔2021〕30号"}`},
}

// TestEveryTypeFoldsScoresExplainsAndRestores folds a sample of every type
// and checks, for each, every part of its kind: that an append of it can be
// undone without a trace, that it moves the view's sums when it has a
// score hook, that explain words it, and that a checkpoint of the state
// restores it (with the derived maps and indexes rebuilt the same).
func TestEveryTypeFoldsScoresExplainsAndRestores(t *testing.T) {
	clock := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New()
	seal := func(line string) (*events.Record, events.Data) {
		ev, ferr := events.Decode([]byte(line), events.DecodeOptions{})
		require.Nil(t, ferr, "%s: %v", line, ferr)
		clock = clock.Add(time.Minute)
		r, _ := events.Seal(s.Head, ev, clock, nil)
		return r, ev.Body
	}
	for _, line := range sampleBase() {
		r, body := seal(line)
		require.Nil(t, s.Add(r, body, true))
	}
	view := func() View { return View{AsOf: events.WindowEnd, KnownAt: clock.Add(time.Hour)} }
	for _, typ := range events.Types {
		sample, ok := samples[typ]
		require.True(t, ok, "no sample of %s: add one to samples", typ)
		k, _ := events.SpecOf(typ)
		kd := kinds[k.Code]
		occurred := sample.occurred + "T12:00:00+08:00"
		if typ.Is(events.Correction) {
			occurred = "2021-11-30T12:00:00+08:00"
		}
		r, body := seal(fmt.Sprintf(`{"id":%q,"type":%q,"occurred_at":%q,"actor":"t","data":%s}`,
			sampleID(typ), typ, occurred, sample.data))

		// An append of it that is rolled back leaves no trace.
		before := EncodeCheckpoint(s)
		streams := streamsOf(s)
		x := s.index()
		ids, votes, used, creds := x.ids.entries(), x.votes.entries(), len(x.used), len(s.credPos)
		s.Begin()
		require.Nil(t, s.Add(r, body, true), "%s", typ)
		s.Rollback()
		require.Equal(t, before, EncodeCheckpoint(s), "%s: rollback", typ)
		require.Equal(t, streams, streamsOf(s), "%s: rollback of the streams", typ)
		require.Equal(t, []any{ids, votes, used, creds}, []any{x.ids.entries(), x.votes.entries(), len(x.used), len(s.credPos)}, "%s: rollback of the indexes", typ)

		sums := sumsOf(s.compute(view()))
		s.Begin()
		require.Nil(t, s.Add(r, body, true), "%s", typ)
		s.Commit()
		f := s.facts.at(int64(s.facts.len() - 1))
		if kd.score != nil {
			require.NotEqual(t, sums, sumsOf(s.compute(view())), "%s has a score hook but moved no sum", typ)
		}

		// Explain words it, for a section it concerns, or by its hook.
		si := int32(-1)
		for i := range s.sections {
			if kd.touchesSection(s, f, int32(i)) {
				si = int32(i)
				break
			}
		}
		if si >= 0 {
			e, err := s.Explain(s.sections[si].ID, view())
			require.NoError(t, err)
			last := e.Entries[len(e.Entries)-1]
			require.Equal(t, r.Position, last.Position, "%s: explain of %s", typ, s.sections[si].ID)
			require.NotEmpty(t, last.Note, typ)
			require.NotEmpty(t, last.Component, typ)
			require.NotEmpty(t, last.Clause, typ)
		} else {
			var e Entry
			kd.explain(&explainer{s: s, c: s.compute(view()), si: 0, sec: &s.sections[0], f: f, pos: r.Position}, &e)
			require.NotEmpty(t, e.Note, "%s: explain", typ)
		}
	}

	// The checkpoint restores every fact, and what it does not store is
	// rebuilt the same.
	b := EncodeCheckpoint(s)
	d, err := DecodeCheckpoint(b)
	require.NoError(t, err)
	require.Equal(t, b, EncodeCheckpoint(d))
	// Read in place from blocks of any size, values straddling them, it
	// restores the same; cut short, it is refused.
	for _, size := range []int{1, 7, 63, 64, 65, 1000, len(b)} {
		d, err := ReadCheckpoint(&blocks{data: b, size: size}, int64(len(b)))
		require.NoError(t, err, "blocks of %d", size)
		require.Equal(t, b, EncodeCheckpoint(d), "blocks of %d", size)
		_, err = ReadCheckpoint(&blocks{data: b[:len(b)-1], size: size}, int64(len(b)))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "blocks of %d, one byte short", size)
	}
	require.Equal(t, s.corr, d.corr)
	require.Equal(t, s.credPos, d.credPos)
	live, rebuilt := s.index(), d.index()
	require.Equal(t, live.ids.entries(), rebuilt.ids.entries())
	require.Equal(t, live.votes.entries(), rebuilt.votes.entries())
	require.Equal(t, live.used, rebuilt.used)
	want, _ := json.Marshal(s.Standings(view()))
	got, _ := json.Marshal(d.Standings(view()))
	require.JSONEq(t, string(want), string(got))
	require.Equal(t, len(sampleBase())+len(events.Types), s.facts.len())
	require.NotEqual(t, uuid.Nil, s.facts.at(0).ID)
}

// sumsOf is what a view's sums say, without the count of events.
func sumsOf(c *calc) string {
	return fmt.Sprintf("%v %v %v %v %v %v %v %v %v", c.secs, c.unitDed, c.gradeSet, c.frozen, c.ballots, c.voters, c.bonusPts, c.bestBonus, c.confirmed)
}

// streamsOf is what the streams hold (streams.go), leaving out counters at
// zero and lists left empty, which a rolled-back batch may leave behind.
func streamsOf(s *State) string {
	var secs []string
	for i, l := range s.secVotes {
		if len(l) > 0 {
			secs = append(secs, fmt.Sprint(i, l))
		}
	}
	total := 0
	for _, k := range s.votes.cur {
		total += int(k)
	}
	v := &s.votes
	return fmt.Sprint(s.others, v.pos, v.lo, v.hi, v.ends, total, secs)
}

// entries lists a table's positions in order.
func (t *posTable) entries() []uint32 {
	var out []uint32
	for _, p := range t.slots {
		if p != 0 {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// blocks hands out data in blocks of size bytes, each in a buffer the next
// call overwrites, as a reader that reuses its buffers does.
type blocks struct {
	data []byte
	size int
	buf  []byte
}

func (b *blocks) Read(p []byte) (int, error) { panic("ReadCheckpoint reads a blockReader by blocks") }

func (b *blocks) ReadBlock() ([]byte, error) {
	if len(b.data) == 0 {
		return nil, io.EOF
	}
	n := min(b.size, len(b.data))
	for i := range b.buf {
		b.buf[i] = 0xEE // what a reused buffer held
	}
	b.buf = append(b.buf[:0], b.data[:n]...)
	b.data = b.data[n:]
	return b.buf, nil
}
