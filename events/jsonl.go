package events

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"iter"
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
// a final Decoded whose Err names it, on the line it failed to read, and is
// also returned by the returned function once the sequence is done.
func ReadLines(r io.Reader, opt DecodeOptions) (iter.Seq[Decoded], func() error) {
	var readErr error
	readAt := 0 // the line the read failed on
	seq := func(yield func(Decoded) bool) {
		const size = 256
		complete := InOrder(func(send func(func(*struct{}) []Decoded) bool) {
			br := bufio.NewReaderSize(r, 1<<20)
			line := 0
			first, lines := 1, [][]byte(nil)
			flush := func() bool {
				f, ls := first, lines
				first, lines = line+1, nil
				return send(func(*struct{}) []Decoded { return decodeLines(f, ls, opt) })
			}
			for {
				l, err := readLine(br)
				if errors.Is(err, io.EOF) && l == nil {
					break
				}
				if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errLineTooLong) {
					readErr, readAt = err, line+1
					break
				}
				line++
				if line == 1 {
					// A byte order mark, as Notepad and Excel write UTF-8:
					// not part of the first event (RFC 8259 lets a parser
					// ignore it).
					l = bytes.TrimPrefix(l, []byte("\ufeff"))
				}
				if errors.Is(err, errLineTooLong) {
					l = nil // reported by the worker
				} else if l == nil {
					l = []byte{}
				}
				lines = append(lines, l)
				if len(lines) == size && !flush() {
					return
				}
				if errors.Is(err, io.EOF) {
					break
				}
			}
			if len(lines) > 0 {
				flush()
			}
		}, yield)
		if complete && readErr != nil {
			yield(Decoded{Line: readAt, Err: invalid(EventField, "read: %v", readErr)})
		}
	}
	return seq, func() error { return readErr }
}

// decodeLines decodes the lines of a chunk whose first line is first: a
// nil line was too long, a blank one is skipped.
func decodeLines(first int, lines [][]byte, opt DecodeOptions) []Decoded {
	out := make([]Decoded, 0, len(lines))
	for i, l := range lines {
		line := first + i
		if l == nil {
			out = append(out, Decoded{Line: line, Err: invalid(EventField, "line longer than %d bytes", MaxEventBytes)})
			continue
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		ev, err := Decode(l, opt)
		out = append(out, Decoded{Line: line, Event: ev, Err: err})
	}
	return out
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
