package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func ledger(t *testing.T) *replay.Ledger {
	t.Helper()
	l, _ := replaytest.OpenSQLite(t, replay.Options{Clock: func() time.Time { return time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC) }})
	return l
}

// fill writes rows under a template sheet's header rows, as a person would.
func fill(t *testing.T, f *excelize.File, sheet string, rows ...[]any) {
	t.Helper()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 3+i)
		require.NoError(t, f.SetSheetRow(sheet, cell, &r))
	}
}

// header is a template sheet's row 2: the field names.
func header(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), 2)
	return rows[1]
}

func TestTemplateFillImportExport(t *testing.T) {
	dir := t.TempDir()
	types := []events.Type{events.UnitRegistered, events.SectionRegistered, events.ServiceVoteRecorded,
		events.HotlineVerdict, events.SupervisorGradesSubmitted, events.InspectionFinding}
	var buf bytes.Buffer
	require.NoError(t, xlsx.Template(&buf, types, labels.Zh))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)

	// The template: a 说明 sheet, then one sheet per type; labels, then the
	// field names; a drop-down on every enumerated or yes/no column.
	want := []string{"说明"}
	for _, ty := range types {
		want = append(want, string(ty))
	}
	require.Equal(t, want, f.GetSheetList())
	require.Equal(t, []string{"occurred_at", "actor", "rating", "respondent", "round", "section_id", "ref"}, header(t, f, "ServiceVoteRecorded"))
	rows, _ := f.GetRows("ServiceVoteRecorded")
	require.Equal(t, []string{"发生时间 *", "记录人 *", "评价 *", "服务对象化名 *", "轮次 *", "科室编号 *", "参考文号"}, rows[0])
	dvs, err := f.GetDataValidations("ServiceVoteRecorded")
	require.NoError(t, err)
	lists := map[string]string{}
	for _, dv := range dvs {
		if dv.Type == "list" {
			lists[strings.Fields(dv.Sqref)[0]] = dv.Formula1
		}
	}
	require.Equal(t, map[string]string{"C3:C1048576": `"satisfied,basic,unsatisfied"`, "E3:E1048576": `"H1,H2"`}, lists)
	dvs, _ = f.GetDataValidations("SectionRegistered")
	found := 0
	for _, dv := range dvs {
		if dv.Type == "list" {
			require.Equal(t, `"true,false"`, dv.Formula1)
			found++
		}
	}
	require.Equal(t, 2, found, "enforcement and late_reported")
	panes, err := f.GetPanes("ServiceVoteRecorded")
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 2, panes.YSplit)

	// Filled by a person: text times, an Excel date-time, 是/否, pairs.
	fill(t, f, "UnitRegistered", []any{"2020-12-01T09:00:00+08:00", "office:liao", "县发改局", "U01"})
	fill(t, f, "SectionRegistered",
		[]any{"2020-12-01T09:00:00+08:00", "office:liao", "否", "", "发展规划综合科", "U01-S01", "U01"},
		[]any{"2020-12-01T09:00:00+08:00", "office:liao", false, false, "价格科", "U01-S02", "U01"},
		[]any{"2020-12-01T09:00:00+08:00", "office:liao", "是", "", "执法大队", "U01-S03", "U01"})
	var votes [][]any
	for i := range 40 {
		rating := "satisfied"
		if i%4 == 0 {
			rating = "basic"
		}
		sec := "U01-S01"
		if i%2 == 1 {
			sec = "U01-S02"
		}
		votes = append(votes, []any{"2021-06-01T10:00:00+08:00", "office:liao", rating, "r-" + strings.Repeat(string(rune('a'+i%26)), 3) + string(rune('a'+i/26)), "H1", sec})
	}
	fill(t, f, "ServiceVoteRecorded", votes...)
	fill(t, f, "HotlineVerdict", []any{time.Date(2021, 3, 1, 9, 30, 0, 0, time.UTC), "office:liao", "conduct", 5, "lead", "U01-S01"})
	fill(t, f, "SupervisorGradesSubmitted", []any{"2021-11-05T10:00:00+08:00", "office:wu", "U01-S01=4.6; U01-S02=3.8；U01-S03=2.5", "U01"})
	fill(t, f, "InspectionFinding", []any{"2021-03-10T10:00:00+08:00", "office:wu", "city", "U01-S02", "否"})
	path := filepath.Join(dir, "facts.xlsx")
	require.NoError(t, f.SaveAs(path))

	wb, err := xlsx.Open(path)
	require.NoError(t, err)
	defer wb.Close()
	l := ledger(t)
	res, err := l.Append(context.Background(), wb.Events(events.DecodeOptions{}), replay.AppendOptions{Keep: true})
	if err != nil {
		var be *events.BatchError
		if errors.As(err, &be) {
			for _, it := range be.Items {
				t.Log(wb.Error(it))
			}
		}
		require.NoError(t, err)
	}
	require.Equal(t, 1+3+40+1+1+1, res.Appended)
	// The Excel date-time is read as +08:00; the pairs as grades.
	for _, r := range res.Records {
		switch r.Type {
		case events.HotlineVerdict:
			require.Equal(t, time.Date(2021, 3, 1, 9, 30, 0, 0, events.CST).Unix(), r.OccurredAt.Unix())
		case events.SupervisorGradesSubmitted:
			require.JSONEq(t, `{"grades":[{"score":4.6,"section_id":"U01-S01"},{"score":3.8,"section_id":"U01-S02"},{"score":2.5,"section_id":"U01-S03"}],"unit_id":"U01"}`, string(r.Data))
		case events.SectionRegistered:
			require.Contains(t, string(r.Data), `"enforcement":`)
		}
	}

	// Exported again, and read back cell by cell.
	units, _ := l.Roster()
	s, err := l.Standings(context.Background(), projections.View{AsOf: events.WindowEnd, KnownAt: l.Now()})
	require.NoError(t, err)
	buf.Reset()
	require.NoError(t, xlsx.Standings(&buf, s, present.NamesOf(units), present.Filter{}, labels.Zh))
	out, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	require.Equal(t, []string{"总表", "公示", "单位加减分"}, out.GetSheetList())
	got, err := out.GetRows("总表")
	require.NoError(t, err)
	require.Equal(t, []string{"排名", "科室编号", "单位编号", "单位", "科室名称", "免评", "服务对象上半年", "服务对象下半年",
		"上半年票数", "下半年票数", "服务对象评价", "热线", "网络监督", "主管单位", "监督检查", "日常评议", "网络评价",
		"网络票数", "加分", "总分", "候选", "评议结果"}, got[0])
	require.Len(t, got, 4)
	// Rank order: the three sections by total; names beside ids.
	byID := map[string][]string{}
	for i, r := range got[1:] {
		require.Equal(t, string(rune('1'+i)), r[0], "rank order")
		byID[r[1]] = r
	}
	require.Equal(t, []string{"U01", "县发改局", "发展规划综合科"}, byID["U01-S01"][2:5])
	// U01-S01: 20 votes in H1; two decimals shown.
	row := byID["U01-S01"]
	require.Equal(t, "20", row[8])
	require.Equal(t, "4.60", row[13], "the grade, formatted 0.00")
	// The number itself is kept unrounded in the cell.
	raw, err := out.GetCellValue("总表", "N2", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.NotEmpty(t, raw)
	panes, err = out.GetPanes("总表")
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 1, panes.YSplit)
	for _, r := range got[1:] {
		v, err := out.GetCellValue("总表", "T"+rowOf(t, got, r[1]), excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		total := rowTotal(t, s, r[1])
		require.InDelta(t, total, parse(t, v), 1e-9, r[1])
	}
	pub, _ := out.GetRows("公示")
	require.Equal(t, []string{"名单", "排名", "科室编号", "单位", "科室名称", "总分"}, pub[0])
	require.Contains(t, pub[1][0], "尚无评议结果")

	// English headers with --lang en.
	buf.Reset()
	require.NoError(t, xlsx.Standings(&buf, s, present.NamesOf(units), present.Filter{Unit: "U01"}, labels.En))
	en, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	require.Equal(t, []string{"Standings", "Outcome", "Unit adjustments"}, en.GetSheetList())
	enRows, _ := en.GetRows("Standings")
	require.Equal(t, "rank", enRows[0][0])
	require.Equal(t, "unit name", enRows[0][3])

	// Explain: a summary and one sheet per component.
	e, err := l.Explain(context.Background(), "U01-S01", projections.View{AsOf: events.WindowEnd, KnownAt: l.Now()})
	require.NoError(t, err)
	buf.Reset()
	require.NoError(t, xlsx.Explain(&buf, e, present.NamesOf(units), labels.Zh))
	ex, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	require.Equal(t, []string{"汇总", "名册", "服务对象评价", "热线", "主管单位"}, ex.GetSheetList())
	hot, _ := ex.GetRows("热线")
	require.Equal(t, "HotlineVerdict", hot[1][3])
	require.Equal(t, "2021-03-01 09:30:00 +08:00", hot[1][1])
	require.Equal(t, "-5.00", hot[1][4])
	sum, _ := ex.GetRows("汇总")
	require.Equal(t, []string{"免评"}, sum[5], "not exempt: the line is empty")
}

func rowOf(t *testing.T, rows [][]string, id string) string {
	for i, r := range rows {
		if len(r) > 1 && r[1] == id {
			return string(rune('0' + i + 1))
		}
	}
	t.Fatalf("no row for %s", id)
	return ""
}

func rowTotal(t *testing.T, s *projections.Standings, id string) float64 {
	for _, r := range s.Sections {
		if r.SectionID == id {
			return *r.Total
		}
	}
	t.Fatalf("no section %s", id)
	return 0
}

func parse(t *testing.T, v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	require.NoError(t, err, v)
	return f
}

// TestImportErrorsNameTheirCells: every bad cell is reported as
// sheet!cell: field: reason, and nothing is appended.
func TestImportErrorsNameTheirCells(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "UnitRegistered"))
	set := func(sheet, cell string, row []any) {
		require.NoError(t, f.SetSheetRow(sheet, cell, &row))
	}
	set("UnitRegistered", "A1", []any{"occurred_at", "actor", "name", "unit_id"})
	set("UnitRegistered", "A2", []any{"2020-12-01T09:00:00+08:00", "a", "县发改局", "U01"})
	set("UnitRegistered", "A3", []any{"2020-12-01T09:00:00", "a", "县经信局", "U02"})
	set("UnitRegistered", "A4", []any{"2021-02-29T09:00:00+08:00", "a", "县财政局", "U03"})
	set("UnitRegistered", "A5", []any{"2020-12-01T09:00:00+08:00", "a", "again", "U01"})
	set("UnitRegistered", "A6", []any{"2020-12-01T09:00:00+08:00", "", "n", "U04"})
	_, err := f.NewSheet("SectionRegistered")
	require.NoError(t, err)
	set("SectionRegistered", "A1", []any{"occurred_at", "actor", "enforcement", "name", "section_id", "unit_id", "colour"})
	set("SectionRegistered", "A2", []any{"2020-12-01T09:00:00+08:00", "a", "maybe", "n", "U01-S01", "U01"})
	set("SectionRegistered", "A3", []any{"2020-12-01T09:00:00+08:00", "a", "是", "n", "U01-S02", "U09"})
	_, err = f.NewSheet("Votes")
	require.NoError(t, err)
	_, err = f.NewSheet("ServiceVoteRecorded")
	require.NoError(t, err)
	set("ServiceVoteRecorded", "A1", []any{"occurred_at", "actor", "section_id", "round", "respondent"})
	set("ServiceVoteRecorded", "A2", []any{"2021-06-01T10:00:00+08:00", "a", "U01-S01", "H3", "13812345678"})
	path := filepath.Join(t.TempDir(), "bad.xlsx")
	require.NoError(t, f.SaveAs(path))

	wb, err := xlsx.Open(path)
	require.NoError(t, err)
	defer wb.Close()
	l := ledger(t)
	_, err = l.Append(context.Background(), wb.Events(events.DecodeOptions{}), replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	var got []string
	for _, it := range be.Items {
		got = append(got, wb.Error(it))
	}
	require.Equal(t, []string{
		`UnitRegistered!A3: occurred_at: "2020-12-01T09:00:00" has no offset: add +08:00 (China Standard Time), e.g. 2020-12-01T09:00:00+08:00`,
		`UnitRegistered!A4: occurred_at: "2021-02-29": February has 28 days in 2021`,
		`UnitRegistered!D5: data.unit_id: unit U01 is already registered`,
		`UnitRegistered!B6: actor: required`,
		`SectionRegistered!G1: header: unknown column "colour": want one of occurred_at, actor, enforcement, late_reported, name, section_id, unit_id, ref, id, recorded_at (a column for people starts with #)`,
		`SectionRegistered!C2: data.enforcement: must be true or false (是 or 否)`,
		`SectionRegistered!F3: data.unit_id: unit U09 is not registered`,
		`Votes!A1: sheet: "Votes" is not an event type: name each sheet by its type (ledger template writes them)`,
		`ServiceVoteRecorded!A1: data.rating: column missing from the header row`,
		`ServiceVoteRecorded!D2: data.round: must be one of H1, H2`,
	}, got)
	for _, g := range got {
		require.NotContains(t, g, "13812345678")
	}
	require.Zero(t, l.Len(), "nothing appended")
}

// TestDiscretionaryComponentIsOptional: a discretionary deduction's
// component is an optional drop-down; an empty cell leaves it out, so the
// deduction keeps the canonical bytes of one recorded before the field
// existed (and comes off inspection).
func TestDiscretionaryComponentIsOptional(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, xlsx.Template(&buf, []events.Type{events.DiscretionaryDeduction}, labels.En))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	sheet := string(events.DiscretionaryDeduction)
	require.Equal(t, []string{"occurred_at", "actor", "component", "points", "reason", "section_id", "ref"}, header(t, f, sheet))
	rows, _ := f.GetRows(sheet)
	require.Equal(t, "component", rows[0][2], "optional: no *")
	fill(t, f, sheet,
		[]any{"2021-06-01T10:00:00+08:00", "office:liao", "", 1.5, "迟报", "U01-S01"},
		[]any{"2021-11-20T10:00:00+08:00", "office:liao", "online", 2, "网络评价环节拉票", "U01-S01"})
	path := filepath.Join(t.TempDir(), "d.xlsx")
	require.NoError(t, f.SaveAs(path))
	wb, err := xlsx.Open(path)
	require.NoError(t, err)
	defer wb.Close()
	var data []string
	for d := range wb.Events(events.DecodeOptions{}) {
		require.Nil(t, d.Err, "%v", d.Err)
		data = append(data, string(d.Event.Data))
	}
	require.Equal(t, []string{
		`{"points":1.5,"reason":"迟报","section_id":"U01-S01"}`,
		`{"component":"online","points":2,"reason":"网络评价环节拉票","section_id":"U01-S01"}`,
	}, data)
}

// TestEveryEnumeratedFieldHasItsValues: a field of a named string type is an
// enumeration, and its values come from its events.Enum.
func TestEveryEnumeratedFieldHasItsValues(t *testing.T) {
	for _, ty := range events.Types {
		spec, _ := events.SpecOf(ty)
		s, ok := xlsx.SchemaOf(ty)
		require.True(t, ok)
		var walk func(st reflect.Type, cols []xlsx.Column)
		walk = func(st reflect.Type, cols []xlsx.Column) {
			for i := range st.NumField() {
				f := st.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				var col *xlsx.Column
				for j := range cols {
					if cols[j].Name == name {
						col = &cols[j]
					}
				}
				require.NotNil(t, col, "%s.%s has a column", ty, name)
				if ft.Kind() == reflect.String && ft.Name() != "string" {
					require.Equal(t, xlsx.KindEnum, col.Kind, "%s.%s (%s): add its Enum to internal/xlsx/schema.go", ty, name, ft)
					require.NotEmpty(t, col.Values)
				}
				if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
					walk(ft.Elem(), col.Pair)
				}
				require.True(t, labels.Has(name) || labels.Has("field."+name), "%s.%s: give it a label in internal/labels", ty, name)
			}
		}
		walk(reflect.TypeOf(spec.New()).Elem(), s.Columns)
	}
}

// TestOutcomeWorkbookShowsTheDecision: with a decision of the standing
// committee in force, the outcome workbook has its lists beside the
// proposal's places, and both units' adjustments.
func TestOutcomeWorkbookShowsTheDecision(t *testing.T) {
	rank := func(v int) *int { return &v }
	num := func(v float64) *float64 { return &v }
	s := &projections.Standings{
		Sections: []projections.Row{
			{SectionID: "A", UnitID: "U1", Name: "a", Rank: rank(1), Total: num(90), Candidate: true},
			{SectionID: "B", UnitID: "U2", Name: "b", Rank: rank(2), Total: num(80), Candidate: true},
		},
		Outcome: &projections.Outcome{Satisfied: []string{"A"}, Unsatisfied: []string{"B"}, MostUnsatisfied: []string{"B"},
			Top3: []string{"A"}, Units: []projections.UnitAdjustment{{UnitID: "U1", Adjustment: 5}, {UnitID: "U2", Adjustment: -10}}},
		Confirmed: &projections.Confirmed{Outcome: projections.Outcome{Satisfied: []string{"B"}, Unsatisfied: []string{"A"}, MostUnsatisfied: []string{},
			Top3: []string{"B"}, Units: []projections.UnitAdjustment{{UnitID: "U1", Adjustment: -5}, {UnitID: "U2", Adjustment: 5}}},
			Document: "平委〔2021〕45号"},
	}
	var buf bytes.Buffer
	require.NoError(t, xlsx.Outcome(&buf, s, present.Names{"U1": "一局", "U2": "二局"}, labels.Zh))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	require.Equal(t, []string{"公示", "常委会确定", "单位加减分"}, f.GetSheetList())
	rows, err := f.GetRows("常委会确定")
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"名单", "排名", "科室编号", "单位", "科室名称", "总分", "拟定"},
		{"满意（前三）", "2", "B", "二局", "b", "80.00", "最不满意"},
		{"不满意", "1", "A", "一局", "a", "90.00", "满意（前三）"},
		nil,
		{"文号", "平委〔2021〕45号"},
	}, rows)
	units, err := f.GetRows("单位加减分")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"单位编号", "单位", "单位加减分", "确定加减分"}, {"U1", "一局", "5", "-5"}, {"U2", "二局", "-10", "5"}}, units)
}

// votesBook writes a roster and n votes, one sheet each, as the survey
// office would; bad lists the vote rows (sheet rows) with a bad rating.
func votesBook(t *testing.T, n int, bad ...int) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "UnitRegistered"))
	require.NoError(t, f.SetSheetRow("UnitRegistered", "A1", &[]any{"occurred_at", "actor", "name", "unit_id"}))
	require.NoError(t, f.SetSheetRow("UnitRegistered", "A2", &[]any{"2020-12-01T09:00:00+08:00", "office:liao", "县发改局", "U01"}))
	_, err := f.NewSheet("SectionRegistered")
	require.NoError(t, err)
	require.NoError(t, f.SetSheetRow("SectionRegistered", "A1", &[]any{"occurred_at", "actor", "enforcement", "name", "section_id", "unit_id"}))
	require.NoError(t, f.SetSheetRow("SectionRegistered", "A2", &[]any{"2020-12-01T09:00:00+08:00", "office:liao", "否", "综合科", "U01-S01", "U01"}))
	_, err = f.NewSheet("ServiceVoteRecorded")
	require.NoError(t, err)
	sw, err := f.NewStreamWriter("ServiceVoteRecorded")
	require.NoError(t, err)
	require.NoError(t, sw.SetRow("A1", []any{"发生时间", "记录人", "科室", "轮次", "化名", "评价", "#姓名"}))
	require.NoError(t, sw.SetRow("A2", []any{"occurred_at", "actor", "section_id", "round", "respondent", "rating", "#姓名"}))
	isBad := map[int]bool{}
	for _, r := range bad {
		isBad[r] = true
	}
	row := 2
	for i := range n {
		row++
		if i == n/2 {
			row++ // a blank row: skipped, counted
		}
		rating := "satisfied"
		if isBad[row] {
			rating = "very"
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		// an Excel date-time for half the rows
		var when any = "2021-06-01T10:00:00+08:00"
		if i%2 == 1 {
			when = 44348.5 // 2021-06-01 12:00
		}
		require.NoError(t, sw.SetRow(cell, []any{when, "office:survey", "U01-S01", "H1", fmt.Sprintf("r-%06d", i), rating, "张三"}))
	}
	require.NoError(t, sw.Flush())
	path := filepath.Join(t.TempDir(), "votes.xlsx")
	require.NoError(t, f.SaveAs(path))
	return path
}

// TestImportKeepsOrderAndCells: rows decoded in parallel chunks come out
// in the sheets' order, and each refusal names its cell.
func TestImportKeepsOrderAndCells(t *testing.T) {
	const n = 2000
	path := votesBook(t, n)
	wb, err := xlsx.Open(path)
	require.NoError(t, err)
	defer wb.Close()
	l := ledger(t)
	res, err := l.Append(context.Background(), wb.Events(events.DecodeOptions{}), replay.AppendOptions{Keep: true})
	require.NoError(t, err)
	require.Equal(t, 2+n, res.Appended)
	for i, r := range res.Records[2:] {
		b, err := r.Body()
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("r-%06d", i), b.(*events.ServiceVoteRecordedData).Respondent, "in order")
		want := time.Date(2021, 6, 1, 10, 0, 0, 0, events.CST)
		if i%2 == 1 {
			want = want.Add(2 * time.Hour)
		}
		require.True(t, want.Equal(r.OccurredAt), "%d: %v", i, r.OccurredAt)
	}

	// Rows 5 and 700 (before the blank row), 1500 and 2001 (after it).
	path = votesBook(t, n, 5, 700, 1500, 2001)
	wb2, err := xlsx.Open(path)
	require.NoError(t, err)
	defer wb2.Close()
	l2 := ledger(t)
	_, err = l2.Append(context.Background(), wb2.Events(events.DecodeOptions{}), replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	var got []string
	for _, it := range be.Items {
		got = append(got, wb2.Error(it))
	}
	want := []string{}
	for _, r := range []int{5, 700, 1500, 2001} {
		want = append(want, fmt.Sprintf("ServiceVoteRecorded!F%d: data.rating: must be one of satisfied, basic, unsatisfied", r))
	}
	require.Equal(t, want, got)
	require.Zero(t, l2.Len(), "nothing appended")
}

// TestImportStopsEarly: a consumer that stops leaves no reader behind.
func TestImportStopsEarly(t *testing.T) {
	path := votesBook(t, 3000)
	before := runtime.NumGoroutine()
	for range 3 {
		wb, err := xlsx.Open(path)
		require.NoError(t, err)
		for range wb.Events(events.DecodeOptions{}) {
			break
		}
		require.NoError(t, wb.Close())
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines left behind:\n%s", buf[:runtime.Stack(buf, true)])
		}
	}
}

// TestImportBrokenSheet: a sheet whose XML breaks off is refused by its
// name, and nothing is appended.
func TestImportBrokenSheet(t *testing.T) {
	path := votesBook(t, 10)
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(r)
		require.NoError(t, err)
		if f.Name == "xl/worksheets/sheet3.xml" {
			data = data[:bytes.Index(data, []byte(`<row r="9"`))+20]
		}
		w, err := zw.Create(f.Name)
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	zr.Close()
	broken := filepath.Join(t.TempDir(), "broken.xlsx")
	require.NoError(t, os.WriteFile(broken, buf.Bytes(), 0o644))
	wb, err := xlsx.Open(broken)
	require.NoError(t, err)
	defer wb.Close()
	l := ledger(t)
	_, err = l.Append(context.Background(), wb.Events(events.DecodeOptions{}), replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Items, 1)
	require.Equal(t, "ServiceVoteRecorded!A9: sheet: cannot read the sheet: the XML ends in the middle of an element", wb.Error(be.Items[0]))
	require.Zero(t, l.Len())
}
