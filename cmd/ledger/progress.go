package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// progress draws an import's progress on a terminal; on anything else it
// writes one plain line at the end.
type progress struct {
	w     io.Writer
	tty   bool
	plain bool
	start time.Time
	last  time.Time
	lines int
}

// newProgress returns nil when there is nothing to draw: w is not a
// terminal and no plain closing line is wanted.
func newProgress(w io.Writer, plain bool) *progress {
	p := &progress{w: w, start: time.Now(), plain: plain}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	if !p.tty && !plain {
		return nil
	}
	return p
}

func (p *progress) tick(line int) {
	p.lines = line
	if !p.tty || line%4096 != 0 {
		return
	}
	if now := time.Now(); now.Sub(p.last) > 100*time.Millisecond {
		p.last = now
		rate := float64(line) / now.Sub(p.start).Seconds()
		fmt.Fprintf(p.w, "\rimporting: %d lines read, %.0f lines/s ", line, rate)
	}
}

func (p *progress) done() {
	el := time.Since(p.start)
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	if p.lines > 0 && (p.tty || p.plain) {
		fmt.Fprintf(p.w, "read %d lines in %.1fs\n", p.lines, el.Seconds())
	}
}
