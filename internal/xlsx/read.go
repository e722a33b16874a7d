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
// Rows are streamed out of the file by a Book, with bounded memory, and
// turned into events in parallel: the reading goroutine takes each row's
// cells of the header's columns into chunks of rows; one worker per core
// writes a chunk's rows as JSON and decodes them (events.Decode, as a JSON
// Lines import does); the events come out in the sheets' order.
type Workbook struct {
	b      *Book
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
	b, err := OpenBook(path)
	if err != nil {
		return nil, err
	}
	return &Workbook{b: b, cells: map[int]string{}, next: 1}, nil
}

// Close closes the file.
func (w *Workbook) Close() error { return w.b.Close() }

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
// error about the whole event names the row's first cell. It is for after
// the events have been read.
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
	return w.sheets[s.sheet] + "!" + cellName(col, row)
}

// Error words an item of a refused batch: "Sheet!C5: field: reason".
func (w *Workbook) Error(it events.ItemError) string {
	return w.Where(it.Line, it.Err.Field) + ": " + it.Err.Error()
}

func isReadme(name string) bool {
	return name == labels.Get(labels.Zh, "sheet.readme") || strings.EqualFold(name, labels.Get(labels.En, "sheet.readme"))
}

// chunkRows is how many rows a worker takes at a time.
const chunkRows = 256

// chunk is rows of one sheet on their way to events: each item a row's
// values (one per read column, vals[first:first+len(cols)]) or an error
// already found.
type chunk struct {
	s     *Schema
	cols  []*Column
	d1904 bool
	items []item
	spans []span
	text  []byte
	vals  []string
}

type item struct {
	line, first int
	err         *events.FieldError
}

// span is a value: text[off:end] of its chunk, or a shared string.
type span struct {
	off, end int
	sst      string
}

// seal turns the chunk's spans into strings: one allocation for its text.
func (c *chunk) seal() {
	text := string(c.text)
	c.vals = make([]string, len(c.spans))
	for i, sp := range c.spans {
		if sp.sst != "" {
			c.vals[i] = sp.sst
		} else {
			c.vals[i] = text[sp.off:sp.end]
		}
	}
	c.spans, c.text = nil, nil
}

// scratch is a worker's buffers.
type scratch struct{ event, data []byte }

// decode turns the chunk's rows into events.
func (c *chunk) decode(buf *scratch, opt events.DecodeOptions) []events.Decoded {
	out := make([]events.Decoded, 0, len(c.items))
	for _, it := range c.items {
		if it.err != nil || c.s == nil {
			out = append(out, events.Decoded{Line: it.line, Err: it.err})
			continue
		}
		var ferr *events.FieldError
		buf.event, buf.data, ferr = rowJSON(buf.event[:0], buf.data[:0], c.s, c.cols, c.vals[it.first:it.first+len(c.cols)], c.d1904)
		if ferr != nil {
			out = append(out, events.Decoded{Line: it.line, Err: ferr})
			continue
		}
		ev, derr := events.Decode(buf.event, opt)
		out = append(out, events.Decoded{Line: it.line, Event: ev, Err: derr})
	}
	return out
}

// Events reads every sheet in workbook order and decodes each row as an
// event (events.Decode: the same strict checks as a JSON Lines import).
// Line is an ordinal; Where and Error turn it into the cell.
func (w *Workbook) Events(opt events.DecodeOptions) iter.Seq[events.Decoded] {
	return func(yield func(events.Decoded) bool) {
		events.InOrder(func(send func(func(*scratch) []events.Decoded) bool) {
			w.read(func(c *chunk) bool {
				if len(c.items) == 0 {
					return true
				}
				c.seal()
				return send(func(buf *scratch) []events.Decoded { return c.decode(buf, opt) })
			})
		}, yield)
	}
}

// read reads the sheets into chunks; false means the consumer stopped.
func (w *Workbook) read(send func(*chunk) bool) bool {
	w.sheets = w.b.Sheets()
	w.cols = make([]map[string]int, len(w.sheets))
	for si, name := range w.sheets {
		w.cols[si] = map[string]int{}
		if isReadme(name) {
			continue
		}
		s, ok := SchemaOf(events.Type(name))
		if !ok {
			c := w.errors(w.fail(si, "A1", "sheet", "%q is not an event type: name each sheet by its type (ledger template writes them)", clip(name)))
			if !send(c) {
				return false
			}
			continue
		}
		if !w.sheet(si, s, send) {
			return false
		}
	}
	return true
}

// errors is a chunk of errors only.
func (w *Workbook) errors(ds ...events.Decoded) *chunk {
	c := &chunk{}
	for _, d := range ds {
		c.items = append(c.items, item{line: d.Line, err: d.Err})
	}
	return c
}

// sheet reads one sheet; false means the consumer stopped.
func (w *Workbook) sheet(si int, s *Schema, send func(*chunk) bool) bool {
	rows, err := w.b.rows(si)
	if err != nil {
		return send(w.errors(w.fail(si, "A1", "sheet", "cannot read the sheet: %v", err)))
	}
	defer rows.Close()
	var read []int     // the columns read, ascending
	var cols []*Column // their fields
	var slot []int     // column-1 → 1 + its place in read (0: not read)
	header := false
	textSize := 0 // the last chunk's, to size the next
	newChunk := func() *chunk {
		return &chunk{s: s, cols: cols, d1904: w.b.Date1904(),
			items: make([]item, 0, chunkRows), spans: make([]span, 0, chunkRows*len(cols)), text: make([]byte, 0, textSize)}
	}
	c := newChunk()
	bad := func(r int, format string, args ...any) bool {
		d := w.fail(si, fmt.Sprintf("A%d", r), "sheet", format, args...)
		c.items = append(c.items, item{line: d.Line, err: d.Err})
		return send(c)
	}
	for rows.Next() {
		r := rows.row
		if !header {
			cells, err := rows.columns()
			if err != nil {
				return bad(r, "cannot read row %d: %v", r, err)
			}
			var byCol []*Column
			var errs []events.Decoded
			byCol, errs, header = w.header(si, s, r, cells)
			for _, d := range errs {
				c.items = append(c.items, item{line: d.Line, err: d.Err})
			}
			if header {
				for i, col := range byCol {
					if col != nil {
						read = append(read, i+1)
						cols = append(cols, col)
					}
				}
				slot = make([]int, len(byCol))
				for k, col := range read {
					slot[col-1] = k + 1
				}
				if !send(c) {
					return false
				}
				c = newChunk()
			}
			continue
		}
		blank, err := rows.blank()
		if err != nil {
			return bad(r, "cannot read row %d: %v", r, err)
		}
		if blank {
			continue
		}
		it := item{line: w.ord(si, r), first: len(c.spans)}
		for range read {
			c.spans = append(c.spans, span{})
		}
		for i, cell := range rows.cells {
			if cell.col > len(slot) || slot[cell.col-1] == 0 {
				continue
			}
			sp := &c.spans[it.first+slot[cell.col-1]-1]
			if cell.sst >= 0 {
				v, err := rows.value(i)
				if err != nil {
					return bad(r, "cannot read row %d: %v", r, err)
				}
				*sp = span{sst: v}
				continue
			}
			*sp = span{off: len(c.text)}
			c.text = append(c.text, rows.text[cell.off:cell.end]...)
			sp.end = len(c.text)
		}
		c.items = append(c.items, it)
		if len(c.items) == chunkRows {
			textSize = len(c.text) + len(c.text)/8
			if !send(c) {
				return false
			}
			c = newChunk()
		}
	}
	if err := rows.Err(); err != nil {
		return bad(max(rows.last, 1), "cannot read the sheet: %v", err)
	}
	if !header {
		return bad(1, "no header row naming the fields (occurred_at, actor, …): row 2 of the template")
	}
	return send(c)
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

// rowJSON writes one row as a JSON Lines event of the sheet's type: vals
// are the values of the columns cols, in the sheet's order. An empty cell
// leaves its field out, so that events.Decode names it as required; a cell
// that cannot be the field's JSON value is refused here. data is scratch
// space for the body's fields.
func rowJSON(buf, data []byte, s *Schema, cols []*Column, vals []string, d1904 bool) ([]byte, []byte, *events.FieldError) {
	buf = append(buf, `{"type":`...)
	buf = appendString(buf, string(s.Type))
	for i, v := range vals {
		c := cols[i]
		v = strings.TrimSpace(v)
		if v == "" {
			if c.Required {
				return buf, data, events.Invalid(c.Path, "required")
			}
			continue
		}
		var out []byte
		var err *events.FieldError
		if strings.HasPrefix(c.Path, "data.") {
			if len(data) > 0 {
				data = append(data, ',')
			}
			data = appendString(data, c.Name)
			data = append(data, ':')
			if out, err = appendValue(data, c, v, d1904); err == nil {
				data = out
			}
		} else {
			buf = append(buf, ',')
			buf = appendString(buf, c.Name)
			buf = append(buf, ':')
			if out, err = appendValue(buf, c, v, d1904); err == nil {
				buf = out
			}
		}
		if err != nil {
			return buf, data, err
		}
	}
	buf = append(buf, `,"data":{`...)
	buf = append(buf, data...)
	return append(buf, "}}"...), data, nil
}

// appendValue appends the JSON value of a cell.
func appendValue(b []byte, c *Column, v string, d1904 bool) ([]byte, *events.FieldError) {
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
		t, err := cellTime(v, d1904)
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
				if b, err = appendValue(b, &sub, strings.TrimSpace(parts[j]), d1904); err != nil {
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
// has no zone: read as +08:00, the zone of every date in the rules; d1904:
// the workbook counts from 1904), or an RFC 3339 text with an offset.
func cellTime(v string, d1904 bool) (string, error) {
	// numeric first: most times are text, and ParseFloat's error allocates
	if numeric(v) {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return serialTime(f, d1904)
		}
	}
	if _, err := when.Instant(v); err != nil {
		return "", err
	}
	return v, nil
}

// serialTime reads an Excel date-time as +08:00.
func serialTime(f float64, d1904 bool) (string, error) {
	if f <= 0 || f > 2958465 { // 9999-12-31
		return "", errors.New("not a date-time")
	}
	t, err := excelize.ExcelDateToTime(f, d1904)
	if err != nil {
		return "", errors.New("not a date-time")
	}
	// Excel keeps milliseconds at most; round away the float's noise.
	t = t.Round(time.Millisecond)
	cst := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), events.CST)
	return cst.Format(time.RFC3339Nano), nil
}

// numeric says whether v could be a number: digits, a point, an exponent.
func numeric(v string) bool {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9', c == '.', c == 'e', c == 'E', c == '+', c == '-':
		default:
			return false
		}
	}
	return true
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
