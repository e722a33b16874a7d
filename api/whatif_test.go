package api_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// A what-if answers like an append would and leaves nothing: no event, no
// appended count in the metrics, no change to the standings others read.
func TestWhatIfIsNeverStoredOrCounted(t *testing.T) {
	f := newFixture(t, true)
	n := f.ledger.Len()
	_, before := f.do("GET", "/v1/standings", viewerTok, "", nil)
	code, b := f.post("/v1/whatif?as_of=2021-11-30", inspectorTok, "["+deduction+","+deduction+"]")
	require.Equal(t, 200, code, string(b))
	// The standings themselves, with the counts and the diff beside them.
	var w struct {
		Hypothetical bool   `json:"hypothetical"`
		Folded       int    `json:"folded"`
		Rulebook     string `json:"rulebook"`
		Events       int64  `json:"events"`
		Sections     []struct {
			SectionID  string   `json:"section_id"`
			Inspection *float64 `json:"inspection"`
		} `json:"sections"`
		Diff struct {
			Hypothetical bool `json:"hypothetical"`
			Sections     []struct {
				SectionID string   `json:"section_id"`
				Changed   []string `json:"changed"`
				Events    []struct {
					Change string `json:"change"`
				} `json:"events"`
			} `json:"sections"`
		} `json:"diff"`
	}
	require.NoError(t, json.Unmarshal(b, &w))
	require.True(t, w.Hypothetical)
	require.True(t, w.Diff.Hypothetical)
	require.NotContains(t, string(before), `"hypothetical"`, "real standings do not")
	require.NotContains(t, string(b), `"standings"`, "not nested")
	require.Equal(t, "pingyang-2021", w.Rulebook)
	require.Equal(t, 2, w.Folded)
	require.Equal(t, n+2, w.Events)
	require.InDelta(t, 17, *w.Sections[1].Inspection, 1e-9, "S01: 20 - 1.5 - 1.5")
	require.Equal(t, "S01", w.Diff.Sections[0].SectionID)
	require.Len(t, w.Diff.Sections[0].Events, 2)
	require.Equal(t, "added", w.Diff.Sections[0].Events[0].Change)

	require.Equal(t, n, f.ledger.Len())
	_, after := f.do("GET", "/v1/standings", viewerTok, "", nil)
	strip := regexp.MustCompile(`"known_at":"[^"]*"`)
	require.Equal(t, strip.ReplaceAllString(string(before), ""), strip.ReplaceAllString(string(after), ""))
	_, m := f.do("GET", "/metrics", "", "", nil)
	require.Contains(t, string(m), "ledger_events_appended_total 0")
	require.Contains(t, string(m), `ledger_replay_duration_seconds_count{query="whatif"} 1`)

	// The same errors as an append, field and all; nothing stored.
	bad := strings.Replace(deduction, "S01", "S99", 1)
	for _, body := range []string{bad, "[" + deduction + "," + bad + "]", `{"type":`, `[]`} {
		wc, wb := f.post("/v1/whatif", inspectorTok, body)
		ac, ab := f.post("/v1/events", recorderTok, body)
		require.Equal(t, ac, wc, body)
		require.JSONEq(t, string(ab), string(wb), body)
	}
	code, b = f.post("/v1/whatif?known_at=2021-12-01", inspectorTok, deduction)
	require.Equal(t, 400, code)
	require.Contains(t, string(b), `"field":"known_at"`)
	code, b = f.post("/v1/whatif?as_of=2022-01-01", inspectorTok, deduction)
	require.Equal(t, 400, code)
	require.Contains(t, string(b), `"field":"as_of"`)
	require.Equal(t, n, f.ledger.Len())
}

func TestDiffAndExplainOptions(t *testing.T) {
	f := newFixture(t, true)
	code, b := f.post("/v1/events", recorderTok, deduction)
	require.Equal(t, 201, code, string(b))
	var env struct {
		RecordedAt string `json:"recorded_at"`
	}
	require.NoError(t, json.Unmarshal(b, &env))
	rec, err := events.ParseBound(env.RecordedAt)
	require.NoError(t, err)
	before := rec.Add(-1).Format("2006-01-02T15:04:05.999999999Z07:00")
	code, b = f.do("GET", "/v1/diff?from_known_at="+before+"&to_known_at="+env.RecordedAt, inspectorTok, "", nil)
	require.Equal(t, 200, code, string(b))
	var d struct {
		Sections []struct {
			SectionID string   `json:"section_id"`
			Changed   []string `json:"changed"`
		} `json:"sections"`
	}
	require.NoError(t, json.Unmarshal(b, &d))
	require.Equal(t, "S01", d.Sections[0].SectionID)
	require.Contains(t, d.Sections[0].Changed, "inspection")
	// Two views known "now" are known at one instant.
	code, b = f.do("GET", "/v1/diff?from_as_of=2021-06-30", inspectorTok, "", nil)
	require.Equal(t, 200, code, string(b))
	var now struct {
		From, To struct {
			KnownAt string `json:"known_at"`
		}
	}
	require.NoError(t, json.Unmarshal(b, &now))
	require.NotEmpty(t, now.From.KnownAt)
	require.Equal(t, now.From.KnownAt, now.To.KnownAt)
	for q, field := range map[string]string{
		"from_as_of=2022-01-01": "from_as_of", "to_as_of=x": "to_as_of", "from_known_at=x": "from_known_at", "to_known_at=2021-13-01": "to_known_at",
	} {
		code, b = f.do("GET", "/v1/diff?"+q, inspectorTok, "", nil)
		require.Equal(t, 400, code, q)
		require.Contains(t, string(b), `"field":"`+field+`"`, q)
	}

	vote := eventstest.Line(events.ServiceVoteRecorded, "2021-06-01T10:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-hidden-person","rating":"basic"}`)
	code, b = f.post("/v1/events", recorderTok, vote)
	require.Equal(t, 201, code, string(b))
	code, b = f.do("GET", "/v1/sections/S01/explain?deductions=true", inspectorTok, "", nil)
	require.Equal(t, 200, code, string(b))
	var e struct {
		Entries    []struct{ Type string } `json:"entries"`
		Arithmetic []string                `json:"arithmetic"`
		Groups     []struct {
			Component string `json:"component"`
		} `json:"groups"`
	}
	require.NoError(t, json.Unmarshal(b, &e))
	require.Len(t, e.Entries, 1)
	require.Equal(t, "DiscretionaryDeduction", e.Entries[0].Type)
	require.NotEmpty(t, e.Arithmetic)
	code, b = f.do("GET", "/v1/sections/S01/explain?votes=all", inspectorTok, "", nil)
	require.Equal(t, 200, code)
	require.NoError(t, json.Unmarshal(b, &e))
	require.Len(t, e.Entries, 4, "registration, the frozen list, deduction, vote")
	require.Len(t, e.Groups, 8)
	require.NotContains(t, string(b), "r-hidden-person")
	for q, field := range map[string]string{"component=nope": "component", "deductions=maybe": "deductions", "votes=some": "votes"} {
		code, b = f.do("GET", "/v1/sections/S01/explain?"+q, inspectorTok, "", nil)
		require.Equal(t, 400, code, q)
		require.Contains(t, string(b), `"field":"`+field+`"`, q)
	}
}
