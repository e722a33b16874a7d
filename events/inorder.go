package events

import (
	"runtime"
	"sync"
)

// InOrder decodes on every core and yields in input order, for a reader
// of a file (JSON Lines, a workbook) that cuts its input into chunks:
// produce sends one job a chunk, in input order, and stops when send
// reports false (the consumer has stopped). Each job runs on a worker
// with that worker's scratch S; the jobs' events are yielded in the order
// the jobs were sent. InOrder returns once produce and every worker are
// done, reporting whether every event was yielded.
func InOrder[S any](produce func(send func(job func(*S) []Decoded) bool), yield func(Decoded) bool) bool {
	type task struct {
		job  func(*S) []Decoded
		out  []Decoded
		done chan struct{}
	}
	workers := max(runtime.GOMAXPROCS(0), 1)
	todo := make(chan *task, workers*4)
	order := make(chan *task, workers*4)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch S
			for t := range todo {
				t.out = t.job(&scratch)
				close(t.done)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(todo)
		produce(func(job func(*S) []Decoded) bool {
			t := &task{job: job, done: make(chan struct{})}
			// In order first, so that the consumer waits for it even
			// before a worker takes it.
			select {
			case order <- t:
			case <-stop:
				return false
			}
			select {
			case todo <- t:
			case <-stop:
				return false
			}
			return true
		})
	}()
	defer func() {
		close(stop)
		for range order {
		}
		wg.Wait()
	}()
	for t := range order {
		<-t.done
		for _, d := range t.out {
			if !yield(d) {
				return false
			}
		}
	}
	return true
}
