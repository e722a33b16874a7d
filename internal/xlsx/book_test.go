package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// excelizeRows reads every sheet as excelize does with RawCellValue.
func excelizeRows(t *testing.T, f *excelize.File) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		require.NoError(t, err, name)
		out[name] = rows
	}
	return out
}

func bookRows(t *testing.T, b *Book) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for i, name := range b.Sheets() {
		rows, err := b.ReadRows(i)
		require.NoError(t, err, name)
		out[name] = rows
	}
	return out
}

// TestBookReadsAsExcelize: workbooks written every way excelize writes
// them read the same through the Book as through excelize's GetRows with
// RawCellValue, with the shared strings in memory and spilled to a file.
func TestBookReadsAsExcelize(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "Plain"))
	set := func(sheet, cell string, v any) {
		require.NoError(t, f.SetCellValue(sheet, cell, v))
	}
	row := func(sheet, cell string, vals ...any) {
		require.NoError(t, f.SetSheetRow(sheet, cell, &vals))
	}
	row("Plain", "A1", "occurred_at", "actor", "name", "unit_id", "#姓名")
	row("Plain", "A2", " 2020-12-01T09:00:00+08:00 ", "office:liao", "县发改局", "U01", "张三")
	row("Plain", "A3", 44197.5, 42, 3.25, true, false)
	row("Plain", "A5", `<a & "b" 'c'>`, "a\r\nb", "a\nb", "tab\there", "")
	row("Plain", "C7", time.Date(2021, 6, 1, 10, 0, 0, 0, time.UTC), nil, "after a gap")
	set("Plain", "AA9", "far right")
	set("Plain", "B10", "literal _x0041_ and _x005F_")
	set("Plain", "C10", "control \x01 char")
	set("Plain", "D10", "emoji 😀 and 漢字")
	set("Plain", "A11", "") // an empty string: no value
	set("Plain", "A12", "  ")
	require.NoError(t, f.SetCellFormula("Plain", "E12", "1+1"))

	_, err := f.NewSheet("Rich")
	require.NoError(t, err)
	require.NoError(t, f.SetCellRichText("Rich", "B2", []excelize.RichTextRun{
		{Text: "bold ", Font: &excelize.Font{Bold: true}}, {Text: "plain & <tagged>"},
	}))
	set("Rich", "A2", "a shared string again")
	set("Rich", "A3", "a shared string again")

	_, err = f.NewSheet("说明")
	require.NoError(t, err)
	set("说明", "A1", "第一行")

	_, err = f.NewSheet("Stream")
	require.NoError(t, err)
	sw, err := f.NewStreamWriter("Stream")
	require.NoError(t, err)
	require.NoError(t, sw.SetRow("A1", []any{"id", "n", "yes", "when"}))
	for i := 2; i < 40; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		require.NoError(t, sw.SetRow(cell, []any{fmt.Sprintf("r-%03d <&>", i), i * 7, i%2 == 0, float64(i) + 0.25,
			excelize.Cell{Formula: "B2*2"}, []excelize.RichTextRun{{Text: "x"}, {Text: "y"}}}))
	}
	require.NoError(t, sw.SetRow("B45", []any{"", " ", "  z  "}))
	require.NoError(t, sw.Flush())

	path := filepath.Join(t.TempDir(), "all.xlsx")
	require.NoError(t, f.SaveAs(path))
	ef, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer ef.Close()
	want := excelizeRows(t, ef)
	require.NotEmpty(t, want["Plain"])

	for _, mem := range []int64{64 << 20, 16, 0} {
		t.Run(fmt.Sprintf("sstMemory=%d", mem), func(t *testing.T) {
			defer func(m int64) { sstMemory = m }(sstMemory)
			sstMemory = mem
			b, err := OpenBook(path)
			require.NoError(t, err)
			defer b.Close()
			require.Equal(t, ef.GetSheetList(), b.Sheets())
			require.Equal(t, want, bookRows(t, b))
			if mem < 64<<20 {
				require.NotNil(t, b.sst.file, "spilled to a file")
			}
		})
	}
}

func TestBookDate1904(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	require.NoError(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	path := filepath.Join(t.TempDir(), "1904.xlsx")
	require.NoError(t, f.SaveAs(path))
	b, err := OpenBook(path)
	require.NoError(t, err)
	defer b.Close()
	require.True(t, b.Date1904())
	got, err := cellTime("1", true)
	require.NoError(t, err)
	require.Equal(t, "1904-01-02T00:00:00+08:00", got)
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
)

// zipBook writes a workbook of one sheet, "S", from its XML and that of
// its shared strings ("" for none).
func zipBook(t testing.TB, sheet, sst string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	ct := `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != "" {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
		add("xl/sharedStrings.xml", sst)
	}
	add("[Content_Types].xml", ct+`</Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook `+nsMain+` `+nsRel+`><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", rels+`</Relationships>`)
	add("xl/worksheets/sheet1.xml", sheet)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openZip(t testing.TB, data []byte) (*Book, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return readBook(zr, nil)
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet ` + nsMain + ` ` + nsRel + `><dimension ref="A1"/><sheetData>` + rows + `</sheetData><pageMargins left="0.7"/></worksheet>`
}

// TestBookHandWritten: what other programs write (prefixes, cells without
// a name, phonetic runs, CDATA, comments) reads as excelize reads it; a
// broken sheet is an error, never a quietly shorter one.
func TestBookHandWritten(t *testing.T) {
	sst := `<sst ` + nsMain + ` count="4" uniqueCount="4"><si><t>zero</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">on</t></r><r><t>e</t></r></si>` +
		`<si><r><t>漢字</t></r><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si><si/></sst>`
	for _, tc := range []struct {
		name, rows, sst string
		want            [][]string
		err             string
	}{
		{name: "shared and inline", rows: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v> 1 </v></c><c r="C1" t="s"><v>2</v></c>` +
			`<c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c></row>`, sst: sst,
			want: [][]string{{"zero", "one", "漢字", "", "inline"}}},
		{name: "prefixed", rows: "", sst: sst,
			want: [][]string{{"zero", "", "7"}, nil, {"", "one"}}},
		{name: "no cell names", rows: `<row r="2"><c><v>1</v></c><c/><c t="b"><v>1</v></c><c r="E2"><v>5</v></c><c><v>6</v></c></row><row r="3"/>`,
			want: [][]string{nil, {"1", "", "1", "", "5", "6"}}},
		{name: "no row numbers", rows: `<row><c><v>1</v></c></row><row><c r="B2"><v>2</v></c></row>`,
			want: [][]string{{"1"}, {"", "2"}}},
		{name: "markup", rows: `<!-- a comment --><row r='1' spans="1:3"><?pi x?><c r='A1' t="inlineStr" x="a>b"><is><t><![CDATA[<x> & y]]></t></is></c>` +
			`<c r="B1"><f>SUM(A1)</f><v>3</v></c><c r="C1"><f>NOW()</f></c><c r="D1" t="str"><v>a&#65;&#x42;&lt;&amp;&gt;&quot;&apos;</v></c></row>`,
			want: [][]string{{"<x> & y", "3", "", "aAB<&>\"'"}}},
		{name: "line ends", rows: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a\r\nb\rc</t></is></c></row>",
			want: [][]string{{"a\nb\nc"}}},
		{name: "escapes", rows: `<row r="1"><c r="A1" t="inlineStr"><is><t>_x0041__x005F_x0042_ _xD83D__xDE00_</t></is></c><c r="B1" t="str"><v>_x0041_</v></c></row>`,
			want: [][]string{{"A_x0042_ 😀", "_x0041_"}}},
		{name: "empty values", rows: `<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c><c r="B1"><v></v></c><c r="C1" s="3"/></row><row r="2"><c r="B2"><v>x</v></c></row>`,
			want: [][]string{nil, {"", "x"}}},
		{name: "doctype", rows: "", err: "DOCTYPE"},
		{name: "truncated", rows: `<row r="1"><c r="A1"><v>1</v>`, err: "ends in the middle"},
		{name: "rows out of order", rows: `<row r="3"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>`, err: "rows out of order"},
		{name: "shared string missing", rows: `<row r="1"><c r="A1" t="s"><v>9</v></c></row>`, sst: sst, err: "A1: no such shared string"},
		{name: "shared string not a number", rows: `<row r="1"><c r="A1" t="s"><v>x</v></c></row>`, sst: sst, err: "A1: no such shared string"},
		{name: "no shared strings", rows: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, err: "A1: no such shared string"},
		{name: "bad cell name", rows: `<row r="1"><c r="1A"><v>1</v></c></row>`, err: "row 1: a cell whose name (r) is not a cell name"},
		{name: "column past XFD", rows: `<row r="1"><c r="XFE1"><v>1</v></c></row>`, err: "is not a cell name"},
		{name: "bad row number", rows: `<row r="1"/><row r="13812345678x"><c><v>1</v></c></row>`, err: "after row 1: a row whose number (r) is not a number"},
		{name: "row past the last", rows: `<row r="1048577"><c><v>1</v></c></row>`, err: "more than 1048576 rows"},
		{name: "unknown entity", rows: `<row r="1"><c r="A1"><v>&n1381234;</v></c></row>`, err: "unknown entity"},
		{name: "bare ampersand", rows: `<row r="1"><c r="A1"><v>a & b</v></c></row>`, err: "& without an entity"},
		{name: "too long", rows: `<row r="1"><c r="A1"><v>` + strings.Repeat("x", 2*maxToken) + `</v></c></row>`, err: "longer than 4 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xml := sheetXML(tc.rows)
			switch tc.name {
			case "prefixed":
				xml = `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row x:r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c>` +
					`<x:c r="C1"><x:v>7</x:v></x:c></x:row><x:row r="3"><x:c r="B3" t="s"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`
			case "doctype":
				xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet><sheetData><row r="1"><c><v>&a;</v></c></row></sheetData></worksheet>`
			}
			data := zipBook(t, xml, tc.sst)
			b, err := openZip(t, data)
			require.NoError(t, err)
			require.Equal(t, []string{"S"}, b.Sheets())
			got, err := b.ReadRows(0)
			if tc.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.err)
				require.NotContains(t, err.Error(), "1381234", "an error never quotes the sheet")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			// excelize reads the same
			ef, err := excelize.OpenReader(bytes.NewReader(data))
			require.NoError(t, err)
			defer ef.Close()
			if tc.name != "escapes" { // excelize drops an escaped surrogate pair
				require.Equal(t, map[string][][]string{"S": tc.want}, excelizeRows(t, ef))
			}
		})
	}
}

func TestBookNotAWorkbook(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "old.xlsx")
	require.NoError(t, writeFile(p, []byte("\xd0\xcf\x11\xe0 an OLE file, as .xls and encrypted workbooks are")))
	_, err := OpenBook(p)
	require.ErrorContains(t, err, "not an .xlsx workbook")
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	_, _ = z.Create("hello.txt")
	require.NoError(t, z.Close())
	p = filepath.Join(dir, "zip.xlsx")
	require.NoError(t, writeFile(p, buf.Bytes()))
	_, err = OpenBook(p)
	require.ErrorContains(t, err, "not an .xlsx workbook")
	_, err = OpenBook(filepath.Join(dir, "none.xlsx"))
	require.ErrorContains(t, err, "no such file")
}

// FuzzBook: whatever a sheet or its shared strings hold, reading them
// returns rows or an error, never a panic; every value sits in its column.
func FuzzBook(f *testing.F) {
	f.Add(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row>`),
		`<sst><si><t>a</t></si><si><r><t>b</t></r><rPh><t>c</t></rPh></si></sst>`)
	f.Add(sheetXML(`<row r="2"><c><v>1</v></c><c/><c r="AA2" t="str"><v>&#65;&amp;</v></c></row><row r="9"/>`), "")
	f.Add(`<x:worksheet><x:sheetData><x:row><x:c><x:v><![CDATA[1]]></x:v></x:c></x:row></x:sheetData></x:worksheet>`, `<sst><si/></sst>`)
	f.Add(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>_x0041_</t></is></c><!-- x --></row>`), `<si><t>_xD83D_</t></si>`)
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		b, err := openZip(t, zipBook(t, sheet, sst))
		if err != nil {
			return
		}
		defer b.Close()
		r, err := b.rows(0)
		if err != nil {
			return
		}
		defer r.Close()
		last := 0
		for r.Next() {
			if r.row <= last || r.row > maxRows {
				t.Fatalf("row %d after %d", r.row, last)
			}
			last = r.row
			for i, c := range r.cells {
				if c.col < 1 || c.col > maxCols {
					t.Fatalf("column %d", c.col)
				}
				if _, err := r.value(i); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := r.columns(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
