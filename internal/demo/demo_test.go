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

// TestRosterIsTheContracts: the demo registers the 2021 roster, 44 units
// and 363 sections, two of them late (应报未报, R-ROSTER) with a unit
// deduction each (R-UNREP).
func TestRosterIsTheContracts(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year")
	}
	var b bytes.Buffer
	_, err := demo.Generate(&b, demo.Options{Seed: 3, Scale: 0.01})
	require.NoError(t, err)
	units, sections, late, unitDeductions := 0, map[string]bool{}, []string{}, 0
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var e struct {
			Type events.Type
			Data struct {
				SectionID    string `json:"section_id"`
				LateReported bool   `json:"late_reported"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		switch e.Type {
		case events.UnitRegistered:
			units++
		case events.SectionRegistered:
			require.False(t, sections[e.Data.SectionID], "registered twice: %s", e.Data.SectionID)
			sections[e.Data.SectionID] = true
			if e.Data.LateReported {
				late = append(late, e.Data.SectionID)
			}
		case events.UnitDeduction:
			unitDeductions++
		}
	}
	require.Equal(t, 44, units)
	require.Len(t, sections, 363)
	require.Equal(t, []string{"U12-S12", "U21-S18"}, late)
	require.Equal(t, 2, unitDeductions)
}
