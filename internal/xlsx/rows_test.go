package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// streamed is a one-sheet workbook with a header row, widths and a frozen
// pane, as the survey sheet is made, its data rows from rows: written by
// excelize's StreamWriter (slow), or by WriteWithRows.
func streamed(t testing.TB, rows [][]string, slow bool) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sw.SetColWidth(1, 1, 20))
	must(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	must(sw.SetRow("A1", []any{"a", "b", "c"}))
	if slow {
		for i, r := range rows {
			vals := make([]any, len(r))
			for j, v := range r {
				if v != "" {
					vals[j] = v
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			must(sw.SetRow(cell, vals))
		}
	}
	must(sw.Flush())
	var buf bytes.Buffer
	if slow {
		_, err = f.WriteTo(&buf)
	} else {
		err = WriteWithRows(&buf, f, func(rw *RowWriter) error {
			for i, r := range rows {
				if err := rw.Row(i+2, r); err != nil {
					return err
				}
			}
			return nil
		})
	}
	must(err)
	return buf.Bytes()
}

// parts reads every part of a workbook.
func parts(t testing.TB, b []byte) map[string]string {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		d, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(d)
	}
	return out
}

var trickyCells = []string{
	"plain", "汉字 and ascii", " leading", "trailing ", " both ", "\tTab", "new\nline", "cr\r\nlf", "end\n",
	`<a & "b" 'c'>`, "_x0041_", "_x005F_x0041_", "_x005F_", "a_xD800_b", "_x12", "ctl\x01char", "bad \xff utf8",
	"\uFFFE non-char", "emoji 😀", "r-iet2oc6swe4vzv66mnh4eg4f54", "13812345678", strings.Repeat("长", 40000),
}

// TestWriteWithRowsAsExcelize: every part of the file, the sheet's XML
// included, is byte for byte what excelize's StreamWriter writes for the
// same rows.
func TestWriteWithRowsAsExcelize(t *testing.T) {
	var rows [][]string
	for i, v := range trickyCells {
		rows = append(rows, []string{v, "", fmt.Sprint(i)})
	}
	rows = append(rows, []string{"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "AB"})
	rows = append(rows, nil)
	want, got := parts(t, streamed(t, rows, true)), parts(t, streamed(t, rows, false))
	require.Equal(t, want, got)
	// and excelize reads it back
	f, err := excelize.OpenReader(bytes.NewReader(streamed(t, rows, false)))
	require.NoError(t, err)
	defer f.Close()
	back, err := f.GetRows("Sheet1")
	require.NoError(t, err)
	require.Equal(t, "_x0041_", back[1+10][0])
	require.Equal(t, " both ", back[1+4][0])
	require.Equal(t, "AB", back[len(trickyCells)+1][27])
}

// TestWriteWithRowsKeepsTheSheet: a sheet made with excelize's ordinary
// calls keeps its header, panes, widths and drop-down lists; the rows come
// after its own.
func TestWriteWithRowsKeepsTheSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"round", "name"}))
	require.NoError(t, f.SetColWidth("Sheet1", "B", "B", 30))
	require.NoError(t, f.SetPanes("Sheet1", &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "A2:A1048576"
	require.NoError(t, dv.SetDropList([]string{"H1", "H2"}))
	require.NoError(t, f.AddDataValidation("Sheet1", dv))
	var buf bytes.Buffer
	require.NoError(t, WriteWithRows(&buf, f, func(rw *RowWriter) error {
		for i := range 1000 {
			if err := rw.Row(i+2, []string{"H1", fmt.Sprintf("name %d", i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	require.Contains(t, parts(t, buf.Bytes())["xl/worksheets/sheet1.xml"], `<dimension ref="A1"`)
	g, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer g.Close()
	rows, err := g.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, rows, 1001)
	require.Equal(t, []string{"round", "name"}, rows[0])
	require.Equal(t, []string{"H1", "name 999"}, rows[1000])
	dvs, err := g.GetDataValidations("Sheet1")
	require.NoError(t, err)
	require.Len(t, dvs, 1)
	require.Equal(t, `"H1,H2"`, dvs[0].Formula1)
	panes, err := g.GetPanes("Sheet1")
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	w, err := g.GetColWidth("Sheet1", "B")
	require.NoError(t, err)
	require.Equal(t, 30.0, w)
}

func TestWriteWithRowsRefuses(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"a"}))
	err := WriteWithRows(io.Discard, f, func(rw *RowWriter) error { return rw.Row(1, []string{"x"}) })
	require.ErrorContains(t, err, "row 1 after row 1")
	_, err = f.NewSheet("Two")
	require.NoError(t, err)
	err = WriteWithRows(io.Discard, f, func(rw *RowWriter) error { return nil })
	require.ErrorContains(t, err, "one worksheet")
}

// FuzzCellText: any string is written as excelize writes it.
func FuzzCellText(f *testing.F) {
	for _, v := range trickyCells[:len(trickyCells)-1] {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		rows := [][]string{{v, "x"}}
		want, got := parts(t, streamed(t, rows, true)), parts(t, streamed(t, rows, false))
		if want["xl/worksheets/sheet1.xml"] != got["xl/worksheets/sheet1.xml"] {
			t.Fatalf("%q:\nexcelize %s\nours     %s", v, want["xl/worksheets/sheet1.xml"][len(want["xl/worksheets/sheet1.xml"])-300:],
				got["xl/worksheets/sheet1.xml"][len(got["xl/worksheets/sheet1.xml"])-300:])
		}
	})
}
