package esdb

import (
	"bytes"
	"context"
	"encoding/hex"
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
	Size     int    `json:"size"`
	Seal     []byte `json:"seal,omitempty"`
}

func (s *Store) checkpointStream() string { return s.stream + "-checkpoint" }

// SaveCheckpoint implements events.Checkpointer.
func (s *Store) SaveCheckpoint(ctx context.Context, c events.Checkpoint) error {
	if err := s.isClosed("save checkpoint"); err != nil {
		return err
	}
	name := s.checkpointStream()
	var batch []esdb.EventData
	for off := 0; off < len(c.Data); off += chunkSize {
		batch = append(batch, esdb.EventData{EventType: "CheckpointChunk", ContentType: esdb.ContentTypeBinary,
			Data: c.Data[off:min(off+chunkSize, len(c.Data))]})
	}
	m, _ := json.Marshal(marker{Position: c.Position, Hash: c.Hash.String(), Format: c.Format, Chunks: len(batch), Size: len(c.Data), Seal: c.Seal})
	batch = append(batch, esdb.EventData{EventType: "CheckpointSaved", ContentType: esdb.ContentTypeJson, Data: m})
	var first uint64
	for i := 0; i < len(batch); i++ {
		res, err := s.client.AppendToStream(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, batch[i])
		if err != nil {
			return s.translate("save checkpoint", err)
		}
		if i == 0 {
			first = res.NextExpectedVersion
		}
	}
	var meta esdb.StreamMetadata
	meta.SetTruncateBefore(first)
	// Old checkpoints only cost space: a failed truncation is not an error.
	_, _ = s.client.SetStreamMetadata(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, meta)
	return nil
}

// LoadCheckpoint implements events.Checkpointer.
func (s *Store) LoadCheckpoint(ctx context.Context) (events.Checkpoint, error) {
	if err := s.isClosed("load checkpoint"); err != nil {
		return events.Checkpoint{}, err
	}
	name := s.checkpointStream()
	var c events.Checkpoint
	// Find the last marker, reading back over any chunks of a cut save.
	rs, err := s.client.ReadStream(ctx, name, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1<<20)
	if err != nil {
		return c, s.translate("load checkpoint", err)
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
				return c, events.ErrNotFound
			}
			return c, err
		}
		if ev.Event != nil && ev.Event.EventType == "CheckpointSaved" && json.Unmarshal(ev.Event.Data, &m) == nil {
			at, found = ev.Event.EventNumber, true
		}
	}
	rs.Close()
	if !found || uint64(m.Chunks) > at {
		return c, events.ErrNotFound
	}
	data := bytes.NewBuffer(make([]byte, 0, m.Size))
	if m.Chunks > 0 {
		rs, err = s.client.ReadStream(ctx, name, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(at - uint64(m.Chunks))}, uint64(m.Chunks))
		if err != nil {
			return c, s.translate("load checkpoint", err)
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return c, s.translate("load checkpoint", err)
			}
			if ev.Event == nil || ev.Event.EventType != "CheckpointChunk" {
				return c, events.ErrNotFound // scavenged or overwritten: rebuild
			}
			data.Write(ev.Event.Data)
		}
	}
	h, err := hex.DecodeString(m.Hash)
	if err != nil || len(h) != 32 || data.Len() != m.Size {
		return c, fmt.Errorf("esdb: load checkpoint: incomplete: %w", events.ErrNotFound)
	}
	c.Position, c.Format, c.Data, c.Seal = m.Position, m.Format, data.Bytes(), m.Seal
	copy(c.Hash[:], h)
	return c, nil
}
