package events_test

import (
	"encoding/json"
	"strings"
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
	// The leaves from the served tokens are those of the records, by the
	// fast path and, for an indented array, by the slow one.
	leaves, err := events.LeavesOfStoredArray(all)
	require.NoError(t, err)
	for i, r := range recs {
		require.True(t, leaves[i].ContentOK)
		require.Equal(t, r.Leaf, leaves[i].Leaf)
		require.Equal(t, r.Position, leaves[i].Position)
	}
	spaced := []byte("[ " + string(arr[0]) + " , " + string(arr[1]) + " ]")
	slow, err := events.LeavesOfStoredArray(spaced)
	require.NoError(t, err)
	require.Equal(t, leaves, slow)
	// A changed token is a mismatch, never a pass.
	bad, err := events.LeavesOfStoredArray([]byte(strings.Replace(string(all), `"actor":"`, `"actor":"x`, 1)))
	require.NoError(t, err)
	require.False(t, bad[0].ContentOK)
	// Re-indented in transit (data too), or data's keys reordered, as a
	// proxy may: the hash covers the canonical bytes, so it still holds.
	indented, _ := json.MarshalIndent(arr, "", "  ")
	require.Contains(t, string(indented), `"data": {`+"\n")
	got, err = events.ParseStoredArray(indented)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i := range got {
		_, ok := got[i].Check(nil)
		require.True(t, ok, "indented %d", i)
	}
	reordered := strings.Replace(string(arr[1]), `{"name":"a \"quoted\" \\ name","unit_id":"U2"}`, `{ "unit_id" : "U2" , "name" : "a \"quoted\" \\ name" }`, 1)
	require.NotEqual(t, string(arr[1]), reordered)
	one, err := events.ParseStored([]byte(reordered))
	require.NoError(t, err)
	_, ok := one.Check(nil)
	require.True(t, ok)
	leaves, err = events.LeavesOfStoredArray([]byte("[" + string(arr[0]) + "," + reordered + "]"))
	require.NoError(t, err)
	require.True(t, leaves[1].ContentOK)
	require.Equal(t, recs[1].Leaf, leaves[1].Leaf)
	_, err = events.ParseStoredArray([]byte(`[{"position":1}`))
	require.Error(t, err)
}
