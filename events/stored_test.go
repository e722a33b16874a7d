package events_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// A stored envelope read back, by the fast path or encoding/json, gives the
// same record and so the same hash.
func TestParseStoredRoundTrips(t *testing.T) {
	evs := []*events.Event{
		eventstest.UnitEvent(1),
		eventstest.Event(t, eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U2","name":"a \"quoted\" \\ name"}`, eventstest.WithRef("DOC-1"))),
	}
	recs := eventstest.Chain(events.Head{}, time.Date(2021, 1, 1, 0, 0, 0, 5, time.UTC), evs...)
	var arr []json.RawMessage
	for _, r := range recs {
		b := r.AppendJSON(nil)
		arr = append(arr, b)
		got, err := events.ParseStored(b)
		require.NoError(t, err)
		_, ok := got.Check(nil)
		require.True(t, ok, "hash of %s", b)
		require.Equal(t, r.Hash, got.Hash)
	}
	all, _ := json.Marshal(arr)
	got, err := events.ParseStoredArray(all)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i := range got {
		_, ok := got[i].Check(nil)
		require.True(t, ok)
	}
	indented, _ := json.MarshalIndent(arr, "", "  ")
	got, err = events.ParseStoredArray(indented)
	require.NoError(t, err)
	require.Len(t, got, 2)
	_, err = events.ParseStoredArray([]byte(`[{"position":1}`))
	require.Error(t, err)
}
