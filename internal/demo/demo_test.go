package demo_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/stretchr/testify/require"
)

func TestGenerateIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year")
	}
	var a, b bytes.Buffer
	n, err := demo.Generate(&a, demo.Options{Seed: 7, Scale: 0.05})
	require.NoError(t, err)
	_, err = demo.Generate(&b, demo.Options{Seed: 7, Scale: 0.05})
	require.NoError(t, err)
	require.Equal(t, a.String(), b.String())
	require.Greater(t, n, 40000)
}

// TestSettlementsKeepTheirDates: the demo dates a correction when the office
// recorded it, in December or later too (the rules allow it; nothing is
// back-dated to the window's end), and the committee decides in December.
func TestSettlementsKeepTheirDates(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year")
	}
	var b bytes.Buffer
	_, err := demo.Generate(&b, demo.Options{Seed: 7, Scale: 0.05, Historical: true})
	require.NoError(t, err)
	late, decisions := 0, 0
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var e struct {
			Type       events.Type `json:"type"`
			OccurredAt time.Time   `json:"occurred_at"`
			RecordedAt time.Time   `json:"recorded_at"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		switch {
		case e.Type.Is(events.Correction):
			require.True(t, e.OccurredAt.Equal(e.RecordedAt), "a %s dated %s, recorded %s", e.Type, e.OccurredAt, e.RecordedAt)
			if e.OccurredAt.After(events.WindowEnd) {
				late++
			}
		case e.Type == events.OutcomeConfirmed:
			decisions++
			require.Equal(t, "2021-12-08", e.OccurredAt.In(events.CST).Format(time.DateOnly))
		default:
			require.True(t, events.InWindow(e.OccurredAt), "a %s dated %s", e.Type, e.OccurredAt)
		}
	}
	require.Positive(t, late, "no correction after the window")
	require.Equal(t, 1, decisions)
}
