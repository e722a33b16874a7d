package events

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"iter"
	"runtime"
	"sync"
)

// Decoded is one input event, or why it could not be decoded. Line is its
// line in a JSON Lines file (0 when it came otherwise), Index its place
// among the events of its batch, from 0.
type Decoded struct {
	Line  int
	Event *Event
	Err   *FieldError
}

// ReadLines decodes a JSON Lines stream in parallel, yielding events in
// input order. Blank lines are skipped but counted. A line longer than
// MaxEventBytes is reported and skipped. A read error ends the sequence with
// a final Decoded whose Err names it (Line 0) and is also returned by the
// returned function once the sequence is done.
func ReadLines(r io.Reader, opt DecodeOptions) (iter.Seq[Decoded], func() error) {
	var readErr error
	seq := func(yield func(Decoded) bool) {
		type chunk struct {
			first int
			lines [][]byte
			out   []Decoded
			done  chan struct{}
		}
		const size = 256
		workers := max(runtime.GOMAXPROCS(0), 1)
		todo := make(chan *chunk, workers*4)
		order := make(chan *chunk, workers*4)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range todo {
					c.out = make([]Decoded, 0, len(c.lines))
					for i, l := range c.lines {
						line := c.first + i
						if l == nil {
							c.out = append(c.out, Decoded{Line: line, Err: invalid(EventField, "line longer than %d bytes", MaxEventBytes)})
							continue
						}
						if len(bytes.TrimSpace(l)) == 0 {
							continue
						}
						ev, err := Decode(l, opt)
						c.out = append(c.out, Decoded{Line: line, Event: ev, Err: err})
					}
					close(c.done)
				}
			}()
		}
		go func() {
			defer close(order)
			defer close(todo)
			br := bufio.NewReaderSize(r, 1<<20)
			line := 0
			cur := &chunk{first: 1, done: make(chan struct{})}
			send := func() bool {
				select {
				case order <- cur:
				case <-stop:
					return false
				}
				select {
				case todo <- cur:
				case <-stop:
					return false
				}
				cur = &chunk{first: line + 1, done: make(chan struct{})}
				return true
			}
			for {
				l, err := readLine(br)
				if errors.Is(err, io.EOF) && l == nil {
					break
				}
				if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errLineTooLong) {
					readErr = err
					break
				}
				line++
				if errors.Is(err, errLineTooLong) {
					l = nil // reported by the worker
				} else if l == nil {
					l = []byte{}
				}
				cur.lines = append(cur.lines, l)
				if len(cur.lines) == size && !send() {
					return
				}
				if errors.Is(err, io.EOF) {
					break
				}
			}
			if len(cur.lines) > 0 {
				send()
			}
		}()
		defer func() {
			close(stop)
			for range order {
			}
			wg.Wait()
		}()
		for c := range order {
			<-c.done
			for _, d := range c.out {
				if !yield(d) {
					return
				}
			}
		}
		if readErr != nil {
			yield(Decoded{Err: invalid(EventField, "read: %v", readErr)})
		}
	}
	return seq, func() error { return readErr }
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its line ending: (line, nil) for
// a terminated line, (line, io.EOF) for a last line without newline, (nil,
// io.EOF) at the end, and (nil, errLineTooLong) after skipping a line over
// MaxEventBytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) > MaxEventBytes+2 {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		buf = append(buf, frag...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == nil:
			return bytes.TrimRight(buf[:len(buf)-1], "\r"), nil
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return bytes.TrimRight(buf, "\r"), io.EOF
		}
		return nil, err
	}
}
