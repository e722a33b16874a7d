package recipients

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

var roster = NewRoster([]projections.RosterSection{
	{ID: "U06-S12", UnitID: "U06", Name: "治安大队", Enforcement: true},
	{ID: "U06-S13", UnitID: "U06", Name: "户政科"},
	{ID: "U07-S01", UnitID: "U07", Name: "办公室"},
})

func mobile(i int) string { return fmt.Sprintf("139%08d", i) }

// book writes a workbook of sheets, each a header row and rows.
func book(t *testing.T, sheets map[string][][]any) string {
	t.Helper()
	f := excelize.NewFile()
	first := true
	names := slices.Sorted(maps.Keys(sheets))
	for _, name := range names {
		rows := sheets[name]
		if first {
			require.NoError(t, f.SetSheetName("Sheet1", name))
			first = false
		} else {
			_, err := f.NewSheet(name)
			require.NoError(t, err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			require.NoError(t, f.SetSheetRow(name, cell, &r))
		}
	}
	path := filepath.Join(t.TempDir(), "list.xlsx")
	require.NoError(t, f.SaveAs(path))
	return path
}

func check(t *testing.T, paths ...string) ([]SectionReport, []Problem, *Lists) {
	t.Helper()
	ls := &Lists{}
	for _, p := range paths {
		require.NoError(t, ls.Read(p, roster))
	}
	reports, other := Check(ls, roster)
	return reports, other, ls
}

func TestAGoodList(t *testing.T) {
	rows := [][]any{{"科室编号", "姓名", "单位（职务）", "手机号码", "事项内容", "是否被处罚"}}
	for i := range 500 {
		pen := "否"
		if i < 100 {
			pen = "是"
		}
		rows = append(rows, []any{"U06-S12", "张三", "个体", mobile(i), "处罚类案件", pen})
	}
	path := book(t, map[string][][]any{"名单": rows})
	reports, other, _ := check(t, path)
	require.Empty(t, other)
	require.Len(t, reports, 1)
	require.Equal(t, SectionReport{ID: "U06-S12", Name: "治安大队", Recipients: 500, Penalised: 100}, reports[0])
}

func TestEachKindOfMistake(t *testing.T) {
	// A sheet named by its section (no 科室编号 column), 3 recipients, with
	// a declaration that the section has 4; every row-level mistake once.
	s13 := [][]any{
		{"姓名", "单位（职务）", "手机号码", "事项内容"},
		{"李四", "某公司", "138 1234 5678", "户籍"},
		{"", "某公司", mobile(1), "户籍"},             // no name
		{"王五", "某公司", "0577-6371234", "户籍"},      // a landline
		{"赵六", "某公司", "+86 138-1234-5678", "户籍"}, // the first row's number again
	}
	// An enforcement section without enough penalised recipients and no
	// declaration; a section that is not registered; a number from U06-S13.
	s12 := [][]any{
		{"科室编号", "姓名", "单位（职务）", "手机号码", "事项内容", "是否被处罚"},
		{"U06-S12", "甲", "个体", mobile(2), "处罚", "是"},
		{"U06-S99", "乙", "个体", mobile(3), "处罚", "是"},
		{"U06-S12", "丙", "个体", "13812345678", "处罚", "也许"},
	}
	decl := [][]any{{"科室编号", "服务对象总数", "被处罚对象总数"}, {"U06-S13", 4, ""}, {"U06-S12", "many", ""}}
	path := book(t, map[string][][]any{"户政科": s13, "执法": s12, "情况说明": decl})
	// A second unit's file: no mobile column.
	other := book(t, map[string][][]any{"U07-S01": {{"姓名", "单位（职务）", "事项内容"}, {"钱七", "x", "y"}}})
	reports, rest, ls := check(t, path, other)
	par, err := ReadFiles([]string{path, other}, roster)
	require.NoError(t, err)
	require.Equal(t, ls, par, "ReadFiles reads as Read one file after the other")

	var lines []string
	for _, p := range rest {
		lines = append(lines, p.String())
	}
	for _, r := range reports {
		lines = append(lines, fmt.Sprintf("%s %d %d", r.ID, r.Recipients, r.Penalised))
		for _, p := range r.Problems {
			lines = append(lines, "  "+p.String())
		}
	}
	got := strings.Join(lines, "\n")
	base, obase := filepath.Base(path), filepath.Base(other)
	for _, want := range []string{
		base + `: 执法!A3: section: "U06-S99" is not a registered section (write its id, e.g. U06-S12)`,
		obase + ": U07-S01!A1: mobile: column missing from the header row (want 手机号码)",
		"U06-S12 2 1",
		base + ": 执法!F4: penalised: write 是 or 否",
		base + ": 情况说明!B3: total: must be a whole number",
		"U06-S12: count: 2 recipients listed, fewer than 500: declare the section's total",
		"U06-S12: count: an enforcement section (管理执法类): 1 penalised recipients listed, want 100",
		"U06-S13 4 0",
		base + ": 户政科!A3: name: required",
		base + ": 户政科!C4: mobile: not a mobile number",
		base + ": 户政科!C5: mobile: the same mobile number as " + base + ": 户政科!C2 in this section",
		"U07-S01 1 0",
		base + ": 执法!D4: mobile: the same mobile number as " + base + ": 户政科!C2 (section U06-S13)",
	} {
		require.Contains(t, got, want)
	}
	// No name, no mobile number in any problem.
	for _, rec := range ls.Recipients {
		if rec.Name != "" {
			require.NotContains(t, got, rec.Name)
		}
	}
	for _, m := range []string{"1234", mobile(1), "6371234"} {
		require.NotContains(t, got, m)
	}
	require.NotContains(t, got, "U06-S13: count", "4 listed and 4 declared is right")
}

func TestPseudonyms(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "office.key")
	_, _, err := LoadKey(keyPath)
	require.ErrorContains(t, err, "give --new-key")
	k, err := NewKey(keyPath)
	require.NoError(t, err)
	st, err := os.Stat(keyPath)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	_, err = NewKey(keyPath)
	require.ErrorContains(t, err, "already exists")
	k2, warn, err := LoadKey(keyPath)
	require.NoError(t, err)
	require.Empty(t, warn)
	require.Equal(t, "[pseudonym key]", fmt.Sprint(k2))

	m, ok := NormalizeMobile("+86 138-1234-5678")
	require.True(t, ok)
	require.Equal(t, "13812345678", m)
	p := k.Pseudonym(m)
	require.Equal(t, p, k2.Pseudonym(m), "the same key, the same pseudonym")
	require.True(t, events.IsPseudonym(p), p)
	require.NotEqual(t, p, k.Pseudonym("13812345679"))
	for i := range 50000 {
		v := k.Pseudonym(mobile(i))
		d := &events.ServiceVoteRecordedData{SectionID: "U01-S01", Round: events.RoundH1, Respondent: v, Rating: events.RatingBasic}
		require.Nil(t, d.Check(), v)
	}
	// A known vector, so that the documented recipe can be checked by hand.
	fixed := Key{b: bytes.Repeat([]byte{0x42}, 32)}
	require.Equal(t, "r-iet2oc6swe4vzv66mnh4eg4f54", fixed.Pseudonym("13812345678"), "docs/readings.md works this example")

	// Bad key files say so without quoting them.
	bad := filepath.Join(dir, "bad.key")
	require.NoError(t, os.WriteFile(bad, []byte("secret-not-hex\n"), 0o644))
	_, _, err = LoadKey(bad)
	require.ErrorContains(t, err, "not a key")
	require.NotContains(t, err.Error(), "secret")
	short := filepath.Join(dir, "short.key")
	require.NoError(t, os.WriteFile(short, []byte("abcd\n"), 0o644))
	_, _, err = LoadKey(short)
	require.ErrorContains(t, err, "exactly 64 hex")
	long := filepath.Join(dir, "long.key")
	require.NoError(t, os.WriteFile(long, []byte(strings.Repeat("ab", 33)+"\n"), 0o600))
	_, _, err = LoadKey(long)
	require.ErrorContains(t, err, "exactly 64 hex", "a byte more is another key: refused")
	open := filepath.Join(dir, "open.key")
	require.NoError(t, os.WriteFile(open, []byte(strings.Repeat("ab", 32)+"\n"), 0o644))
	_, warn, err = LoadKey(open)
	require.NoError(t, err)
	require.Contains(t, warn, "chmod 600")
}

func TestSurveySheet(t *testing.T) {
	rows := [][]any{{"科室编号", "姓名", "单位（职务）", "手机号码", "事项内容"}}
	for i := range 3 {
		rows = append(rows, []any{"U06-S13", "某人", "个体", mobile(i), "户籍"})
	}
	_, _, ls := check(t, book(t, map[string][][]any{"名单": rows}))
	k := Key{b: bytes.Repeat([]byte{1}, 32)}
	var buf bytes.Buffer
	require.NoError(t, WriteSurvey(&buf, ls.Recipients, k, roster, SurveyOptions{Round: events.RoundH1, Lang: labels.Zh}))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	require.Equal(t, []string{"ServiceVoteRecorded"}, f.GetSheetList())
	got, err := f.GetRows("ServiceVoteRecorded")
	require.NoError(t, err)
	require.Equal(t, []string{"occurred_at", "actor", "round", "section_id", "respondent", "rating", "ref",
		"#科室名称", "#姓名", "#单位（职务）", "#手机号码", "#事项内容"}, got[1])
	require.Len(t, got, 5)
	require.Equal(t, "H1", got[2][2])
	require.Equal(t, "U06-S13", got[2][3])
	require.Equal(t, k.Pseudonym(mobile(0)), got[2][4])
	require.Equal(t, mobile(0), got[2][10])
	panes, err := f.GetPanes("ServiceVoteRecorded")
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 2, panes.YSplit)
	dvs, err := f.GetDataValidations("ServiceVoteRecorded")
	require.NoError(t, err)
	lists := map[string]string{}
	for _, dv := range dvs {
		lists[dv.Sqref] = dv.Formula1
	}
	require.Equal(t, map[string]string{"C3:C1048576": `"H1,H2"`, "F3:F1048576": `"satisfied,basic,unsatisfied"`}, lists)

	// Filled in by the office, it imports: the # columns are never read.
	for r := 3; r <= 5; r++ {
		require.NoError(t, f.SetCellValue("ServiceVoteRecorded", fmt.Sprintf("A%d", r), "2021-06-01T10:00:00+08:00"))
		require.NoError(t, f.SetCellValue("ServiceVoteRecorded", fmt.Sprintf("B%d", r), "office:survey"))
		require.NoError(t, f.SetCellValue("ServiceVoteRecorded", fmt.Sprintf("F%d", r), "basic"))
	}
	path := filepath.Join(t.TempDir(), "survey.xlsx")
	require.NoError(t, f.SaveAs(path))
	wb, err := xlsx.Open(path)
	require.NoError(t, err)
	defer wb.Close()
	var respondents []string
	for d := range wb.Events(events.DecodeOptions{}) {
		require.Nil(t, d.Err, "%v", d.Err)
		respondents = append(respondents, d.Event.Body.(*events.ServiceVoteRecordedData).Respondent)
		require.NotContains(t, string(d.Event.Data), "某人")
	}
	require.Equal(t, []string{k.Pseudonym(mobile(0)), k.Pseudonym(mobile(1)), k.Pseudonym(mobile(2))}, respondents)
}
