package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/pingyang/ledger/internal/demo"
)

func (c *command) demoCmd(_ context.Context, args []string) error {
	fs := c.flags("demo")
	seed := fs.Uint64("seed", 2021, "random seed: the same seed gives the same year")
	out := fs.String("out", "-", "output file (- for stdout)")
	historical := fs.Bool("historical", false, "write recorded_at on every line (import with --historical)")
	scale := fs.Float64("scale", 1, "multiply the votes per section and round (benchmarks)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("demo takes no arguments")
	}
	var w io.Writer = c.m.Stdout
	var f *os.File
	if *out != "-" && *out != "" {
		if f, err = os.Create(*out); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	n, err := demo.Generate(bw, demo.Options{Seed: *seed, Historical: *historical, Scale: *scale})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(c.m.Stderr, "wrote %d events to %s\n", n, *out)
	}
	return nil
}
