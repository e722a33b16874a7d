package api

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
	sumnote "golang.org/x/mod/sumdb/note"
)

// KeepSigning follows the head on its own, with no request asking for a
// checkpoint: what a witness or an auditor fetches next is already signed,
// and appends between two ticks share one signature.
func TestKeepSigningFollowsTheHead(t *testing.T) {
	ctx := context.Background()
	l, st := replaytest.OpenSQLite(t, replay.Options{})
	skey, vkey, err := transparency.GenerateKey(rand.Reader, "test.example/ledger")
	require.NoError(t, err)
	signer, err := transparency.NewSigner(skey)
	require.NoError(t, err)
	verifier, err := sumnote.NewVerifier(vkey)
	require.NoError(t, err)
	s := New(Config{Ledger: l, Signer: signer})
	current := func() (int64, []byte) {
		s.cp.mu.RLock()
		defer s.cp.mu.RUnlock()
		return s.cp.size, s.cp.note
	}

	replaytest.AppendLines(t, l, eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"县发改局"}`))
	tick, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.KeepSigning(tick, 20*time.Millisecond); close(done) }()
	require.Eventually(t, func() bool { n, _ := current(); return n == 1 }, 5*time.Second, 5*time.Millisecond)

	replaytest.AppendLines(t, l,
		eventstest.Line(events.SectionRegistered, "2020-12-01T09:00:00+08:00", `{"section_id":"U1-S01","unit_id":"U1","name":"办公室","enforcement":false}`),
		eventstest.Line(events.SectionRegistered, "2020-12-01T09:00:00+08:00", `{"section_id":"U1-S02","unit_id":"U1","name":"规划科","enforcement":false}`))
	require.Eventually(t, func() bool { n, _ := current(); return n == 3 }, 5*time.Second, 5*time.Millisecond,
		"the two appends are signed within a few ticks, with no request")
	_, signedNote := current()
	n, err := sumnote.Open(signedNote, sumnote.VerifierList(verifier))
	require.NoError(t, err)
	root, err := events.TreeRoot(ctx, st, 3)
	require.NoError(t, err)
	cp, err := transparency.Parse([]byte(n.Text))
	require.NoError(t, err)
	require.Equal(t, int64(3), cp.Size)
	require.Equal(t, root, cp.Root)

	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("KeepSigning did not return after its context ended")
	}
}
