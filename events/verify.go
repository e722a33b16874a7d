package events

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// VerifyError names the first stored record that breaks the chain, the
// tree or (with VerifyOptions.Each) a rule.
type VerifyError struct {
	Position int64
	Reason   string
	// Tree: the events are intact, and the Merkle tree stored beside them
	// is not (proofs and checkpoints served from it would not verify).
	Tree bool
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("position %d: %s", e.Position, e.Reason)
}

func (e *VerifyError) Unwrap() error { return ErrBroken }

// verifyRange is how many records one worker checks per read. A power of
// two, so that each whole range is one perfect subtree of the Merkle tree
// and the ranges' trees join without rehashing their leaves.
const verifyRange = 32768

// keepRange is the range of a verification with VerifyOptions.Each.
const keepRange = 1024

// maxRanges bounds the ranges of one verification.
const maxRanges = 1 << 16

// Verified is what a successful verification re-derived.
type Verified struct {
	Events int64
	Head   Hash
	Root   Hash // the Merkle tree's root over the events
}

// VerifyOptions add a check of every record in log order (re-validation).
type VerifyOptions struct {
	// Prepare, when set, runs on each record in the parallel readers (its
	// hashes not checked yet) and returns what Each needs of it; it must
	// copy what it keeps of r. Decoding goes here, so that it runs on
	// every core.
	Prepare func(r *Record) any
	// Each, when set, runs on every record whose hash and link hold, in
	// log order, with what Prepare returned for it. An error it returns
	// stops verification at that record; a *FieldError becomes the
	// VerifyError's reason.
	Each func(r *Record, prepared any) error
}

// Verify re-derives every hash of the store: each record's hash from its
// prev_hash and canonical bytes, each prev_hash from the record before, and
// positions 1, 2, … without gaps up to the head; then the Merkle root from
// the records' leaves, which must be the root of the store's own tree. It
// returns the number of records and the head hash, or a *VerifyError for
// the first bad position, with the number of intact records before it and the
// hash of the last of them (the last intact head, which an inspector compares
// with the heads kept elsewhere).
func Verify(ctx context.Context, s Store) (int64, Hash, error) {
	v, err := VerifyLog(ctx, s, VerifyOptions{})
	return v.Events, v.Head, err
}

// VerifyLog is Verify with the root, and with opt's check of every record.
//
// The log is cut into ranges that are read and hashed in parallel, one
// reader per core; the links between ranges, Each and the joining of the
// ranges' trees run in log order as the ranges come in.
func VerifyLog(ctx context.Context, s Store, opt VerifyOptions) (Verified, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return Verified{Head: ZeroHash}, fmt.Errorf("verify: %w", err)
	}
	n := head.Position
	type result struct {
		first      Hash // PrevHash of the range's first record
		last       Hash // Hash of its last record, or of its last intact one
		bad        *VerifyError
		treeBad    *VerifyError // a stored node of the range's subtree differs
		err        error
		start, end int64
		edge       Edge
		recs       []Record // with Each: the good records, copied
		data       []byte   // where their data is copied to
		prepared   []any
		done       chan struct{}
	}
	keep := opt.Each != nil
	size := int64(verifyRange)
	if keep {
		// Re-validation costs far more for some events than others (a
		// ballot's signature, all at the end of a year): smaller ranges
		// keep every core busy to the end.
		size = keepRange
	}
	// The head is what the store says, and a row written around the ledger
	// can claim any position: the ranges are made longer rather than more
	// numerous than maxRanges, so that their bookkeeping stays small until
	// the reads find the gap.
	for (n+size-1)/size > maxRanges {
		size *= 2 // still a power of two
	}
	ranges := int((n + size - 1) / size)
	results := make([]result, ranges)
	next := make(chan int, ranges)
	for i := 0; i < ranges; i++ {
		results[i].done = make(chan struct{})
		next <- i
	}
	close(next)
	workers := max(runtime.GOMAXPROCS(0), 1)
	// At most this many ranges are read ahead of the one being joined:
	// with Each, a range holds its records until then.
	ahead := make(chan struct{}, 4*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 4096)
			var levels [][]treeNode // the range's subtree by level, as the events give it
			var nodes []treeNode    // the same, level after level
			for i := range next {
				select {
				case ahead <- struct{}{}:
				case <-stop:
					return
				}
				res := &results[i]
				res.start = int64(i) * size
				res.end = min(res.start+size, n)
				want := res.start + 1
				var prev Hash
				for l := range levels {
					levels[l] = levels[l][:0]
				}
				visit := func(id NodeID, h Hash) {
					// The range starts at a multiple of its size, a power of
					// two: its subtree's nodes sit at start>>level onwards.
					id.Index += uint64(res.start) >> id.Level
					for int(id.Level) >= len(levels) {
						levels = append(levels, nil)
					}
					levels[id.Level] = append(levels[id.Level], treeNode{id, h})
				}
				err := s.Read(ctx, res.start, int(res.end-res.start), func(r *Record) error {
					if r.Position != want {
						res.bad = &VerifyError{Position: want, Reason: fmt.Sprintf("missing: the next stored position is %d", r.Position)}
						return errStop
					}
					if want == res.start+1 {
						res.first = r.PrevHash
					} else if r.PrevHash != prev {
						res.bad = &VerifyError{Position: want, Reason: "prev_hash does not match the hash of the event before it"}
						return errStop
					}
					var ok bool
					if buf, ok = r.Check(buf); !ok {
						res.bad = &VerifyError{Position: want, Reason: "hash does not match the event's content (changed after it was stored)"}
						return errStop
					}
					res.edge.Append(LeafHash(buf), visit)
					if keep {
						// One slice of records and one of their data a
						// range, not two allocations a record.
						if res.recs == nil {
							room := min(res.end-res.start, keepRange)
							res.recs = make([]Record, 0, room)
							res.data = make([]byte, 0, 256*room)
						}
						at := len(res.data)
						res.data = append(res.data, r.Data...)
						res.recs = append(res.recs, *r)
						c := &res.recs[len(res.recs)-1]
						c.Data = res.data[at:len(res.data):len(res.data)]
						var p any
						if opt.Prepare != nil {
							p = opt.Prepare(c)
						}
						res.prepared = append(res.prepared, p)
					}
					prev = r.Hash
					want++
					return nil
				})
				if err != nil && !errors.Is(err, errStop) {
					res.err = err
				} else if res.bad == nil && want <= res.end {
					res.bad = &VerifyError{Position: want, Reason: fmt.Sprintf("missing: the log ends before head position %d", n)}
				}
				res.last = prev
				if res.err == nil && res.bad == nil {
					nodes = nodes[:0]
					for _, l := range levels {
						nodes = append(nodes, l...)
					}
					res.treeBad, res.err = checkNodes(ctx, s, nodes)
				}
				close(res.done)
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	prev := ZeroHash
	var tree Edge
	var upper []treeNode // the nodes above the ranges' subtrees
	var treeBad *VerifyError
	for i := range results {
		r := &results[i]
		select {
		case <-r.done:
		case <-ctx.Done():
			return Verified{Events: r.start, Head: prev}, fmt.Errorf("verify: %w", ctx.Err())
		}
		if r.err != nil {
			return Verified{Events: r.start, Head: prev}, fmt.Errorf("verify: %w", r.err)
		}
		if r.first != prev && (r.bad == nil || r.bad.Position > r.start+1) {
			return Verified{Events: r.start, Head: prev}, &VerifyError{Position: r.start + 1, Reason: "prev_hash does not match the hash of the event before it"}
		}
		for j := range r.recs {
			rec := &r.recs[j]
			if err := opt.Each(rec, r.prepared[j]); err != nil {
				var fe *FieldError
				if errors.As(err, &fe) {
					return Verified{Events: rec.Position - 1, Head: rec.PrevHash},
						&VerifyError{Position: rec.Position, Reason: "breaks a rule: " + fe.Error()}
				}
				return Verified{Events: rec.Position - 1, Head: rec.PrevHash}, fmt.Errorf("verify: position %d: %w", rec.Position, err)
			}
		}
		r.recs, r.data, r.prepared = nil, nil, nil
		if r.bad != nil {
			if r.bad.Position > r.start+1 {
				prev = r.last // the range's records before the bad one are intact
			}
			return Verified{Events: r.bad.Position - 1, Head: prev}, r.bad
		}
		if r.treeBad != nil {
			treeBad = cmp.Or(treeBad, r.treeBad) // the chain goes on being checked
		}
		prev = r.last
		tree.merge(&r.edge, func(id NodeID, h Hash) { upper = append(upper, treeNode{id, h}) })
		<-ahead
	}
	v := Verified{Events: n, Head: prev, Root: tree.Root()}
	// Nothing may follow the head.
	extra := false
	if err := s.Read(ctx, n, 1, func(*Record) error { extra = true; return nil }); err != nil {
		return v, fmt.Errorf("verify: %w", err)
	}
	if extra {
		return v, &VerifyError{Position: n + 1, Reason: "a record follows the head"}
	}
	if prev != head.Hash {
		return v, &VerifyError{Position: n, Reason: "the head hash does not match the chain"}
	}
	if treeBad != nil {
		return v, treeBad
	}
	slices.SortFunc(upper, func(a, b treeNode) int {
		return cmp.Or(cmp.Compare(a.id.Level, b.id.Level), cmp.Compare(a.id.Index, b.id.Index))
	})
	bad, err := checkNodes(ctx, s, upper)
	if err != nil {
		return v, fmt.Errorf("verify: %w", err)
	}
	if bad != nil {
		return v, bad
	}
	stored, err := TreeRoot(ctx, s, n)
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrBroken) {
		return v, fmt.Errorf("verify: %w", err)
	}
	if err != nil || stored != v.Root {
		return v, &VerifyError{Position: n, Tree: true, Reason: "the store's Merkle tree does not match the events (its root is not the one they give); " +
			"checkpoints signed from it do not describe this log"}
	}
	if _, err := s.TreeNodes(ctx, []NodeID{{Level: 0, Index: uint64(n)}}); err == nil {
		return v, &VerifyError{Position: n + 1, Reason: "the store's Merkle tree has leaves past the head (events were removed)"}
	}
	return v, nil
}

var errStop = errors.New("stop")

type treeNode struct {
	id NodeID
	h  Hash
}

// checkNodes compares the store's tree with the nodes the events give,
// every one of them: proofs are served from the stored nodes, and a node
// off the path to the root would not change the root. It returns the
// node that differs, or is missing, as the position of the first event
// under it. The nodes come by level, then index (neighbours share the
// store's rows), and the first that differs is the lowest level's.
func checkNodes(ctx context.Context, tr TreeReader, nodes []treeNode) (*VerifyError, error) {
	if len(nodes) == 0 {
		return nil, nil
	}
	ids := make([]NodeID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.id
	}
	stored, err := tr.TreeNodes(ctx, ids)
	missing := errors.Is(err, ErrNotFound) || errors.Is(err, ErrBroken)
	if err != nil && !missing {
		return nil, err
	}
	for i, n := range nodes {
		if !missing && stored[i] == n.h {
			continue
		}
		if missing {
			// Which one is missing: ask for them one at a time.
			one, err := tr.TreeNodes(ctx, ids[i:i+1])
			if err == nil && one[0] == n.h {
				continue
			}
			if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrBroken) {
				return nil, err // not the tree's fault: a read that failed
			}
		}
		first := int64(n.id.Index<<n.id.Level) + 1
		last := first + (int64(1) << n.id.Level) - 1
		what := fmt.Sprintf("events %d to %d", first, last)
		if first == last {
			what = fmt.Sprintf("event %d", first)
		}
		return &VerifyError{Position: first, Tree: true, Reason: fmt.Sprintf("the store's Merkle tree does not match the events: "+
			"its node at level %d, index %d (over %s) is not the hash they give, or is missing; proofs served from it would not verify",
			n.id.Level, n.id.Index, what)}, nil
	}
	return nil, nil
}
