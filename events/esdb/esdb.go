// Package esdb is the events.Store on EventStoreDB (KurrentDB), through
// github.com/EventStore/EventStore-Client-Go/v4.
//
// Design. The ledger's guarantees are one gapless global position and one
// hash chain; EventStoreDB gives both to a single stream written with an
// exact expected revision. So the whole ledger is one stream (default
// "pingyang-ledger", or ?stream=NAME on the connection string), and ledger
// position p is stream revision p-1. An append states the revision it
// expects (NoStream for an empty ledger); a writer that lost the race gets
// WrongExpectedVersion, which this package reports as events.ErrStale, and
// the ledger catches up and retries (when it can iterate its input again:
// the server checks the revision after the batch was pulled). Every
// EventStoreDB event carries the ledger's own event id, so a retried append
// of the same records is acknowledged by the server as idempotent, and its
// data is the stored envelope (the same JSON as GET /v1/events: position,
// hashes and all), so the chain can be verified from the server alone.
//
// For EventStoreDB-native consumers, each appended record is also linked
// ("$>" link events) into the stream its envelope names (section-U06-S12,
// unit-U06, online, fix), so a section's facts are reachable by stream and,
// through the server's $by_category projection, by category. Section and
// unit ids are a county's own, so a ledger whose stream is named (several
// ledgers on one cluster: one per county and year, ?stream=pingyang-2021)
// puts its name after the category: section-pingyang-2021-U06-S12,
// online-pingyang-2021 (the categories stay section, unit, online, fix);
// the default stream keeps the bare names. A ledger named before this
// naming linked into the bare names: its older links stay there.
// Links are written after the ledger append and are best effort: the
// ledger stream is the record.
//
// Atomicity. One AppendToStream is atomic. A batch larger than the server's
// maximum append size (1 MiB by default) is written in chunks of up to
// maxChunk bytes, each atomic and each with its exact expected revision, so
// such a batch as a whole is not atomic. The ledger validates the whole
// batch before the first chunk, so bad input never appends anything; but
// when the batch is cut between two chunks (another writer got in, the
// connection dropped, the context ended, the store was closed), a valid
// prefix of it stays stored and Append returns an error wrapping
// events.ErrPartial. Re-sending the batch completes it when its events carry
// ids (the stored ones are idempotent repeats, which the ledger skips).
//
// Checkpoints of the ledger's fold go to a stream of their own
// ("<stream>-checkpoint", see checkpoint.go), so that a process starts
// without re-reading and decoding the whole ledger stream.
//
// Errors from the client are translated at this boundary with errors.As on
// *esdb.Error; connection loss is reported as such, never as a panic.
package esdb

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

// DefaultStream is the ledger stream when the URL names none.
const DefaultStream = "pingyang-ledger"

// maxChunk keeps one append under the server's default 1 MiB limit.
const maxChunk = 768 << 10

// Store is an events.Store on one EventStoreDB stream.
type Store struct {
	client *esdb.Client
	stream string
	closed atomic.Bool
	tree   memTree
}

var _ events.Store = (*Store)(nil)

// Open connects with any connection string the client accepts (single
// node, cluster, discover, TLS). The extra parameter stream=NAME picks the
// ledger stream.
func Open(ctx context.Context, conn string) (*Store, error) {
	stream := DefaultStream
	if u, err := url.Parse(conn); err == nil {
		q := u.Query()
		if s := q.Get("stream"); s != "" {
			stream = s
			q.Del("stream")
			u.RawQuery = q.Encode()
			conn = u.String()
		}
	}
	cfg, err := esdb.ParseConnectionString(conn)
	if err != nil {
		return nil, fmt.Errorf("esdb: connection string: %w", err)
	}
	cfg.Logger = func(esdb.LogLevel, string, ...interface{}) {} // a library does not print
	c, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("esdb: connect: %w", err)
	}
	s := &Store{client: c, stream: stream}
	// Fail now, with a clear message, when the server cannot be reached.
	if _, err := s.Head(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

// Stream is the ledger stream's name.
func (s *Store) Stream() string { return s.stream }

// Close closes the connection. Every later call returns events.ErrClosed;
// closing again does nothing.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("esdb: close: %w", err)
	}
	return nil
}

// isClosed is the error of a call made after Close.
func (s *Store) isClosed(op string) error {
	if s.closed.Load() {
		return fmt.Errorf("esdb: %s: %w", op, events.ErrClosed)
	}
	return nil
}

// translate maps client errors to the core's sentinels. A call that Close
// cut short fails in the client with whatever the torn connection gave it;
// the cause the caller can act on is that the store was closed.
func (s *Store) translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := s.isClosed(op); cerr != nil {
		return cerr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("esdb: %s: %w", op, err)
	}
	var e *esdb.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case esdb.ErrorCodeWrongExpectedVersion:
			return fmt.Errorf("esdb: %s: %v: %w", op, e.Err(), events.ErrStale)
		case esdb.ErrorCodeResourceNotFound:
			return fmt.Errorf("esdb: %s: %v: %w", op, e.Err(), events.ErrNotFound)
		case esdb.ErrorUnavailable, esdb.ErrorCodeDeadlineExceeded, esdb.ErrorCodeConnectionClosed:
			return fmt.Errorf("esdb: %s: server unavailable (connection lost?): %w", op, err)
		case esdb.ErrorCodeUnauthenticated, esdb.ErrorCodeAccessDenied:
			return fmt.Errorf("esdb: %s: access refused by the server: %w", op, err)
		}
	}
	return fmt.Errorf("esdb: %s: %w", op, err)
}

// envelope is the stored JSON of a record.
type envelope struct {
	Position   int64           `json:"position"`
	ID         uuid.UUID       `json:"id"`
	Type       string          `json:"type"`
	Stream     string          `json:"stream"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Actor      string          `json:"actor"`
	Ref        string          `json:"ref"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

func decode(ev *esdb.RecordedEvent) (*events.Record, error) {
	var e envelope
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		return nil, fmt.Errorf("esdb: event %d is not a ledger envelope: %v: %w", ev.EventNumber, err, events.ErrBroken)
	}
	if e.Position != int64(ev.EventNumber)+1 {
		return nil, fmt.Errorf("esdb: event %d holds position %d: %w", ev.EventNumber, e.Position, events.ErrBroken)
	}
	r := &events.Record{Position: e.Position, ID: e.ID, Type: events.Type(e.Type), Stream: e.Stream,
		OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, Ref: e.Ref, Data: []byte(e.Data)}
	p, err1 := hex.DecodeString(e.PrevHash)
	h, err2 := hex.DecodeString(e.Hash)
	if err1 != nil || err2 != nil || len(p) != 32 || len(h) != 32 {
		return nil, fmt.Errorf("esdb: event %d: malformed hashes: %w", ev.EventNumber, events.ErrBroken)
	}
	copy(r.PrevHash[:], p)
	copy(r.Hash[:], h)
	return r, nil
}

// Head implements events.Store.
func (s *Store) Head(ctx context.Context) (events.Head, error) {
	if err := s.isClosed("head"); err != nil {
		return events.Head{}, err
	}
	rs, err := s.client.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if err != nil {
		return events.Head{}, s.translate("head", err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) {
		return events.Head{}, nil
	}
	if err != nil {
		if err = s.translate("head", err); errors.Is(err, events.ErrNotFound) {
			return events.Head{}, nil // no stream yet: an empty ledger
		}
		return events.Head{}, err
	}
	r, err := decode(ev.Event)
	if err != nil {
		return events.Head{}, err
	}
	return r.Head(), nil
}

func expected(pos int64) esdb.ExpectedRevision {
	if pos == 0 {
		return esdb.NoStream{}
	}
	return esdb.Revision(uint64(pos - 1))
}

// Append implements events.Store. The head check before the pull is only
// a cheap early refusal: the decisive one is the expected revision the
// server checks at each commit, after the batch was pulled.
func (s *Store) Append(ctx context.Context, expect events.Head, recs iter.Seq2[*events.Record, error]) (events.Head, error) {
	if err := s.isClosed("append"); err != nil {
		return events.Head{}, err
	}
	cur, err := s.Head(ctx)
	if err != nil {
		return events.Head{}, err
	}
	if cur.Position != expect.Position || cur.Hash != expect.Hash {
		return cur, fmt.Errorf("esdb: append after position %d, head is at %d: %w", expect.Position, cur.Position, events.ErrStale)
	}
	// Pull the whole batch first: nothing is sent unless all of it is good.
	var (
		batch  []esdb.EventData
		links  []link
		heads  []events.Head // after each record: what a cut batch left stored
		leaves []events.Hash
		buf    []byte
	)
	next := expect
	for r, err := range recs {
		if err != nil {
			return cur, err
		}
		if next, err = next.Extend(r); err != nil {
			return cur, fmt.Errorf("esdb: append: %w", err)
		}
		batch = append(batch, esdb.EventData{EventID: r.ID, EventType: string(r.Type), ContentType: esdb.ContentTypeJson,
			Data: r.AppendJSON(nil)})
		links = append(links, link{stream: s.linkStream(r.Stream), position: r.Position})
		if r.Leaf == (events.Hash{}) {
			buf = r.LeafOf(buf)
		}
		leaves = append(leaves, r.Leaf)
		heads = append(heads, next)
	}
	if err := ctx.Err(); err != nil {
		return cur, fmt.Errorf("esdb: append: %w", err)
	}
	stored := expect
	for start := 0; start < len(batch); {
		end, size := start, 0
		for end < len(batch) && (end == start || size+len(batch[end].Data) <= maxChunk) {
			size += len(batch[end].Data)
			end++
		}
		_, err := s.client.AppendToStream(ctx, s.stream, esdb.AppendToStreamOptions{ExpectedRevision: expected(stored.Position)}, batch[start:end]...)
		if err != nil {
			err = s.translate("append", err)
			if start == 0 {
				return cur, err
			}
			// Earlier chunks are committed and cannot be taken back. The
			// cause is kept as text only: wrapping ErrStale would tell the
			// caller to catch up and send the whole batch again.
			cause := err.Error()
			if errors.Is(err, events.ErrStale) {
				cause = "another writer appended in between"
			}
			return stored, fmt.Errorf("esdb: append: batch cut after position %d: %d of its %d records stored, then %s: %w",
				stored.Position, start, len(batch), cause, events.ErrPartial)
		}
		stored = heads[end-1]
		start = end
	}
	s.extendTree(expect.Position, leaves)
	s.link(ctx, links)
	return next, nil
}

// linkStream is the server stream a record of the envelope stream name is
// linked into.
func (s *Store) linkStream(name string) string {
	if s.stream == DefaultStream {
		return name
	}
	category, rest, ok := strings.Cut(name, "-")
	if !ok {
		return name + "-" + s.stream
	}
	return category + "-" + s.stream + "-" + rest
}

type link struct {
	stream   string
	position int64
}

// link writes "$>" link events into each record's own stream, best effort.
func (s *Store) link(ctx context.Context, links []link) {
	by := map[string][]esdb.EventData{}
	var order []string
	for _, l := range links {
		if _, ok := by[l.stream]; !ok {
			order = append(order, l.stream)
		}
		by[l.stream] = append(by[l.stream], esdb.EventData{EventType: "$>", ContentType: esdb.ContentTypeBinary,
			Data: []byte(fmt.Sprintf("%d@%s", l.position-1, s.stream))})
	}
	for _, name := range order {
		evs := by[name]
		for len(evs) > 0 {
			n := min(len(evs), 4096)
			// A failed link costs an EventStoreDB-native consumer a link,
			// never the ledger a record: ignore it.
			_, _ = s.client.AppendToStream(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, evs[:n]...)
			evs = evs[n:]
		}
	}
}

// Read implements events.Store.
func (s *Store) Read(ctx context.Context, after int64, limit int, fn func(*events.Record) error) error {
	if err := s.isClosed("read"); err != nil {
		return err
	}
	count := uint64(1 << 62)
	if limit > 0 {
		count = uint64(limit)
	}
	rs, err := s.client.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(uint64(after))}, count)
	if err != nil {
		return s.translate("read", err)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if err = s.translate("read", err); errors.Is(err, events.ErrNotFound) {
				return nil
			}
			return err
		}
		if ev.Event == nil {
			continue
		}
		r, err := decode(ev.Event)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// Subscribe calls notify with the position of every record appended after
// position after, following the ledger stream with a catch-up
// subscription. When the subscription drops, it resubscribes from the last
// position it saw, with a growing pause, until ctx ends (ctx.Err()) or the
// store is closed (events.ErrClosed).
func (s *Store) Subscribe(ctx context.Context, after int64, notify func(position int64)) error {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		// A closed client refuses every subscription: resubscribing would
		// spin until ctx ends.
		if err := s.isClosed("subscribe"); err != nil {
			return err
		}
		from := esdb.StreamPosition(esdb.Start{})
		if after > 0 {
			from = esdb.Revision(uint64(after - 1))
		}
		sub, err := s.client.SubscribeToStream(ctx, s.stream, esdb.SubscribeToStreamOptions{From: from})
		if err == nil {
			pause = 100 * time.Millisecond
			for {
				e := sub.Recv()
				if e.SubscriptionDropped != nil {
					break
				}
				if e.EventAppeared != nil && e.EventAppeared.Event != nil {
					after = int64(e.EventAppeared.Event.EventNumber) + 1
					notify(after)
				}
			}
			sub.Close()
		}
		if err := s.isClosed("subscribe"); err != nil {
			return err // Close dropped it: no pause, no retry
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
	return ctx.Err()
}
