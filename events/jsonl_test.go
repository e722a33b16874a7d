package events_test

import (
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// A file saved by Notepad or Excel starts with a byte order mark: it is
// not part of the first event. Anywhere else it is refused as it is.
func TestReadLinesSkipsALeadingByteOrderMark(t *testing.T) {
	line := eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("a"))
	seq, done := events.ReadLines(strings.NewReader("\ufeff"+line+"\n\ufeff"+line+"\n"), events.DecodeOptions{})
	var got []events.Decoded
	for d := range seq {
		got = append(got, d)
	}
	require.NoError(t, done())
	require.Len(t, got, 2)
	require.Nil(t, got[0].Err, "line 1")
	require.Equal(t, 1, got[0].Line)
	require.NotNil(t, got[1].Err, "a mark inside the file is no event")
	require.Equal(t, 2, got[1].Line)
}
