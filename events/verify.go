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

// Verify re-derives every hash of the store: each record's hash from its
// prev_hash and canonical bytes, each prev_hash from the record before, and
// positions 1, 2, … without gaps. It returns the number of records and the
// head hash, or a *VerifyError for the first bad position.
//
// Hashing runs on every core while the store is read in order.
func Verify(ctx context.Context, s Store) (int64, Hash, error) {
	type job struct {
		pos  []int64
		want []Hash
		prev []Hash
		buf  []byte
		ends []int
	}
	const chunk = 4096
	workers := max(runtime.GOMAXPROCS(0), 1)
	jobs := make(chan *job, workers*2)
	var (
		mu       sync.Mutex
		firstBad *VerifyError
	)
	report := func(e *VerifyError) {
		mu.Lock()
		if firstBad == nil || e.Position < firstBad.Position {
			firstBad = e
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				start := 0
				for i, end := range j.ends {
					if ChainHash(j.prev[i], j.buf[start:end]) != j.want[i] {
						report(&VerifyError{Position: j.pos[i], Reason: "hash does not match the event's content (changed after it was stored)"})
						break
					}
					start = end
				}
			}
		}()
	}
	var (
		n    int64
		head Hash
		cur  = &job{}
	)
	flush := func() {
		if len(cur.pos) > 0 {
			jobs <- cur
			cur = &job{}
		}
	}
	err := s.Read(ctx, 0, 0, func(r *Record) error {
		n++
		if r.Position != n {
			report(&VerifyError{Position: n, Reason: fmt.Sprintf("missing: the next stored position is %d", r.Position)})
			return errStop
		}
		if r.PrevHash != head {
			report(&VerifyError{Position: r.Position, Reason: "prev_hash does not match the hash of the event before it"})
			return errStop
		}
		cur.pos = append(cur.pos, r.Position)
		cur.want = append(cur.want, r.Hash)
		cur.prev = append(cur.prev, r.PrevHash)
		cur.buf = r.Canonical(cur.buf)
		cur.ends = append(cur.ends, len(cur.buf))
		head = r.Hash
		if len(cur.pos) == chunk {
			flush()
		}
		return nil
	})
	flush()
	close(jobs)
	wg.Wait()
	if firstBad != nil {
		return firstBad.Position - 1, head, firstBad
	}
	if err != nil && !errors.Is(err, errStop) {
		return n, head, err
	}
	return n, head, nil
}

var errStop = errors.New("stop")
