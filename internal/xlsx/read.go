package xlsx

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/when"
	"github.com/xuri/excelize/v2"
)

// Workbook is a workbook of facts opened for reading: one sheet per event
// type, named by the type; a header row naming the fields (the first row
// where most cells are field names; rows above it, like the template's
// labels, are skipped); one event per row below it. A header cell starting
// with # marks a column for people (a name beside a pseudonym): it is never
// read. The sheet named 说明 or README is skipped.
//
// Rows are read with excelize's streaming iterator: a sheet or a shared
// string table larger than excelize's in-memory limit is read from a
// temporary file, so a year of votes is read with bounded memory.
type Workbook struct {
	f      *excelize.File
	sheets []string
	cols   []map[string]int // per sheet: field name → column (1-based)
	segs   []segment
	cells  map[int]string // ordinal → cell, for errors about a header
	next   int            // the next ordinal
}

// segment says that ordinals ord..ord+n-1 are rows row..row+n-1 of a sheet.
type segment struct{ ord, sheet, row, n int }

// Open opens a workbook for reading.
func Open(path string) (*Workbook, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %s: %w", path, err)
	}
	return &Workbook{f: f, cells: map[int]string{}, next: 1}, nil
}

// Close removes the reader's temporary files.
func (w *Workbook) Close() error { return w.f.Close() }

// ord gives the next ordinal to row r of sheet si (a Decoded's Line).
func (w *Workbook) ord(si, r int) int {
	n := w.next
	w.next++
	if k := len(w.segs) - 1; k >= 0 {
		s := &w.segs[k]
		if s.sheet == si && s.row+s.n == r && s.ord+s.n == n {
			s.n++
			return n
		}
	}
	w.segs = append(w.segs, segment{ord: n, sheet: si, row: r, n: 1})
	return n
}

// fail is an error about a cell that is not a field of an event (a sheet
// name, a header).
func (w *Workbook) fail(si int, cell, field, format string, args ...any) events.Decoded {
	n := w.next
	w.next++
	w.cells[n] = w.sheets[si] + "!" + cell
	return events.Decoded{Line: n, Err: events.Invalid(field, format, args...)}
}

// Where names the cell of a bad input: "Sheet!C5". The column is the one
// of the error's field ("data.grades[2].score" is the grades column); an
// error about the whole event names the row's first cell.
func (w *Workbook) Where(line int, field string) string {
	if c, ok := w.cells[line]; ok {
		return c
	}
	i := sort.Search(len(w.segs), func(i int) bool { return w.segs[i].ord+w.segs[i].n > line })
	if i == len(w.segs) || line < w.segs[i].ord {
		return fmt.Sprintf("item %d", line)
	}
	s := w.segs[i]
	row := s.row + line - s.ord
	name := strings.TrimPrefix(field, "data.")
	if j := strings.IndexAny(name, "[."); j >= 0 {
		name = name[:j]
	}
	col, ok := w.cols[s.sheet][name]
	if !ok {
		col = 1
	}
	cell, _ := excelize.CoordinatesToCellName(col, row)
	return w.sheets[s.sheet] + "!" + cell
}

// Error words an item of a refused batch: "Sheet!C5: field: reason".
func (w *Workbook) Error(it events.ItemError) string {
	return w.Where(it.Line, it.Err.Field) + ": " + it.Err.Error()
}

func isReadme(name string) bool {
	return name == labels.Get(labels.Zh, "sheet.readme") || strings.EqualFold(name, labels.Get(labels.En, "sheet.readme"))
}

// Events reads every sheet in workbook order and decodes each row as an
// event (events.Decode: the same strict checks as a JSON Lines import).
// Line is an ordinal; Where and Error turn it into the cell.
func (w *Workbook) Events(opt events.DecodeOptions) iter.Seq[events.Decoded] {
	return func(yield func(events.Decoded) bool) {
		w.sheets = w.f.GetSheetList()
		w.cols = make([]map[string]int, len(w.sheets))
		for si, name := range w.sheets {
			w.cols[si] = map[string]int{}
			if isReadme(name) {
				continue
			}
			s, ok := SchemaOf(events.Type(name))
			if !ok {
				if !yield(w.fail(si, "A1", "sheet", "%q is not an event type: name each sheet by its type (ledger template writes them)", clip(name))) {
					return
				}
				continue
			}
			if !w.sheet(si, s, opt, yield) {
				return
			}
		}
	}
}

// sheet reads one sheet; false means the consumer stopped.
func (w *Workbook) sheet(si int, s *Schema, opt events.DecodeOptions, yield func(events.Decoded) bool) bool {
	name := w.sheets[si]
	rows, err := w.f.Rows(name)
	if err != nil {
		return yield(w.fail(si, "A1", "sheet", "cannot read the sheet: %v", err))
	}
	defer rows.Close()
	var cols []*Column // by column index; nil: not read
	header := false
	var buf []byte
	r := 0
	for rows.Next() {
		r++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return yield(w.fail(si, fmt.Sprintf("A%d", r), "sheet", "cannot read row %d: %v", r, err))
		}
		if !header {
			var bad []events.Decoded
			cols, bad, header = w.header(si, s, r, cells)
			for _, d := range bad {
				if !yield(d) {
					return false
				}
			}
			continue
		}
		if blank(cells) {
			continue
		}
		n := w.ord(si, r)
		var ferr *events.FieldError
		buf, ferr = rowJSON(buf[:0], s, cols, cells)
		if ferr != nil {
			if !yield(events.Decoded{Line: n, Err: ferr}) {
				return false
			}
			continue
		}
		ev, derr := events.Decode(buf, opt)
		if !yield(events.Decoded{Line: n, Event: ev, Err: derr}) {
			return false
		}
	}
	if err := rows.Error(); err != nil {
		return yield(w.fail(si, "A1", "sheet", "cannot read the sheet: %v", err))
	}
	if !header {
		return yield(w.fail(si, "A1", "sheet", "no header row naming the fields (occurred_at, actor, …): row 2 of the template"))
	}
	return true
}

// header reads row r as the header if most of its cells name fields. It
// returns the columns by index, the errors of the header (an unknown or
// repeated column, a required column missing) and whether it was the header.
func (w *Workbook) header(si int, s *Schema, r int, cells []string) ([]*Column, []events.Decoded, bool) {
	known, other := 0, 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		switch {
		case c == "" || strings.HasPrefix(c, "#"):
		case w.lookup(s, c) != nil:
			known++
		default:
			other++
		}
	}
	if known == 0 || other > known {
		return nil, nil, false
	}
	var bad []events.Decoded
	cols := make([]*Column, len(cells))
	for i, c := range cells {
		c = strings.TrimSpace(c)
		cell, _ := excelize.CoordinatesToCellName(i+1, r)
		if c == "" || strings.HasPrefix(c, "#") {
			continue
		}
		col := w.lookup(s, c)
		if col == nil {
			bad = append(bad, w.fail(si, cell, "header", "unknown column %q: want one of %s (a column for people starts with #)", clip(c), names(s)))
			continue
		}
		if _, dup := w.cols[si][col.Name]; dup {
			bad = append(bad, w.fail(si, cell, col.Path, "column named twice"))
			continue
		}
		w.cols[si][col.Name] = i + 1
		cols[i] = col
	}
	for _, c := range s.Columns {
		if _, ok := w.cols[si][c.Name]; !ok && c.Required {
			bad = append(bad, w.fail(si, fmt.Sprintf("A%d", r), c.Path, "column missing from the header row"))
		}
	}
	return cols, bad, true
}

// lookup finds the column a header cell names: its field name, or the
// field's path ("data.section_id").
func (w *Workbook) lookup(s *Schema, h string) *Column {
	if c, ok := s.Column(strings.TrimPrefix(h, "data.")); ok {
		return c
	}
	return nil
}

func names(s *Schema) string {
	var out []string
	for _, l := range [][]Column{s.Columns, s.Optional} {
		for _, c := range l {
			out = append(out, c.Name)
		}
	}
	return strings.Join(out, ", ")
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// rowJSON writes one row as a JSON Lines event of the sheet's type. An
// empty cell leaves its field out, so that events.Decode names it as
// required; a cell that cannot be the field's JSON value is refused here.
func rowJSON(buf []byte, s *Schema, cols []*Column, cells []string) ([]byte, *events.FieldError) {
	buf = append(buf, `{"type":`...)
	buf = appendString(buf, string(s.Type))
	var data []byte
	for i, v := range cells {
		if i >= len(cols) || cols[i] == nil {
			continue
		}
		c := cols[i]
		v = strings.TrimSpace(v)
		if v == "" {
			if c.Required {
				return nil, events.Invalid(c.Path, "required")
			}
			continue
		}
		var err *events.FieldError
		if strings.HasPrefix(c.Path, "data.") {
			if len(data) > 0 {
				data = append(data, ',')
			}
			data = appendString(data, c.Name)
			data = append(data, ':')
			data, err = appendValue(data, c, v)
		} else {
			buf = append(buf, ',')
			buf = appendString(buf, c.Name)
			buf = append(buf, ':')
			buf, err = appendValue(buf, c, v)
		}
		if err != nil {
			return nil, err
		}
	}
	buf = append(buf, `,"data":{`...)
	buf = append(buf, data...)
	return append(buf, "}}"...), nil
}

// appendValue appends the JSON value of a cell.
func appendValue(b []byte, c *Column, v string) ([]byte, *events.FieldError) {
	switch c.Kind {
	case KindBool:
		switch strings.ToLower(v) {
		case "true", "1", "是", "yes":
			return append(b, "true"...), nil
		case "false", "0", "否", "no":
			return append(b, "false"...), nil
		}
		return nil, events.Invalid(c.Path, "must be true or false (是 or 否)")
	case KindNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, events.Invalid(c.Path, "must be a number")
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	case KindTime:
		t, err := cellTime(v)
		if err != nil {
			return nil, events.Invalid(c.Path, "%v", err)
		}
		return appendString(b, t), nil
	case KindList:
		b = append(b, '[')
		for i, id := range splitList(v, false) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, id)
		}
		return append(b, ']'), nil
	case KindPairs:
		b = append(b, '[')
		for i, item := range splitList(v, true) {
			if i > 0 {
				b = append(b, ',')
			}
			parts := strings.FieldsFunc(item, func(r rune) bool { return r == '=' || r == ':' || r == '：' })
			path := c.Path + "[" + strconv.Itoa(i) + "]"
			if len(parts) != len(c.Pair) {
				want := make([]string, len(c.Pair))
				for j, p := range c.Pair {
					want[j] = p.Name
				}
				return nil, events.Invalid(path, "write each item as %s", strings.Join(want, "="))
			}
			b = append(b, '{')
			for j, p := range c.Pair {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, p.Name)
				b = append(b, ':')
				sub := p
				sub.Path = path + "." + p.Name
				var err *events.FieldError
				if b, err = appendValue(b, &sub, strings.TrimSpace(parts[j])); err != nil {
					return nil, err
				}
			}
			b = append(b, '}')
		}
		return append(b, ']'), nil
	}
	return appendString(b, v), nil
}

// cellTime reads a time cell: an Excel date-time (a serial number, which
// has no zone: read as +08:00, the zone of every date in the rules), or an
// RFC 3339 text with an offset.
func cellTime(v string) (string, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f <= 0 || f > 2958465 { // 9999-12-31
			return "", errors.New("not a date-time")
		}
		t, err := excelize.ExcelDateToTime(f, false)
		if err != nil {
			return "", errors.New("not a date-time")
		}
		// Excel keeps milliseconds at most; round away the float's noise.
		t = t.Round(time.Millisecond)
		cst := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), events.CST)
		return cst.Format(time.RFC3339Nano), nil
	}
	if _, err := when.Instant(v); err != nil {
		return "", err
	}
	return v, nil
}

// splitList splits a cell of ids at commas (also full-width), 、, semicolons
// and white space; a list of pairs is not split at white space around "=".
func splitList(v string, pairs bool) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		switch r {
		case ',', '，', '、', ';', '；', '\n', '\r':
			return true
		case ' ', '\t':
			return !pairs
		}
		return false
	})
}

// appendString appends s as a JSON string. Invalid UTF-8 is kept as it is
// so that events.Decode refuses it by name.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// clip keeps an error short.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
