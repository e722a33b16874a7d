package replay

import (
	"context"
	"errors"
	"sync"
)

// gate runs the computations of views: at most cap(slots) at once, so that
// a crowd of readers asking for views nobody asked before queues for the
// CPU instead of taking all of it from the writer; and once per key at a
// time, so that readers asking for the same view share one computation.
type gate struct {
	slots chan struct{}
	mu    sync.Mutex
	calls map[any]*call
}

type call struct {
	done chan struct{}
	val  any
	err  error
}

func newGate(n int) *gate {
	return &gate{slots: make(chan struct{}, max(n, 1)), calls: map[any]*call{}}
}

// do returns fn's result for key: its own, or that of a computation of the
// same key already running. A caller whose ctx ends stops waiting; if it
// was the one computing, the callers waiting for it try again, one of them
// computing in its place.
func (g *gate) do(ctx context.Context, key any, fn func() (any, error)) (any, error) {
	for {
		g.mu.Lock()
		if c, ok := g.calls[key]; ok {
			g.mu.Unlock()
			select {
			case <-c.done:
				if isCanceled(c.err) && ctx.Err() == nil {
					continue // its caller gave up, not this one
				}
				return c.val, c.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		c := &call{done: make(chan struct{})}
		g.calls[key] = c
		g.mu.Unlock()
		c.val, c.err = g.run(ctx, fn)
		g.mu.Lock()
		delete(g.calls, key)
		g.mu.Unlock()
		close(c.done)
		return c.val, c.err
	}
}

// run runs fn in a slot.
func (g *gate) run(ctx context.Context, fn func() (any, error)) (any, error) {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-g.slots }()
	if computeHook != nil {
		computeHook()
	}
	return fn()
}

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// computeHook, when a test sets it, runs in the slot before each
// computation.
var computeHook func()
