package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
)

// Book is a workbook opened to read its cells, fast and with bounded
// memory: each sheet's XML is streamed out of the zip archive and scanned
// for its rows and cells (no temporary copy of the sheet, no XML tokens or
// reflection per cell, the way excelize's rows iterator reads); the shared
// string table is read once, into memory up to sstMemory bytes and into a
// temporary file past that.
//
// A cell reads as excelize reads it with RawCellValue: a shared or inline
// string's text (the runs of rich text joined, phonetic runs left out,
// _xHHHH_ escapes decoded), otherwise the cell's value as written (a
// number, a date as its serial number, a boolean as 1 or 0, a formula's
// cached result). The tests hold the two readers to the same rows.
type Book struct {
	closer   io.Closer
	parts    map[string]*zip.File // by lower-case part name
	sheets   []bookSheet
	sstPart  string
	sst      *sharedStrings
	sstErr   error
	date1904 bool
}

type bookSheet struct{ name, part string }

// sstMemory is how much shared-string text a Book keeps in memory.
var sstMemory int64 = 64 << 20

// maxPartXML bounds the small parts read whole (the workbook, relationships).
const maxPartXML = 16 << 20

// OpenBook opens a workbook (.xlsx) for reading.
func OpenBook(name string) (*Book, error) {
	zr, err := zip.OpenReader(name)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are never used as paths here
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) {
			return nil, fmt.Errorf("xlsx: %s: %w", name, errNotXLSX)
		}
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	b, err := readBook(&zr.Reader, zr)
	if err != nil {
		zr.Close()
		return nil, fmt.Errorf("xlsx: %s: %w", name, err)
	}
	return b, nil
}

var errNotXLSX = errors.New("not an .xlsx workbook (an old .xls, or one with a password? save it as .xlsx without one)")

// readBook reads the workbook's structure; c closes the archive.
func readBook(zr *zip.Reader, c io.Closer) (*Book, error) {
	b := &Book{closer: c, parts: map[string]*zip.File{}}
	for _, f := range zr.File {
		n := strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/")
		b.parts[strings.ToLower(n)] = f
	}
	if err := b.structure(); err != nil {
		return nil, err
	}
	return b, nil
}

// Close closes the file and removes the temporary file of a large shared
// string table.
func (b *Book) Close() error {
	if b.sst != nil {
		b.sst.close()
	}
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

// Sheets returns the sheets' names in workbook order.
func (b *Book) Sheets() []string {
	out := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		out[i] = s.name
	}
	return out
}

// Date1904 says whether the workbook counts dates from 1904 (an option of
// old Excel for Mac).
func (b *Book) Date1904() bool { return b.date1904 }

func (b *Book) part(name string) (*zip.File, bool) {
	f, ok := b.parts[strings.ToLower(strings.TrimPrefix(name, "/"))]
	return f, ok
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

type xmlWorkbook struct {
	Pr *struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name string `xml:"name,attr"`
		RID  string `xml:"id,attr"` // r:id, whichever the namespace
	} `xml:"sheets>sheet"`
}

func (b *Book) readXML(name string, v any) error {
	f, ok := b.part(name)
	if !ok {
		return fmt.Errorf("no part %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, maxPartXML)).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// rels reads the relationships of a part, targets resolved to part names.
func (b *Book) rels(part string) (map[string]string, map[string]string, error) {
	name := path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
	byID, byType := map[string]string{}, map[string]string{}
	if _, ok := b.part(name); !ok {
		return byID, byType, nil
	}
	var r xmlRels
	if err := b.readXML(name, &r); err != nil {
		return nil, nil, err
	}
	for _, rel := range r.Rels {
		if strings.EqualFold(rel.Mode, "External") {
			continue
		}
		t := rel.Target
		if strings.HasPrefix(t, "/") {
			t = path.Clean(t[1:])
		} else {
			t = path.Join(path.Dir(part), t)
		}
		byID[rel.ID] = t
		kind := rel.Type[strings.LastIndexByte(rel.Type, '/')+1:]
		if _, dup := byType[kind]; !dup {
			byType[kind] = t
		}
	}
	return byID, byType, nil
}

// structure reads the workbook part: the sheets, their parts, the shared
// string table's part and the date system.
func (b *Book) structure() error {
	wbPart := "xl/workbook.xml"
	if _, top, err := b.rels(""); err == nil {
		if p, ok := top["officeDocument"]; ok {
			wbPart = p
		}
	}
	var wb xmlWorkbook
	if _, ok := b.part(wbPart); !ok {
		return errNotXLSX
	}
	if err := b.readXML(wbPart, &wb); err != nil {
		return err
	}
	byID, byType, err := b.rels(wbPart)
	if err != nil {
		return err
	}
	if wb.Pr != nil {
		b.date1904 = wb.Pr.Date1904 == "1" || strings.EqualFold(wb.Pr.Date1904, "true")
	}
	for _, s := range wb.Sheets {
		b.sheets = append(b.sheets, bookSheet{name: s.Name, part: byID[s.RID]})
	}
	b.sstPart = byType["sharedStrings"]
	if b.sstPart == "" {
		if _, ok := b.part("xl/sharedStrings.xml"); ok {
			b.sstPart = "xl/sharedStrings.xml"
		}
	}
	return nil
}

// loadStrings loads the shared string table on first use.
func (b *Book) loadStrings() (*sharedStrings, error) {
	if b.sst != nil || b.sstErr != nil {
		return b.sst, b.sstErr
	}
	if b.sstPart == "" {
		b.sst = &sharedStrings{}
		return b.sst, nil
	}
	f, ok := b.part(b.sstPart)
	if !ok {
		b.sst = &sharedStrings{}
		return b.sst, nil
	}
	rc, err := f.Open()
	if err != nil {
		b.sstErr = fmt.Errorf("the shared strings: %w", err)
		return nil, b.sstErr
	}
	defer rc.Close()
	b.sst, b.sstErr = readSharedStrings(rc)
	if b.sstErr != nil {
		b.sstErr = fmt.Errorf("the shared strings: %w", b.sstErr)
	}
	return b.sst, b.sstErr
}

// sharedStrings is the shared string table: the strings' text end to end,
// the first sstMemory bytes in memory and the rest in a temporary file.
type sharedStrings struct {
	mem  string
	ends []int64 // each string's end in the text
	file *os.File
}

func (t *sharedStrings) count() int { return len(t.ends) }

func (t *sharedStrings) bounds(i int) (int64, int64) {
	start := int64(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return start, t.ends[i]
}

// size is the length of string i.
func (t *sharedStrings) size(i int) int {
	a, z := t.bounds(i)
	return int(z - a)
}

// str returns string i: a slice of the table in memory, or read back.
func (t *sharedStrings) str(i int) (string, error) {
	a, z := t.bounds(i)
	if z <= int64(len(t.mem)) {
		return t.mem[a:z], nil
	}
	buf := make([]byte, z-a)
	if _, err := t.file.ReadAt(buf, a-int64(len(t.mem))); err != nil {
		return "", fmt.Errorf("the shared strings: %w", err)
	}
	return string(buf), nil
}

func (t *sharedStrings) close() {
	if t.file != nil {
		t.file.Close()
		os.Remove(t.file.Name())
		t.file = nil
	}
}

// readSharedStrings reads <sst><si>…</si>…</sst>: each item's text is its
// <t>, or the <t> of its runs (<r>) joined; phonetic runs (<rPh>) are
// left out.
func readSharedStrings(r io.Reader) (*sharedStrings, error) {
	t := &sharedStrings{}
	var mem []byte
	var spill *bufio.Writer
	var total int64
	s := newScanner(r)
	var cur []byte
	for s.next() {
		if s.kind != tokStart || string(s.name) != "si" {
			continue
		}
		cur = cur[:0]
		if !s.self {
			var ok bool
			if cur, ok = siText(s, cur); !ok {
				break
			}
		}
		cur = appendBstr(cur, 0)
		total += int64(len(cur))
		t.ends = append(t.ends, total)
		if spill == nil && int64(len(mem)+len(cur)) <= sstMemory {
			mem = append(mem, cur...)
			continue
		}
		if spill == nil {
			f, err := os.CreateTemp("", "ledger-xlsx-sst-")
			if err != nil {
				t.close()
				return nil, err
			}
			t.file = f
			spill = bufio.NewWriterSize(f, 1<<20)
		}
		if _, err := spill.Write(cur); err != nil {
			t.close()
			return nil, err
		}
	}
	if s.err != nil {
		t.close()
		return nil, s.err
	}
	if spill != nil {
		if err := spill.Flush(); err != nil {
			t.close()
			return nil, err
		}
	}
	t.mem = string(mem)
	return t, nil
}

// siText reads the content of an <si> (or of an <is>, an inline string),
// appending its text to dst.
func siText(s *xmlScanner, dst []byte) ([]byte, bool) {
	depth := 0 // inside <r>
	for s.next() {
		switch s.kind {
		case tokStart:
			switch string(s.name) {
			case "t":
				var ok bool
				if dst, ok = s.appendContent(dst); !ok {
					return dst, false
				}
			case "r":
				if !s.self {
					depth++
				}
			default: // rPh, rPr, phoneticPr, anything else
				if !s.skip() {
					return dst, false
				}
			}
		case tokEnd:
			if depth == 0 {
				return dst, true
			}
			depth--
		}
	}
	return dst, s.fail("%v", errTruncated)
}

// The limits of a sheet (Excel's).
const (
	maxRows = 1048576
	maxCols = 16384
)

// sheetRows reads the rows of one sheet in order, one at a time: the cells
// of a row that have a value or a formula.
type sheetRows struct {
	b    *Book
	rc   io.ReadCloser
	s    *xmlScanner
	in   bool // inside <sheetData>
	done bool // past it
	row  int
	last int
	// the current row's cells, in document order; their text is in text
	cells []rowCell
	text  []byte
	err   error
}

type rowCell struct {
	col      int
	off, end int // its text in sheetRows.text; or
	sst      int // its shared string (-1: none)
}

// rows opens sheet i (Sheets order) for reading.
func (b *Book) rows(i int) (*sheetRows, error) {
	p := b.sheets[i].part
	f, ok := b.part(p)
	if p == "" || !ok {
		return nil, errors.New("the sheet's part is missing from the workbook")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &sheetRows{b: b, rc: rc, s: newScanner(rc)}, nil
}

func (r *sheetRows) Close() error { return r.rc.Close() }

// Err is why reading stopped early: malformed XML, a cell or row beyond
// Excel's limits, rows out of order.
func (r *sheetRows) Err() error { return r.err }

func (r *sheetRows) fail(format string, args ...any) bool {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
	return false
}

// Next reads the next <row> of the sheet.
func (r *sheetRows) Next() bool {
	if r.err != nil || r.done {
		return false
	}
	s := r.s
	for s.next() {
		switch s.kind {
		case tokStart:
			switch {
			case !r.in:
				if string(s.name) == "sheetData" {
					if s.self {
						r.done = true
						return false
					}
					r.in = true
				}
			case string(s.name) == "row":
				return r.readRow()
			default:
				if !s.skip() {
					return r.fail("%v", s.err)
				}
			}
		case tokEnd:
			if r.in && string(s.name) == "sheetData" {
				r.done = true
				return false
			}
		}
	}
	if s.err != nil {
		return r.fail("%v", s.err)
	}
	if r.in {
		return r.fail("%v", errTruncated)
	}
	return false
}

// readRow reads a <row> whose start tag was just read.
func (r *sheetRows) readRow() bool {
	s := r.s
	r.cells, r.text = r.cells[:0], r.text[:0]
	n := r.last + 1
	if v, found, ok := attr(s.attrs, "r"); !ok {
		return r.fail("malformed XML in row %d", n)
	} else if found {
		x, err := strconv.Atoi(string(bytes.TrimSpace(v)))
		if err != nil || x < 1 {
			return r.fail("after row %d: a row whose number (r) is not a number", n-1)
		}
		n = x
	}
	if n > maxRows {
		return r.fail("row %d: more than %d rows", n, maxRows)
	}
	if n <= r.last {
		return r.fail("row %d after row %d: rows out of order", n, r.last)
	}
	r.row, r.last = n, n
	if s.self {
		return true
	}
	col := 0
	for s.next() {
		switch s.kind {
		case tokStart:
			if string(s.name) != "c" {
				if !s.skip() {
					return r.fail("%v", s.err)
				}
				continue
			}
			col++
			var ok bool
			if col, ok = r.readCell(col); !ok {
				return false
			}
		case tokEnd:
			if string(s.name) == "row" {
				return true
			}
		}
	}
	if s.err != nil {
		return r.fail("%v", s.err)
	}
	return r.fail("row %d: %v", n, errTruncated)
}

// readCell reads a <c> whose start tag was just read; col is its column
// unless it says another.
func (r *sheetRows) readCell(col int) (int, bool) {
	s := r.s
	ref, found, ok := attr(s.attrs, "r")
	if !ok {
		return col, r.fail("malformed XML in row %d", r.row)
	}
	if found {
		c, ok := refCol(ref)
		if !ok {
			return col, r.fail("row %d: a cell whose name (r) is not a cell name", r.row)
		}
		col = c
	}
	if col > maxCols {
		return col, r.fail("row %d: more than %d columns", r.row, maxCols)
	}
	// The type is read now: the scanner's buffer moves on.
	typ, _, _ := attr(s.attrs, "t")
	shared, inlineStr := string(typ) == "s", string(typ) == "inlineStr"
	cell := rowCell{col: col, off: len(r.text), sst: -1}
	formula, inline := false, false
	if !s.self {
	content:
		for s.next() {
			switch s.kind {
			case tokStart:
				switch string(s.name) {
				case "v":
					if inline {
						if !s.skip() {
							return col, r.fail("%v", s.err)
						}
						continue
					}
					r.text = r.text[:cell.off]
					if r.text, ok = s.appendContent(r.text); !ok {
						return col, r.fail("%v", s.err)
					}
				case "is":
					inline = inlineStr
					if !inline || s.self {
						if !s.skip() {
							return col, r.fail("%v", s.err)
						}
						continue
					}
					r.text = r.text[:cell.off]
					if r.text, ok = siText(s, r.text); !ok {
						return col, r.fail("%v", s.err)
					}
					r.text = appendBstr(r.text, cell.off)
				case "f":
					formula = true
					if !s.skip() {
						return col, r.fail("%v", s.err)
					}
				default:
					if !s.skip() {
						return col, r.fail("%v", s.err)
					}
				}
			case tokEnd:
				break content
			}
		}
		if s.err != nil {
			return col, r.fail("%v", s.err)
		}
		if s.kind != tokEnd {
			return col, r.fail("row %d: %v", r.row, errTruncated)
		}
	}
	cell.end = len(r.text)
	empty := cell.end == cell.off
	if shared && !empty {
		i, err := strconv.Atoi(string(bytes.TrimSpace(r.text[cell.off:cell.end])))
		sst, serr := r.b.loadStrings()
		if serr != nil {
			return col, r.fail("%v", serr)
		}
		if err != nil || i < 0 || i >= sst.count() {
			return col, r.fail("%s: no such shared string", cellName(col, r.row))
		}
		r.text = r.text[:cell.off]
		cell.end, cell.sst = cell.off, i
		empty = sst.size(i) == 0
	}
	if !empty || formula {
		r.cells = append(r.cells, cell)
	} else {
		r.text = r.text[:cell.off]
	}
	return col, true
}

// refCol reads the column of a cell name: B7 is 2.
func refCol(ref []byte) (int, bool) {
	ref = bytes.TrimSpace(ref)
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
		if col > maxCols {
			return 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return col, true
}

// value is cell i's text: a slice of the row's text (valid until Next) or
// the shared string.
func (r *sheetRows) value(i int) (string, error) {
	c := r.cells[i]
	if c.sst >= 0 {
		return r.b.sst.str(c.sst)
	}
	return string(r.text[c.off:c.end]), nil
}

// blank says whether every cell of the row is empty or white space.
func (r *sheetRows) blank() (bool, error) {
	for i, c := range r.cells {
		if c.sst < 0 {
			if len(bytes.TrimSpace(r.text[c.off:c.end])) > 0 {
				return false, nil
			}
			continue
		}
		v, err := r.value(i)
		if err != nil {
			return false, err
		}
		if strings.TrimSpace(v) != "" {
			return false, nil
		}
	}
	return true, nil
}

// columns returns the row as excelize's Rows.Columns does: a cell per
// column up to the last one with a value, "" in between.
func (r *sheetRows) columns() ([]string, error) {
	if len(r.cells) == 0 {
		return nil, nil
	}
	n := 0
	for _, c := range r.cells {
		n = max(n, c.col)
	}
	out := make([]string, n)
	for i, c := range r.cells {
		v, err := r.value(i)
		if err != nil {
			return nil, err
		}
		out[c.col-1] = v
	}
	return out, nil
}

// ReadRows reads sheet i (Sheets order) whole, as excelize's GetRows does
// with RawCellValue: rows[k] is row k+1, a row without values is empty, and
// the rows after the last with a value are left out.
func (b *Book) ReadRows(i int) ([][]string, error) {
	r, err := b.rows(i)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out [][]string
	for r.Next() {
		cells, err := r.columns()
		if err != nil {
			return nil, err
		}
		if len(cells) == 0 {
			continue
		}
		for len(out) < r.row-1 {
			out = append(out, nil)
		}
		out = append(out, cells)
	}
	return out, r.Err()
}

func cellName(col, row int) string {
	c := make([]byte, 0, 8)
	for n := col; n > 0; n = (n - 1) / 26 {
		c = append(c, byte('A'+(n-1)%26))
	}
	for i, j := 0, len(c)-1; i < j; i, j = i+1, j-1 {
		c[i], c[j] = c[j], c[i]
	}
	return string(c) + strconv.Itoa(row)
}
