package replay

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// The dispute panel's two questions: what changed between two views (Diff),
// and what the standings would be if some events were recorded (WhatIf).

// Diff compares two views of the folded state. It computes two views, so
// it takes its turn among the view computations (gate.go).
func (l *Ledger) Diff(ctx context.Context, from, to projections.View) (*projections.Diff, error) {
	snap := l.view()
	key := struct {
		from, to viewKey
		what     string
	}{viewKey{events.Nanos(from.AsOf), snap.Known(from.KnownAt)}, viewKey{events.Nanos(to.AsOf), snap.Known(to.KnownAt)}, "diff"}
	d, err := l.views.do(ctx, key, func() (any, error) { return snap.Diff(from, to), nil })
	if err != nil {
		return nil, err
	}
	return d.(*projections.Diff), nil
}

// Disputes lists the contests known in a view.
func (l *Ledger) Disputes(v projections.View) []projections.Dispute { return l.view().Disputes(v) }

// UnitNames maps every unit's id to its name.
func (l *Ledger) UnitNames() map[string]string { return l.view().UnitNames() }

// WhatIf is the answer of `ledger whatif` and POST /v1/whatif: the
// standings with hypothetical events folded in, and what they change. In
// JSON it is the standings object itself (its fields at the top, as the
// interface words it: "standings with hypothetical: true"), with the
// counts and the diff beside them.
type WhatIf struct {
	// Hypothetical is always true: nothing here is stored.
	Hypothetical bool `json:"hypothetical"`
	// Folded counts the hypothetical events folded in; Unchanged those
	// already stored with the same content (an idempotent repeat adds
	// nothing, as on an append).
	Folded    int `json:"folded"`
	Unchanged int `json:"unchanged"`
	*projections.Standings
	// Diff runs from the real standings to the hypothetical ones, in the
	// same view.
	Diff *projections.Diff `json:"diff"`
}

// WhatIf validates the events exactly as Append would (the same checks, in
// order, against the log and the events before them), folds them into the
// state as a batch, answers the standings as of asOf and their diff from the
// real ones, and rolls the batch back. It holds the writer's lock
// throughout, so no other request ever sees the hypothetical state (readers
// use the snapshot published before it; appends wait for it); nothing
// reaches the store, and the OnAppend hooks (the appended-events metric,
// the checkpoint) are not called. A bad event gets the error an append
// would give.
func (l *Ledger) WhatIf(ctx context.Context, in iter.Seq[events.Decoded], asOf time.Time) (*WhatIf, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.catchUp(ctx); err != nil {
		return nil, err
	}
	st := l.state
	real := st.Len()
	st.Begin()
	defer st.Rollback()
	b := l.newBatch(ctx, in, AppendOptions{}, st)
	var err error
	b.records(func(_ *events.Record, e error) bool {
		err = e
		return e == nil
	})
	var be *events.BatchError
	if errors.As(err, &be) {
		return nil, be
	}
	if err != nil {
		return nil, fmt.Errorf("what-if: %w", err)
	}
	if b.pulled == 0 {
		return nil, events.Invalid("events", "no hypothetical event given")
	}
	// The hypothetical records are recorded now (or at the head's time,
	// if the clock is behind it): the view knows them, and its Upto twin
	// is the real log in the same view.
	known := l.clock()
	if b.head.RecordedAt.After(known) {
		known = b.head.RecordedAt
	}
	standings, d := st.WhatIf(real, projections.View{AsOf: asOf, KnownAt: known})
	standings.Hypothetical = true
	return &WhatIf{Hypothetical: true, Folded: b.res.Appended, Unchanged: b.res.Unchanged,
		Standings: standings, Diff: d}, nil
}
