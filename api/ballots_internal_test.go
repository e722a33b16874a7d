package api

import (
	"testing"
	"time"

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
