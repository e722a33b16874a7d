package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pingyang/ledger/events"
)

// The Merkle tree's node hashes live in the tree table (migrations/002),
// 256 nodes of one level to a row. Complete nodes never change, so a row is
// only ever extended: an append loads the last, partial row of each level
// it touches, adds the new nodes and writes it back, all in the append's
// transaction.

const nodesPerRow = 256

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

type execer interface {
	queryer
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// treeReader reads node hashes through q (the read pool, or a transaction).
type treeReader struct {
	q queryer
}

func (t treeReader) row(ctx context.Context, level uint, idx uint64) ([]byte, error) {
	var b []byte
	err := t.q.QueryRowContext(ctx, `SELECT hashes FROM tree WHERE level = ? AND idx = ?`, level, int64(idx)).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: tree: %w", err)
	}
	if len(b)%32 != 0 || len(b) > nodesPerRow*32 {
		return nil, fmt.Errorf("sqlite: tree: level %d row %d holds %d bytes: %w", level, idx, len(b), events.ErrBroken)
	}
	return b, nil
}

func (t treeReader) TreeNodes(ctx context.Context, ids []events.NodeID) ([]events.Hash, error) {
	return treeNodes(ctx, ids, t.rows)
}

type rowKey struct {
	level uint
	idx   uint64
}

// rows reads the given rows, one query each (inside a transaction, where
// there are few).
func (t treeReader) rows(ctx context.Context, keys []rowKey) (map[rowKey][]byte, error) {
	out := make(map[rowKey][]byte, len(keys))
	for _, k := range keys {
		b, err := t.row(ctx, k.level, k.idx)
		if err != nil {
			return nil, err
		}
		out[k] = b
	}
	return out, nil
}

// treeNodes picks the nodes out of the rows that hold them, read by fetch.
func treeNodes(ctx context.Context, ids []events.NodeID, fetch func(context.Context, []rowKey) (map[rowKey][]byte, error)) ([]events.Hash, error) {
	keys := make([]rowKey, 0, len(ids)/nodesPerRow+8)
	seen := make(map[rowKey]bool)
	var last rowKey
	for i, id := range ids {
		k := rowKey{id.Level, id.Index / nodesPerRow}
		if i > 0 && k == last {
			continue // ids in order (verify's) share rows
		}
		last = k
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	rows, err := fetch(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]events.Hash, len(ids))
	var b []byte
	for i, id := range ids {
		if k := (rowKey{id.Level, id.Index / nodesPerRow}); i == 0 || k != last {
			b, last = rows[k], k
		}
		off := int(id.Index%nodesPerRow) * 32
		if off+32 > len(b) {
			return nil, fmt.Errorf("sqlite: tree: node %d at level %d: %w", id.Index, id.Level, events.ErrNotFound)
		}
		copy(out[i][:], b[off:off+32])
	}
	return out, nil
}

// rowCache keeps full rows, which never change once full: a proof's upper
// levels are the same few rows for every proof, and its lower ones are
// the same for neighbouring events.
type rowCache struct {
	mu   sync.Mutex
	rows map[rowKey][]byte
}

// rowCacheSize bounds the cache: 4,096 rows of 8 KiB.
const rowCacheSize = 4096

func (c *rowCache) get(k rowKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.rows[k]
	return b, ok
}

func (c *rowCache) put(k rowKey, b []byte) {
	if len(b) != nodesPerRow*32 {
		return // partial: it grows with the next append
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil || len(c.rows) >= rowCacheSize {
		// Start again rather than track use: refilling costs one query a row.
		c.rows = make(map[rowKey][]byte, 256)
	}
	c.rows[k] = b
}

// bulkNodes is where a read of the tree stops being a proof's (at most
// two nodes a level, 128 in all) and becomes a scan (verify compares every
// node): a scan reads through the pool that does not map the file and
// is not cached, so that it leaves neither the file's pages in the
// process's resident memory nor the proofs' rows pushed out of the cache.
const bulkNodes = 128

// cachedRows reads the rows not cached in one query; bulk rows are neither
// taken from the cache nor put in it.
func (s *Store) cachedRows(ctx context.Context, keys []rowKey, bulk bool) (map[rowKey][]byte, error) {
	out := make(map[rowKey][]byte, len(keys))
	var miss []rowKey
	for _, k := range keys {
		if b, ok := s.cache.get(k); ok && !bulk {
			out[k] = b
		} else {
			miss = append(miss, k)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT level, idx, hashes FROM tree WHERE (level, idx) IN (VALUES `)
	args := make([]any, 0, 2*len(miss))
	for i, k := range miss {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?)")
		args = append(args, int64(k.level), int64(k.idx))
	}
	q.WriteByte(')')
	db := s.nodes
	if db == nil || bulk { // read-only: one pool
		db = s.read
	}
	rows, err := db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tree: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var level, idx int64
		var b []byte
		if err := rows.Scan(&level, &idx, &b); err != nil {
			return nil, fmt.Errorf("sqlite: tree: %w", err)
		}
		if len(b)%32 != 0 || len(b) > nodesPerRow*32 {
			return nil, fmt.Errorf("sqlite: tree: level %d row %d holds %d bytes: %w", level, idx, len(b), events.ErrBroken)
		}
		k := rowKey{uint(level), uint64(idx)}
		out[k] = b
		if !bulk {
			s.cache.put(k, b)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: tree: %w", err)
	}
	return out, nil
}

// TreeNodes implements events.Store.
func (s *Store) TreeNodes(ctx context.Context, ids []events.NodeID) ([]events.Hash, error) {
	if err := s.isClosed("tree"); err != nil {
		return nil, err
	}
	bulk := len(ids) > bulkNodes
	return treeNodes(ctx, ids, func(ctx context.Context, keys []rowKey) (map[rowKey][]byte, error) {
		return s.cachedRows(ctx, keys, bulk)
	})
}

// treeSize is the number of leaves the table holds.
func treeSize(ctx context.Context, q queryer) (int64, error) {
	var idx sql.NullInt64
	var n int64
	err := q.QueryRowContext(ctx, `SELECT idx, length(hashes) FROM tree WHERE level = 0 ORDER BY idx DESC LIMIT 1`).Scan(&idx, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: tree size: %w", err)
	}
	return idx.Int64*nodesPerRow + n/32, nil
}

// treeWriter extends the tree inside an append's transaction.
type treeWriter struct {
	tx    execer
	edge  *events.Edge
	rows  []pendingRow // by level: the row being filled
	nodes []node       // scratch: the nodes one leaf completed
}

type node struct {
	id events.NodeID
	h  events.Hash
}

type pendingRow struct {
	idx  uint64
	data []byte // the whole row: what was stored plus the new nodes
	set  bool
}

func newTreeWriter(ctx context.Context, tx execer, size int64) (*treeWriter, error) {
	e, err := events.LoadEdge(ctx, treeReader{tx}, size)
	if err != nil {
		if errors.Is(err, events.ErrNotFound) {
			return nil, fmt.Errorf("sqlite: the Merkle tree is behind the head at %d; run `ledger verify`: %w", size, events.ErrBroken)
		}
		return nil, err
	}
	return &treeWriter{tx: tx, edge: e}, nil
}

// add appends one leaf and writes the rows it fills.
func (w *treeWriter) add(ctx context.Context, leaf events.Hash) error {
	w.nodes = w.nodes[:0]
	w.edge.Append(leaf, func(id events.NodeID, h events.Hash) { w.nodes = append(w.nodes, node{id, h}) })
	for _, n := range w.nodes {
		for int(n.id.Level) >= len(w.rows) {
			w.rows = append(w.rows, pendingRow{})
		}
		r := &w.rows[n.id.Level]
		idx, off := n.id.Index/nodesPerRow, int(n.id.Index%nodesPerRow)
		if r.set && r.idx != idx {
			if err := w.write(ctx, n.id.Level, r); err != nil {
				return err
			}
		}
		if !r.set {
			r.idx, r.set, r.data = idx, true, r.data[:0]
			if off > 0 {
				// The first node of this level in the batch goes into a
				// row that is partly stored already.
				b, err := treeReader{w.tx}.row(ctx, n.id.Level, idx)
				if err != nil {
					return err
				}
				if len(b) != off*32 {
					return fmt.Errorf("sqlite: the Merkle tree's level %d holds %d nodes in row %d where the head needs %d; "+
						"run `ledger verify`: %w", n.id.Level, len(b)/32, idx, off, events.ErrBroken)
				}
				r.data = append(r.data, b...)
			}
		}
		r.data = append(r.data, n.h[:]...)
	}
	return nil
}

func (w *treeWriter) write(ctx context.Context, level uint, r *pendingRow) error {
	if _, err := w.tx.ExecContext(ctx, `INSERT OR REPLACE INTO tree (level, idx, hashes) VALUES (?, ?, ?)`,
		level, int64(r.idx), r.data); err != nil {
		return fmt.Errorf("sqlite: append: tree: %w", err)
	}
	r.set = false
	return nil
}

// flush writes every partly filled row.
func (w *treeWriter) flush(ctx context.Context) error {
	for l := range w.rows {
		if r := &w.rows[l]; r.set {
			if err := w.write(ctx, uint(l), r); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfill builds the tree of a file written before it had one (or whose
// tree is behind its events): the leaves from the events, in one
// transaction.
func (s *Store) backfill(ctx context.Context) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: tree backfill: %w", err)
	}
	defer tx.Rollback()
	h, err := head(ctx, tx)
	if err != nil {
		return err
	}
	size, err := treeSize(ctx, tx)
	if err != nil {
		return err
	}
	if size >= h.Position {
		return nil // current, or longer than the log: Verify reports that
	}
	w, err := newTreeWriter(ctx, tx, size)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT position, id, type, stream, occurred_at, recorded_at, actor, ref, data
		FROM events WHERE position > ? ORDER BY position`, size)
	if err != nil {
		return fmt.Errorf("sqlite: tree backfill: %w", err)
	}
	var leaves []events.Hash
	var buf []byte
	for rows.Next() {
		r, err := scanRecordNoHash(rows)
		if err != nil {
			rows.Close()
			return err
		}
		buf = r.LeafOf(buf)
		leaves = append(leaves, r.Leaf)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: tree backfill: %w", err)
	}
	for _, l := range leaves {
		if err := w.add(ctx, l); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: tree backfill: %w", err)
	}
	return nil
}

// scanRecordNoHash reads the columns the canonical bytes need.
func scanRecordNoHash(rows *sql.Rows) (*events.Record, error) {
	var (
		r        events.Record
		id       []byte
		typ      string
		occ, rec int64
	)
	if err := rows.Scan(&r.Position, &id, &typ, &r.Stream, &occ, &rec, &r.Actor, &r.Ref, &r.Data); err != nil {
		return nil, fmt.Errorf("sqlite: read: %w", err)
	}
	if len(id) != 16 {
		return nil, fmt.Errorf("sqlite: read: position %d: malformed id: %w", r.Position, events.ErrBroken)
	}
	copy(r.ID[:], id)
	r.Type = events.Type(typ)
	r.OccurredAt = time.Unix(0, occ)
	r.RecordedAt = time.Unix(0, rec)
	return &r, nil
}
