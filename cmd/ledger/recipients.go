package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/recipients"
	"github.com/spf13/cobra"
)

func (c *command) recipientsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "recipients check|pseudonymize",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("recipients: name what to do: check or pseudonymize")
			}
			return usagef("recipients: unknown command %q%s", args[0], didYouMean(cmd.SuggestionsFor(args[0]), ""))
		},
	}
	cmd.SuggestionsMinimumDistance = 2
	cmd.AddCommand(c.recipientsCheckCmd(), c.pseudonymizeCmd())
	return cmd
}

// readLists reads the units' workbooks against the ledger's roster.
func (c *command) readLists(ctx context.Context, files []string) (*recipients.Lists, *recipients.Roster, error) {
	c.existing = true // the roster must be there: never a store it would create
	l, closeFn, err := c.open(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	_, secs := l.Roster()
	closeFn()
	if len(secs) == 0 {
		return nil, nil, fmt.Errorf("recipients: no section is registered in %s: import the roster first", c.shownStore())
	}
	roster := recipients.NewRoster(secs)
	ls, err := recipients.ReadFiles(files, roster)
	if err != nil {
		return nil, nil, err
	}
	return ls, roster, nil
}

// writeReport prints one line per section, its problems under it, and a
// total; it returns the number of problems.
func writeReport(w io.Writer, reports []recipients.SectionReport, other []recipients.Problem) int {
	var b strings.Builder
	n, people := len(other), 0
	for _, p := range other {
		fmt.Fprintf(&b, "%s\n", p)
	}
	for _, r := range reports {
		people += r.Recipients
		status := "ok"
		if len(r.Problems) > 0 {
			status = fmt.Sprintf("%d problems", len(r.Problems))
		}
		fmt.Fprintf(&b, "%-8s  %s  %d recipients, %d penalised  %s\n", r.ID, r.Name, r.Recipients, r.Penalised, status)
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
		n += len(r.Problems)
	}
	fmt.Fprintf(&b, "%d sections, %d recipients, %d problems\n", len(reports), people, n)
	_, _ = io.WriteString(w, b.String())
	return n
}

func (c *command) recipientsCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "check FILE.xlsx...",
		Args:    someArgs("recipients check: want one or more FILE.xlsx, a unit's recipient list each"),
		Example: "  ledger recipients check U06.xlsx U07.xlsx",
	}
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		ls, roster, err := c.readLists(ctx, pos)
		if err != nil {
			return err
		}
		reports, other := recipients.Check(ls, roster)
		if n := writeReport(c.m.Stdout, reports, other); n > 0 {
			return fmt.Errorf("recipients check: %d problems", n)
		}
		return nil
	})
	return cmd
}

func (c *command) pseudonymizeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "pseudonymize --key FILE --xlsx SURVEY.xlsx FILE.xlsx...",
		Args:    someArgs("recipients pseudonymize: want one or more FILE.xlsx, a unit's recipient list each"),
		Example: "  ledger recipients pseudonymize --key office.key --new-key --round H1 --xlsx survey.xlsx U06.xlsx U07.xlsx",
	}
	fs := cmd.Flags()
	keyPath := fs.String("key", "", "")
	newKey := fs.Bool("new-key", false, "")
	out := xlsxFlag(cmd)
	round := fs.String("round", "", "")
	actor := fs.String("actor", "", "")
	c.complete(cmd, "round", string(events.RoundH1), string(events.RoundH2))
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if *keyPath == "" {
			return usagef("recipients pseudonymize: --key FILE is required")
		}
		if err := needXLSX("recipients pseudonymize", *out); err != nil {
			return err
		}
		if *round != "" && !events.Rounds.Has(events.Round(*round)) {
			return usagef("recipients pseudonymize: --round must be one of %s", events.Rounds)
		}
		ls, roster, err := c.readLists(ctx, pos)
		if err != nil {
			return err
		}
		reports, other := recipients.Check(ls, roster)
		// A row that cannot be surveyed (no mobile number, a bad one, no
		// section, the same person twice in a section) stops the run; a
		// count that does not meet the rules is the unit's to answer for
		// and is only reported.
		rowProblems := 0
		for _, p := range other {
			if p.Row {
				rowProblems++
			}
		}
		for _, r := range reports {
			for _, p := range r.Problems {
				if p.Row {
					rowProblems++
				}
			}
		}
		if rowProblems > 0 {
			writeReport(c.m.Stderr, reports, other)
			return fmt.Errorf("recipients pseudonymize: %d rows cannot be surveyed as they are; nothing was written", rowProblems)
		}
		var key recipients.Key
		if *newKey {
			key, err = recipients.NewKey(*keyPath)
		} else {
			var warn string
			key, warn, err = recipients.LoadKey(*keyPath)
			if warn != "" {
				fmt.Fprintf(c.m.Stderr, "ledger: warning: %s\n", warn)
			}
		}
		if err != nil {
			return err
		}
		opt := recipients.SurveyOptions{Round: events.Round(*round), Actor: *actor, Lang: c.lang.out()}
		if err := writeFile(*out, func(w io.Writer) error { return recipients.WriteSurvey(w, ls.Recipients, key, roster, opt) }); err != nil {
			return err
		}
		problems := 0
		for _, r := range reports {
			problems += len(r.Problems)
		}
		fmt.Fprintf(c.m.Stdout, "wrote %d recipients of %d sections to %s", len(ls.Recipients), len(reports), *out)
		if problems > 0 {
			fmt.Fprintf(c.m.Stdout, " (%d problems of counts: see ledger recipients check)", problems)
		}
		fmt.Fprintln(c.m.Stdout)
		return nil
	})
	return cmd
}
