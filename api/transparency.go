package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/transparency"
)

// The transparency routes: the signed checkpoint of the events' Merkle
// tree, witnesses' cosignatures of it, and proofs against it.

// signed is the latest signed checkpoint.
type signed struct {
	mu   sync.RWMutex
	size int64
	note []byte
	text string
}

// SignCheckpoint signs a checkpoint of the ledger's current tree if the
// head moved since the last one. Serve calls it on a ticker, so that
// appends are batched into at most one signature a tick.
func (s *Server) SignCheckpoint(ctx context.Context) error {
	if s.signer == nil || s.ledger.Broken != nil {
		// The office never signs a log whose chain does not hold.
		return nil
	}
	size := s.ledger.Head().Position
	s.cp.mu.RLock()
	same := s.cp.note != nil && s.cp.size == size
	s.cp.mu.RUnlock()
	if same {
		return nil
	}
	root, err := events.TreeRoot(ctx, s.ledger.Store(), size)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	note, err := s.signer.Sign(size, root)
	if err != nil {
		return err
	}
	text := string(transparency.Checkpoint{Origin: s.signer.Origin(), Size: size, Root: root}.Text())
	s.witnesses.Served(text)
	s.cp.mu.Lock()
	if size >= s.cp.size || s.cp.note == nil {
		s.cp.size, s.cp.note, s.cp.text = size, note, text
	}
	s.cp.mu.Unlock()
	return nil
}

// KeepSigning signs a fresh checkpoint every interval while the head moves,
// until ctx ends.
func (s *Server) KeepSigning(ctx context.Context, every time.Duration) {
	if s.signer == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.SignCheckpoint(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("checkpoint not signed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var errNoKey = &Error{Status: http.StatusNotFound, Code: "not_found",
	Message: "this server signs no checkpoints: it was started without a key (ledger serve --key FILE)"}

var errBrokenNoCheckpoint = &Error{Status: http.StatusServiceUnavailable, Code: "read_only",
	Message: "the store's chain does not hold: this server is open for inspection only and signs no checkpoint"}

func (s *Server) checkpoint(c echo.Context) error {
	if err := allowQuery(c); err != nil {
		return err
	}
	if s.signer == nil {
		return errNoKey
	}
	if s.ledger.Broken != nil {
		return errBrokenNoCheckpoint
	}
	if err := s.SignCheckpoint(c.Request().Context()); err != nil {
		return err
	}
	s.cp.mu.RLock()
	note, text := s.cp.note, s.cp.text
	s.cp.mu.RUnlock()
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", s.witnesses.With(note, text))
}

func (s *Server) cosign(c echo.Context) error {
	if s.signer == nil {
		return errNoKey
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, MaxBody+1))
	if err != nil {
		return err
	}
	if len(body) > MaxBody {
		return errTooLarge
	}
	names, cp, err := s.witnesses.Add(body, s.signer.Verifier())
	if err != nil {
		if errors.Is(err, transparency.ErrCosignature) {
			return invalidf("cosignature", err.Error())
		}
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"status": "accepted", "witnesses": names, "size": cp.Size})
}

// InclusionJSON is an inclusion proof as the API and `ledger prove` print
// it, in the contract's field order.
type InclusionJSON struct {
	LeafIndex int64    `json:"leaf_index"`
	TreeSize  int64    `json:"tree_size"`
	Hashes    []string `json:"hashes"`
}

// ConsistencyJSON is a consistency proof, likewise.
type ConsistencyJSON struct {
	From   int64    `json:"from"`
	To     int64    `json:"to"`
	Hashes []string `json:"hashes"`
}

func hashesJSON(hs []events.Hash) []string {
	out := make([]string, len(hs))
	for i := range hs {
		out[i] = base64.StdEncoding.EncodeToString(hs[i][:])
	}
	return out
}

// treeSize checks a size parameter against the log: 1 to the head.
func (s *Server) treeSize(c echo.Context, name string) (int64, error) {
	head := s.ledger.Head().Position
	n, err := queryInt(c, name, -1, 1, 1<<62)
	if err != nil {
		return 0, err
	}
	if n == -1 {
		return 0, invalidf(name, name+": required")
	}
	if n > head {
		return 0, invalidf(name, fmt.Sprintf("%s: %d is past the log's size %d", name, n, head))
	}
	return n, nil
}

func (s *Server) inclusionProof(c echo.Context) error {
	if err := allowQuery(c, "position", "size"); err != nil {
		return err
	}
	size, err := s.treeSize(c, "size")
	if err != nil {
		return err
	}
	pos, err := queryInt(c, "position", -1, 1, 1<<62)
	if err != nil {
		return err
	}
	if pos == -1 {
		return invalidf("position", "position: required")
	}
	if pos > size {
		return invalidf("position", fmt.Sprintf("position: %d is past the tree's size %d", pos, size))
	}
	p, err := events.InclusionProof(c.Request().Context(), s.ledger.Store(), pos-1, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, InclusionJSON{LeafIndex: pos - 1, TreeSize: size, Hashes: hashesJSON(p)})
}

func (s *Server) consistencyProof(c echo.Context) error {
	if err := allowQuery(c, "from", "to"); err != nil {
		return err
	}
	to, err := s.treeSize(c, "to")
	if err != nil {
		return err
	}
	from, err := queryInt(c, "from", -1, 1, 1<<62)
	if err != nil {
		return err
	}
	if from == -1 {
		return invalidf("from", "from: required")
	}
	if from > to {
		return invalidf("from", fmt.Sprintf("from: %d is larger than to (%d)", from, to))
	}
	p, err := events.ConsistencyProof(c.Request().Context(), s.ledger.Store(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ConsistencyJSON{From: from, To: to, Hashes: hashesJSON(p)})
}

// getEvent serves one stored event by id (for ledger audit --event).
func (s *Server) getEvent(c echo.Context) error {
	if err := allowQuery(c); err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil || len(c.Param("id")) != 36 {
		return invalidf("id", "id: must be a UUID")
	}
	pos, ok := s.ledger.Position(id)
	if !ok {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no stored event has this id"}
	}
	var out []byte
	err = s.ledger.Store().Read(c.Request().Context(), pos-1, 1, func(r *events.Record) error {
		out = r.AppendJSON(nil)
		return nil
	})
	if err != nil {
		return err
	}
	if out == nil {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no stored event has this id"}
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, out)
}
