package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The store forgets a client only once its bucket is full again, so
// forgetting never hands out an attempt the client did not have.
func TestAttemptStoreForgetsOnlyFullBuckets(t *testing.T) {
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
	now = now.Add(30 * time.Second) // half a window: one attempt back
	require.True(t, allow("b"))
	require.Len(t, s.clients, 2, "a's bucket is not full yet: kept")
	require.True(t, allow("a"))
	require.False(t, allow("a"))
	now = now.Add(time.Minute)
	require.True(t, allow("c"))
	require.Len(t, s.clients, 1, "a and b idle for a window: full, forgotten")
	require.True(t, allow("a"))
	require.True(t, allow("a"))
	require.False(t, allow("a"), "a fresh bucket holds what a full one holds")
}
