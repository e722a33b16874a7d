package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// A view's standings depend only on as_of and on how many records are
// known at known_at (the log is append-only and recorded_at never goes
// backwards), so rendered standings are cached by that pair and never go
// stale; only the known_at echoed in the answer is spliced in per request.

type viewKey struct {
	asOf  int64
	known int64
}

type rendered struct {
	before, after []byte // the JSON around the known_at value
}

type renderCache struct {
	mu    sync.Mutex
	items map[viewKey]*rendered
	order []viewKey
}

const renderCacheSize = 64

const knownMarker = "\u0001known\u0001"

func (c *renderCache) get(k viewKey) *rendered {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[k]
}

func (c *renderCache) put(k viewKey, r *rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[viewKey]*rendered{}
	}
	if _, ok := c.items[k]; ok {
		return
	}
	if len(c.order) >= renderCacheSize {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
	c.items[k] = r
	c.order = append(c.order, k)
}

// StandingsJSON renders a view's standings as JSON (one line, no newline),
// from the cache when the same view was rendered before. Readers asking for
// a view that is not cached share its computation (gate.go).
func (l *Ledger) StandingsJSON(ctx context.Context, v projections.View) ([]byte, error) {
	snap := l.view()
	k := viewKey{asOf: events.Nanos(v.AsOf), known: snap.Known(v.KnownAt)}
	r := l.cache.get(k)
	if r == nil {
		x, err := l.views.do(ctx, k, func() (any, error) {
			if r := l.cache.get(k); r != nil {
				return r, nil // rendered while this caller queued
			}
			s := snap.Standings(v)
			s.KnownAt = knownMarker
			b, err := json.Marshal(s)
			if err != nil {
				return nil, fmt.Errorf("encode standings: %w", err)
			}
			marker, _ := json.Marshal(knownMarker)
			i := bytes.Index(b, marker)
			if i < 0 {
				return nil, fmt.Errorf("encode standings: no known_at")
			}
			r := &rendered{before: b[:i], after: b[i+len(marker):]}
			l.cache.put(k, r)
			return r, nil
		})
		if err != nil {
			return nil, err
		}
		r = x.(*rendered)
	}
	out := make([]byte, 0, len(r.before)+len(r.after)+40)
	out = append(out, r.before...)
	out = append(out, '"')
	out = append(out, events.FormatUTC(v.KnownAt)...)
	out = append(out, '"')
	return append(out, r.after...), nil
}
