// Package replay drives the projections over a store: it folds the log into
// one projections.State (starting from the store's checkpoint when it has
// one), keeps it current as events are appended, and answers standings and
// explain for any (as_of, known_at) from that state without re-reading the
// store. It is also the ledger's one writer path: every append is validated
// against the state, sealed into the hash chain and handed to the store with
// the head it must follow.
//
// One writer folds the state; readers never wait for it, nor it for them.
// After each append or catch-up the writer publishes an immutable snapshot
// of the state (projections.State.Snapshot), which readers load without a
// lock. Computing a view is CPU work that a crowd of readers could pile up:
// at most Options.MaxViews computations run at once, the others queue, and
// readers asking for the same view share one computation (gate.go).
package replay

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// Options configure a Ledger.
type Options struct {
	// Clock gives recorded_at for appends and the default known_at. Nil
	// means time.Now.
	Clock func() time.Time
	// CheckpointEvery saves a checkpoint after this many records have been
	// folded since the last one (0: 50,000; negative: never).
	CheckpointEvery int64
	// AllowBroken opens a store whose chain no longer holds (for
	// inspection); the problem is kept in Ledger.Broken. Without it, Open
	// refuses such a store with an error wrapping events.ErrBroken.
	AllowBroken bool
	// Sealer binds the fold's saved checkpoint to a key that the store's
	// writers do not hold. The checkpoint is a cache outside the chain:
	// anyone who can write the store can edit it, and a state loaded from
	// an edited one would answer with the edited facts. So the ledger
	// trusts a saved checkpoint only when Sealer says it sealed it, and
	// seals what it saves; without a Sealer it neither loads nor saves one
	// and folds the whole log. A checkpoint whose seal does not verify is
	// ignored and the log folded instead (CacheRefused says so).
	Sealer Sealer
	// CheckChain verifies the whole chain and the Merkle tree
	// (events.VerifyLog) while Open loads the state, before it returns:
	// what serve does before it answers anything. Without it, Open checks
	// the head's hash and the checkpoint's anchor only.
	CheckChain bool
	// MaxViews bounds the views (standings, explain) computed at once;
	// more wait their turn. 0 means one less than the number of CPUs (at
	// least one): a CPU is left to the writer and to answering requests, so
	// that readers slow each other down but not appends.
	MaxViews int
}

// Sealer signs and checks the fold's saved checkpoint
// (internal/transparency.Signer, with the office's key).
type Sealer interface {
	SealCache(c events.Checkpoint) ([]byte, error)
	OpenCache(c events.Checkpoint) bool
}

// ErrReadOnly is an append to a ledger opened on a broken chain for
// inspection (Options.AllowBroken with Ledger.Broken set).
var ErrReadOnly = errors.New("read-only: the store's chain does not hold, so the ledger was opened for inspection only; " +
	"nothing can be appended until the store is repaired (run `ledger verify` for the first bad position)")

// Ledger is the event ledger over one store.
type Ledger struct {
	store events.Store
	clock func() time.Time
	every int64

	mu    sync.Mutex         // the writer's: appends and catch-ups, one at a time
	state *projections.State // the writer's state, guarded by mu
	// snap is the state as of the last append or catch-up, immutable:
	// what every reader reads, without a lock.
	snap      atomic.Pointer[projections.State]
	saveMu    sync.Mutex   // one checkpoint save at a time
	saved     atomic.Int64 // position of the last checkpoint saved or loaded
	onAppend  []func(appended int)
	fromCheck bool
	cache     renderCache
	views     *gate
	allow     bool
	sealer    Sealer
	// Broken is why the chain does not hold, when Open was allowed to go on.
	// Such a ledger refuses every append (ErrReadOnly).
	Broken error
	// CacheRefused is set when Open found a saved checkpoint it could not
	// trust (no key to check it with, or a seal that does not verify) and
	// folded the log instead.
	CacheRefused string
	// Verified is what Options.CheckChain re-derived (events and root).
	Verified events.Verified
}

// Open folds the store into a new Ledger.
func Open(ctx context.Context, store events.Store, opt Options) (*Ledger, error) {
	l := &Ledger{store: store, clock: opt.Clock, every: opt.CheckpointEvery, allow: opt.AllowBroken, sealer: opt.Sealer}
	if l.clock == nil {
		l.clock = time.Now
	}
	if l.every == 0 {
		l.every = 50_000
	}
	if opt.MaxViews <= 0 {
		opt.MaxViews = max(1, runtime.GOMAXPROCS(0)-1)
	}
	l.views = newGate(opt.MaxViews)
	l.state = projections.New()
	var chain chan error
	if opt.CheckChain {
		// The whole chain is read on every core while the state loads.
		chain = make(chan error, 1)
		go func() {
			v, err := events.VerifyLog(ctx, store, events.VerifyOptions{})
			l.Verified = v
			chain <- err
		}()
	}
	if err := l.broken(l.loadCheckpoint(ctx)); err != nil {
		if chain != nil {
			<-chain
		}
		return nil, err
	}
	if chain != nil {
		if err := <-chain; err != nil {
			var ve *events.VerifyError
			if errors.As(err, &ve) {
				err = fmt.Errorf("the chain does not hold: %w; run `ledger verify`", err)
			}
			if err := l.broken(err); err != nil {
				return nil, err
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publish()
	if err := l.broken(l.catchUp(ctx)); err != nil {
		return nil, err
	}
	if err := l.broken(l.checkHead(ctx)); err != nil {
		return nil, err
	}
	return l, nil
}

// publish hands the readers a snapshot of the writer's state; l.mu is held
// and no batch is open.
func (l *Ledger) publish() { l.snap.Store(l.state.Snapshot()) }

// view is the state as of the last append or catch-up, for readers.
func (l *Ledger) view() *projections.State { return l.snap.Load() }

// broken lets a broken chain through when the ledger was opened for
// inspection, and only then.
func (l *Ledger) broken(err error) error {
	if err == nil || !errors.Is(err, events.ErrBroken) || !l.allow {
		return err
	}
	if l.Broken == nil {
		l.Broken = err
	}
	return nil
}

// checkHead recomputes the stored head's hash: a head that no longer
// matches its content means the store was changed behind the ledger.
func (l *Ledger) checkHead(ctx context.Context) error {
	pos := l.state.Head.Position
	if pos == 0 {
		return nil
	}
	return l.store.Read(ctx, pos-1, 1, func(r *events.Record) error {
		if _, ok := r.Check(nil); !ok || r.Hash != l.state.Head.Hash {
			return fmt.Errorf("the stored head (position %d) no longer matches the hash chain; "+
				"run `ledger verify` to find the first bad position: %w", pos, events.ErrBroken)
		}
		return nil
	})
}

// Store is the store under the ledger.
func (l *Ledger) Store() events.Store { return l.store }

// Now is the ledger's clock.
func (l *Ledger) Now() time.Time { return l.clock() }

// OnAppend registers f to be called (with the ledger unlocked) after each
// append that stored records.
func (l *Ledger) OnAppend(f func(appended int)) { l.onAppend = append(l.onAppend, f) }

// Head is the end of the chain as folded.
func (l *Ledger) Head() events.Head { return l.view().Head }

// FromCheckpoint reports whether Open started from a saved checkpoint.
func (l *Ledger) FromCheckpoint() bool { return l.fromCheck }

// CatchUp folds records other writers appended.
func (l *Ledger) CatchUp(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publish()
	return l.catchUp(ctx)
}

func (l *Ledger) catchUp(ctx context.Context) error {
	return fold(ctx, l.store, l.state, 0, l.allow)
}

// fold reads the records after st's head (at most limit, 0: all) and folds
// them into st, unchecked: they are stored already. Unless allowBroken, a
// record that does not follow the chain stops it.
func fold(ctx context.Context, store events.Store, st *projections.State, limit int, allowBroken bool) error {
	return store.Read(ctx, st.Head.Position, limit, func(r *events.Record) error {
		if r.PrevHash != st.Head.Hash && !allowBroken {
			return fmt.Errorf("record %d does not follow the chain; run `ledger verify`: %w", r.Position, events.ErrBroken)
		}
		body, err := r.Body()
		if err != nil {
			return fmt.Errorf("record %d: %v: %w", r.Position, err, events.ErrBroken)
		}
		// The state keeps no reference to r's slices except through the
		// body, which owns its own memory.
		if ferr := st.Add(r, body, false); ferr != nil {
			return fmt.Errorf("record %d: %v: %w", r.Position, ferr, events.ErrBroken)
		}
		return nil
	})
}
