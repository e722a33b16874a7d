package replay

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// View builds a view from optional bounds: as_of defaults to the window's
// last instant and must lie inside the window; known_at defaults to now,
// and never to before the last event's recorded_at (a clock that stepped
// back must not hide what was recorded).
func (l *Ledger) View(asOf, knownAt *time.Time) (projections.View, error) {
	return l.ViewAt(l.clock(), asOf, knownAt)
}

// ViewAt is View with now given: two views compared (a diff) read the
// clock once, so that both known "now" are known at one instant, not at
// two a few nanoseconds apart.
func (l *Ledger) ViewAt(now time.Time, asOf, knownAt *time.Time) (projections.View, error) {
	v := projections.View{AsOf: events.WindowEnd, KnownAt: now}
	if head := l.Head().RecordedAt; v.KnownAt.Before(head) {
		v.KnownAt = head
	}
	if asOf != nil {
		if !events.InWindow(*asOf) {
			return v, events.Invalid("as_of", "outside the evaluation window %s", events.WindowText)
		}
		v.AsOf = *asOf
	}
	if knownAt != nil {
		// Held to the years RFC 3339 can write: 9999-12-31T23:59:59-23:59
		// is 10000-01-01 in UTC, which the view would echo back as a
		// known_at no one could send again. Any instant past the last
		// (or before the first) knows the same events.
		switch k := *knownAt; {
		case k.Before(firstKnowable):
			v.KnownAt = firstKnowable
		case k.After(lastKnowable):
			v.KnownAt = lastKnowable
		default:
			v.KnownAt = k
		}
	}
	return v, nil
}

var (
	firstKnowable = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	lastKnowable  = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// Standings answers a view from the folded state.
func (l *Ledger) Standings(ctx context.Context, v projections.View) (*projections.Standings, error) {
	snap := l.view()
	key := struct {
		viewKey
		what string
	}{viewKey{asOf: events.Nanos(v.AsOf), known: snap.Known(v.KnownAt)}, "standings"}
	s, err := l.views.do(ctx, key, func() (any, error) { return snap.Standings(v), nil })
	if err != nil {
		return nil, err
	}
	// A shared answer echoes the known_at of whoever computed it.
	out := *s.(*projections.Standings)
	out.KnownAt = events.FormatUTC(v.KnownAt)
	return &out, nil
}

// Explain answers why a section has its score in a view. An id that
// cannot be a section's is not found, and not repeated in the error: it
// comes from a path, which may hold anything.
func (l *Ledger) Explain(ctx context.Context, sectionID string, v projections.View) (*projections.Explanation, error) {
	return l.explain(ctx, sectionID, v, false)
}

// ExplainCounted is Explain with votes and ballots left unworded, for a
// reader who sees them counted per round (projections.State.ExplainCounted).
func (l *Ledger) ExplainCounted(ctx context.Context, sectionID string, v projections.View) (*projections.Explanation, error) {
	return l.explain(ctx, sectionID, v, true)
}

func (l *Ledger) explain(ctx context.Context, sectionID string, v projections.View, counted bool) (*projections.Explanation, error) {
	if !events.IsID(sectionID) {
		return nil, events.NotFound("no such section: a section id is 1-32 characters of A-Z a-z 0-9 - _")
	}
	snap := l.view()
	key := struct {
		viewKey
		section string
		counted bool
	}{viewKey{asOf: events.Nanos(v.AsOf), known: snap.Known(v.KnownAt)}, sectionID, counted}
	e, err := l.views.do(ctx, key, func() (any, error) {
		if counted {
			return snap.ExplainCounted(sectionID, v)
		}
		return snap.Explain(sectionID, v)
	})
	if err != nil {
		return nil, err
	}
	return e.(*projections.Explanation), nil
}

// Len is the number of records folded.
func (l *Ledger) Len() int64 { return l.view().Len() }

// Position returns the position of the stored event with this id. The ids'
// index is the writer's (validation needs it), so this takes the writer's
// lock, for a map lookup.
func (l *Ledger) Position(id uuid.UUID) (int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pos, ok := l.state.Lookup(id)
	return pos, ok
}
