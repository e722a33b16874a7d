package replay_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// TestLookAlikeDeedsCountOnce: one deed spelled five ways is one deed
// (issue #13, item 7: the five spellings made a bonus of 0 into 5). The
// spelling with a zero-width space is refused; the others are stored in
// one spelling and count once.
func TestLookAlikeDeedsCountOnce(t *testing.T) {
	var clock atomic.Int64
	l := viewLedger(t, replay.Options{}, &clock)
	deed := func(id string) string {
		return line("CommendationAwarded", at, `{"section_id":"S02","level":"municipal","deed_id":"`+id+`"}`)
	}
	_, err := l.Append(context.Background(), replaytest.DecodeLines(deed("deed-adv-1\u200b")), replay.AppendOptions{})
	require.ErrorIs(t, err, events.ErrInvalid)
	replaytest.AppendLines(t, l, deed("deed-adv-1"), deed("deed-adv-1 "), deed("ｄｅｅｄ－ａｄｖ－１"), deed("DEED-ADV-1"))
	v, err := l.View(nil, nil)
	require.NoError(t, err)
	s, err := l.Standings(context.Background(), v)
	require.NoError(t, err)
	for _, r := range s.Sections {
		if r.SectionID == "S02" {
			require.Equal(t, events.CommendationPoints[events.CommendMunicipal], *r.Bonus, "one deed, counted once")
			return
		}
	}
	t.Fatal("no row for S02")
}
