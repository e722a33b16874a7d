package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// WriteWithRows writes the workbook f as f.WriteTo does, with the rows fill
// writes appended to the sheetData of its one worksheet. The rows are
// text cells written exactly as excelize's StreamWriter writes a string
// (the tests hold the two to the same bytes), but without its per-cell
// work, and they are deflated (at flate.BestSpeed) while fill writes the
// next ones: for a sheet of a few hundred thousand rows made by a program,
// such as the survey sheet. Everything else in the file (styles, panes,
// column widths, drop-down lists, the rows already in f) is excelize's;
// f's sheet may be streamed or not.
func WriteWithRows(w io.Writer, f *excelize.File, fill func(*RowWriter) error) error {
	var head bytes.Buffer
	if _, err := f.WriteTo(&head); err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(head.Bytes()), int64(head.Len()))
	if err != nil {
		return err
	}
	sheet := -1
	for i, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/") && strings.HasSuffix(zf.Name, ".xml") {
			if sheet >= 0 {
				return errors.New("xlsx: WriteWithRows wants a workbook of one worksheet")
			}
			sheet = i
		}
	}
	if sheet < 0 {
		return errors.New("xlsx: WriteWithRows wants a workbook of one worksheet")
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for i, zf := range zr.File {
		if i != sheet {
			if err := zw.Copy(zf); err != nil {
				return err
			}
			continue
		}
		if err := spliceRows(zw, zf, fill); err != nil {
			return err
		}
	}
	return zw.Close()
}

// spliceRows copies the worksheet zf with the rows of fill before its
// </sheetData>.
func spliceRows(zw *zip.Writer, zf *zip.File, fill func(*RowWriter) error) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	doc, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	cut := bytes.LastIndex(doc, []byte("</sheetData>"))
	if cut < 0 {
		return errors.New("xlsx: the worksheet has no sheetData")
	}
	last := 0
	if i := bytes.LastIndex(doc[:cut], []byte(`<row r="`)); i >= 0 {
		j := bytes.IndexByte(doc[i+8:cut], '"')
		if j < 0 {
			return errors.New("xlsx: the worksheet's last row has no number")
		}
		if last, err = strconv.Atoi(string(doc[i+8 : i+8+j])); err != nil {
			return errors.New("xlsx: the worksheet's last row has no number")
		}
	}
	// The sheet's dimension, written before its rows, cannot know them: it
	// says A1, as excelize's StreamWriter writes it (the element is a hint
	// that readers recompute).
	head := dimension.ReplaceAll(doc[:cut], []byte(`<dimension ref="A1"`))
	out, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, Modified: zf.Modified})
	if err != nil {
		return err
	}
	if _, err := out.Write(head); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() {
		rw := &RowWriter{w: bufio.NewWriterSize(pw, 256<<10), last: last}
		err := fill(rw)
		if err == nil {
			err = rw.w.Flush()
		}
		pw.CloseWithError(err)
	}()
	if _, err := io.Copy(out, pr); err != nil {
		pr.CloseWithError(err)
		return err
	}
	_, err = out.Write(doc[cut:])
	return err
}

// RowWriter writes rows of text cells.
type RowWriter struct {
	w    *bufio.Writer
	last int
	buf  []byte
}

// Row writes row n (after the last one written) with cells from column A;
// an empty string leaves its cell out, as a nil value does for excelize.
func (rw *RowWriter) Row(n int, cells []string) error {
	if n <= rw.last || n > maxRows {
		return fmt.Errorf("xlsx: row %d after row %d", n, rw.last)
	}
	if len(cells) > maxCols {
		return fmt.Errorf("xlsx: row %d: more than %d columns", n, maxCols)
	}
	rw.last = n
	b := append(rw.buf[:0], `<row r="`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `">`...)
	for i, v := range cells {
		if v == "" {
			continue
		}
		b = append(b, `<c r="`...)
		b = appendColumn(b, i+1)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `" t="inlineStr"><is><t`...)
		text, preserve := cellText(v)
		if preserve {
			b = append(b, ` xml:space="preserve"`...)
		}
		b = append(b, '>')
		b = append(b, text...)
		b = append(b, `</t></is></c>`...)
	}
	b = append(b, `</row>`...)
	rw.buf = b
	_, err := rw.w.Write(b)
	return err
}

func appendColumn(b []byte, col int) []byte {
	var c [3]byte
	i := len(c)
	for ; col > 0; col = (col - 1) / 26 {
		i--
		c[i] = byte('A' + (col-1)%26)
	}
	return append(b, c[i:]...)
}

// cellText is a string as excelize writes it into an inline string cell
// (trimCellValue): cut to 32,767 UTF-16 units, XML-escaped (new lines
// kept), a literal _xHHHH_ escaped; preserve says it begins or ends with
// white space. Most strings need none of it and are returned as they are.
func cellText(v string) (string, bool) {
	if plain(v) {
		return v, v[0] == ' ' || v[len(v)-1] == ' '
	}
	if utf16Len(v) > 32767 {
		v = utf16Cut(v, 32767)
	}
	preserve := false
	if v != "" {
		switch c := v[0]; c {
		case 9, 10, 13, 32:
			preserve = true
		}
		switch c := v[len(v)-1]; c {
		case 9, 10, 13, 32:
			preserve = true
		}
		var sb strings.Builder
		_ = xml.EscapeText(&sb, []byte(v))
		v = strings.ReplaceAll(sb.String(), "&#xA;", "\n")
	}
	return bstrMarshal(v), preserve
}

// plain says that v needs nothing of cellText but perhaps preserve: no
// character XML escapes or refuses, no _x, and short.
func plain(v string) bool {
	if v == "" || len(v) > 32767 || strings.Contains(v, "_x") {
		return false
	}
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch {
			case c < 0x20, c == '"', c == '\'', c == '&', c == '<', c == '>':
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 || !(r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000) {
			return false
		}
		i += size
	}
	return true
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func utf16Cut(s string, max int) string {
	n := 0
	for i, r := range s {
		if n += utf16.RuneLen(r); n > max {
			return s[:i]
		}
	}
	return s
}

var dimension = regexp.MustCompile(`<dimension ref="[^"]*"`)

var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// bstrMarshal escapes a literal _xHHHH_ in a string as excelize does
// (github.com/xuri/excelize/v2, lib.go, BSD-3-Clause), so that reading it
// back does not turn it into a character.
func bstrMarshal(s string) string {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	var result strings.Builder
	for _, match := range matches {
		result.WriteString(s[cursor:match[0]])
		sub := s[match[0]:match[1]]
		if sub == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				if _, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`); err == nil {
					result.WriteString(sub + "x005F" + sub)
					continue
				}
			}
			result.WriteString(sub + "x005F_")
			continue
		}
		cursor = match[1]
		if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
			result.WriteString("_x005F" + sub)
		}
	}
	if cursor < l {
		result.WriteString(s[cursor:])
	}
	return result.String()
}
