package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/pingyang/ledger/projections"
)

// width is the number of terminal columns s takes: East Asian wide
// characters (the sections' Chinese names) take two.
func width(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

func runeWidth(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}

// fit cuts s to at most w columns, marking a cut with "…".
func fit(s string, w int) string {
	if width(s) <= w {
		return s
	}
	out, used := []rune{}, 0
	for _, r := range s {
		if used+runeWidth(r) > w-1 {
			break
		}
		out = append(out, r)
		used += runeWidth(r)
	}
	return string(out) + "…"
}

// pad left-aligns (or right-aligns) s in w columns.
func pad(s string, w int, right bool) string {
	n := w - width(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// table writes aligned columns; numeric columns (right[i]) align right.
func table(w io.Writer, head []string, right []bool, rows [][]string) error {
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = width(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], width(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			last := i == len(cells)-1
			if last && !right[i] {
				b.WriteString(c)
			} else {
				b.WriteString(pad(c, widths[i], right[i]))
			}
		}
		b.WriteByte('\n')
	}
	line(head)
	for _, r := range rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// f2 shows a number with two decimals; null shows as "-" (or "" in csv).
func f2(v *float64, null string) string {
	if v == nil {
		return null
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func itoa(v *int, null string) string {
	if v == nil {
		return null
	}
	return strconv.Itoa(*v)
}

// outcomeOf names a section's place in the outcome.
func outcomeOf(s *projections.Standings, id string) string {
	if s.Outcome == nil {
		return ""
	}
	in := func(l []string) bool { return slices.Contains(l, id) }
	switch {
	case in(s.Outcome.Top3):
		return "satisfied top3"
	case in(s.Outcome.Satisfied):
		return "satisfied"
	case in(s.Outcome.MostUnsatisfied):
		return "most_unsatisfied"
	case in(s.Outcome.Unsatisfied):
		return "unsatisfied"
	}
	return ""
}

func writeStandingsTable(w io.Writer, s *projections.Standings) error {
	frozen := "preview (not frozen)"
	if s.CandidatesFrozen {
		frozen = "frozen"
	}
	fmt.Fprintf(w, "rulebook %s  as of %s  known at %s  events %d\ncandidates %d, %s\n\n",
		s.Rulebook, s.AsOf, s.KnownAt, s.Events, len(s.Candidates), frozen)
	head := []string{"rank", "section", "unit", "name", "service", "hotline", "qr", "superv", "inspect", "daily", "online", "bonus", "total", "outcome"}
	right := []bool{true, false, false, false, true, true, true, true, true, true, true, true, true, false}
	rows := make([][]string, 0, len(s.Sections))
	for i := range s.Sections {
		r := &s.Sections[i]
		if r.Exempt {
			rows = append(rows, []string{"-", r.SectionID, r.UnitID, fit(r.Name, 28), "exempt", "", "", "", "", "", "", "", "", ""})
			continue
		}
		var svc *float64
		if r.Service != nil {
			svc = r.Service.Score
		}
		rows = append(rows, []string{itoa(r.Rank, "-"), r.SectionID, r.UnitID, fit(r.Name, 28),
			f2(svc, "-"), f2(r.Hotline, "-"), f2(r.QR, "-"), f2(r.Supervisor, "-"), f2(r.Inspection, "-"),
			f2(r.DailyTotal, "-"), f2(r.Online, "-"), f2(r.Bonus, "-"), f2(r.Total, "-"), outcomeOf(s, r.SectionID)})
	}
	if err := table(w, head, right, rows); err != nil {
		return err
	}
	if o := s.Outcome; o != nil {
		fmt.Fprintf(w, "\nsatisfied (满意单位): %s\nunsatisfied (不满意单位): %s\nmost unsatisfied (最不满意单位): %s\ntop 3: %s\n",
			strings.Join(o.Satisfied, " "), strings.Join(o.Unsatisfied, " "),
			strings.Join(o.MostUnsatisfied, " "), strings.Join(o.Top3, " "))
		var adj []string
		for _, u := range o.Units {
			adj = append(adj, fmt.Sprintf("%s %+d", u.UnitID, u.Adjustment))
		}
		fmt.Fprintf(w, "unit adjustments: %s\n", strings.Join(adj, ", "))
	}
	return nil
}

func writeStandingsCSV(w io.Writer, s *projections.Standings) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"section_id", "unit_id", "name", "exempt", "service_h1", "service_h2", "votes_h1", "votes_h2",
		"service", "hotline", "qr", "supervisor", "inspection", "daily_total", "online", "online_ballots",
		"bonus", "total", "candidate", "rank", "outcome"})
	for i := range s.Sections {
		r := &s.Sections[i]
		var h1, h2, svc *float64
		var v1, v2 string
		if r.Service != nil {
			h1, h2, svc = r.Service.H1, r.Service.H2, r.Service.Score
			v1, v2 = strconv.Itoa(r.Service.VotesH1), strconv.Itoa(r.Service.VotesH2)
		}
		cw.Write([]string{r.SectionID, r.UnitID, r.Name, strconv.FormatBool(r.Exempt), f2(h1, ""), f2(h2, ""), v1, v2,
			f2(svc, ""), f2(r.Hotline, ""), f2(r.QR, ""), f2(r.Supervisor, ""), f2(r.Inspection, ""),
			f2(r.DailyTotal, ""), f2(r.Online, ""), itoa(r.OnlineBallots, ""), f2(r.Bonus, ""), f2(r.Total, ""),
			strconv.FormatBool(r.Candidate), itoa(r.Rank, ""), outcomeOf(s, r.SectionID)})
	}
	cw.Flush()
	return cw.Error()
}

func writeExplainTable(w io.Writer, e *projections.Explanation) error {
	fmt.Fprintf(w, "%s  %s  (unit %s)\n\n", e.SectionID, e.Name, e.UnitID)
	head := []string{"position", "occurred", "type", "component", "points", "clause", "status", "note"}
	right := []bool{true, false, false, false, true, false, false, false}
	rows := make([][]string, 0, len(e.Entries))
	for _, x := range e.Entries {
		occ := x.OccurredAt
		if len(occ) > 19 {
			occ = occ[:19]
		}
		rows = append(rows, []string{strconv.FormatInt(x.Position, 10), occ, x.Type, x.Component,
			strconv.FormatFloat(x.Points, 'f', -1, 64), x.Clause, x.Status, x.Note})
	}
	if err := table(w, head, right, rows); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\nthe arithmetic\n")
	for _, line := range e.Work {
		b.WriteString("  " + line + "\n")
	}
	fmt.Fprintf(&b, "  rank %s\n", itoa(e.Rank, "- (not a candidate)"))
	_, err := io.WriteString(w, b.String())
	return err
}
