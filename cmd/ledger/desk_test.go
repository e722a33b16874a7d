package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// The scenario's contest of event 160 (U01-S03) is resolved "reduced to 2"
// and recorded on 2021-12-10T02:00:00Z: its diff is one nanosecond wide.
func TestDiffOfTheScenariosResolution(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, dir, "", "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	bounds := []string{"--from-known-at", "2021-12-10T01:59:59.999999999Z", "--to-known-at", "2021-12-10T02:00:00Z"}
	code, out, errs := run(t, dir, "", append([]string{"diff", "--format", "json"}, bounds...)...)
	require.Equal(t, 0, code, errs)
	var d struct {
		Sections []struct {
			SectionID string   `json:"section_id"`
			Changed   []string `json:"changed"`
			Events    []struct {
				Type, Change string
				Before       struct{ Status string }
				After        struct {
					Status string
					Points float64
				}
			} `json:"events"`
		} `json:"sections"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	var s03 bool
	for _, s := range d.Sections {
		if s.SectionID != "U01-S03" {
			continue
		}
		s03 = true
		require.Contains(t, s.Changed, "inspection")
		require.Equal(t, "contested", s.Events[0].Before.Status)
		require.Equal(t, "reduced", s.Events[0].After.Status)
		require.Equal(t, "ContestResolved", s.Events[1].Type)
	}
	require.True(t, s03, out)
	code, out, errs = run(t, dir, "", append([]string{"diff"}, bounds...)...)
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "U01-S03")
	require.Contains(t, out, "contested")
	code, out, errs = run(t, dir, "", append([]string{"diff", "--format", "csv"}, bounds...)...)
	require.Equal(t, 0, code, errs)
	require.True(t, strings.HasPrefix(out, "record,section_id,unit_id,name,changed,service_before"), out)
	require.Contains(t, out, "section,U01-S03,U01,")

	// Two views known "now" are known at one instant, on a clock that
	// moves at every reading.
	var stdout, stderr bytes.Buffer
	tick := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "LEDGER_STORE" {
				return "sqlite:" + filepath.Join(dir, "ledger.db")
			}
			return ""
		},
		Now: func() time.Time { tick = tick.Add(time.Nanosecond); return tick }}
	code = m.Run(context.Background(), []string{"diff", "--from-as-of", "2021-06-30", "--format", "json"})
	require.Equal(t, 0, code, stderr.String())
	out = stdout.String()
	var now struct {
		From, To struct {
			KnownAt string `json:"known_at"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &now))
	require.NotEmpty(t, now.From.KnownAt)
	require.Equal(t, now.From.KnownAt, now.To.KnownAt)

	code, _, errs = run(t, dir, "", "diff", "--from-as-of", "2022-01-01")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "--from-as-of: as_of: outside the evaluation window")
	code, _, errs = run(t, dir, "", "diff", "--to-known-at", "soon")
	require.Equal(t, 2, code)
	require.Contains(t, errs, "--to-known-at")
}

func TestWhatIfStoresNothing(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, dir, "", "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	_, before, _ := run(t, dir, "", "standings", "--format", "json")
	_, verified, _ := run(t, dir, "", "verify")
	file := filepath.Join(dir, "hyp.jsonl")
	ded := eventstest.Line(events.DiscretionaryDeduction, "2021-06-01T10:00:00+08:00", `{"section_id":"U01-S01","points":5,"reason":"假设"}`)
	require.NoError(t, os.WriteFile(file, []byte(ded+"\n"), 0o600))
	code, out, errs := run(t, dir, "", "whatif", file, "--format", "json")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `"hypothetical":true`)
	require.Contains(t, out, `"folded":1`)
	code, out, errs = run(t, dir, "", "whatif", file)
	require.Equal(t, 0, code, errs)
	require.True(t, strings.HasPrefix(out, "HYPOTHETICAL: 1 events folded in"), out)
	_, after, _ := run(t, dir, "", "standings", "--format", "json")
	require.Equal(t, before, after)
	code, out, _ = run(t, dir, "", "verify")
	require.Equal(t, 0, code)
	require.Equal(t, verified, out, "the same events, the same head")
	// A bad hypothetical line is reported like an import's.
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(ded, "U01-S01", "U09-S09", 1)+"\n"), 0o600))
	code, _, errs = run(t, dir, "", "whatif", file)
	require.Equal(t, 1, code)
	require.Equal(t, "line 1: data.section_id: section U09-S09 is not registered\n", errs)
}

func TestExplainReadingOptions(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, dir, "", "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	code, out, errs := run(t, dir, "", "explain", "U01-S03")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "== inspect 19.00")
	require.Contains(t, out, "round H1:")
	require.NotContains(t, out, "ServiceVoteRecorded", "votes are counted per round by default")
	code, out, _ = run(t, dir, "", "explain", "U01-S03", "--votes")
	require.Equal(t, 0, code)
	require.Contains(t, out, "ServiceVoteRecorded")
	code, out, _ = run(t, dir, "", "explain", "U01-S03", "--deductions", "--format", "csv")
	require.Equal(t, 0, code)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		require.NotContains(t, l, "ServiceVoteRecorded")
		require.NotContains(t, l, "SectionRegistered")
	}
	code, out, _ = run(t, dir, "", "explain", "U01-S03", "--component", "service", "--format", "json")
	require.Equal(t, 0, code)
	var e struct {
		Entries []struct{ Component string } `json:"entries"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &e))
	for _, x := range e.Entries {
		require.Equal(t, "service", x.Component)
	}
	code, _, errs = run(t, dir, "", "explain", "U01-S03", "--component", "nope")
	require.Equal(t, 2, code)
	require.Contains(t, errs, "--component must be one of")
}
