package events_test

import (
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
			e, err := events.Decode(raw, opt)
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
