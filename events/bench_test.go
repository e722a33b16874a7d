package events_test

import (
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
)

var voteLine = []byte(eventstest.Line(events.ServiceVoteRecorded, "2021-06-03T10:15:00+08:00", `{"section_id":"U06-S12","round":"H1","respondent":"r-abcdefghijkl","rating":"basic"}`,
	eventstest.WithID("64d7c1b2-8d1e-4f7a-9a51-3c1f2e9b7d10"), eventstest.WithActor("office:sms-survey"), eventstest.WithRef("SMS-2021-123456")))

func BenchmarkDecodeVote(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := events.Decode(voteLine, events.DecodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
