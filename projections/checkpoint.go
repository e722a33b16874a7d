package projections

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

// CheckpointFormat versions the encoding below; a checkpoint of another
// format is ignored and rebuilt. Bump it whenever State or Fact changes.
const CheckpointFormat = "projections/v4"

// EncodeCheckpoint is WriteCheckpoint into memory.
func EncodeCheckpoint(s *State) []byte {
	var b bytes.Buffer
	_ = WriteCheckpoint(&b, s) // a bytes.Buffer does not fail
	return b.Bytes()
}

// DecodeCheckpoint is ReadCheckpoint from memory.
func DecodeCheckpoint(b []byte) (*State, error) {
	return ReadCheckpoint(bytes.NewReader(b), int64(len(b)))
}

// WriteCheckpoint writes the state in a compact binary form: fixed-width
// little-endian facts and length-prefixed strings. The indexes that only
// validation needs are not saved; they are rebuilt from the facts on the
// first append. It writes as it goes: a year's checkpoint is never whole
// in memory.
func WriteCheckpoint(out io.Writer, s *State) error {
	w := &writer{out: out, b: make([]byte, 0, flushAt+4096)}
	w.i64(s.Head.Position)
	w.bytes(s.Head.Hash[:])
	w.i64(s.Head.RecordedAt.UnixNano())
	w.u32(len(s.units))
	for _, u := range s.units {
		w.str(u.ID)
		w.str(u.Name)
		w.i64(u.Pos)
	}
	w.u32(len(s.sections))
	for _, x := range s.sections {
		w.str(x.ID)
		w.str(x.Name)
		w.u32(int(x.Unit))
		w.bool(x.Enforcement)
		w.bool(x.LateReported)
		w.i64(x.Pos)
		w.i64(x.Occurred)
		w.i64(x.ExemptPos)
		w.i64(x.PriorPos)
	}
	w.u32(len(s.texts))
	for _, t := range s.texts {
		w.str(t)
	}
	w.u32(len(s.grades))
	for _, gs := range s.grades {
		w.u32(len(gs))
		for _, g := range gs {
			w.u32(int(g.sec))
			w.u64(math.Float64bits(g.score))
		}
	}
	w.u32(len(s.ballots))
	for _, b := range s.ballots {
		w.u32(int(b))
	}
	w.u32(len(s.creds))
	for _, c := range s.creds {
		w.bytes(c[:])
	}
	w.u32(len(s.frozen))
	for _, f := range s.frozen {
		w.u32(int(f))
	}
	w.i64(s.frozenPos)
	w.u32(s.priorN)
	w.u32(len(s.decisions))
	for _, d := range s.decisions {
		w.i64(d.pos)
		w.u32(int(d.doc))
		for _, l := range [][]int32{d.sat, d.unsat, d.most} {
			w.u32(len(l))
			for _, i := range l {
				w.u32(int(i))
			}
		}
	}
	// The facts come last, after every table they index, so that a reader
	// checks and files each fact as it decodes it, in one pass. Each
	// section's vote count lets the reader size its lists once.
	w.u32(s.facts.len())
	w.u32(len(s.votes.pos))
	w.u32(len(s.sections))
	for si := range s.sections {
		n := 0
		if si < len(s.secVotes) {
			n = len(s.secVotes[si])
		}
		w.u32(n)
	}
	for i := 0; i < s.facts.len(); i++ {
		f := s.facts.at(int64(i))
		w.i64(f.Occurred)
		w.i64(f.Recorded)
		w.bytes(f.ID[:])
		w.u64(math.Float64bits(f.Pts))
		w.i64(f.Target)
		w.u32(int(f.Sec))
		w.u32(int(f.Unit))
		w.u32(int(f.Aux))
		w.b = append(w.b, f.Type, f.A, f.B)
		w.bool(s.corrected(int64(i + 1)))
		w.flush(false)
	}
	return w.flush(true)
}

// ReadCheckpoint reads what WriteCheckpoint wrote: size bytes from in. If
// in also has a method ReadBlock() ([]byte, error), handing out its data a
// block at a time (each valid until the next call), the checkpoint is
// decoded in place from those blocks rather than copied out of them first.
func ReadCheckpoint(in io.Reader, size int64) (st *State, err error) {
	r := &reader{src: in, left: size}
	if b, ok := in.(blockReader); ok {
		r.blocks = b
	}
	s := New()
	s.Head.Position = r.i64()
	copy(s.Head.Hash[:], r.take(32))
	s.Head.RecordedAt = time.Unix(0, r.i64()).UTC()
	n := r.count(16)
	s.units = make([]Unit, n)
	for i := range s.units {
		u := &s.units[i]
		u.ID, u.Name, u.Pos = r.str(), r.str(), r.i64()
		s.unitIdx[u.ID] = int32(i)
	}
	n = r.count(40)
	s.sections = make([]Section, n)
	for i := range s.sections {
		x := &s.sections[i]
		x.ID, x.Name = r.str(), r.str()
		x.Unit = int32(r.u32())
		x.Enforcement, x.LateReported = r.bool(), r.bool()
		x.Pos, x.Occurred, x.ExemptPos, x.PriorPos = r.i64(), r.i64(), r.i64(), r.i64()
		if x.Unit < 0 || int(x.Unit) >= len(s.units) {
			return nil, errors.New("checkpoint: section of an unknown unit")
		}
		s.secIdx[x.ID] = int32(i)
		s.units[x.Unit].sections = append(s.units[x.Unit].sections, int32(i))
	}
	n = r.count(4)
	s.texts = make([]string, n)
	for i := range s.texts {
		s.texts[i] = r.str()
		s.textIdx[s.texts[i]] = int32(i)
	}
	n = r.count(4)
	s.grades = make([][]grade, n)
	for i := range s.grades {
		gs := make([]grade, r.count(12))
		for k := range gs {
			gs[k] = grade{sec: int32(r.u32()), score: math.Float64frombits(r.u64())}
		}
		s.grades[i] = gs
	}
	n = r.count(4)
	s.ballots = make([]int32, n)
	for i := range s.ballots {
		s.ballots[i] = int32(r.u32())
	}
	n = r.count(32)
	s.creds = make([]events.Hash, n)
	for i := range s.creds {
		copy(s.creds[i][:], r.take(32))
	}
	n = r.count(4)
	s.frozen = make([]int32, n)
	for i := range s.frozen {
		s.frozen[i] = int32(r.u32())
	}
	s.frozenPos = r.i64()
	s.priorN = r.u32()
	n = r.count(24)
	s.decisions = make([]decision, n)
	for i := range s.decisions {
		d := &s.decisions[i]
		d.pos, d.doc = r.i64(), int32(r.u32())
		for _, l := range []*[]int32{&d.sat, &d.unsat, &d.most} {
			*l = make([]int32, r.count(4))
			for k := range *l {
				(*l)[k] = int32(r.u32())
			}
		}
	}
	nFacts := r.count(factBytes)
	s.reserveStreams(nFacts, r)
	if r.err != nil {
		return nil, r.err
	}
	if err := s.tables(int64(nFacts)); err != nil {
		return nil, err
	}
	// One pass: each fact is decoded into its slot, checked against the
	// tables and the facts before it, and filed.
	le := binary.LittleEndian
	for i := 0; i < nFacts; i++ {
		b := r.take(factBytes)
		if r.err != nil {
			return nil, r.err
		}
		pos := int64(i + 1)
		f := s.facts.next()
		*f = Fact{Occurred: int64(le.Uint64(b[0:])), Recorded: int64(le.Uint64(b[8:])), ID: uuid.UUID(b[16:32]),
			Pts: math.Float64frombits(le.Uint64(b[32:])), Target: int64(le.Uint64(b[40:])),
			Sec: int32(le.Uint32(b[48:])), Unit: int32(le.Uint32(b[52:])), Aux: int32(le.Uint32(b[56:])),
			Type: b[60], A: b[61], B: b[62]}
		if b[63] == 1 {
			s.setCorrected(pos, true)
		}
		if kinds[f.Type] == nil {
			return nil, errors.New("checkpoint: unknown fact type")
		}
		if err := s.bounds(f, pos); err != nil {
			return nil, err
		}
		if k := kindAt(f); k.relink != nil {
			k.relink(s, f, pos)
		}
		s.addToStreams(pos, f)
	}
	if r.left != 0 {
		return nil, errors.New("checkpoint: trailing bytes")
	}
	return s, nil
}

// reserveStreams sizes the vote lists of a state of n facts from the
// counts a checkpoint gives. They are hints (a count the facts do not bear
// out costs only room), held to what the facts could hold.
func (s *State) reserveStreams(n int, r *reader) {
	votes, sections := r.u32(), r.count(4)
	if r.err != nil || votes < 0 || votes > n || sections != len(s.sections) {
		r.err = errors.New("checkpoint: bad vote counts")
		return
	}
	s.votes.pos = make([]uint32, 0, votes)
	s.secVotes = make([][]uint32, sections)
	for si := range s.secVotes {
		k := r.u32()
		if k < 0 || k > votes {
			r.err = errors.New("checkpoint: bad vote counts")
			return
		}
		votes -= k
		if k > 0 {
			s.secVotes[si] = make([]uint32, 0, k)
		}
	}
}

// bounds keeps a damaged checkpoint from indexing out of range later: every
// index a fact holds must point inside the tables it indexes, and its small
// enums must be codes of their enums.
func (s *State) bounds(f *Fact, pos int64) error {
	in := func(i int32, n int) bool { return i >= -1 && int(i) < n }
	ok := in(f.Sec, len(s.sections)) && in(f.Unit, len(s.units)) && f.Aux >= -1
	if k := kindAt(f); ok && k.valid != nil {
		ok = k.valid(s, f, pos)
	}
	if !ok {
		return fmt.Errorf("checkpoint: fact %d out of range", pos)
	}
	return nil
}

// tables checks the indexes the state's tables hold, for a state of n
// facts.
func (s *State) tables(n int64) error {
	for _, u := range s.units {
		if u.Pos < 1 || u.Pos > n {
			return errors.New("checkpoint: unit position out of range")
		}
	}
	for _, gs := range s.grades {
		for _, g := range gs {
			if g.sec < 0 || int(g.sec) >= len(s.sections) {
				return errors.New("checkpoint: grade of an unknown section")
			}
		}
	}
	for _, b := range s.ballots {
		if b < -1 || int(b) >= len(s.sections) {
			return errors.New("checkpoint: ballot of an unknown section")
		}
	}
	for _, x := range s.frozen {
		if x < 0 || int(x) >= len(s.sections) {
			return errors.New("checkpoint: frozen list of an unknown section")
		}
	}
	if s.frozenPos < 0 || s.frozenPos > n {
		return errors.New("checkpoint: frozen list position out of range")
	}
	for _, d := range s.decisions {
		if d.pos < 1 || d.pos > n || d.doc < 0 || int(d.doc) >= len(s.texts) {
			return errors.New("checkpoint: decision out of range")
		}
		for _, l := range [][]int32{d.sat, d.unsat, d.most} {
			for _, i := range l {
				if i < 0 || int(i) >= len(s.sections) {
					return errors.New("checkpoint: decision of an unknown section")
				}
			}
		}
	}
	return nil
}

// factBytes is the encoded size of a fact.
const factBytes = 64

// flushAt is how much the writer gathers before it writes.
const flushAt = 1 << 20

type writer struct {
	out io.Writer
	b   []byte
	err error
}

// flush writes what was gathered, once there is enough of it (or all of it
// at the end), and returns the first error the destination gave.
func (w *writer) flush(end bool) error {
	if w.err == nil && (end || len(w.b) >= flushAt) {
		_, w.err = w.out.Write(w.b)
		w.b = w.b[:0]
	}
	return w.err
}

func (w *writer) u32(v int)      { w.b = binary.LittleEndian.AppendUint32(w.b, uint32(v)) }
func (w *writer) u64(v uint64)   { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *writer) i64(v int64)    { w.u64(uint64(v)) }
func (w *writer) bytes(p []byte) { w.b = append(w.b, p...) }
func (w *writer) str(s string)   { w.u32(len(s)); w.b = append(w.b, s...) }
func (w *writer) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// blockReader hands out its data a block at a time, each valid until the
// next call.
type blockReader interface {
	ReadBlock() ([]byte, error)
}

// reader takes a checkpoint's bytes from its source: what take returns is
// valid until the next take. From a blockReader it takes them in place,
// copying only a value that straddles two blocks; from any other source,
// through a window it fills.
type reader struct {
	src    io.Reader
	blocks blockReader // src's, if it has one
	buf    []byte      // bytes read and not taken yet
	rest   []byte      // the block to go on with once buf, a value put together in win, is taken
	win    []byte
	left   int64 // the checkpoint's bytes not taken yet
	err    error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || int64(n) > r.left {
		r.err = errors.New("checkpoint: truncated")
		return make([]byte, max(n, 0))
	}
	if n > len(r.buf) && !r.fill(n) {
		return make([]byte, n)
	}
	p := r.buf[:n]
	r.buf = r.buf[n:]
	if len(r.buf) == 0 && r.rest != nil {
		r.buf, r.rest = r.rest, nil
	}
	r.left -= int64(n)
	return p
}

// fill makes r.buf hold at least n bytes.
func (r *reader) fill(n int) bool {
	if r.blocks == nil {
		if len(r.win) < max(n, flushAt) {
			r.win = make([]byte, max(n, flushAt))
		}
		have := copy(r.win, r.buf)
		want := int(min(int64(len(r.win)), r.left)) // r.left counts the window's bytes too
		got, err := io.ReadAtLeast(r.src, r.win[have:want], n-have)
		if err != nil {
			r.err = fmt.Errorf("checkpoint: read: %w", err)
			return false
		}
		r.buf = r.win[:have+got]
		return true
	}
	// A value straddling two blocks is put together in the window (the
	// next ReadBlock may reuse the block it starts in); the reading then
	// goes on in place in the new block.
	r.win = append(r.win[:0], r.buf...)
	for {
		b, err := r.blocks.ReadBlock()
		if len(r.win) == 0 && len(b) >= n {
			r.buf = b
			return true
		}
		k := min(n-len(r.win), len(b))
		r.win = append(r.win, b[:k]...)
		if len(r.win) == n {
			r.buf, r.rest = r.win, b[k:]
			return true
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			r.err = fmt.Errorf("checkpoint: read: %w", err)
			return false
		}
	}
}

func (r *reader) u32() int    { return int(int32(binary.LittleEndian.Uint32(r.take(4)))) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }
func (r *reader) i64() int64  { return int64(r.u64()) }
func (r *reader) bool() bool  { return r.take(1)[0] == 1 }
func (r *reader) str() string { return string(r.take(r.count(1))) }

// count reads a length and refuses one the remaining bytes cannot hold.
func (r *reader) count(each int) int {
	n := r.u32()
	if n < 0 || int64(n)*int64(each) > r.left {
		r.err = errors.New("checkpoint: bad length")
		return 0
	}
	return n
}
