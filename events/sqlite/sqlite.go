// Package sqlite is the embedded events.Store: one SQLite file in WAL mode
// with synchronous=FULL, so that an append that returned is on disk. The
// events table is append-only by its own triggers; one writer at a time
// (BEGIN IMMEDIATE), each batch in one transaction. Built on
// modernc.org/sqlite, so no cgo is needed.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an events.Store and events.Checkpointer on one SQLite file.
type Store struct {
	path  string
	write *sql.DB // one connection, BEGIN IMMEDIATE transactions
	read  *sql.DB
	// nodes reads the Merkle tree's rows for proofs, through connections
	// that map the file: a proof reads a few scattered pages, and a read
	// through mmap costs no system call. Scans of the log and the
	// checkpoint go through read, which does not map: a mapped page read
	// once stays in the process's resident memory, so a server that
	// verified its log at start would hold the whole file as its own.
	nodes  *sql.DB
	closed atomic.Bool
	noTree bool // OpenWithoutTree: measuring what the tree costs
	cache  rowCache
	files  files // the files opened, checked before an append is acknowledged (files.go)
	// readOnly: opened by OpenReadOnly, write is nil.
	readOnly bool
}

var (
	_ events.Store        = (*Store)(nil)
	_ events.Checkpointer = (*Store)(nil)
)

// The connections of a store: the writer, the readers, and the readers of
// the tree's nodes (Store.nodes).
const (
	writer = iota
	reader
	mapped
)

func dsn(path string, kind int) string {
	q := "?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)"
	switch kind {
	case writer:
		q += "&_txlock=immediate"
	case mapped:
		q += "&_pragma=mmap_size(1073741824)"
	}
	return fileURI(path) + q
}

// fileURI is path as the file: URI the driver hands SQLite: a %, ? or # in
// a file's name would otherwise start an escape, the query or a fragment,
// and another file would be opened than the one named.
func fileURI(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if strings.HasPrefix(path, "/") {
		// file:// and an empty authority: file://tmp/x would name a
		// host, and //tmp/x is a path a user may well type.
		return "file://" + esc
	}
	return "file:" + esc
}

// Open opens (creating if needed) the ledger file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		path = "ledger.db"
	}
	w, err := sql.Open("sqlite", dsn(path, writer))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, reader))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	m, err := sql.Open("sqlite", dsn(path, mapped))
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	m.SetMaxOpenConns(4)
	m.SetMaxIdleConns(4)
	s := &Store{path: path, write: w, read: r, nodes: m}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.backfill(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.files.remember(path); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return s, nil
}

// OpenWithoutTree opens the file as Open does, but its appends keep no
// Merkle tree. It exists only to measure what keeping the tree costs
// (cmd/bench's same-run floor): such a store breaks the Store contract
// (TreeNodes answers nothing past what it had; Verify reports the tree),
// and the ledger never opens one.
func OpenWithoutTree(ctx context.Context, path string) (*Store, error) {
	s, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	s.noTree = true
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	names, err := migrations.ReadDir("migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	for _, n := range names {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM schema_migrations WHERE name = ?`, n.Name()).Scan(&one)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
		body, err := migrations.ReadFile("migrations/" + n.Name())
		if err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("sqlite: migrate %s: %w", n.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(name) VALUES (?)`, n.Name()); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Close closes the file.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	var err1 error
	if s.write != nil {
		err1 = s.write.Close()
	}
	err2 := s.read.Close()
	var err3 error
	if s.nodes != nil {
		err3 = s.nodes.Close()
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// isClosed is the error of a call made after Close.
func (s *Store) isClosed(op string) error {
	if s.closed.Load() {
		return fmt.Errorf("sqlite: %s: %w", op, events.ErrClosed)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func head(ctx context.Context, q querier) (events.Head, error) {
	var h events.Head
	var hash []byte
	var rec int64
	err := q.QueryRowContext(ctx, `SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1`).
		Scan(&h.Position, &hash, &rec)
	if errors.Is(err, sql.ErrNoRows) {
		return events.Head{}, nil
	}
	if err != nil {
		return h, fmt.Errorf("sqlite: head: %w", err)
	}
	if len(hash) != len(h.Hash) {
		return h, fmt.Errorf("sqlite: head: position %d: hash of %d bytes: %w", h.Position, len(hash), events.ErrBroken)
	}
	copy(h.Hash[:], hash)
	h.RecordedAt = time.Unix(0, rec).UTC()
	return h, nil
}

// Head implements events.Store.
func (s *Store) Head(ctx context.Context) (events.Head, error) {
	if err := s.isClosed("head"); err != nil {
		return events.Head{}, err
	}
	return head(ctx, s.read)
}

// rowsPerInsert batches rows into one INSERT statement: one statement per
// row costs more in the driver than SQLite spends storing the row.
const rowsPerInsert = 200

const insertCols = 11

var insertSQL = func() [rowsPerInsert + 1]string {
	var out [rowsPerInsert + 1]string
	for n := 1; n <= rowsPerInsert; n++ {
		var b strings.Builder
		b.WriteString(`INSERT INTO events (position, id, type, stream, occurred_at, recorded_at, actor, ref, data, prev_hash, hash) VALUES `)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
		}
		out[n] = b.String()
	}
	return out
}()

// Append implements events.Store.
func (s *Store) Append(ctx context.Context, expect events.Head, recs iter.Seq2[*events.Record, error]) (events.Head, error) {
	if err := s.isClosed("append"); err != nil {
		return events.Head{}, err
	}
	if s.readOnly {
		return events.Head{}, errReadOnly
	}
	if err := s.checkFiles(ctx, nil); err != nil {
		return events.Head{}, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		if cerr := s.isClosed("append"); cerr != nil {
			return events.Head{}, cerr
		}
		return events.Head{}, fmt.Errorf("sqlite: append: begin: %w", err)
	}
	defer tx.Rollback()
	// BEGIN IMMEDIATE holds the write lock from here to commit: the head
	// compared now is the one the batch lands on, and nothing is pulled
	// from recs for a stale expect.
	cur, err := head(ctx, tx)
	if err != nil {
		return events.Head{}, err
	}
	if cur.Position != expect.Position || cur.Hash != expect.Hash {
		return cur, fmt.Errorf("sqlite: append after position %d, head is at %d: %w", expect.Position, cur.Position, events.ErrStale)
	}
	var tree *treeWriter
	if !s.noTree {
		if tree, err = newTreeWriter(ctx, tx, cur.Position); err != nil {
			return cur, err
		}
	}
	var leafBuf []byte
	// The full-size statement is prepared once a batch fills it: parsing
	// its 2,200 placeholders costs a single-event append more than storing
	// the event (issue #13, item 2: an append's CPU is what waits when
	// readers keep the CPUs busy).
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := make([]any, 0, insertCols)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		var err error
		if n == rowsPerInsert {
			if stmt == nil {
				if stmt, err = tx.PrepareContext(ctx, insertSQL[rowsPerInsert]); err != nil {
					return fmt.Errorf("sqlite: append: prepare: %w", err)
				}
			}
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL[n], args...)
		}
		args, n = args[:0], 0
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("sqlite: append: %w", cerr)
		}
		if err != nil {
			return fmt.Errorf("sqlite: append: insert: %w", err)
		}
		return nil
	}
	next := cur
	for r, err := range recs {
		if err != nil {
			return cur, err
		}
		if next, err = next.Extend(r); err != nil {
			return cur, fmt.Errorf("sqlite: append: %w", err)
		}
		if tree != nil {
			leaf := r.Leaf
			if leaf == (events.Hash{}) {
				// A record sealed elsewhere than events.Seal: derive it.
				leafBuf = r.LeafOf(leafBuf)
				leaf = r.Leaf
			}
			if err := tree.add(ctx, leaf); err != nil {
				return cur, err
			}
		}
		// The caller may reuse r's memory after the next pull, and rows are
		// bound only at flush: copy the slices.
		args = append(args, r.Position, clone(r.ID[:]), string(r.Type), r.Stream,
			r.OccurredAt.UnixNano(), r.RecordedAt.UnixNano(), r.Actor, r.Ref, clone(r.Data),
			clone(r.PrevHash[:]), clone(r.Hash[:]))
		n++
		if n == rowsPerInsert {
			if err := flush(); err != nil {
				return cur, err
			}
		}
	}
	if err := flush(); err != nil {
		return cur, err
	}
	if tree != nil {
		if err := tree.flush(ctx); err != nil {
			return cur, err
		}
	}
	if err := ctx.Err(); err != nil {
		return cur, fmt.Errorf("sqlite: append: %w", err)
	}
	// Just before and just after the commit: nothing is acknowledged that
	// went to files no longer at the path (files.go).
	if err := s.checkFiles(ctx, tx); err != nil {
		return cur, err
	}
	if err := tx.Commit(); err != nil {
		return cur, fmt.Errorf("sqlite: append: commit: %w", err)
	}
	if err := s.checkFiles(ctx, nil); err != nil {
		return cur, fmt.Errorf("%w (the batch itself may be stored: read the head before sending it again)", err)
	}
	return next, nil
}

var typeNames = func() map[string]events.Type {
	m := make(map[string]events.Type, len(events.Types))
	for _, t := range events.Types {
		m[string(t)] = t
	}
	return m
}()

// Read implements events.Store.
//
// Rows are read packed: the id, the two hashes and the data in one blob,
// the four text columns in another, joined by NUL, which no stored text
// holds (the ledger refuses control characters). Every column read from
// SQLite costs calls, locks and a copy; five columns instead of eleven make
// a scan about 1.6 times as fast. A row that does not unpack (written
// around the ledger: a NUL in a text, an id or hash of the wrong length, a
// number where a blob or a text belongs) is read again column by column,
// so that a reader sees it as it is.
func (s *Store) Read(ctx context.Context, after int64, limit int, fn func(*events.Record) error) error {
	if err := s.isClosed("read"); err != nil {
		return err
	}
	for {
		odd, n, err := s.readPacked(ctx, after, limit, fn)
		if err != nil || odd == 0 {
			return err
		}
		if err := s.readColumns(ctx, odd-1, 1, fn); err != nil {
			return err
		}
		if limit > 0 {
			if limit -= n + 1; limit <= 0 {
				return nil
			}
		}
		after = odd
	}
}

// packedFixed is the length of the id and the two hashes at the start of
// a packed row's blob.
const packedFixed = 16 + 32 + 32

// readPacked reads rows packed, up to the first that does not unpack: it
// returns that row's position and how many rows it gave fn before it.
func (s *Store) readPacked(ctx context.Context, after int64, limit int, fn func(*events.Record) error) (odd int64, n int, err error) {
	// Only blobs (and texts for data) are packed: SQLite writes a number
	// as text its own way (1.0e+20), not as database/sql does. A value is
	// a blob if it sorts at or after X'' (blobs sort after everything), a
	// text or a blob if at or after '': comparisons, cheaper than typeof.
	// The text columns need no such guard: their TEXT affinity stores a
	// number as text.
	q := `SELECT position, occurred_at, recorded_at,
		CASE WHEN id >= X'' AND prev_hash >= X'' AND hash >= X'' AND data >= ''
			AND octet_length(id) = 16 AND octet_length(prev_hash) = 32 AND octet_length(hash) = 32
			THEN CAST(id || prev_hash || hash || data AS BLOB) END,
		CAST(type || char(0) || stream || char(0) || actor || char(0) || ref AS BLOB)
		FROM events WHERE position > ? ORDER BY position`
	args := []any{after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: read: %w", err)
	}
	defer rows.Close()
	var (
		r           events.Record
		occ, rec    int64
		fixed, text sql.RawBytes
		last        lastStrings
	)
	for rows.Next() {
		if err := rows.Scan(&r.Position, &occ, &rec, &fixed, &text); err != nil {
			return 0, n, fmt.Errorf("sqlite: read: %w", err)
		}
		typ, rest, ok1 := bytes.Cut(text, nul)
		stream, rest, ok2 := bytes.Cut(rest, nul)
		actor, ref, ok3 := bytes.Cut(rest, nul)
		if len(fixed) < packedFixed || !ok1 || !ok2 || !ok3 || bytes.IndexByte(ref, 0) >= 0 {
			return r.Position, n, nil
		}
		r.ID = uuid.UUID(fixed[:16])
		copy(r.PrevHash[:], fixed[16:48])
		copy(r.Hash[:], fixed[48:80])
		r.Data = fixed[packedFixed:]
		last.set(&r, typ, stream, actor, ref)
		r.OccurredAt = time.Unix(0, occ)
		r.RecordedAt = time.Unix(0, rec)
		if err := fn(&r); err != nil {
			return 0, n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return 0, n, fmt.Errorf("sqlite: read: %w", cerr)
		}
		return 0, n, fmt.Errorf("sqlite: read: %w", err)
	}
	return 0, n, nil
}

var nul = []byte{0}

// lastStrings keeps the stream and actor of the row before: they repeat
// from row to row, and a string kept is one not allocated again.
type lastStrings struct{ stream, actor string }

func (l *lastStrings) set(r *events.Record, typ, stream, actor, ref []byte) {
	if t, ok := typeNames[string(typ)]; ok {
		r.Type = t
	} else {
		r.Type = events.Type(typ)
	}
	if string(stream) != l.stream {
		l.stream = string(stream)
	}
	if string(actor) != l.actor {
		l.actor = string(actor)
	}
	r.Stream, r.Actor, r.Ref = l.stream, l.actor, string(ref)
}

// readColumns reads rows column by column: the way for a row that does
// not unpack.
func (s *Store) readColumns(ctx context.Context, after int64, limit int, fn func(*events.Record) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT position, id, type, stream, occurred_at, recorded_at, actor, ref, data, prev_hash, hash
		FROM events WHERE position > ? ORDER BY position LIMIT ?`, after, limit)
	if err != nil {
		return fmt.Errorf("sqlite: read: %w", err)
	}
	defer rows.Close()
	var (
		r                   events.Record
		id, typ, prev, hash sql.RawBytes
		stream, actor, ref  sql.RawBytes
		occ, rec            int64
		data                sql.RawBytes
		last                lastStrings
	)
	for rows.Next() {
		if err := rows.Scan(&r.Position, &id, &typ, &stream, &occ, &rec, &actor, &ref, &data, &prev, &hash); err != nil {
			return fmt.Errorf("sqlite: read: %w", err)
		}
		if len(id) != 16 || len(prev) != 32 || len(hash) != 32 {
			return fmt.Errorf("sqlite: read: position %d: malformed id or hash: %w", r.Position, events.ErrBroken)
		}
		r.ID = uuid.UUID(id)
		last.set(&r, typ, stream, actor, ref)
		r.OccurredAt = time.Unix(0, occ)
		r.RecordedAt = time.Unix(0, rec)
		r.Data = data
		copy(r.PrevHash[:], prev)
		copy(r.Hash[:], hash)
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("sqlite: read: %w", cerr)
		}
		return fmt.Errorf("sqlite: read: %w", err)
	}
	return nil
}

// chunkSize is how much of a checkpoint's data one row holds.
const chunkSize = 4 << 20

// SaveCheckpoint implements events.Checkpointer. The chunks are written
// one by one, each in a transaction of its own, under a generation no
// reader uses yet; then one short transaction makes it the checkpoint and
// drops the others (and whatever an interrupted save left).
func (s *Store) SaveCheckpoint(ctx context.Context, data io.Reader, done func() (events.Checkpoint, error)) error {
	if err := s.isClosed("save checkpoint"); err != nil {
		return err
	}
	if s.readOnly {
		return errReadOnly
	}
	if err := s.checkFiles(ctx, nil); err != nil {
		return err
	}
	var gen int64
	if err := s.write.QueryRowContext(ctx, `SELECT coalesce(max(gen), 0) + 1 FROM checkpoint_chunk`).Scan(&gen); err != nil {
		return fmt.Errorf("sqlite: save checkpoint: %w", err)
	}
	seq := 0
	if err := events.Chunks(data, chunkSize, func(chunk []byte) error {
		if _, err := s.write.ExecContext(ctx, `INSERT INTO checkpoint_chunk (gen, seq, data) VALUES (?, ?, ?)`, gen, seq, chunk); err != nil {
			return fmt.Errorf("sqlite: save checkpoint: %w", err)
		}
		seq++
		return nil
	}); err != nil {
		return err
	}
	c, err := done()
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: save checkpoint: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO checkpoint (slot, position, hash, format, data, seal, gen, size, digest)
		VALUES (1, ?, ?, ?, x'', ?, ?, ?, ?)`, c.Position, c.Hash[:], c.Format, c.Seal, gen, c.Size, c.Digest[:]); err != nil {
		return fmt.Errorf("sqlite: save checkpoint at %d: %w", c.Position, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM checkpoint_chunk WHERE gen != ?`, gen); err != nil {
		return fmt.Errorf("sqlite: save checkpoint at %d: %w", c.Position, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: save checkpoint at %d: %w", c.Position, err)
	}
	return nil
}

// LoadCheckpoint implements events.Checkpointer. The description and the
// chunks are read in one read transaction, so a save meanwhile is not seen
// half.
func (s *Store) LoadCheckpoint(ctx context.Context) (events.Checkpoint, io.ReadCloser, error) {
	if err := s.isClosed("load checkpoint"); err != nil {
		return events.Checkpoint{}, nil, err
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return events.Checkpoint{}, nil, fmt.Errorf("sqlite: load checkpoint: %w", err)
	}
	var c events.Checkpoint
	var hash, digest []byte
	var gen int64
	err = tx.QueryRowContext(ctx, `SELECT position, hash, format, seal, gen, size, digest FROM checkpoint WHERE slot = 1`).
		Scan(&c.Position, &hash, &c.Format, &c.Seal, &gen, &c.Size, &digest)
	if err != nil {
		tx.Rollback()
		if errors.Is(err, sql.ErrNoRows) {
			return c, nil, events.ErrNotFound
		}
		return c, nil, fmt.Errorf("sqlite: load checkpoint: %w", err)
	}
	copy(c.Hash[:], hash)
	copy(c.Digest[:], digest)
	rows, err := tx.QueryContext(ctx, `SELECT data FROM checkpoint_chunk WHERE gen = ? ORDER BY seq`, gen)
	if err != nil {
		tx.Rollback()
		return c, nil, fmt.Errorf("sqlite: load checkpoint: %w", err)
	}
	return c, &chunkReader{tx: tx, rows: rows}, nil
}

// chunkReader reads a checkpoint's chunks as one stream. A chunk is read
// in place (sql.RawBytes, valid until the next row), not copied first.
type chunkReader struct {
	tx   *sql.Tx
	rows *sql.Rows
	cur  sql.RawBytes
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if !r.rows.Next() {
			if err := r.rows.Err(); err != nil {
				return 0, fmt.Errorf("sqlite: load checkpoint: %w", err)
			}
			return 0, io.EOF
		}
		if err := r.rows.Scan(&r.cur); err != nil {
			return 0, fmt.Errorf("sqlite: load checkpoint: %w", err)
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *chunkReader) Close() error {
	r.rows.Close()
	return r.tx.Rollback()
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
