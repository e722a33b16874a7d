package events_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// TestLookAlikes: identifiers that de-duplicate are stored in one spelling,
// and no stored text hides characters that show nothing (issue #13, item 7).
func TestLookAlikes(t *testing.T) {
	for _, deed := range []string{"deed-adv-1", "deed-adv-1 ", " DEED-ADV-1", "ｄｅｅｄ－ａｄｖ－１", "Deed-Adv-1\u3000"} {
		e := eventstest.Event(t, ev(events.CommendationAwarded, `{"section_id":"S1","level":"national","deed_id":"`+deed+`"}`))
		require.Contains(t, string(e.Data), `"deed_id":"deed-adv-1"`, deed)
		e = eventstest.Event(t, ev(events.MediaCoverageRecorded, `{"section_id":"S1","level":"central","matter_id":"`+deed+`"}`))
		require.Contains(t, string(e.Data), `"matter_id":"deed-adv-1"`, deed)
	}
	refused(t, ev(events.CommendationAwarded, `{"section_id":"S1","level":"national","deed_id":"   "}`), "data.deed_id", "required", events.DecodeOptions{})
	for _, hidden := range []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u061c", "\u00ad", "\ufe0f", "\u3164"} {
		code := "U+" + strings.ToUpper(strconv.FormatInt(int64([]rune(hidden)[0]), 16))
		if len(code) < 6 {
			code = "U+" + strings.Repeat("0", 6-len(code)) + code[2:]
		}
		for _, c := range []struct{ line, field string }{
			{ev(events.CommendationAwarded, `{"section_id":"S1","level":"national","deed_id":"deed`+hidden+`-adv-1"}`), "data.deed_id"},
			{ev(events.MediaCoverageRecorded, `{"section_id":"S1","level":"central","matter_id":"m`+hidden+`"}`), "data.matter_id"},
			{ev(events.UnitRegistered, `{"unit_id":"U1","name":"县`+hidden+`发改局"}`), "data.name"},
			{ev(events.SectionExempted, `{"section_id":"S1","reason":"r`+hidden+`"}`), "data.reason"},
			{ev(events.DeductionContested, `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","section_id":"S1","grounds":"`+hidden+`g"}`), "data.grounds"},
			{eventstest.Line(events.UnitRegistered, "2021-06-01T10:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("office:liao"+hidden)), "actor"},
			{eventstest.Line(events.UnitRegistered, "2021-06-01T10:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithRef("平委办"+hidden)), "ref"},
		} {
			refused(t, c.line, c.field, "invisible or formatting characters ("+code+")", events.DecodeOptions{})
		}
	}
	for _, actor := range []string{" ", "\u3000", " \u00a0 "} {
		refused(t, eventstest.Line(events.UnitRegistered, "2021-06-01T10:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor(actor)), "actor", "blank", events.DecodeOptions{})
	}
	// Text that only looks foreign to ASCII is fine: CJK punctuation, the
	// ideographic space inside a name, emoji.
	eventstest.Event(t, ev(events.UnitRegistered, `{"unit_id":"U1","name":"县发改局（综合科）　第一 😀"}`))
}
