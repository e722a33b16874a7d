package events_test

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// TestNumbersAreExact: the decimal rules are exact (not within an
// epsilon), every points field has one, and a number is kept only when the
// ledger stores exactly what was sent (issue #13, item 5).
func TestNumbersAreExact(t *testing.T) {
	data := func(typ events.Type, points string) string {
		switch typ {
		case events.UnitDeduction:
			return `{"unit_id":"U1","points":` + points + `,"reason":"r"}`
		case events.ContestResolved:
			return `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":` + points + `}`
		case events.SupervisorGradesSubmitted:
			return `{"unit_id":"U1","grades":[{"section_id":"S1","score":` + points + `}]}`
		case events.HotlineVerdict:
			return `{"section_id":"S1","item":"conduct","points":` + points + `,"role":"lead"}`
		}
		return `{"section_id":"S1","points":` + points + `,"reason":"r"}`
	}
	field := func(typ events.Type) string {
		if typ == events.SupervisorGradesSubmitted {
			return "data.grades[0].score"
		}
		return "data.points"
	}
	for _, c := range []struct {
		typ           events.Type
		points, issue string
	}{
		{events.DiscretionaryDeduction, "1e-9", "two decimals"},
		{events.DiscretionaryDeduction, "2.000000001", "two decimals"},
		{events.DiscretionaryDeduction, "0.001", "two decimals"},
		{events.UnitDeduction, "0.125", "two decimals"},
		{events.UnitDeduction, "0.00001", "two decimals"},
		{events.UnitDeduction, "1.234", "two decimals"},
		{events.ContestResolved, "1e-9", "two decimals"},
		{events.ContestResolved, "0.999", "two decimals"},
		{events.ContestResolved, "-0", "-0 is not allowed"},
		{events.ContestResolved, "-0.0e5", "-0 is not allowed"},
		{events.SupervisorGradesSubmitted, "4.10000001", "one decimal"},
		{events.SupervisorGradesSubmitted, "-0", "-0 is not allowed"},
		{events.SupervisorGradesSubmitted, "4.1000000000000000001", "it would store 4.1"},
		{events.HotlineVerdict, "3.0000000000000001", "it would store 3"},
		{events.DiscretionaryDeduction, "1e-400", "it would store 0"},
		{events.DiscretionaryDeduction, "1e400", "out of range"},
		{events.DiscretionaryDeduction, "1e99999999999999999999", "out of range"},
		{events.UnitDeduction, "12345678901234567890", "it would store 12345678901234567000"},
	} {
		refused(t, ev(c.typ, data(c.typ, c.points)), field(c.typ), c.issue, events.DecodeOptions{})
	}
	// The same values in other spellings are the same numbers.
	for _, p := range []string{"4.1", "4.10", "41e-1", "0.41E1", "4.1000", "0.0041e3"} {
		e := eventstest.Event(t, ev(events.SupervisorGradesSubmitted, data(events.SupervisorGradesSubmitted, p)))
		require.Contains(t, string(e.Data), `"score":4.1,`, p)
	}
	e := eventstest.Event(t, ev(events.ContestResolved, data(events.ContestResolved, "0")))
	require.Contains(t, string(e.Data), `"points":0,`)
}

// TestStoredNumbersPrintTheSameEverywhere: every number the rules let the
// ledger store is printed by jq 1.6+ and Python's json exactly as the
// ledger writes it in the canonical bytes, so the README's hash recipe
// never raises a false alarm (issue #13, item 5). jq printed 0.00001 as
// 1e-05, where the ledger wrote 0.00001.
func TestStoredNumbersPrintTheSameEverywhere(t *testing.T) {
	hundredths := func(k int) string { return strconv.FormatFloat(float64(k)/100, 'f', -1, 64) }
	var canon []string
	keep := func(typ events.Type, data string) {
		canon = append(canon, string(eventstest.Event(t, ev(typ, data)).Data))
	}
	for k := 1; k <= 2000; k++ {
		keep(events.DiscretionaryDeduction, `{"section_id":"S1","points":`+hundredths(k)+`,"reason":"r"}`)
		keep(events.UnitDeduction, `{"unit_id":"U1","points":`+hundredths(k)+`,"reason":"r"}`)
		keep(events.ContestResolved, `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":`+hundredths(k-1)+`}`)
	}
	for k := 0; k <= 50; k++ {
		keep(events.SupervisorGradesSubmitted, `{"unit_id":"U1","grades":[{"section_id":"S1","score":`+strconv.FormatFloat(float64(k)/10, 'f', -1, 64)+`}]}`)
	}
	for _, it := range []struct{ item, pts string }{{"conduct", "3"}, {"conduct", "4"}, {"conduct", "5"}, {"late_feedback", "1"}, {"shirking", "2"}} {
		keep(events.HotlineVerdict, `{"section_id":"S1","item":"`+it.item+`","points":`+it.pts+`,"role":"assist"}`)
	}
	// Numbers that printed differently are refused before they are stored.
	for _, bad := range []string{
		ev(events.UnitDeduction, `{"unit_id":"U1","points":0.00001,"reason":"r"}`),
		ev(events.ContestResolved, `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":1e-9}`),
		ev(events.ContestResolved, `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":-0}`),
	} {
		if e, err := events.Decode([]byte(bad), events.DecodeOptions{}); err == nil {
			canon = append(canon, string(e.Data)) // and fails below
		}
	}
	input := strings.Join(canon, "\n") + "\n"
	tools := map[string][]string{
		"jq":      {"jq", "-cS", "."},
		"python3": {"python3", "-c", "import json, sys\nfor l in sys.stdin: print(json.dumps(json.loads(l), separators=(',', ':'), sort_keys=True, ensure_ascii=False))"},
	}
	for name, argv := range tools {
		t.Run(name, func(t *testing.T) {
			if _, err := exec.LookPath(argv[0]); err != nil {
				t.Skipf("%s is not installed, so this check of the hash recipe cannot run (apt-get install jq python3)", argv[0])
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Stdin = strings.NewReader(input)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			require.NoError(t, cmd.Run(), errb.String())
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			require.Len(t, got, len(canon))
			for i := range canon {
				require.Equal(t, canon[i], got[i], "%s prints a stored number otherwise", name)
			}
		})
	}
}
