package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// TestStatusOfTheNewErrors: a request whose deadline ran out while it
// waited for a view is 503 unavailable, not 500 internal; a store whose
// files were lost is 503 store_lost, with no path in the message.
func TestStatusOfTheNewErrors(t *testing.T) {
	e := statusOf(fmt.Errorf("wait for a view: %w", context.DeadlineExceeded))
	require.Equal(t, 503, e.Status)
	require.Equal(t, "unavailable", e.Code)
	e = statusOf(fmt.Errorf("sqlite: /srv/ledger.db-wal was removed: %w", events.ErrStoreLost))
	require.Equal(t, 503, e.Status)
	require.Equal(t, "store_lost", e.Code)
	require.NotContains(t, e.Message, "/srv")
}
