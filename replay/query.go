package replay

import (
	"fmt"
	"github.com/google/uuid"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// View builds a view from optional bounds: as_of defaults to the window's
// last instant and must lie inside the window; known_at defaults to now.
func (l *Ledger) View(asOf, knownAt *time.Time) (projections.View, error) {
	v := projections.View{AsOf: events.WindowEnd, KnownAt: l.clock()}
	if asOf != nil {
		if !events.InWindow(*asOf) {
			return v, events.Invalid("as_of", "outside the evaluation window %s", events.WindowText)
		}
		v.AsOf = *asOf
	}
	if knownAt != nil {
		v.KnownAt = *knownAt
	}
	return v, nil
}

// Standings answers a view from the folded state.
func (l *Ledger) Standings(v projections.View) *projections.Standings {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.state.Standings(v)
}

// Explain answers why a section has its score in a view.
func (l *Ledger) Explain(sectionID string, v projections.View) (*projections.Explanation, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, err := l.state.Explain(sectionID, v)
	if err != nil {
		return nil, fmt.Errorf("replay: explain: %w", err)
	}
	return e, nil
}

// ExplainCounted is Explain with votes and ballots left unworded, for a
// reader who sees them counted per round (projections.State.ExplainCounted).
func (l *Ledger) ExplainCounted(sectionID string, v projections.View) (*projections.Explanation, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, err := l.state.ExplainCounted(sectionID, v)
	if err != nil {
		return nil, fmt.Errorf("replay: explain: %w", err)
	}
	return e, nil
}

// Len is the number of records folded.
func (l *Ledger) Len() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.state.Len()
}

// Position returns the position of the stored event with this id.
func (l *Ledger) Position(id uuid.UUID) (int64, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	pos, _, ok := l.state.Lookup(id)
	return pos, ok
}
