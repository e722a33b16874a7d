package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/when"
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

// tableOpts shape the standings table.
type tableOpts struct {
	lang   labels.Lang
	names  present.Names
	filter present.Filter
	wide   bool // every column, names uncut
}

// writeStandingsTable prints the standings for people: in rank order, with
// the unit's and the section's names, in 100 columns (--wide: every
// component, names uncut).
func writeStandingsTable(w io.Writer, s *projections.Standings, o tableOpts) error {
	t := func(k string) string { return labels.Get(o.lang, k) }
	frozen := t("header.preview")
	if s.CandidatesFrozen {
		frozen = t("header.frozen")
	}
	fmt.Fprintf(w, "%s %s  %s %s  %s %s  %s %d\n%s %d, %s\n\n",
		t("header.rulebook"), s.Rulebook, t("header.as_of"), when.ShowString(s.AsOf),
		t("header.known_at"), when.ShowString(s.KnownAt), t("header.events"), s.Events,
		t("header.cands"), len(s.Candidates), frozen)
	cols := []string{"rank", "section_id", "unit_name", "name", "daily_total", "online", "bonus", "total", "outcome"}
	unitW, nameW := 12, 20
	if o.wide {
		cols = []string{"rank", "section_id", "unit_id", "unit_name", "name", "service", "hotline", "qr",
			"supervisor", "inspection", "daily_total", "online", "bonus", "total", "outcome"}
		unitW, nameW = 1000, 1000
	}
	// Once the committee has decided, the outcome column shows its
	// decision, marked * where it departs from the proposal (listed below
	// the table); --wide shows the proposal and the decision side by side.
	dec := s.Confirmed
	if dec != nil {
		if o.wide {
			cols = append(cols, "confirmed")
		} else {
			cols[len(cols)-1] = "confirmed"
		}
	}
	head := make([]string, len(cols))
	right := make([]bool, len(cols))
	for i, c := range cols {
		head[i] = t(c)
		switch c {
		case "section_id", "unit_id", "unit_name", "name", "outcome", "confirmed":
		default:
			right[i] = true
		}
	}
	var rows [][]string
	for _, r := range present.Rows(s, o.filter) {
		var svc *float64
		if r.Service != nil {
			svc = r.Service.Score
		}
		cell := map[string]string{
			"rank": itoa(r.Rank, "-"), "section_id": r.SectionID, "unit_id": r.UnitID,
			"unit_name": fit(o.names.Unit(r.UnitID), unitW), "name": fit(r.Name, nameW),
			"service": f2(svc, "-"), "hotline": f2(r.Hotline, "-"), "qr": f2(r.QR, "-"),
			"supervisor": f2(r.Supervisor, "-"), "inspection": f2(r.Inspection, "-"),
			"daily_total": f2(r.DailyTotal, "-"), "online": f2(r.Online, "-"), "bonus": f2(r.Bonus, "-"),
			"total": f2(r.Total, "-"),
		}
		if k := present.Outcome(s, r.SectionID); k != "" {
			cell["outcome"] = t(k)
		}
		if k, dev := present.Decision(s.Confirmed, r.SectionID); k != "" || dev {
			w := ""
			if k != "" {
				w = t(k)
			}
			cell["confirmed"] = present.Marked(w, dev)
		}
		if r.Exempt {
			cell = map[string]string{"rank": "-", "section_id": r.SectionID, "unit_id": r.UnitID,
				"unit_name": cell["unit_name"], "name": cell["name"], "total": t("exempt")}
		}
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell[c]
		}
		rows = append(rows, row)
	}
	if err := table(w, head, right, rows); err != nil {
		return err
	}
	lists := func(sat, unsat, most, top3 []string, units []projections.UnitAdjustment) {
		fmt.Fprintf(w, "%s: %s\n%s: %s\n%s: %s\n%s: %s\n",
			t("satisfied"), strings.Join(sat, " "), t("unsatisfied"), strings.Join(unsat, " "),
			t("most_unsatisfied"), strings.Join(most, " "), t("top3"), strings.Join(top3, " "))
		var adj []string
		for _, u := range units {
			adj = append(adj, fmt.Sprintf("%s %+d", u.UnitID, u.Adjustment))
		}
		fmt.Fprintf(w, "%s: %s\n", t("header.units"), strings.Join(adj, ", "))
	}
	if out := s.Outcome; out != nil {
		fmt.Fprintln(w)
		if dec != nil {
			fmt.Fprintf(w, "%s:\n", t("header.proposal"))
		}
		lists(out.Satisfied, out.Unsatisfied, out.MostUnsatisfied, out.Top3, out.Units)
	}
	if dec != nil {
		fmt.Fprintf(w, "\n"+t("header.confirmed")+":\n", dec.Document)
		lists(dec.Satisfied, dec.Unsatisfied, dec.MostUnsatisfied, dec.Top3, dec.Units)
		var dev []string
		for _, d := range []struct {
			key string
			dv  projections.Deviation
		}{{"satisfied", dec.Deviations.Satisfied}, {"unsatisfied", dec.Deviations.Unsatisfied}, {"most_unsatisfied", dec.Deviations.MostUnsatisfied}} {
			if len(d.dv.Dropped)+len(d.dv.Added) == 0 {
				continue
			}
			ch := []string{t(d.key)}
			for _, id := range d.dv.Dropped {
				ch = append(ch, "-"+id)
			}
			for _, id := range d.dv.Added {
				ch = append(ch, "+"+id)
			}
			dev = append(dev, strings.Join(ch, " "))
		}
		if len(dev) == 0 {
			fmt.Fprintln(w, t("header.noDeviation"))
		} else {
			fmt.Fprintf(w, "%s:\n  %s\n%s\n", t("header.deviations"), strings.Join(dev, "\n  "), t("header.deviates"))
		}
	}
	return nil
}

// bom is the UTF-8 byte order mark: Excel on a Chinese Windows reads a CSV
// without it in the ANSI code page (GBK), which turns names into mojibake.
const bom = "\ufeff"

// writeStandingsCSV writes one line per section of the filter, sorted by
// section_id like the JSON, with the JSON's field names as the header.
func writeStandingsCSV(w io.Writer, s *projections.Standings, f present.Filter, withBOM bool) error {
	if withBOM {
		if _, err := io.WriteString(w, bom); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"section_id", "unit_id", "name", "exempt", "service_h1", "service_h2", "votes_h1", "votes_h2",
		"service", "hotline", "qr", "supervisor", "inspection", "daily_total", "online", "online_ballots",
		"bonus", "total", "candidate", "rank", "outcome", "confirmed"})
	for i := range s.Sections {
		r := &s.Sections[i]
		if (f.Unit != "" && r.UnitID != f.Unit) || (f.Candidates && !r.Candidate) {
			continue
		}
		var h1, h2, svc *float64
		var v1, v2 string
		if r.Service != nil {
			h1, h2, svc = r.Service.H1, r.Service.H2, r.Service.Score
			v1, v2 = strconv.Itoa(r.Service.VotesH1), strconv.Itoa(r.Service.VotesH2)
		}
		cw.Write([]string{r.SectionID, r.UnitID, r.Name, strconv.FormatBool(r.Exempt), f2(h1, ""), f2(h2, ""), v1, v2,
			f2(svc, ""), f2(r.Hotline, ""), f2(r.QR, ""), f2(r.Supervisor, ""), f2(r.Inspection, ""),
			f2(r.DailyTotal, ""), f2(r.Online, ""), itoa(r.OnlineBallots, ""), f2(r.Bonus, ""), f2(r.Total, ""),
			strconv.FormatBool(r.Candidate), itoa(r.Rank, ""), labels.Get(labels.En, present.Outcome(s, r.SectionID)),
			labels.Get(labels.En, present.Confirmed(s, r.SectionID))})
	}
	cw.Flush()
	return cw.Error()
}
