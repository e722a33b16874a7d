package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	out := make([]events.Hash, len(ids))
	type key struct {
		level uint
		idx   uint64
	}
	rows := make(map[key][]byte, len(ids))
	for i, id := range ids {
		k := key{id.Level, id.Index / nodesPerRow}
		b, ok := rows[k]
		if !ok {
			var err error
			if b, err = t.row(ctx, k.level, k.idx); err != nil {
				return nil, err
			}
			rows[k] = b
		}
		off := int(id.Index%nodesPerRow) * 32
		if off+32 > len(b) {
			return nil, fmt.Errorf("sqlite: tree: node %d at level %d: %w", id.Index, id.Level, events.ErrNotFound)
		}
		copy(out[i][:], b[off:off+32])
	}
	return out, nil
}

// TreeNodes implements events.Store.
func (s *Store) TreeNodes(ctx context.Context, ids []events.NodeID) ([]events.Hash, error) {
	if err := s.isClosed("tree"); err != nil {
		return nil, err
	}
	return treeReader{s.read}.TreeNodes(ctx, ids)
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
