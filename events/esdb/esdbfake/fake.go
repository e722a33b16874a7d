// Package esdbfake is a protocol fake of EventStoreDB: an in-process gRPC
// server, registered from the client module's own protos/streams and
// protos/serverfeatures interfaces, that implements just what the ledger's
// esdb backend uses: appends with expected-revision checks, reads forward
// and backward from a revision, catch-up subscriptions, and the "created",
// "type" and "content-type" metadata the client requires on every event.
// It is not a database: it keeps everything in memory and forgets it when
// it stops. Tests use it so that the backend's contract suite runs in CI,
// where no EventStoreDB server is available.
package esdbfake

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type event struct {
	id       uuid.UUID
	meta     map[string]string
	custom   []byte
	data     []byte
	revision uint64
	commit   uint64
}

// ProtocolFake is the fake server.
type ProtocolFake struct {
	api.UnimplementedStreamsServer
	serverfeatures.UnimplementedServerFeaturesServer

	mu      sync.Mutex
	streams map[string][]*event
	commit  uint64
	changed chan struct{}             // closed and replaced on every append
	drop    chan struct{}             // closed to drop every subscription
	hook    func(stream string) error // see OnAppend

	grpc *grpc.Server
	ln   net.Listener
}

// Start serves a new fake on a loopback port.
func Start() (*ProtocolFake, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("esdbfake: listen: %w", err)
	}
	f := &ProtocolFake{streams: map[string][]*event{}, changed: make(chan struct{}), drop: make(chan struct{}), ln: ln}
	f.grpc = grpc.NewServer()
	api.RegisterStreamsServer(f.grpc, f)
	serverfeatures.RegisterServerFeaturesServer(f.grpc, f)
	go f.grpc.Serve(ln)
	return f, nil
}

// URL is a connection string for the client.
func (f *ProtocolFake) URL() string { return "esdb://" + f.ln.Addr().String() + "?tls=false" }

// Stop stops the server.
func (f *ProtocolFake) Stop() { f.grpc.Stop() }

// DropSubscriptions ends every live subscription with an error, as a
// server restart or a network fault would.
func (f *ProtocolFake) DropSubscriptions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.drop)
	f.drop = make(chan struct{})
}

// OnAppend makes the fake call fn with the stream's name for every append
// request, once its events are received and before its expected revision
// is checked. fn runs without the fake's lock, so it may append through
// another client, as a writer getting in between two appends of one batch
// would, or between a client's read of the head and its append. When fn
// returns an error, the request fails with it and stores nothing; a status
// with codes.Unavailable is what a dropped connection looks like to the
// client. A nil fn removes the hook.
func (f *ProtocolFake) OnAppend(fn func(stream string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = fn
}

// Events returns how many events a stream holds.
func (f *ProtocolFake) Events(stream string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.streams[stream])
}

// GetSupportedMethods implements serverfeatures.
func (f *ProtocolFake) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: "23.10.0",
		Methods: []*serverfeatures.SupportedMethod{
			{MethodName: "read", ServiceName: "event_store.client.streams.streams"},
			{MethodName: "append", ServiceName: "event_store.client.streams.streams"},
		},
	}, nil
}

func toUUID(u *shared.UUID) (uuid.UUID, error) {
	if s := u.GetStructured(); s != nil {
		return esdb.ParseUUIDFromInt64(s.MostSignificantBits, s.LeastSignificantBits)
	}
	return uuid.Parse(u.GetString_())
}

// Append implements streams: the options message, then proposed events.
func (f *ProtocolFake) Append(srv api.Streams_AppendServer) error {
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "first append message must carry options")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	var proposed []*api.AppendReq_ProposedMessage
	for {
		m, err := srv.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		p := m.GetProposedMessage()
		if p == nil {
			return status.Error(codes.InvalidArgument, "expected a proposed message")
		}
		for _, k := range []string{"type", "content-type"} {
			if _, ok := p.Metadata[k]; !ok {
				return status.Errorf(codes.InvalidArgument, "proposed message without %q metadata", k)
			}
		}
		proposed = append(proposed, p)
	}
	f.mu.Lock()
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		if err := hook(name); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cur := f.streams[name]
	ok := true
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_Revision:
		ok = len(cur) > 0 && uint64(len(cur)-1) == e.Revision
		if !ok && f.idempotent(cur, int(e.Revision)+1, proposed) {
			return srv.SendAndClose(f.success(cur))
		}
	case *api.AppendReq_Options_NoStream:
		ok = len(cur) == 0
		if !ok && f.idempotent(cur, 0, proposed) {
			return srv.SendAndClose(f.success(cur))
		}
	case *api.AppendReq_Options_StreamExists:
		ok = len(cur) > 0
	case *api.AppendReq_Options_Any:
	default:
		return status.Error(codes.InvalidArgument, "no expected revision")
	}
	if !ok {
		w := &api.AppendResp_WrongExpectedVersion{}
		if len(cur) == 0 {
			w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(len(cur) - 1)}
		}
		if r, isRev := opts.GetExpectedStreamRevision().(*api.AppendReq_Options_Revision); isRev {
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: r.Revision}
		}
		return srv.SendAndClose(&api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}})
	}
	created := fmt.Sprint(time.Now().UnixNano() / 100) // .NET ticks since the Unix epoch
	for _, p := range proposed {
		id, err := toUUID(p.GetId())
		if err != nil {
			return status.Error(codes.InvalidArgument, "bad event id")
		}
		f.commit++
		meta := map[string]string{"type": p.Metadata["type"], "content-type": p.Metadata["content-type"], "created": created}
		cur = append(cur, &event{id: id, meta: meta, custom: p.CustomMetadata, data: p.Data,
			revision: uint64(len(cur)), commit: f.commit})
	}
	f.streams[name] = cur
	close(f.changed)
	f.changed = make(chan struct{})
	return srv.SendAndClose(f.success(cur))
}

// idempotent reports whether proposed repeats, id for id, what the stream
// holds from revision from on: EventStoreDB acknowledges such a retry.
func (f *ProtocolFake) idempotent(cur []*event, from int, proposed []*api.AppendReq_ProposedMessage) bool {
	if from < 0 || from+len(proposed) > len(cur) || len(proposed) == 0 {
		return false
	}
	for i, p := range proposed {
		id, err := toUUID(p.GetId())
		if err != nil || id != cur[from+i].id {
			return false
		}
	}
	return true
}

func (f *ProtocolFake) success(cur []*event) *api.AppendResp {
	s := &api.AppendResp_Success{
		PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{CommitPosition: f.commit, PreparePosition: f.commit}},
	}
	if len(cur) == 0 {
		s.CurrentRevisionOption = &api.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
	} else {
		s.CurrentRevisionOption = &api.AppendResp_Success_CurrentRevision{CurrentRevision: uint64(len(cur) - 1)}
	}
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: s}}
}

func (f *ProtocolFake) toProto(name string, e *event) *api.ReadResp {
	most, least := esdb.UUIDAsInt64(e.id)
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: most, LeastSignificantBits: least}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			StreamRevision:   e.revision,
			PreparePosition:  e.commit,
			CommitPosition:   e.commit,
			Metadata:         e.meta,
			CustomMetadata:   e.custom,
			Data:             e.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.commit},
	}}}
}

// Read implements streams: reads of one stream forwards or backwards from
// a revision, and catch-up subscriptions to one stream.
func (f *ProtocolFake) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	o := req.GetOptions()
	so := o.GetStream()
	if so == nil {
		return status.Error(codes.Unimplemented, "the fake reads single streams only")
	}
	name := string(so.GetStreamIdentifier().GetStreamName())
	if o.GetSubscription() != nil {
		return f.subscribe(name, so, srv)
	}
	count := o.GetCount()
	f.mu.Lock()
	cur := append([]*event(nil), f.streams[name]...)
	f.mu.Unlock()
	if len(cur) == 0 {
		return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)}}}})
	}
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	var from int64
	switch r := so.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_Start:
		from = 0
	case *api.ReadReq_Options_StreamOptions_End:
		from = int64(len(cur) - 1)
		if !backwards {
			from = int64(len(cur))
		}
	case *api.ReadReq_Options_StreamOptions_Revision:
		from = int64(r.Revision)
	}
	step := int64(1)
	if backwards {
		step = -1
		if from >= int64(len(cur)) {
			from = int64(len(cur) - 1)
		}
	}
	for i, n := from, uint64(0); i >= 0 && i < int64(len(cur)) && n < count; i, n = i+step, n+1 {
		if err := srv.Send(f.toProto(name, cur[i])); err != nil {
			return err
		}
	}
	return nil
}

func (f *ProtocolFake) subscribe(name string, so *api.ReadReq_Options_StreamOptions, srv api.Streams_ReadServer) error {
	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{
		SubscriptionId: uuid.NewString()}}}); err != nil {
		return err
	}
	f.mu.Lock()
	next := 0
	switch r := so.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_Revision:
		next = int(r.Revision) + 1 // a subscription starts after the revision given
	case *api.ReadReq_Options_StreamOptions_End:
		next = len(f.streams[name])
	}
	drop := f.drop
	f.mu.Unlock()
	caughtUp := false
	for {
		f.mu.Lock()
		cur := f.streams[name]
		batch := append([]*event(nil), cur[min(next, len(cur)):]...)
		changed := f.changed
		f.mu.Unlock()
		for _, e := range batch {
			if err := srv.Send(f.toProto(name, e)); err != nil {
				return err
			}
			next++
		}
		if !caughtUp {
			caughtUp = true
			if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-drop:
			return status.Error(codes.Unavailable, "subscription dropped by the fake")
		case <-srv.Context().Done():
			return srv.Context().Err()
		}
	}
}
