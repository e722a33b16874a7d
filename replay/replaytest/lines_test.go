package replaytest_test

import (
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

func TestDecodeLines(t *testing.T) {
	good := eventstest.Line(events.UnitRegistered, "2021-06-02T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`)
	var got []events.Decoded
	for d := range replaytest.DecodeLines(good, `{"type":`, good) {
		got = append(got, d)
	}
	require.Len(t, got, 3)
	for i, d := range got {
		require.Equal(t, i+1, d.Line)
	}
	require.Nil(t, got[0].Err)
	require.Equal(t, events.UnitRegistered, got[0].Event.Type)
	require.NotNil(t, got[1].Err, "a bad line is kept with its error")
	require.Nil(t, got[1].Event)
	require.NotNil(t, got[2].Event)
}
