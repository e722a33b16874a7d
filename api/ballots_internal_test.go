package api

import (
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// At most n attempts in any window; the store forgets a client only once
// its last attempt is a window old, so forgetting never hands out an
// attempt the client did not have.
func TestAttemptStoreWindow(t *testing.T) {
	now := time.Date(2021, 11, 20, 10, 0, 0, 0, time.UTC)
	s := newAttemptStore(2, time.Minute, func() time.Time { return now })
	allow := func(client string) bool {
		ok, err := s.Allow(client)
		require.NoError(t, err)
		return ok
	}
	require.True(t, allow("a"))
	require.True(t, allow("a"))
	require.False(t, allow("a"))
	now = now.Add(30 * time.Second)
	require.True(t, allow("b"))
	require.Len(t, s.clients, 2)
	require.False(t, allow("a"), "half a window later: still 2 in the last minute")
	now = now.Add(30 * time.Second)
	require.True(t, allow("a"), "a minute after the first two")
	require.True(t, allow("a"))
	require.False(t, allow("a"))
	now = now.Add(time.Minute)
	require.True(t, allow("c"))
	require.Len(t, s.clients, 1, "a and b idle for a window: forgotten")
	require.True(t, allow("a"))
	require.True(t, allow("a"))
	require.False(t, allow("a"), "a forgotten client has what it had")
}

// A refusal of the ballot's event names the body's field, or none.
func TestInBody(t *testing.T) {
	for _, c := range []struct {
		field, reason string
		codeForm      bool
		want          string
	}{
		{"data.credential_key", "unknown credential", true, "code: unknown code"},
		{"data.credential_key", "unknown credential", false, "credential_key: unknown credential"},
		{"data.credential_key", "this credential has already voted", true, "code: this code has already been used to vote"},
		{"data.signature", "does not verify", false, "signature: does not verify"},
		{"data.unsatisfied[9]", "also marked satisfied", true, "unsatisfied[9]: also marked satisfied"},
		{"type", "no candidate list is frozen yet", true, "no candidate list is frozen yet"},
		{"occurred_at", "before the candidate list was frozen", false, "before the candidate list was frozen"},
	} {
		err := inBody(&events.FieldError{Field: c.field, Reason: c.reason, Kind: events.ErrInvalid}, c.codeForm)
		require.Equal(t, c.want, err.Error(), c.field)
		require.ErrorIs(t, err, events.ErrInvalid)
	}
}
