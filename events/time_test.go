package events_test

import (
	"errors"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// refused decodes line and requires it refused as invalid at field, with a
// reason containing reason.
func refused(t *testing.T, line, field, reason string, opt events.DecodeOptions) {
	t.Helper()
	_, err := events.Decode([]byte(line), opt)
	require.NotNil(t, err, "accepted: %s", line)
	require.Equal(t, field, err.Field, "%v", err)
	require.Contains(t, err.Reason, reason)
	require.True(t, errors.Is(err, events.ErrInvalid))
}

// TestStrictRFC3339 holds every time the ledger reads (occurred_at,
// recorded_at, and through ParseBound as_of, known_at, --at, --clock) to
// RFC 3339's grammar, which time.Parse alone is not (issue #13, item 8).
func TestStrictRFC3339(t *testing.T) {
	for _, s := range []string{
		"2021-06-01T10:00:00+08:00", "2021-06-01T10:00:00Z", "2021-06-01T10:00:00.5+08:00",
		"2021-06-01T10:00:00.123456789-05:30", "2021-06-01t10:00:00z", "2021-06-01T10:00:00+23:59",
		"2021-06-01T10:00:00+00:00",
	} {
		_, err := events.ParseInstant(s)
		require.NoError(t, err, s)
		_, err = events.ParseBound(s)
		require.NoError(t, err, s)
	}
	for s, why := range map[string]string{
		"2021-06-01T10:00:00+24:00":       "offset +24:00 out of range",
		"2021-06-01T10:00:00+08:60":       "offset +08:60 out of range",
		"2021-06-01T10:00:00-00:00":       "offset is unknown",
		"2021-06-01T10:00:00,5+08:00":     "",
		"2021-06-01T10:00:00.+08:00":      "",
		"2021-06-01T10:00:00.1234567891Z": "more than 9 digits",
		"2021-06-01 10:00:00+08:00":       "",
		"2021-06-01T10:00+08:00":          "",
		"2021-06-01T10:00:00+0800":        "",
		"2021-06-01T10:00:00":             "",
		"2021-06-01T24:00:00Z":            "",
		"2021-02-29T10:00:00Z":            "",
		"2021-06-01T10:00:60Z":            "",
		"+2021-06-01T10:00:00Z":           "",
		"２021-06-01T10:00:00Z":            "",
	} {
		_, err := events.ParseInstant(s)
		require.Error(t, err, s)
		require.Contains(t, err.Error(), "not an RFC 3339 time with offset")
		require.Contains(t, err.Error(), why, s)
		_, err = events.ParseBound(s)
		require.Error(t, err, s)
		for _, field := range []string{"occurred_at", "recorded_at"} {
			line := eventstest.Line(events.UnitRegistered, "2021-06-01T10:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithRecordedAt(s))
			if field == "occurred_at" {
				line = eventstest.Line(events.UnitRegistered, s, `{"unit_id":"U1","name":"n"}`)
			}
			refused(t, line, field, "RFC 3339", events.DecodeOptions{Historical: true})
		}
	}
}
