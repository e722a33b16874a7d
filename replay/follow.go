package replay

import (
	"context"
	"time"

	"github.com/pingyang/ledger/events"
)

// Follow keeps the ledger current with records other processes append,
// until ctx ends: through the store's subscription when it has one
// (events.Subscriber), else by checking the store's head every interval.
func Follow(ctx context.Context, l *Ledger, every time.Duration) {
	if sub, ok := l.store.(events.Subscriber); ok {
		// A failed catch-up is retried on the next notification.
		_ = sub.Subscribe(ctx, l.Head().Position, func(pos int64) {
			if pos > l.Head().Position {
				_ = l.CatchUp(ctx)
			}
		})
		return
	}
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
