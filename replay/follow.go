package replay

import (
	"context"
	"time"
)

// Follow keeps the ledger current with records other processes append,
// checking the store's head every interval, until ctx ends. Backends with
// a push feed (events/esdb) call CatchUp from their subscription instead.
func Follow(ctx context.Context, l *Ledger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h, err := l.store.Head(ctx)
		if err != nil || h.Position == l.Head().Position {
			continue
		}
		_ = l.CatchUp(ctx) // a failed catch-up is retried on the next tick
	}
}
