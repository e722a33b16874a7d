package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/when"
	"github.com/pingyang/ledger/projections"
	"github.com/spf13/cobra"
)

// The dispute panel's commands: diff (what changed between two views) and
// whatif (the standings with hypothetical events, never stored).

func (c *command) diffCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "diff",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger diff --from-as-of 2021-06-30 --to-as-of 2021-11-30\n" +
			"  ledger diff --from-known-at 2021-12-01 --to-known-at 2022-01-31 --format csv",
	}
	fs := cmd.Flags()
	fromAsOf := fs.String("from-as-of", "", "")
	fromKnown := fs.String("from-known-at", "", "")
	toAsOf := fs.String("to-as-of", "", "")
	toKnown := fs.String("to-known-at", "", "")
	format := fs.String("format", "table", "")
	c.complete(cmd, "format", "table", "json", "csv")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if !slices.Contains([]string{"table", "json", "csv"}, *format) {
			return usagef("diff: --format must be one of table, json, csv")
		}
		// Every bound is parsed before the store is opened: a usage
		// error touches nothing.
		var b [4]*time.Time
		for i, f := range []struct{ name, v string }{{"from-as-of", *fromAsOf}, {"from-known-at", *fromKnown}, {"to-as-of", *toAsOf}, {"to-known-at", *toKnown}} {
			t, err := parseBoundFlag(f.name, f.v)
			if err != nil {
				return err
			}
			b[i] = t
		}
		l, closeFn, err := c.open(ctx, true) // it only reads: nothing is stored
		if err != nil {
			return err
		}
		defer closeFn()
		now := l.Now() // one instant for both views (ViewAt)
		from, err := l.ViewAt(now, b[0], b[1])
		if err != nil {
			return fmt.Errorf("--from-as-of: %w", err)
		}
		to, err := l.ViewAt(now, b[2], b[3])
		if err != nil {
			return fmt.Errorf("--to-as-of: %w", err)
		}
		d, err := l.Diff(ctx, from, to)
		if err != nil {
			return err
		}
		return c.writeDiff(d, l.UnitNames(), *format)
	})
	return cmd
}

func (c *command) writeDiff(d *projections.Diff, units map[string]string, format string) error {
	switch format {
	case "json":
		return writeJSON(c.m.Stdout, d)
	case "csv":
		return writeDiffCSV(c.m.Stdout, d)
	}
	return writeDiffTable(c.m.Stdout, d, units, c.lang.out())
}

func (c *command) whatifCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "whatif FILE|-",
		Args:              exactArgs(1, "whatif: want exactly one FILE of hypothetical events (or - for stdin)"),
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger whatif resolve.jsonl --as-of 2021-11-30",
	}
	fs := cmd.Flags()
	asOf := fs.String("as-of", "", "")
	format := fs.String("format", "table", "")
	c.complete(cmd, "format", "table", "json", "csv")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if !slices.Contains([]string{"table", "json", "csv"}, *format) {
			return usagef("whatif: --format must be one of table, json, csv")
		}
		a, err := parseBoundFlag("as-of", *asOf)
		if err != nil {
			return err
		}
		var in io.Reader = c.m.Stdin
		if pos[0] != "-" {
			f, _, err := openLines(pos[0])
			if err != nil {
				return fmt.Errorf("whatif: %w", err)
			}
			defer f.Close()
			in = f
		}
		l, closeFn, err := c.open(ctx, true) // it only reads: nothing is stored
		if err != nil {
			return err
		}
		defer closeFn()
		v, err := l.View(a, nil)
		if err != nil {
			return err
		}
		seq, readErr := events.ReadLines(in, events.DecodeOptions{})
		w, err := l.WhatIf(ctx, seq, v.AsOf)
		if rerr := readErr(); err == nil && rerr != nil {
			err = rerr
		}
		if err != nil {
			var be *events.BatchError
			if errors.As(err, &be) {
				writeItems(c.m.Stderr, be, func(it events.ItemError) string { return it.Error() }, false, true)
				return reportedError{err}
			}
			return fmt.Errorf("whatif: %w", err)
		}
		switch *format {
		case "json":
			return writeJSON(c.m.Stdout, w)
		case "csv":
			return writeDiffCSV(c.m.Stdout, w.Diff)
		}
		fmt.Fprintf(c.m.Stdout, "HYPOTHETICAL: %d events folded in (%d already stored), nothing stored\n\n", w.Folded, w.Unchanged)
		units, _ := l.Roster()
		if err := writeStandingsTable(c.m.Stdout, w.Standings, tableOpts{lang: c.lang.out(), names: present.NamesOf(units)}); err != nil {
			return err
		}
		fmt.Fprintln(c.m.Stdout)
		return writeDiffTable(c.m.Stdout, w.Diff, l.UnitNames(), c.lang.out())
	})
	return cmd
}

// outcomeName is a section's R-OUT list as a word, "-" for none.
func outcomeName(f *projections.Figures) string {
	if f == nil || f.Outcome == nil {
		return "-"
	}
	if f.Top3 {
		return *f.Outcome + " top3"
	}
	return *f.Outcome
}

func figure(f *projections.Figures, get func(*projections.Figures) *float64) string {
	if f == nil {
		return "-"
	}
	return f2(get(f), "-")
}

func rankOf(f *projections.Figures) string {
	if f == nil {
		return "-"
	}
	return itoa(f.Rank, "-")
}

func arrow(a, b string) string {
	if a == b {
		return a
	}
	return a + " -> " + b
}

func writeDiffTable(w io.Writer, d *projections.Diff, units map[string]string, l labels.Lang) error {
	t := func(k string) string { return labels.Get(l, k) }
	var b strings.Builder
	side := func(name string, v projections.DiffView) {
		fmt.Fprintf(&b, "%s  as of %s  known at %s  events %d\n", name, v.AsOf, v.KnownAt, v.Events)
	}
	if d.Hypothetical {
		b.WriteString("hypothetical: \"to\" holds events that are not stored\n")
	}
	side("from", d.From)
	side("to  ", d.To)
	fmt.Fprintf(&b, "%d sections changed, %d unit adjustments changed\n\n", len(d.Sections), len(d.Units))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	total := func(f *projections.Figures) *float64 { return f.Total }
	head := []string{t("section_id"), t("unit_id"), t("name"), t("total"), t("rank"), t("outcome"), "changed", "events"}
	right := []bool{false, false, false, false, false, false, false, false}
	var rows [][]string
	for _, s := range d.Sections {
		rows = append(rows, []string{s.SectionID, s.UnitID, fit(s.Name, 20),
			arrow(figure(s.Before, total), figure(s.After, total)), arrow(rankOf(s.Before), rankOf(s.After)),
			arrow(outcomeName(s.Before), outcomeName(s.After)), strings.Join(s.Changed, " "), strconv.Itoa(len(s.Events))})
	}
	if err := table(w, head, right, rows); err != nil {
		return err
	}
	b.Reset()
	for _, s := range d.Sections {
		if len(s.Events) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s: the events\n", s.SectionID, s.Name)
		for _, e := range s.Events {
			fmt.Fprintf(&b, "  %d  %s  %s  %s  %s: %s -> %s\n", e.Position, e.OccurredAt[:min(19, len(e.OccurredAt))],
				e.Type, e.Clause, e.Change, entryState(e.Before), entryState(e.After))
		}
	}
	if len(d.Units) > 0 {
		b.WriteString("\nunit adjustments\n")
		for _, u := range d.Units {
			fmt.Fprintf(&b, "  %s %s: %s -> %s\n", u.UnitID, units[u.UnitID], adj(u.Before), adj(u.After))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func entryState(s *projections.EntryState) string {
	if s == nil {
		return "(not visible)"
	}
	return fmt.Sprintf("%s %s (%s)", strconv.FormatFloat(s.Points, 'f', -1, 64), s.Status, s.Note)
}

func adj(v *int) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%+d", *v)
}

func writeDiffCSV(w io.Writer, d *projections.Diff) error {
	cw := csv.NewWriter(w)
	comps := []struct {
		name string
		get  func(*projections.Figures) *float64
	}{
		{"service", func(f *projections.Figures) *float64 { return f.Service }},
		{"hotline", func(f *projections.Figures) *float64 { return f.Hotline }},
		{"qr", func(f *projections.Figures) *float64 { return f.QR }},
		{"supervisor", func(f *projections.Figures) *float64 { return f.Supervisor }},
		{"inspection", func(f *projections.Figures) *float64 { return f.Inspection }},
		{"daily_total", func(f *projections.Figures) *float64 { return f.DailyTotal }},
		{"online", func(f *projections.Figures) *float64 { return f.Online }},
		{"bonus", func(f *projections.Figures) *float64 { return f.Bonus }},
		{"total", func(f *projections.Figures) *float64 { return f.Total }},
	}
	head := []string{"record", "section_id", "unit_id", "name", "changed"}
	for _, c := range comps {
		head = append(head, c.name+"_before", c.name+"_after")
	}
	head = append(head, "rank_before", "rank_after", "candidate_before", "candidate_after", "outcome_before", "outcome_after",
		"adjustment_before", "adjustment_after", "events")
	cw.Write(head)
	val := func(f *projections.Figures, get func(*projections.Figures) *float64) string {
		if f == nil {
			return ""
		}
		return f2(get(f), "")
	}
	cand := func(f *projections.Figures) string {
		if f == nil {
			return ""
		}
		return strconv.FormatBool(f.Candidate)
	}
	out := func(f *projections.Figures) string {
		if o := outcomeName(f); o != "-" {
			return o
		}
		return ""
	}
	rank := func(f *projections.Figures) string {
		if f == nil {
			return ""
		}
		return itoa(f.Rank, "")
	}
	for _, s := range d.Sections {
		row := []string{"section", s.SectionID, s.UnitID, s.Name, strings.Join(s.Changed, " ")}
		for _, c := range comps {
			row = append(row, val(s.Before, c.get), val(s.After, c.get))
		}
		var evs []string
		for _, e := range s.Events {
			evs = append(evs, fmt.Sprintf("%d:%s:%s", e.Position, e.Type, e.Change))
		}
		row = append(row, rank(s.Before), rank(s.After), cand(s.Before), cand(s.After), out(s.Before), out(s.After), "", "", strings.Join(evs, " "))
		cw.Write(row)
	}
	for _, u := range d.Units {
		row := []string{"unit", "", u.UnitID, u.Name, "adjustment"}
		for range comps {
			row = append(row, "", "")
		}
		a := func(v *int) string {
			if v == nil {
				return ""
			}
			return strconv.Itoa(*v)
		}
		row = append(row, "", "", "", "", "", "", a(u.Before), a(u.After), "")
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// explainOptions are explain's reading flags.
type explainOptions struct {
	filter projections.ExplainFilter
	votes  bool // list every vote and ballot
}

// writeExplainGrouped prints the trail by component: each component's
// figure and arithmetic, its deductions, bonuses and corrections first,
// and its votes and ballots counted per round unless o.votes.
func writeExplainGrouped(w io.Writer, e *projections.Explanation, o explainOptions, l labels.Lang) error {
	t := func(k string) string { return labels.Get(l, k) }
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  (%s %s %s)\n", e.SectionID, e.Name, t("unit_id"), e.UnitID, e.UnitName)
	fmt.Fprintf(&b, "%s %s, %s %s\n", t("total"), f2(e.Total, "-"), t("rank"), itoa(e.Rank, "-"))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	byPos := make(map[int64]*projections.Entry, len(e.Entries))
	for i := range e.Entries {
		byPos[e.Entries[i].Position] = &e.Entries[i]
	}
	for _, g := range e.Groups {
		if len(g.Positions) == 0 && g.Score == nil {
			continue
		}
		b.Reset()
		// The roster has no figure: no space left after its name.
		fmt.Fprintf(&b, "\n== %s\n", strings.TrimSpace(t(g.Component)+" "+f2(g.Score, "")))
		for _, l := range g.Arithmetic {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		for _, r := range g.Rounds {
			fmt.Fprintf(&b, "  %s\n", roundLine(r))
		}
		if c := g.Ballots; c != nil {
			fmt.Fprintf(&b, "  ballots %d: marked satisfied %d, neither (basic) %d, marked unsatisfied %d; %d retracted\n",
				c.Ballots, c.Satisfied, c.Basic, c.Unsatisfied, c.Retracted)
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
		rows := [][]string{}
		for _, p := range g.Positions {
			x := byPos[p]
			if x == nil || (x.Summarised() && !o.votes) {
				continue
			}
			rows = append(rows, []string{"  " + strconv.FormatInt(x.Position, 10), when.ShowString(x.OccurredAt), x.Type,
				strconv.FormatFloat(x.Points, 'f', -1, 64), x.Clause, t(x.Status), x.Note})
		}
		if len(rows) > 0 {
			if err := table(w, []string{"  " + t("position"), t("occurred_at"), t("type"), t("points"), t("clause"), t("status"), t("note")},
				[]bool{true, false, false, true, false, false, false}, rows); err != nil {
				return err
			}
		}
	}
	b.Reset()
	fmt.Fprintf(&b, "\n%s %s, %s %s, %s %s\n", t("daily_total"), f2(e.DailyTotal, "-"), t("total"), f2(e.Total, "-"), t("rank"), itoa(e.Rank, "-"))
	_, err := io.WriteString(w, b.String())
	return err
}

// roundLine words a round of R-SVC: its counts, raw score, the
// small-sample average and the part.
func roundLine(r projections.Round) string {
	counts := fmt.Sprintf("round %s: %d votes (satisfied %d, basic %d, unsatisfied %d", r.Round, r.Votes, r.Satisfied, r.Basic, r.Unsatisfied)
	if r.Retracted > 0 {
		counts += fmt.Sprintf("; %d retracted", r.Retracted)
	}
	counts += ")"
	switch r.Rule {
	case "pending":
		return counts + ": pending, no section has a vote yet"
	case "no_vote":
		return counts + fmt.Sprintf(": the average of the %d sections with votes, %s (%s)", r.AverageOf, f2(r.Average, "-"), r.Clause)
	case "small":
		return counts + fmt.Sprintf(": fewer than 30, part = average %s x 0.7 + raw %s x 0.3 = %s (the average of %d sections; %s)",
			f2(r.Average, "-"), f2(r.Raw, "-"), f2(r.Part, "-"), r.AverageOf, r.Clause)
	}
	return counts + fmt.Sprintf(": part = raw %s (%s; the small-sample average of the round is %s over %d sections)",
		f2(r.Part, "-"), r.Clause, f2(r.Average, "-"), r.AverageOf)
}

// writeExplainCSV writes the grouped trail: one line per entry in reading
// order, and per round and ballot count a summary line unless o.votes.
func writeExplainCSV(w io.Writer, e *projections.Explanation, o explainOptions) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"section_id", "component", "position", "event_id", "type", "occurred_at", "recorded_at", "points", "clause", "status", "note"})
	byPos := make(map[int64]*projections.Entry, len(e.Entries))
	for i := range e.Entries {
		byPos[e.Entries[i].Position] = &e.Entries[i]
	}
	for _, g := range e.Groups {
		for _, p := range g.Positions {
			x := byPos[p]
			if x == nil || (x.Summarised() && !o.votes) {
				continue
			}
			cw.Write([]string{e.SectionID, g.Component, strconv.FormatInt(x.Position, 10), x.EventID, x.Type, x.OccurredAt, x.RecordedAt,
				strconv.FormatFloat(x.Points, 'f', -1, 64), x.Clause, x.Status, x.Note})
		}
		if o.votes {
			continue
		}
		for _, r := range g.Rounds {
			cw.Write([]string{e.SectionID, g.Component, "", "", "votes " + r.Round, "", "", f2(r.Part, ""), r.Clause, r.Rule, roundLine(r)})
		}
		if c := g.Ballots; c != nil {
			cw.Write([]string{e.SectionID, g.Component, "", "", "ballots", "", "", f2(c.Score, ""), "R-ONL", "counted",
				fmt.Sprintf("ballots %d: marked satisfied %d, neither %d, marked unsatisfied %d; %d retracted", c.Ballots, c.Satisfied, c.Basic, c.Unsatisfied, c.Retracted)})
		}
	}
	cw.Flush()
	return cw.Error()
}
