package events

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// VerifyError names the first stored record that breaks the chain.
type VerifyError struct {
	Position int64
	Reason   string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("position %d: %s", e.Position, e.Reason)
}

func (e *VerifyError) Unwrap() error { return ErrBroken }

// verifyRange is how many records one worker checks per read.
const verifyRange = 32768

// Verify re-derives every hash of the store: each record's hash from its
// prev_hash and canonical bytes, each prev_hash from the record before, and
// positions 1, 2, … without gaps up to the head. It returns the number of
// records and the head hash, or a *VerifyError for the first bad position
// (with the number of intact records before it).
//
// The log is cut into ranges that are read and hashed in parallel, one
// reader per core; the links between ranges are checked at the end.
func Verify(ctx context.Context, s Store) (int64, Hash, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return 0, ZeroHash, fmt.Errorf("verify: %w", err)
	}
	n := head.Position
	type result struct {
		first      Hash // PrevHash of the range's first record
		last       Hash // Hash of its last record
		bad        *VerifyError
		err        error
		start, end int64
	}
	ranges := int((n + verifyRange - 1) / verifyRange)
	results := make([]result, ranges)
	next := make(chan int, ranges)
	for i := 0; i < ranges; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < max(runtime.GOMAXPROCS(0), 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 4096)
			for i := range next {
				res := &results[i]
				res.start = int64(i) * verifyRange
				res.end = min(res.start+verifyRange, n)
				want := res.start + 1
				var prev Hash
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
					prev = r.Hash
					want++
					return nil
				})
				if err != nil && !errors.Is(err, errStop) {
					res.err = err
					continue
				}
				if res.bad == nil && want <= res.end {
					res.bad = &VerifyError{Position: want, Reason: fmt.Sprintf("missing: the log ends before head position %d", n)}
				}
				res.last = prev
			}
		}()
	}
	wg.Wait()
	prev := ZeroHash
	for i := range results {
		r := &results[i]
		if r.err != nil {
			return r.start, prev, fmt.Errorf("verify: %w", r.err)
		}
		if r.first != prev && (r.bad == nil || r.bad.Position > r.start+1) {
			return r.start, prev, &VerifyError{Position: r.start + 1, Reason: "prev_hash does not match the hash of the event before it"}
		}
		if r.bad != nil {
			return r.bad.Position - 1, prev, r.bad
		}
		prev = r.last
	}
	// Nothing may follow the head.
	extra := false
	if err := s.Read(ctx, n, 1, func(*Record) error { extra = true; return nil }); err != nil {
		return n, prev, fmt.Errorf("verify: %w", err)
	}
	if extra {
		return n, prev, &VerifyError{Position: n + 1, Reason: "a record follows the head"}
	}
	if prev != head.Hash {
		return n, prev, &VerifyError{Position: n, Reason: "the head hash does not match the chain"}
	}
	return n, prev, nil
}

var errStop = errors.New("stop")
