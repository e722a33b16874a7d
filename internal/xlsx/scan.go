package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// xmlScanner splits the XML of a workbook part into tags and text, for the
// few elements a cell reader needs (rows, cells, values, strings). It is
// not a general XML parser: names are matched by their local part (x:row is
// row), a DOCTYPE is refused, and entities are the five predefined ones and
// character references. It reads its input in blocks and hands out slices
// of its buffer, valid until the next call; a tag or a text longer than
// maxToken is an error, so its memory is bounded whatever the input.
type xmlScanner struct {
	r    io.Reader
	buf  []byte
	pos  int // the next unread byte
	end  int // the end of the bytes read
	done bool
	err  error // a read error, or the input is malformed

	// the current token
	kind  tokKind
	name  []byte // start and end: the local name
	attrs []byte // start: the attributes, as written
	self  bool   // start: <name/>
	text  []byte // text: as written (entities not decoded), or a CDATA section's content
	cdata bool
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

const (
	scanBlock = 256 << 10
	maxToken  = 4 << 20
)

var errTruncated = errors.New("the XML ends in the middle of an element")

func newScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 2*scanBlock)}
}

func (s *xmlScanner) fail(format string, args ...any) bool {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
	}
	s.kind = tokEOF
	return false
}

// more reads more input after s.buf[s.pos:s.end], which it moves to the
// front of the buffer (offsets from s.pos stay valid). It returns false
// when nothing more can be read.
func (s *xmlScanner) more() bool {
	if s.done {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if len(s.buf)-s.end < scanBlock {
		if s.end >= maxToken {
			s.done = true
			return s.fail("an XML element or text longer than %d MiB", maxToken>>20)
		}
		nb := make([]byte, min(2*len(s.buf), maxToken+scanBlock))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.done = true
			if !errors.Is(err, io.EOF) {
				s.fail("%v", err)
				return false
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// index finds pat in the unread input at or after offset from (from s.pos),
// reading more as needed; -1 when the input ends first.
func (s *xmlScanner) index(from int, pat string) int {
	for {
		d := s.buf[s.pos:s.end]
		if from < len(d) {
			if i := bytes.Index(d[from:], []byte(pat)); i >= 0 {
				return from + i
			}
			from = max(from, len(d)-len(pat)+1)
		}
		if !s.more() {
			return -1
		}
	}
}

// next reads the next tag or text, skipping comments, processing
// instructions and the XML declaration. It returns false at the end of the
// input or on an error (s.err).
func (s *xmlScanner) next() bool {
	for {
		if s.err != nil {
			return false
		}
		d := s.buf[s.pos:s.end]
		if len(d) == 0 {
			if !s.more() {
				s.kind = tokEOF
				return false
			}
			continue
		}
		if d[0] != '<' {
			i := bytes.IndexByte(d, '<')
			for i < 0 {
				n := len(d)
				if !s.more() {
					if s.err != nil {
						return false
					}
					i = n
					break
				}
				d = s.buf[s.pos:s.end]
				if j := bytes.IndexByte(d[n:], '<'); j >= 0 {
					i = n + j
				}
			}
			d = s.buf[s.pos:s.end]
			s.kind, s.text, s.cdata = tokText, d[:i], false
			s.pos += i
			return true
		}
		if len(d) < 9 && !s.done && s.more() {
			continue // room to tell <![CDATA[ from <!-- and a tag
		}
		switch {
		case len(d) < 2:
			return s.fail("%v", errTruncated)
		case d[1] == '/':
			i := s.index(2, ">")
			if i < 0 {
				return s.fail("%v", errTruncated)
			}
			d = s.buf[s.pos:s.end]
			s.kind, s.name = tokEnd, local(bytes.TrimSpace(d[2:i]))
			s.pos += i + 1
			return true
		case d[1] == '?':
			i := s.index(2, "?>")
			if i < 0 {
				return s.fail("%v", errTruncated)
			}
			s.pos += i + 2
		case bytes.HasPrefix(d, []byte("<!--")):
			i := s.index(4, "-->")
			if i < 0 {
				return s.fail("%v", errTruncated)
			}
			s.pos += i + 3
		case bytes.HasPrefix(d, []byte("<![CDATA[")):
			i := s.index(9, "]]>")
			if i < 0 {
				return s.fail("%v", errTruncated)
			}
			d = s.buf[s.pos:s.end]
			s.kind, s.text, s.cdata = tokText, d[9:i], true
			s.pos += i + 3
			return true
		case d[1] == '!':
			return s.fail("unexpected markup <!…> (a DOCTYPE has no place in a workbook)")
		default:
			return s.startTag()
		}
	}
}

// startTag reads <name attr="v" ...> or <name .../>; a > inside a quoted
// attribute value does not end it.
func (s *xmlScanner) startTag() bool {
	var quote byte
	i := 1
	for {
		d := s.buf[s.pos:s.end]
		for ; i < len(d); i++ {
			c := d[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '<':
				return s.fail("malformed XML: < inside a tag")
			case c == '>':
				tag := d[1:i]
				s.self = len(tag) > 0 && tag[len(tag)-1] == '/'
				if s.self {
					tag = tag[:len(tag)-1]
				}
				n := 0
				for n < len(tag) && !isSpace(tag[n]) {
					n++
				}
				if n == 0 {
					return s.fail("malformed XML: a tag without a name")
				}
				s.kind, s.name, s.attrs = tokStart, local(tag[:n]), tag[n:]
				s.pos += i + 1
				return true
			}
		}
		if !s.more() {
			return s.fail("%v", errTruncated)
		}
	}
}

// skip skips the content of the start tag just read, to its end tag.
func (s *xmlScanner) skip() bool {
	if s.self {
		return true
	}
	depth := 1
	for s.next() {
		switch s.kind {
		case tokStart:
			if !s.self {
				depth++
			}
		case tokEnd:
			if depth--; depth == 0 {
				return true
			}
		}
	}
	return s.fail("%v", errTruncated)
}

// appendContent appends the decoded text of the start tag just read, to its
// end tag; elements inside it are skipped (as encoding/xml does for a
// string).
func (s *xmlScanner) appendContent(dst []byte) ([]byte, bool) {
	if s.self {
		return dst, true
	}
	for s.next() {
		switch s.kind {
		case tokText:
			var err error
			if dst, err = s.appendText(dst); err != nil {
				return dst, s.fail("%v", err)
			}
		case tokStart:
			if !s.skip() {
				return dst, false
			}
		case tokEnd:
			return dst, true
		}
	}
	return dst, s.fail("%v", errTruncated)
}

// appendText appends the current text token, decoded: entities replaced,
// line ends normalised to \n (as an XML parser does).
func (s *xmlScanner) appendText(dst []byte) ([]byte, error) {
	if s.cdata {
		return appendNewlines(dst, s.text), nil
	}
	return appendUnescaped(dst, s.text)
}

func appendNewlines(dst, t []byte) []byte {
	for {
		i := bytes.IndexByte(t, '\r')
		if i < 0 {
			return append(dst, t...)
		}
		dst = append(dst, t[:i]...)
		dst = append(dst, '\n')
		t = t[i+1:]
		if len(t) > 0 && t[0] == '\n' {
			t = t[1:]
		}
	}
}

// appendUnescaped decodes XML text: the five predefined entities and
// character references; anything else after & is an error, which does not
// quote the text (it may be a person's).
func appendUnescaped(dst, t []byte) ([]byte, error) {
	if bytes.IndexByte(t, '&') < 0 {
		return appendNewlines(dst, t), nil
	}
	for len(t) > 0 {
		i := bytes.IndexByte(t, '&')
		if i < 0 {
			return appendNewlines(dst, t), nil
		}
		dst = appendNewlines(dst, t[:i])
		t = t[i+1:]
		j := bytes.IndexByte(t, ';')
		if j < 0 || j > 10 {
			return dst, errors.New("malformed XML: & without an entity")
		}
		ent := t[:j]
		t = t[j+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return dst, errors.New("malformed XML: an unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#…; are)")
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, nil
}

// charRef reads #65 or #x41.
func charRef(e []byte) (rune, bool) {
	if len(e) < 2 || e[0] != '#' {
		return 0, false
	}
	base, digits := 10, e[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range digits {
		d := hexDigit(c)
		if d < 0 || d >= base {
			return 0, false
		}
		n = n*base + d
		if n > utf8.MaxRune {
			return 0, false
		}
	}
	return rune(n), true
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// local drops a name's prefix: x:row is row.
func local(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// attr finds an attribute by its local name in a start tag's attributes;
// the value is as written (entities not decoded). ok is false when the
// attributes are malformed.
func attr(attrs []byte, name string) (val []byte, found, ok bool) {
	a := attrs
	for {
		for len(a) > 0 && isSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 {
			return nil, false, true
		}
		eq := bytes.IndexByte(a, '=')
		if eq <= 0 {
			return nil, false, false
		}
		key := local(bytes.TrimSpace(a[:eq]))
		a = a[eq+1:]
		for len(a) > 0 && isSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return nil, false, false
		}
		q := a[0]
		end := bytes.IndexByte(a[1:], q)
		if end < 0 {
			return nil, false, false
		}
		v := a[1 : 1+end]
		a = a[2+end:]
		if string(key) == name {
			return v, true, true
		}
	}
}

// appendBstr decodes the _xHHHH_ escapes of an Office string (a character
// XML cannot carry, written as its UTF-16 code unit; _x005F_ is an escaped
// _) in b[from:], in place.
func appendBstr(b []byte, from int) []byte {
	if !bytes.Contains(b[from:], []byte("_x")) {
		return b
	}
	out := b[:from]
	in := b[from:]
	for i := 0; i < len(in); {
		if u, ok := bstrUnit(in[i:]); ok {
			i += 7
			switch {
			case u == '_':
				out = append(out, '_')
			case utf16High(u):
				if lo, ok := bstrUnit(in[i:]); ok && utf16Low(lo) {
					i += 7
					out = utf8.AppendRune(out, 0x10000+(u-0xD800)<<10+(lo-0xDC00))
				}
				// a lone surrogate is dropped, as excelize does
			case utf16Low(u):
			default:
				out = utf8.AppendRune(out, u)
			}
			continue
		}
		out = append(out, in[i])
		i++
	}
	return out
}

func bstrUnit(b []byte) (rune, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var u rune
	for _, c := range b[2:6] {
		d := hexDigit(c)
		if d < 0 {
			return 0, false
		}
		u = u<<4 | rune(d)
	}
	return u, true
}

func utf16High(u rune) bool { return u >= 0xD800 && u < 0xDC00 }
func utf16Low(u rune) bool  { return u >= 0xDC00 && u < 0xE000 }
