package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/pingyang/ledger/internal/demo"
	"github.com/spf13/cobra"
)

func (c *command) demoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "demo",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger demo --historical --out demo.jsonl",
	}
	fs := cmd.Flags()
	seed := fs.Uint64("seed", 2021, "")
	out := fs.String("out", "-", "")
	historical := fs.Bool("historical", false, "")
	scale := fs.Float64("scale", 1, "")
	cmd.RunE = c.run(func(_ context.Context, _ []string) error {
		var w io.Writer = c.m.Stdout
		var f *os.File
		var err error
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
	})
	return cmd
}
