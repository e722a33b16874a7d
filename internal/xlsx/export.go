// Package xlsx writes and reads the office's Excel workbooks
// (github.com/xuri/excelize/v2): the standings, the outcome and a section's
// explain trail for people (export.go); blank sheets for the facts the
// office receives, with a drop-down list on every enumerated field
// (template.go); and those sheets read back as events, streaming, with
// every error naming its cell (read.go). The sheets' columns are derived
// from the event catalogue (schema.go), never listed by hand.
package xlsx

import (
	"fmt"
	"io"
	"slices"

	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/when"
	"github.com/pingyang/ledger/projections"
	"github.com/xuri/excelize/v2"
)

// ContentType is the media type of a workbook.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// book is a workbook being written, with its styles.
type book struct {
	f          *excelize.File
	lang       labels.Lang
	head, num2 int // style ids: the header row, two-decimal numbers
	first      bool
}

func newBook(l labels.Lang) (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f, lang: l, first: true}
	var err error
	if b.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return nil, fmt.Errorf("xlsx: header style: %w", err)
	}
	two := "0.00"
	if b.num2, err = f.NewStyle(&excelize.Style{CustomNumFmt: &two}); err != nil {
		return nil, fmt.Errorf("xlsx: number style: %w", err)
	}
	return b, nil
}

// sheet adds a sheet (the first one renames the workbook's default sheet)
// with a bold header row, frozen so that it stays in view.
func (b *book) sheet(name string, head []string, widths []float64) error {
	if b.first {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		b.first = false
	} else if _, err := b.f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	if len(head) == 0 {
		return nil
	}
	if err := b.f.SetSheetRow(name, "A1", &head); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(head), 1)
	if err := b.f.SetCellStyle(name, "A1", last, b.head); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.f.SetColWidth(name, col, col, w); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
	}
	return b.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// row writes one row from A; a *float64 or float64 cell gets the
// two-decimal format, a nil pointer stays empty.
func (b *book) row(sheet string, r int, cells ...any) error {
	vals := make([]any, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case *float64:
			if v != nil {
				vals[i] = *v
			}
		case *int:
			if v != nil {
				vals[i] = *v
			}
		default:
			vals[i] = v
		}
	}
	start, _ := excelize.CoordinatesToCellName(1, r)
	if err := b.f.SetSheetRow(sheet, start, &vals); err != nil {
		return fmt.Errorf("xlsx: %s row %d: %w", sheet, r, err)
	}
	for i, c := range cells {
		switch c.(type) {
		case *float64, float64:
			cell, _ := excelize.CoordinatesToCellName(i+1, r)
			if err := b.f.SetCellStyle(sheet, cell, cell, b.num2); err != nil {
				return fmt.Errorf("xlsx: %s!%s: %w", sheet, cell, err)
			}
		}
	}
	return nil
}

func (b *book) write(w io.Writer) error {
	b.f.SetActiveSheet(0)
	if _, err := b.f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: write: %w", err)
	}
	return b.f.Close()
}

func (b *book) t(key string) string { return labels.Get(b.lang, key) }

// exempt is an exempt cell: "yes" for an exempt section, whose scores are
// all blank (R-EXEMPT), else empty.
func (b *book) exempt(exempt bool) string {
	if exempt {
		return b.t("yes")
	}
	return ""
}

// Standings writes the standings workbook: 总表 (every section of the
// filter in rank order, with the unit's name and every component), 公示
// (the outcome's lists), 常委会确定 when the standing committee's decision
// is in force, and 单位加减分 (the units' adjustments).
func Standings(w io.Writer, s *projections.Standings, names present.Names, f present.Filter, l labels.Lang) error {
	b, err := newBook(l)
	if err != nil {
		return err
	}
	if err := b.standings(s, names, f); err != nil {
		return err
	}
	if err := b.outcome(s, names); err != nil {
		return err
	}
	return b.write(w)
}

// Outcome writes the outcome workbook: 公示, 常委会确定 when a decision is
// in force, and 单位加减分.
func Outcome(w io.Writer, s *projections.Standings, names present.Names, l labels.Lang) error {
	b, err := newBook(l)
	if err != nil {
		return err
	}
	if err := b.outcome(s, names); err != nil {
		return err
	}
	return b.write(w)
}

// StandingsColumns are the 总表's columns, as labels keys.
var StandingsColumns = []string{"rank", "section_id", "unit_id", "unit_name", "name", "exempt",
	"service_h1", "service_h2", "votes_h1", "votes_h2", "service", "hotline", "qr", "supervisor",
	"inspection", "daily_total", "online", "online_ballots", "bonus", "total", "candidate", "outcome"}

func (b *book) standings(s *projections.Standings, names present.Names, f present.Filter) error {
	name := b.t("sheet.standings")
	head := make([]string, len(StandingsColumns))
	for i, k := range StandingsColumns {
		head[i] = b.t(k)
	}
	widths := []float64{6, 10, 8, 22, 30, 6, 10, 10, 8, 8, 10, 8, 8, 8, 8, 10, 10, 8, 8, 10, 6, 14}
	// The decision's column only when there is one, so that the sheet of
	// a year without one keeps its shape.
	if s.Confirmed != nil {
		head, widths = append(head, b.t("confirmed")), append(widths, 14)
	}
	if err := b.sheet(name, head, widths); err != nil {
		return err
	}
	yesNo := func(v bool) string {
		if v {
			return b.t("yes")
		}
		return b.t("no")
	}
	for i, r := range present.Rows(s, f) {
		var h1, h2, svc *float64
		var v1, v2 *int
		if r.Service != nil {
			h1, h2, svc = r.Service.H1, r.Service.H2, r.Service.Score
			v1, v2 = &r.Service.VotesH1, &r.Service.VotesH2
		}
		outcome := ""
		if k := present.Outcome(s, r.SectionID); k != "" {
			outcome = b.t(k)
		}
		cells := []any{r.Rank, r.SectionID, r.UnitID, names.Unit(r.UnitID), r.Name, b.exempt(r.Exempt),
			h1, h2, v1, v2, svc, r.Hotline, r.QR, r.Supervisor, r.Inspection, r.DailyTotal, r.Online,
			r.OnlineBallots, r.Bonus, r.Total, yesNo(r.Candidate), outcome}
		if s.Confirmed != nil {
			cells = append(cells, b.place(present.Confirmed(s, r.SectionID)))
		}
		if err := b.row(name, i+2, cells...); err != nil {
			return err
		}
	}
	return nil
}

// outcome writes 公示: one row per section of the outcome, satisfied (the
// top three marked) in rank order, then unsatisfied from the higher rank to
// the lowest; and 单位加减分.
func (b *book) outcome(s *projections.Standings, names present.Names) error {
	name := b.t("sheet.outcome")
	head := []string{b.t("list"), b.t("rank"), b.t("section_id"), b.t("unit_name"), b.t("name"), b.t("total")}
	if err := b.sheet(name, head, []float64{14, 6, 10, 22, 30, 10}); err != nil {
		return err
	}
	if s.Outcome == nil {
		if err := b.row(name, 2, b.t("header.noOutcome")); err != nil {
			return err
		}
	} else {
		rows := rowsByID(s)
		n := 2
		for _, list := range [][]string{s.Outcome.Satisfied, s.Outcome.Unsatisfied} {
			for _, id := range list {
				r := rows[id]
				if r == nil {
					continue
				}
				if err := b.row(name, n, b.t(present.Outcome(s, id)), r.Rank, id, names.Unit(r.UnitID), r.Name, r.Total); err != nil {
					return err
				}
				n++
			}
		}
	}
	if err := b.confirmed(s, names); err != nil {
		return err
	}
	return b.units(s, names)
}

func rowsByID(s *projections.Standings) map[string]*projections.Row {
	rows := make(map[string]*projections.Row, len(s.Sections))
	for i := range s.Sections {
		rows[s.Sections[i].SectionID] = &s.Sections[i]
	}
	return rows
}

// place is the word of a place key ("" stays empty).
func (b *book) place(k string) string {
	if k == "" {
		return ""
	}
	return b.t(k)
}

// confirmed writes 常委会确定 when a decision of the standing committee is in
// force (R-OUT-CONF): its lists like 公示's, each section's place in the
// proposal beside its place in the decision, and the decision's document.
func (b *book) confirmed(s *projections.Standings, names present.Names) error {
	c := s.Confirmed
	if c == nil {
		return nil
	}
	rows := rowsByID(s)
	name := b.t("sheet.confirmed")
	head := []string{b.t("list"), b.t("rank"), b.t("section_id"), b.t("unit_name"), b.t("name"), b.t("total"), b.t("proposal")}
	if err := b.sheet(name, head, []float64{14, 6, 10, 22, 30, 10, 14}); err != nil {
		return err
	}
	n := 2
	for _, list := range [][]string{c.Satisfied, c.Unsatisfied} {
		for _, id := range list {
			r := rows[id]
			if r == nil {
				continue
			}
			if err := b.row(name, n, b.t(present.Confirmed(s, id)), r.Rank, id, names.Unit(r.UnitID), r.Name, r.Total,
				b.place(present.Outcome(s, id))); err != nil {
				return err
			}
			n++
		}
	}
	return b.row(name, n+1, b.t("document"), c.Document)
}

// units writes 单位加减分: the proposal's adjustments, and the decision's
// beside them when one is in force.
func (b *book) units(s *projections.Standings, names present.Names) error {
	name := b.t("sheet.units")
	head := []string{b.t("unit_id"), b.t("unit_name"), b.t("adjustment")}
	if s.Confirmed != nil {
		head = append(head, b.t("adjustment.confirmed"))
	}
	if err := b.sheet(name, head, []float64{8, 24, 12, 12}); err != nil {
		return err
	}
	proposed, confirmed := map[string]int{}, map[string]int{}
	var ids []string
	add := func(m map[string]int, l []projections.UnitAdjustment) {
		for _, u := range l {
			if _, seen := proposed[u.UnitID]; !seen {
				if _, seen := confirmed[u.UnitID]; !seen {
					ids = append(ids, u.UnitID)
				}
			}
			m[u.UnitID] = u.Adjustment
		}
	}
	if s.Outcome != nil {
		add(proposed, s.Outcome.Units)
	}
	if s.Confirmed != nil {
		add(confirmed, s.Confirmed.Units)
	}
	slices.Sort(ids)
	for i, id := range ids {
		cells := []any{id, names.Unit(id), optInt(proposed, id)}
		if s.Confirmed != nil {
			cells = append(cells, optInt(confirmed, id))
		}
		if err := b.row(name, i+2, cells...); err != nil {
			return err
		}
	}
	return nil
}

// optInt is m[k], or an empty cell when m has no k.
func optInt(m map[string]int, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return nil
}

// Components is the order of explain's component sheets.
var Components = []string{"roster", "service", "hotline", "qr", "supervisor", "inspection", "online", "bonus"}

// Explain writes a section's explain workbook: 汇总 (the section's row and
// the arithmetic), then one sheet per component with its entries.
func Explain(w io.Writer, e *projections.Explanation, names present.Names, l labels.Lang) error {
	b, err := newBook(l)
	if err != nil {
		return err
	}
	sum := b.t("sheet.summary")
	if err := b.sheet(sum, []string{b.t("component"), b.t("points")}, []float64{24, 60}); err != nil {
		return err
	}
	var svc *float64
	if e.Service != nil {
		svc = e.Service.Score
	}
	lines := []struct {
		k string
		v any
	}{{"section_id", e.SectionID}, {"name", e.Name}, {"unit_id", e.UnitID}, {"unit_name", names.Unit(e.UnitID)},
		{"exempt", b.exempt(e.Exempt)}, {"service", svc}, {"hotline", e.Hotline}, {"qr", e.QR}, {"supervisor", e.Supervisor},
		{"inspection", e.Inspection}, {"daily_total", e.DailyTotal}, {"online", e.Online},
		{"bonus", e.Bonus}, {"total", e.Total}, {"rank", e.Rank}}
	r := 2
	for _, x := range lines {
		if err := b.row(sum, r, b.t(x.k), x.v); err != nil {
			return err
		}
		r++
	}
	r++
	if err := b.row(sum, r, b.t("arithmetic")); err != nil {
		return err
	}
	for _, line := range e.Arithmetic {
		r++
		if err := b.row(sum, r, "", line); err != nil {
			return err
		}
	}
	cols := []string{"position", "occurred_at", "recorded_at", "type", "points", "clause", "status", "note", "event_id"}
	head := make([]string, len(cols))
	for i, k := range cols {
		head[i] = b.t(k)
	}
	byComp := map[string][]projections.Entry{}
	var extra []string
	for _, x := range e.Entries {
		if _, ok := byComp[x.Component]; !ok && !slices.Contains(Components, x.Component) {
			extra = append(extra, x.Component)
		}
		byComp[x.Component] = append(byComp[x.Component], x)
	}
	for _, comp := range append(append([]string{}, Components...), extra...) {
		entries, ok := byComp[comp]
		if !ok {
			continue
		}
		name := b.t(comp)
		if err := b.sheet(name, head, []float64{9, 26, 26, 26, 8, 12, 10, 60, 38}); err != nil {
			return err
		}
		for i, x := range entries {
			status := b.t(x.Status)
			if err := b.row(name, i+2, x.Position, when.ShowString(x.OccurredAt), when.ShowString(x.RecordedAt),
				x.Type, x.Points, x.Clause, status, x.Note, x.EventID); err != nil {
				return err
			}
		}
	}
	return b.write(w)
}

// Filename is the download name of a workbook: ledger-WHAT-ASOF.xlsx, from
// ASCII only so that every browser keeps it.
func Filename(what, asOf string) string {
	d := asOf
	if len(d) >= 10 {
		d = d[:10]
	}
	return "ledger-" + what + "-" + d + ".xlsx"
}
