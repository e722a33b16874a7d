package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/spf13/cobra"
)

// The office's own tools: Excel workbooks out (export) and in (template;
// import --xlsx is in commands.go), and the units' recipient lists
// (recipients.go). The workbooks themselves are made by internal/xlsx.

func (c *command) exportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "export standings|outcome|explain",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		// export's own flags are its subcommands': with a mistyped
		// subcommand, "unknown flag --xlsx" would name the wrong thing.
		FParseErrWhitelist: cobra.FParseErrWhitelist{UnknownFlags: true},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("export: name what to export: standings, outcome or explain SECTION_ID")
			}
			return usagef("export: unknown export %q%s", args[0], didYouMean(cmd.SuggestionsFor(args[0]), ""))
		},
	}
	cmd.SuggestionsMinimumDistance = 2
	cmd.AddCommand(c.exportStandingsCmd("standings"), c.exportStandingsCmd("outcome"), c.exportExplainCmd())
	return cmd
}

// xlsxFlag is the required --xlsx FILE of an export.
func xlsxFlag(cmd *cobra.Command) *string {
	f := cmd.Flags().String("xlsx", "", "")
	_ = cmd.MarkFlagFilename("xlsx", "xlsx")
	return f
}

func needXLSX(name, path string) error {
	if path == "" {
		return usagef("%s: --xlsx FILE is required", name)
	}
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return usagef("%s: --xlsx %q: the file name must end in .xlsx, or Excel will not open it", name, path)
	}
	return nil
}

func (c *command) exportStandingsCmd(what string) *cobra.Command {
	cmd := &cobra.Command{
		Use:               what + " --xlsx FILE",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger export " + what + " --xlsx " + what + ".xlsx --as-of 2021-11-30",
	}
	vf := c.addViewFlags(cmd)
	out := xlsxFlag(cmd)
	var ff filterFlags
	if what == "standings" {
		ff = addFilterFlags(cmd)
	}
	name := "export " + what
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if err := needXLSX(name, *out); err != nil {
			return err
		}
		return c.inView(ctx, vf, name, func(l *replay.Ledger, v projections.View) error {
			units, _ := l.Roster()
			names := present.NamesOf(units)
			s, err := l.Standings(ctx, v)
			if err != nil {
				return err
			}
			if what == "outcome" {
				return writeFile(*out, func(w io.Writer) error { return xlsx.Outcome(w, s, names, c.lang.out()) })
			}
			f, err := ff.filter(l)
			if err != nil {
				return err
			}
			return writeFile(*out, func(w io.Writer) error { return xlsx.Standings(w, s, names, f, c.lang.out()) })
		})
	})
	return cmd
}

func (c *command) exportExplainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "explain SECTION_ID --xlsx FILE",
		Args:              exactArgs(1, "export explain: want exactly one SECTION_ID"),
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger export explain U06-S12 --xlsx U06-S12.xlsx",
	}
	vf := c.addViewFlags(cmd)
	out := xlsxFlag(cmd)
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if err := needXLSX("export explain", *out); err != nil {
			return err
		}
		return c.inView(ctx, vf, "export explain", func(l *replay.Ledger, v projections.View) error {
			e, err := l.Explain(ctx, pos[0], v)
			if err != nil {
				return err
			}
			units, _ := l.Roster()
			return writeFile(*out, func(w io.Writer) error { return xlsx.Explain(w, e, present.NamesOf(units), c.lang.out()) })
		})
	})
	return cmd
}

// writeFile writes a file whole or not at all: into a temporary file
// beside it, renamed over it once complete, so that a failed export never
// leaves half a workbook where the last good one was.
func writeFile(path string, fn func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ledger-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func (c *command) templateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:  "template TYPE... --xlsx FILE",
		Args: cobra.ArbitraryArgs,
		Example: "  ledger template HotlineVerdict InspectionFinding --xlsx facts.xlsx\n" +
			"  ledger template all --xlsx every-type.xlsx",
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			out := []string{"all"}
			for _, t := range events.Types {
				out = append(out, string(t))
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
	out := xlsxFlag(cmd)
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if len(pos) == 0 {
			return usagef("template: name at least one event type (or all): %s", typeList())
		}
		if err := needXLSX("template", *out); err != nil {
			return err
		}
		var types []events.Type
		seen := map[events.Type]bool{}
		for _, a := range pos {
			if strings.EqualFold(a, "all") {
				types = append(types, events.Types...)
				continue
			}
			t, ok := typeNamed(a)
			if !ok {
				return usagef("template: unknown event type %q%s", a, didYouMean(typeSuggestions(a), ""))
			}
			if !seen[t] {
				seen[t] = true
				types = append(types, t)
			}
		}
		types = dedupe(types)
		if err := writeFile(*out, func(w io.Writer) error { return xlsx.Template(w, types, c.lang.out()) }); err != nil {
			return err
		}
		fmt.Fprintf(c.m.Stdout, "wrote %d sheets to %s\n", len(types), *out)
		return nil
	})
	return cmd
}

// typeNamed finds a catalogue type by name, ignoring case.
func typeNamed(s string) (events.Type, bool) {
	for _, t := range events.Types {
		if strings.EqualFold(string(t), s) {
			return t, true
		}
	}
	return "", false
}

func typeSuggestions(s string) []string {
	var out []string
	for _, t := range events.Types {
		if editDistance(s, string(t)) <= 3 || strings.HasPrefix(strings.ToLower(string(t)), strings.ToLower(s)) {
			out = append(out, string(t))
		}
	}
	return out
}

func typeList() string {
	names := make([]string, len(events.Types))
	for i, t := range events.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func dedupe(types []events.Type) []events.Type {
	seen := map[events.Type]bool{}
	out := types[:0]
	for _, t := range types {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
