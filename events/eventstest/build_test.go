package eventstest_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

func TestLine(t *testing.T) {
	require.Equal(t, `{"type":"UnitRegistered","occurred_at":"2021-06-02T09:00:00+08:00","actor":"test","data":{"unit_id":"U1","name":"n"}}`,
		eventstest.Line(events.UnitRegistered, "2021-06-02T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`))
	// Every option, given in any order, lands in the one key order; values
	// are escaped as JSON needs and otherwise written as given, bad ones
	// included.
	require.Equal(t, `{"id":"nope","type":"Bribe","occurred_at":"2021-06-02","recorded_at":"2021-06-03T00:00:00Z","actor":"a\"b\\c\n\r\t\u0001`+"\xff"+`<&>","ref":"","data":[1]}`,
		eventstest.Line("Bribe", "2021-06-02", `[1]`, eventstest.WithRef(""), eventstest.WithActor("a\"b\\c\n\r\t\x01\xff<&>"),
			eventstest.WithRecordedAt("2021-06-03T00:00:00Z"), eventstest.WithID("nope")))
	require.Equal(t, `{"type":"UnitRegistered","occurred_at":"x","actor":"","data":{}}`,
		eventstest.Line(events.UnitRegistered, "x", `{}`, eventstest.WithActor("")))
}

func TestEventDecodesALine(t *testing.T) {
	id := uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	e := eventstest.Event(t, eventstest.Line(events.UnitRegistered, "2021-06-02T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`,
		eventstest.WithID(id.String()), eventstest.WithActor(`office:"q"`), eventstest.WithRef("R-1")))
	require.Equal(t, id, e.ID)
	require.Equal(t, events.UnitRegistered, e.Type)
	require.Equal(t, `office:"q"`, e.Actor)
	require.Equal(t, "R-1", e.Ref)
	require.True(t, e.OccurredAt.Equal(time.Date(2021, 6, 2, 1, 0, 0, 0, time.UTC)))
}

func TestChain(t *testing.T) {
	head := eventstest.Sealed(events.Head{}, 2)[1].Head()
	kept := eventstest.UnitEvent(7)
	kept.ID = uuid.New()
	at := time.Date(2021, 6, 2, 0, 0, 0, 0, time.UTC)
	recs := eventstest.Chain(head, at, eventstest.UnitEvent(5), kept, eventstest.UnitEvent(5))
	require.Len(t, recs, 3)
	prev := head
	for i, r := range recs {
		require.Equal(t, head.Position+int64(i)+1, r.Position)
		require.Equal(t, prev.Hash, r.PrevHash)
		require.Equal(t, at, r.RecordedAt)
		_, ok := r.Check(nil)
		require.True(t, ok, "hash of %d", r.Position)
		prev = r.Head()
	}
	require.Equal(t, kept.ID, recs[1].ID)
	require.NotEqual(t, uuid.Nil, recs[0].ID)
	require.NotEqual(t, recs[0].ID, recs[2].ID, "an event without an id gets a new one each time")
}
