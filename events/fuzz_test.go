package events_test

import (
	"fmt"
	"testing"

	"github.com/pingyang/ledger/events"
)

// FuzzDecode: no input makes Decode panic; whatever it accepts has
// canonical data that decodes again to the same canonical data.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(voteLine))
	f.Add([]byte(ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":4.5}]}`)))
	f.Add([]byte(ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":1}`)))
	f.Add([]byte(`{"type":"UnitRegistered","type":"x"}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte("{\"actor\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, opt := range []events.DecodeOptions{{}, {Historical: true}} {
			// The fast path and encoding/json agree on every input.
			events.SetFastPath(false)
			slow, slowErr := events.Decode(raw, opt)
			events.SetFastPath(true)
			e, err := events.Decode(raw, opt)
			if fmt.Sprint(slowErr) != fmt.Sprint(err) {
				t.Fatalf("paths disagree on the error: %v / %v", slowErr, err)
			}
			if (slow == nil) != (e == nil) || (e != nil && (string(slow.Data) != string(e.Data) ||
				slow.ID != e.ID || !slow.OccurredAt.Equal(e.OccurredAt) || slow.Actor != e.Actor || slow.Ref != e.Ref ||
				!slow.RecordedAt.Equal(e.RecordedAt))) {
				t.Fatalf("paths disagree on the event:\n%+v\n%+v", slow, e)
			}
			if err != nil {
				if e != nil {
					t.Fatal("an error and an event")
				}
				if err.Reason == "" {
					t.Fatalf("an error without a reason: %#v", err)
				}
				continue
			}
			body, derr := events.DecodeData(e.Type, e.Data)
			if derr != nil {
				t.Fatalf("canonical data does not decode: %v", derr)
			}
			if ferr := body.Check(); ferr != nil {
				t.Fatalf("canonical data does not check: %v", ferr)
			}
		}
	})
}
