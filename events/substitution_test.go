package events_test

import (
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// TestNoSilentSubstitution: what encoding/json or the zero time would turn
// into something else without a word is refused (issue #13, item 6).
func TestNoSilentSubstitution(t *testing.T) {
	unit := `{"unit_id":"U1","name":"n"}`
	hist := events.DecodeOptions{Historical: true}
	refused(t, eventstest.Line(events.UnitRegistered, "2021-06-01T10:00:00+08:00", unit, eventstest.WithID("00000000-0000-0000-0000-000000000000")), "id", "nil UUID", hist)
	refused(t, `{"id":null,"type":"UnitRegistered","occurred_at":"2021-06-01T10:00:00+08:00","actor":"a","data":`+unit+`}`, "id", "must not be null", hist)
	refused(t, `{"type":"UnitRegistered","occurred_at":"2021-06-01T10:00:00+08:00","actor":"a","ref":null,"data":`+unit+`}`, "ref", "must not be null", hist)
	refused(t, `{"type":"UnitRegistered","occurred_at":"2021-06-01T10:00:00+08:00","recorded_at":null,"actor":"a","data":`+unit+`}`, "recorded_at", "must not be null", hist)
	refused(t, `{"type":"UnitRegistered","occurred_at":"2021-06-01T10:00:00+08:00","recorded_at":null,"actor":"a","data":`+unit+`}`, "recorded_at", "only a historical import", events.DecodeOptions{})
	for _, at := range []string{"0001-01-01T00:00:00Z", "1600-01-01T00:00:00+08:00", "2300-01-01T00:00:00Z"} {
		refused(t, eventstest.Line(events.UnitRegistered, "2021-06-01T10:00:00+08:00", unit, eventstest.WithRecordedAt(at)), "recorded_at", "not a time the ledger can store", hist)
	}
	// A lone surrogate escape, wherever it is.
	for _, c := range []struct{ line, field string }{
		{`{"type":"UnitRegistered","occurred_at":"2021-06-01T10:00:00+08:00","actor":"a\ud800","data":` + unit + `}`, "actor"},
		{ev(events.UnitRegistered, `{"unit_id":"U1","name":"县\udc00发改局"}`), "data.name"},
		{ev(events.UnitRegistered, `{"unit_id":"U1","name":"\ud83d\ud83d"}`), "data.name"},
		{ev(events.SectionExempted, `{"section_id":"S1","reason":"x\\\ud800"}`), "data.reason"},
		{ev(events.OnlineCandidatesFrozen, `{"section_ids":["S1","S\ud800"]}`), "data.section_ids[1]"},
	} {
		refused(t, c.line, c.field, "lone UTF-16 surrogate", events.DecodeOptions{})
	}
	// A key with one is no key the catalogue knows.
	refused(t, ev(events.UnitRegistered, `{"unit_id":"U1","name\ud800":"n"}`), "data.name\uFFFD", "unknown field", events.DecodeOptions{})
	// A pair is a character, and an escaped backslash before "ud800" is text.
	e := eventstest.Event(t, ev(events.UnitRegistered, `{"unit_id":"U1","name":"\ud83d\ude00 \\ud800"}`))
	require.Contains(t, string(e.Data), `"😀 \\ud800"`)
}
