package events_test

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// FuzzDecode: no input makes Decode panic; whatever it accepts has
// canonical data that decodes again to the same canonical data.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(voteLine))
	f.Add([]byte(ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":4.5}]}`)))
	f.Add([]byte(ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":1}`)))
	f.Add([]byte(ev("OnlineCandidatesFrozen", `{"section_ids":["U01-S01","U01-S02", "U01-S03"]}`)))
	f.Add([]byte(ev("BallotCast", eventstest.BallotData("fuzz-code", []string{"A0", "A1"}, []string{"B\u0041", "B1"}))))
	f.Add([]byte(`{"type":"UnitRegistered","type":"x"}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte("{\"actor\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, opt := range []events.DecodeOptions{{}, {Historical: true}} {
			// The fast path and encoding/json agree on every input.
			events.SetFastPath(false)
			slow, slowErr := events.Decode(raw, opt)
			events.SetFastPath(true)
			e, err := events.Decode(raw, opt)
			if fmt.Sprint(slowErr) != fmt.Sprint(err) {
				t.Fatalf("paths disagree on the error: %v / %v", slowErr, err)
			}
			if (slow == nil) != (e == nil) || (e != nil && (string(slow.Data) != string(e.Data) ||
				slow.ID != e.ID || !slow.OccurredAt.Equal(e.OccurredAt) || slow.Actor != e.Actor || slow.Ref != e.Ref ||
				!slow.RecordedAt.Equal(e.RecordedAt))) {
				t.Fatalf("paths disagree on the event:\n%+v\n%+v", slow, e)
			}
			if err != nil {
				if e != nil {
					t.Fatal("an error and an event")
				}
				if err.Reason == "" {
					t.Fatalf("an error without a reason: %#v", err)
				}
				continue
			}
			body, derr := events.DecodeData(e.Type, e.Data)
			if derr != nil {
				t.Fatalf("canonical data does not decode: %v", derr)
			}
			if ferr := body.Check(); ferr != nil {
				t.Fatalf("canonical data does not check: %v", ferr)
			}
		}
	})
}

// FuzzRedecode: verify's decoder of a stored record takes the short way
// (the typed envelope checked as it is, data scanned alone) only where the
// long way (the envelope's line through Decode) gives the same event; on
// every other record both give Decode's own error.
func FuzzRedecode(f *testing.F) {
	seal := func(line string) *events.Record {
		e, err := events.Decode([]byte(line), events.DecodeOptions{})
		if err != nil {
			panic(err)
		}
		r, _ := events.Seal(events.Head{Hash: events.ZeroHash}, e, time.Date(2021, 12, 1, 2, 0, 0, 0, time.UTC), nil)
		return r
	}
	ten := func(p string) []string {
		var l []string
		for i := 0; i < 10; i++ {
			l = append(l, fmt.Sprintf("%s%02d", p, i))
		}
		return l
	}
	ballot := eventstest.BallotData("fuzz-code", ten("U01-S"), ten("U02-S"))
	for _, r := range []*events.Record{
		seal(string(voteLine)),
		seal(ev(events.SupervisorGradesSubmitted, `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":4.5}]}`)),
		seal(ev(events.ContestResolved, `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":1}`)),
		seal(eventstest.Line(events.BallotCast, "2021-11-20T10:00:00+08:00", ballot, eventstest.WithActor("voter:web"))),
	} {
		if !events.RedecodeShort(r) {
			f.Fatalf("an honest %s takes the long way", r.Type)
		}
		f.Add(string(r.Type), r.Data, r.Actor, r.Ref, r.Stream, r.OccurredAt.UnixNano(), r.RecordedAt.UnixNano(), r.ID[:])
		f.Add(string(r.Type), append([]byte(" "), r.Data...), r.Actor, r.Ref, r.Stream, r.OccurredAt.UnixNano(), r.RecordedAt.UnixNano(), r.ID[:])
		f.Add(string(r.Type), r.Data, "office:\x01", "\u200b", r.Stream+"x", int64(0), int64(-1), make([]byte, 16))
	}
	f.Fuzz(func(t *testing.T, typ string, data []byte, actor, ref, stream string, occ, rec int64, id []byte) {
		r := &events.Record{Type: events.Type(typ), Data: data, Actor: actor, Ref: ref, Stream: stream,
			OccurredAt: time.Unix(0, occ), RecordedAt: time.Unix(0, rec)}
		copy(r.ID[:], id)
		events.SetFastPath(false)
		long, longErr := events.Redecode(r)
		slowBody, slowErr := events.DecodeData(r.Type, r.Data)
		events.SetFastPath(true)
		short, shortErr := events.Redecode(r)
		// And DecodeData, the fold's reader of stored data.
		if fastBody, fastErr := events.DecodeData(r.Type, r.Data); fmt.Sprint(slowErr) != fmt.Sprint(fastErr) ||
			!reflect.DeepEqual(slowBody, fastBody) {
			t.Fatalf("DecodeData's ways disagree:\n%#v %v\n%#v %v", slowBody, slowErr, fastBody, fastErr)
		}
		if fmt.Sprint(longErr) != fmt.Sprint(shortErr) {
			t.Fatalf("the ways disagree on the error: %v / %v", longErr, shortErr)
		}
		if (long == nil) != (short == nil) {
			t.Fatalf("the ways disagree: %v / %v", long, short)
		}
		if short != nil && (short.ID != long.ID || short.Type != long.Type || !short.OccurredAt.Equal(long.OccurredAt) ||
			!short.RecordedAt.Equal(long.RecordedAt) || short.Actor != long.Actor || short.Ref != long.Ref ||
			string(short.Data) != string(long.Data) || !reflect.DeepEqual(short.Body, long.Body)) {
			t.Fatalf("the ways disagree on the event:\n%+v\n%+v", long, short)
		}
	})
}

// An empty actor is refused by the short way too, whatever its pooled
// scratch checked last (it remembers the last good actor), a fresh one
// included.
func TestRedecodeRefusesAnEmptyActor(t *testing.T) {
	e, ferr := events.Decode(voteLine, events.DecodeOptions{})
	require.Nil(t, ferr)
	r, _ := events.Seal(events.Head{Hash: events.ZeroHash}, e, time.Date(2021, 12, 1, 2, 0, 0, 0, time.UTC), nil)
	empty := *r
	empty.Actor = ""
	for range 3 {
		// Two collections empty the pools: the next Redecode gets a
		// fresh scratch, which has checked no actor yet.
		runtime.GC()
		runtime.GC()
		_, err := events.DecodeData(r.Type, r.Data)
		require.NoError(t, err)
		_, ferr = events.Redecode(&empty)
		require.NotNil(t, ferr)
		require.Equal(t, "actor: required", ferr.Error())
		_, ferr = events.Redecode(r)
		require.Nil(t, ferr)
	}
}
