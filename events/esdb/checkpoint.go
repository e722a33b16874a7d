package esdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/pingyang/ledger/events"
)

// Checkpoints live in their own stream, "<ledger stream>-checkpoint": a
// checkpoint is written as chunk events (each well under the server's event
// size limit) followed by one CheckpointSaved marker naming how many chunks
// precede it. A reader takes the last marker and the chunks before it; a
// save cut short leaves chunks without a marker, which readers skip. After
// a save, the stream is truncated before its chunks (best effort), so old
// checkpoints are scavenged.

var _ events.Checkpointer = (*Store)(nil)

const chunkSize = 512 << 10

type marker struct {
	Position int64  `json:"position"`
	Hash     string `json:"hash"`
	Format   string `json:"format"`
	Chunks   int    `json:"chunks"`
	Size     int64  `json:"size"`
	Digest   string `json:"digest"`
	Seal     []byte `json:"seal,omitempty"`
}

func (s *Store) checkpointStream() string { return s.stream + "-checkpoint" }

// SaveCheckpoint implements events.Checkpointer: each chunk is appended as
// it is read, then the marker.
func (s *Store) SaveCheckpoint(ctx context.Context, data io.Reader, done func() (events.Checkpoint, error)) error {
	if err := s.isClosed("save checkpoint"); err != nil {
		return err
	}
	name := s.checkpointStream()
	appendOne := func(ev esdb.EventData) (uint64, error) {
		res, err := s.client.AppendToStream(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, ev)
		if err != nil {
			return 0, s.translate("save checkpoint", err)
		}
		return res.NextExpectedVersion, nil
	}
	var first uint64
	chunks := 0
	if err := events.Chunks(data, chunkSize, func(chunk []byte) error {
		next, err := appendOne(esdb.EventData{EventType: "CheckpointChunk", ContentType: esdb.ContentTypeBinary, Data: chunk})
		if err != nil {
			return err
		}
		if chunks == 0 {
			first = next
		}
		chunks++
		return nil
	}); err != nil {
		return err
	}
	c, err := done()
	if err != nil {
		return err
	}
	m, _ := json.Marshal(marker{Position: c.Position, Hash: c.Hash.String(), Format: c.Format, Chunks: chunks,
		Size: c.Size, Digest: c.Digest.String(), Seal: c.Seal})
	next, err := appendOne(esdb.EventData{EventType: "CheckpointSaved", ContentType: esdb.ContentTypeJson, Data: m})
	if err != nil {
		return err
	}
	if chunks == 0 {
		first = next
	}
	var meta esdb.StreamMetadata
	meta.SetTruncateBefore(first)
	// Old checkpoints only cost space: a failed truncation is not an error.
	_, _ = s.client.SetStreamMetadata(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, meta)
	return nil
}

// LoadCheckpoint implements events.Checkpointer: the last marker, then its
// chunks as a stream.
func (s *Store) LoadCheckpoint(ctx context.Context) (events.Checkpoint, io.ReadCloser, error) {
	if err := s.isClosed("load checkpoint"); err != nil {
		return events.Checkpoint{}, nil, err
	}
	name := s.checkpointStream()
	var c events.Checkpoint
	// Find the last marker, reading back over any chunks of a cut save.
	rs, err := s.client.ReadStream(ctx, name, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1<<20)
	if err != nil {
		return c, nil, s.translate("load checkpoint", err)
	}
	var m marker
	var at uint64
	found := false
	for !found {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rs.Close()
			if err = s.translate("load checkpoint", err); errors.Is(err, events.ErrNotFound) {
				return c, nil, events.ErrNotFound
			}
			return c, nil, err
		}
		if ev.Event != nil && ev.Event.EventType == "CheckpointSaved" && json.Unmarshal(ev.Event.Data, &m) == nil {
			at, found = ev.Event.EventNumber, true
		}
	}
	rs.Close()
	h, err1 := events.ParseHash(m.Hash)
	d, err2 := events.ParseHash(m.Digest)
	if !found || uint64(m.Chunks) > at || err1 != nil || err2 != nil {
		return c, nil, events.ErrNotFound
	}
	c = events.Checkpoint{Position: m.Position, Hash: h, Format: m.Format, Size: m.Size, Digest: d, Seal: m.Seal}
	if m.Chunks == 0 {
		return c, io.NopCloser(bytes.NewReader(nil)), nil
	}
	rs, err = s.client.ReadStream(ctx, name, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(at - uint64(m.Chunks))}, uint64(m.Chunks))
	if err != nil {
		return c, nil, s.translate("load checkpoint", err)
	}
	return c, &chunkReader{s: s, rs: rs}, nil
}

// chunkReader reads a checkpoint's chunk events as one stream. A chunk that
// is gone (scavenged, or another save's) ends it with an error: the ledger
// then folds the log instead.
type chunkReader struct {
	s   *Store
	rs  *esdb.ReadStream
	cur []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		ev, err := r.rs.Recv()
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if err != nil {
			return 0, r.s.translate("load checkpoint", err)
		}
		if ev.Event == nil || ev.Event.EventType != "CheckpointChunk" {
			return 0, fmt.Errorf("esdb: load checkpoint: a chunk is missing: %w", events.ErrNotFound)
		}
		r.cur = ev.Event.Data
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *chunkReader) Close() error {
	r.rs.Close()
	return nil
}
