package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/esdb/esdbfake"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

// The adversary suite (issue #12): someone with write access to the store,
// who is not the office's key, changes the log; an inspector who kept an
// earlier checkpoint (ledger audit --state) or who runs ledger verify must
// see it, with the right reason, exit 1. Each case runs on a real SQLite
// file; those that an EventStoreDB writer can do also run on its protocol
// fake.

const (
	advRecorder  = "adversary-recorder-token-0123"
	advInspector = "adversary-inspector-token-0123"
)

// trustServer serves the store at url in-process, as `ledger serve --key`
// would: the whole chain checked at open, checkpoints signed with the test
// office's key.
type trustServer struct {
	t   *testing.T
	url string // the store
	srv *httptest.Server
	l   *replay.Ledger
}

func serveStore(t *testing.T, storeURL string, witnesses ...string) *trustServer {
	t.Helper()
	ctx := context.Background()
	st, _, err := openStore(ctx, storeURL, false, false, nil)
	require.NoError(t, err)
	signer, err := loadSigner(officeKey)
	require.NoError(t, err)
	// The clock of the in-process commands (run), an hour later.
	clock := func() time.Time { return time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC) }
	l, err := replay.Open(ctx, st, replay.Options{CheckChain: true, Sealer: signer, Clock: clock})
	require.NoError(t, err)
	toks, err := api.ParseTokens(strings.NewReader("recorder " + advRecorder + "\ninspector " + advInspector + "\n"))
	require.NoError(t, err)
	var w *transparency.Witnesses
	if len(witnesses) > 0 {
		w, err = transparency.ParseWitnesses(strings.Join(witnesses, "\n"))
		require.NoError(t, err)
	}
	s := api.New(api.Config{Ledger: l, Tokens: toks, Signer: signer, Witnesses: w,
		BallotClock: func() time.Time { return time.Date(2021, 11, 20, 10, 0, 0, 0, events.CST) }})
	ts := &trustServer{t: t, url: storeURL, srv: httptest.NewServer(s.Handler()), l: l}
	t.Cleanup(ts.stop)
	return ts
}

func (s *trustServer) stop() {
	if s.srv != nil {
		s.srv.Close()
		s.l.Store().Close()
		s.srv = nil
	}
}

func (s *trustServer) post(path, token, body string) (int, string) {
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// audit runs `ledger audit` against the server, keeping state in dir/audit.
func (s *trustServer) audit(dir string, extra ...string) (int, string, string) {
	pub := strings.TrimSuffix(officeKey, ".key") + ".pub"
	args := append([]string{"audit", "--url", s.srv.URL, "--pub", pub, "--state", filepath.Join(dir, "audit"), "--token", advInspector}, extra...)
	return run(s.t, dir, "", args...)
}

// tamper runs SQL on the file as its writer may: the append-only triggers
// are only the database's own rules.
func tamper(t *testing.T, db string, stmts ...string) {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+db)
	require.NoError(t, err)
	defer d.Close()
	_, err = d.Exec(`DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete`)
	require.NoError(t, err)
	for _, q := range stmts {
		_, err := d.Exec(q)
		require.NoError(t, err, q)
	}
}

// appendRaw seals data as an event of type typ and stores it after the
// head directly, with a correct hash and leaf, around the ledger's rules:
// what a writer of the store with the hash recipe can do.
func appendRaw(t *testing.T, storeURL string, typ events.Type, occurred time.Time, data string) int64 {
	t.Helper()
	ctx := context.Background()
	st, _, err := openStore(ctx, storeURL, false, false, nil)
	require.NoError(t, err)
	defer st.Close()
	h, err := st.Head(ctx)
	require.NoError(t, err)
	ev := &events.Event{Type: typ, OccurredAt: occurred, Actor: "office:mallory", Data: []byte(data)}
	// Seal needs a body for the stream only.
	body, derr := events.DecodeData(typ, []byte(data))
	require.NoError(t, derr)
	ev.Body = body
	// At the head's own instant: recorded_at may repeat, and never runs
	// ahead of the clock of the commands that check it.
	r, _ := events.Seal(h, ev, h.RecordedAt, nil)
	_, err = st.Append(ctx, h, eventstest.Records([]*events.Record{r}))
	require.NoError(t, err)
	return r.Position
}

// importScenario imports the hand-made scenario (170 events) into dir's
// ledger.db and returns its store URL.
func importScenario(t *testing.T, dir string) string {
	t.Helper()
	code, _, errs := run(t, dir, "", "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	return "sqlite:" + filepath.Join(dir, "ledger.db")
}

// auditedScenario imports the scenario into a fresh directory's ledger,
// serves it, and keeps a first audit's checkpoint (ok, of the whole
// scenario) in the directory, as an inspector would before anyone tampers.
func auditedScenario(t *testing.T) (dir, url string) {
	t.Helper()
	dir = t.TempDir()
	url = importScenario(t, dir)
	s := serveStore(t, url)
	defer s.stop()
	code, out, errs := s.audit(dir)
	require.Equal(t, 0, code, errs)
	require.Regexp(t, fmt.Sprintf(`^ok size %d root [A-Za-z0-9+/]{43}=\n$`, scenarioEvents), out)
	return dir, url
}

func TestAdversaryCutTail(t *testing.T) {
	dir, url := auditedScenario(t)
	// The whole tail goes, with its tree and the cache: what is left is a
	// valid shorter log, which verify cannot tell from an honest one.
	cut := scenarioEvents - 10
	tamper(t, filepath.Join(dir, "ledger.db"), fmt.Sprintf(`DELETE FROM events WHERE position > %d`, cut), `DELETE FROM tree`, `DELETE FROM checkpoint`)
	code, out, errs := run(t, dir, "", "verify")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, fmt.Sprintf("ok %d events", cut))
	s := serveStore(t, url)
	code, _, errs = s.audit(dir)
	require.Equal(t, 1, code)
	require.Equal(t, fmt.Sprintf("ledger: audit: the log shrank from %d to %d\n", scenarioEvents, cut), errs)
}

// TestAdversaryTailRewrittenWithRecomputedHashes: the last events
// replaced by others, every hash, leaf and node recomputed (the store
// rebuilds its tree from the events, and the new ones go through the
// ledger itself): a valid log, but another one, longer than the one the
// auditor kept or of its very size.
func TestAdversaryTailRewrittenWithRecomputedHashes(t *testing.T) {
	for _, c := range []struct {
		name          string
		drop, forgery int
	}{
		{"ten events replaced by eleven", 10, 11},
		{"the last event replaced: the same size", 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, url := auditedScenario(t)
			tamper(t, filepath.Join(dir, "ledger.db"), fmt.Sprintf(`DELETE FROM events WHERE position > %d`, scenarioEvents-c.drop),
				`DELETE FROM tree`, `DELETE FROM checkpoint`)
			var lines []string
			for i := 0; i < c.forgery; i++ {
				lines = append(lines, eventstest.Line(events.ServiceVoteRecorded, "2021-11-01T09:00:00+08:00",
					fmt.Sprintf(`{"section_id":"U01-S01","round":"H2","respondent":"r-forged-%02d","rating":"satisfied"}`, i), eventstest.WithActor("office:mallory")))
			}
			code, _, errs := run(t, dir, strings.Join(lines, "\n"), "import", "-")
			require.Equal(t, 0, code, errs)
			code, out, errs := run(t, dir, "", "verify")
			require.Equal(t, 0, code, errs, "a rewritten tail is a valid log: only a kept checkpoint tells")
			require.Contains(t, out, fmt.Sprintf("ok %d events", scenarioEvents-c.drop+c.forgery))
			s := serveStore(t, url)
			defer s.stop()
			code, _, errs = s.audit(dir)
			require.Equal(t, 1, code)
			require.Equal(t, fmt.Sprintf("ledger: audit: not consistent with the checkpoint of size %d kept on 2026-11-27T03:00:00Z\n", scenarioEvents), errs)
		})
	}
}

func TestAdversaryRowBreakingARule(t *testing.T) {
	for _, backend := range []string{"sqlite", "esdb"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			url := importScenario(t, dir)
			if backend == "esdb" {
				f, err := esdbfake.Start()
				require.NoError(t, err)
				defer f.Stop()
				url = f.URL() + "&stream=adv"
				code, _, errs := run(t, dir, "", "--store", url, "import", "--historical", scenario)
				require.Equal(t, 0, code, errs)
			}
			for _, c := range []struct {
				name, data string
				typ        events.Type
				want       string
			}{
				{"a phone number as respondent", `{"rating":"satisfied","respondent":"13812345678","round":"H2","section_id":"U01-S01"}`,
					events.ServiceVoteRecorded, "breaks a rule: data.respondent: looks like a phone number"},
				{"a 50-point hotline verdict", `{"item":"conduct","points":50,"role":"lead","section_id":"U01-S02"}`,
					events.HotlineVerdict, "breaks a rule: data.points"},
			} {
				t.Run(c.name, func(t *testing.T) {
					// Each case on top of the last: verify stops at the first.
					pos := appendRaw(t, url, c.typ, time.Date(2021, 11, 2, 9, 0, 0, 0, events.CST), c.data)
					code, _, errs := run(t, dir, "", "--store", url, "verify")
					require.Equal(t, 1, code)
					require.Contains(t, errs, fmt.Sprintf("FAILED at position %d: ", min(pos, scenarioEvents+1)))
					if pos == scenarioEvents+1 {
						require.Contains(t, errs, c.want)
					}
				})
			}
		})
	}
}

func TestAdversaryEditedCache(t *testing.T) {
	dir := t.TempDir()
	url := importScenario(t, dir)
	// A section's facts changed inside the saved fold (the cache), its
	// position and anchor kept: byte 500 of the encoded state.
	tamper(t, filepath.Join(dir, "ledger.db"), `UPDATE checkpoint_chunk SET data = substr(data, 1, 500) || X'FF' || substr(data, 502) WHERE seq = 0`)
	code, _, errs := run(t, dir, "", "verify")
	require.Equal(t, 1, code)
	require.Equal(t, fmt.Sprintf("ledger: verify: FAILED at position %d: %s (%d events before it are intact)\n", scenarioEvents, replay.CacheMismatch, scenarioEvents-1), errs)
	// Never served: the data no longer has the digest the seal covers, the
	// log is folded.
	s := serveStore(t, url)
	require.False(t, s.l.FromCheckpoint())
	require.Contains(t, s.l.CacheRefused, "could not be read whole")
}

// TestAdversaryEditedCacheOnEventStoreDB: on EventStoreDB the fold's
// cache is a stream of its own, which a writer of the database can append
// to: a new save whose data is edited but whose marker repeats the honest
// one's position, digest and seal. Verify names it; the ledger refuses to
// use it and folds the log instead.
func TestAdversaryEditedCacheOnEventStoreDB(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	url := f.URL() + "&stream=cache"
	code, _, errs := run(t, dir, "", "--store", url, "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	st, _, err := openStore(ctx, url, false, false, nil)
	require.NoError(t, err)
	cp := st.(events.Checkpointer)
	c, data, err := cp.LoadCheckpoint(ctx)
	require.NoError(t, err)
	b, err := io.ReadAll(data)
	data.Close()
	require.NoError(t, err)
	require.Greater(t, len(b), 500)
	b[500] ^= 0xFF
	require.NoError(t, cp.SaveCheckpoint(ctx, strings.NewReader(string(b)), func() (events.Checkpoint, error) { return c, nil }))
	st.Close()
	code, _, errs = run(t, dir, "", "--store", url, "verify")
	require.Equal(t, 1, code)
	require.Equal(t, fmt.Sprintf("ledger: verify: FAILED at position %d: %s (%d events before it are intact)\n", scenarioEvents, replay.CacheMismatch, scenarioEvents-1), errs)
	s := serveStore(t, url)
	require.False(t, s.l.FromCheckpoint())
	require.NotEmpty(t, s.l.CacheRefused)
}

func TestAdversarySwappedRows(t *testing.T) {
	dir, url := auditedScenario(t)
	// Rows 100 and 101 exchange everything but their positions.
	cols := "id, type, stream, occurred_at, recorded_at, actor, ref, data, prev_hash, hash"
	tamper(t, filepath.Join(dir, "ledger.db"),
		`CREATE TEMP TABLE a AS SELECT `+cols+` FROM events WHERE position = 100`,
		`CREATE TEMP TABLE b AS SELECT `+cols+` FROM events WHERE position = 101`,
		`UPDATE events SET (`+cols+`) = (SELECT `+cols+` FROM b) WHERE position = 100`,
		`UPDATE events SET (`+cols+`) = (SELECT `+cols+` FROM a) WHERE position = 101`)
	code, _, errs := run(t, dir, "", "verify")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "FAILED at position 100: ")
	// serve checks the whole chain before it answers: it refuses the store.
	st, _, err := openStore(context.Background(), url, false, false, nil)
	require.NoError(t, err)
	defer st.Close()
	_, err = replay.Open(context.Background(), st, replay.Options{CheckChain: true})
	require.ErrorIs(t, err, events.ErrBroken)
	require.Contains(t, err.Error(), "position 100")
}

func TestAdversaryEditedMiddleRow(t *testing.T) {
	dir := t.TempDir()
	url := importScenario(t, dir)
	tamper(t, filepath.Join(dir, "ledger.db"), `UPDATE events SET data = CAST(replace(CAST(data AS TEXT), '"rating":"unsatisfied"', '"rating":"satisfied"') AS BLOB)
		WHERE position = (SELECT min(position) FROM events WHERE CAST(data AS TEXT) LIKE '%"rating":"unsatisfied"%')`)
	code, _, errs := run(t, dir, "", "verify")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "hash does not match the event's content (changed after it was stored)")
	// serve checks the whole chain before it answers: it refuses the store.
	ctx := context.Background()
	st, _, err := openStore(ctx, url, false, false, nil)
	require.NoError(t, err)
	_, err = replay.Open(ctx, st, replay.Options{CheckChain: true})
	require.ErrorIs(t, err, events.ErrBroken)
	require.Contains(t, err.Error(), "hash does not match")
	// --allow-broken-chain opens it read-only: appends and ballots 503,
	// and no checkpoint is signed.
	signer, err := loadSigner(officeKey)
	require.NoError(t, err)
	l, err := replay.Open(ctx, st, replay.Options{CheckChain: true, AllowBroken: true, Sealer: signer})
	require.NoError(t, err)
	require.NotNil(t, l.Broken)
	toks, err := api.ParseTokens(strings.NewReader("recorder " + advRecorder + "\n"))
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(api.Config{Ledger: l, Tokens: toks, Signer: signer}).Handler())
	defer srv.Close()
	defer st.Close()
	ts := &trustServer{t: t, srv: srv, l: l}
	code, body := ts.post("/v1/events", advRecorder, eventstest.Line(events.UnitRegistered, "2021-01-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`, eventstest.WithActor("t")))
	require.Equal(t, 503, code, body)
	require.Contains(t, body, `"code":"read_only"`)
	require.Contains(t, body, "read-only")
	code, body = ts.post("/v1/ballots", "", `{"code":"x","satisfied":[],"unsatisfied":[]}`)
	require.Equal(t, 503, code, body)
	resp, err := http.Get(srv.URL + "/v1/checkpoint")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 503, resp.StatusCode)
}

// scenarioCandidates is the scenario's frozen candidate list.
var scenarioCandidates = []string{"U01-S01", "U01-S02", "U01-S03", "U02-S01", "U02-S02", "U03-S01", "U03-S02", "U03-S03",
	"U03-S04", "U03-S05", "U03-S06", "U03-S07", "U03-S08", "U03-S09", "U04-S01", "U04-S02", "U04-S03", "U05-S01", "U05-S02",
	"U05-S03", "U06-S01", "U06-S02"}

// onlineLines adds one voter's credential to the scenario (whose own
// voters have all voted).
func onlineLines() []string {
	return []string{eventstest.Line(events.VoterCredentialIssued, "2021-11-15T11:00:00+08:00",
		eventstest.CredentialData("real-voter-code", "recipient"), eventstest.WithActor("t"))}
}

func TestAdversaryForgedBallotWithARecorderToken(t *testing.T) {
	sat, unsat := scenarioCandidates[:10], scenarioCandidates[10:20]
	// The recorder saw the voter's credential_key in the log, and signs
	// with a key of their own.
	forged := strings.Replace(eventstest.BallotData("mallory", sat, unsat),
		events.CredentialKey("mallory"), events.CredentialKey("real-voter-code"), 1)
	for _, backend := range []string{"sqlite", "esdb"} {
		t.Run(backend, func(t *testing.T) {
			dir, url := onlineLedger(t, backend)
			s := serveStore(t, url)
			code, body := s.post("/v1/events", advRecorder, eventstest.Line(events.BallotCast, "2021-11-20T09:00:00+08:00", forged, eventstest.WithActor("voter:qinglian")))
			require.Equal(t, 400, code, body)
			require.Contains(t, body, `"field":"data.signature"`)
			// The voter's own ballot still goes in.
			code, body = s.post("/v1/ballots", "", fmt.Sprintf(`{"code":"  REAL-voter-code ","satisfied":%s,"unsatisfied":%s}`, jsonList(sat), jsonList(unsat)))
			require.Equal(t, 201, code, body)
			s.stop()
			// Written around the ledger, with a correct hash: verify names it.
			pos := appendRaw(t, url, events.BallotCast, time.Date(2021, 11, 21, 9, 0, 0, 0, events.CST), forged)
			code, _, errs := run(t, dir, "", "--store", url, "verify")
			require.Equal(t, 1, code)
			require.Contains(t, errs, fmt.Sprintf("FAILED at position %d: breaks a rule: data.signature: does not verify", pos))
		})
	}
}

// TestAdversaryBallotWithAnUnissuedCredential: a ballot signed properly,
// but with a key the office never issued (a voter the office made up),
// written around the ledger with a correct hash and leaf. Its signature
// holds; only the log's own credentials tell it apart, and verify, which
// replays the stateful rules in log order, names it.
func TestAdversaryBallotWithAnUnissuedCredential(t *testing.T) {
	sat, unsat := scenarioCandidates[:10], scenarioCandidates[10:20]
	for _, backend := range []string{"sqlite", "esdb"} {
		t.Run(backend, func(t *testing.T) {
			dir, url := onlineLedger(t, backend)
			code, _, errs := run(t, dir, "", "--store", url, "verify")
			require.Equal(t, 0, code, errs)
			pos := appendRaw(t, url, events.BallotCast, time.Date(2021, 11, 21, 9, 0, 0, 0, events.CST),
				eventstest.BallotData("a-voter-nobody-issued", sat, unsat))
			code, _, errs = run(t, dir, "", "--store", url, "verify")
			require.Equal(t, 1, code)
			require.Contains(t, errs, fmt.Sprintf("FAILED at position %d: breaks a rule: data.credential_key: unknown credential", pos))
		})
	}
}

// onlineLedger imports the scenario and one more voter's credential into
// a fresh store of the backend (a SQLite file, or a stream on the
// EventStoreDB fake, stopped with the test).
func onlineLedger(t *testing.T, backend string) (dir, url string) {
	t.Helper()
	dir = t.TempDir()
	url = "sqlite:" + filepath.Join(dir, "ledger.db")
	if backend == "esdb" {
		f, err := esdbfake.Start()
		require.NoError(t, err)
		t.Cleanup(f.Stop)
		url = f.URL() + "&stream=online"
	}
	code, _, errs := run(t, dir, strings.Join(append(mustLines(t, scenario), onlineLines()...), "\n"), "--store", url, "import", "--historical", "-")
	require.Equal(t, 0, code, errs)
	return dir, url
}

func mustLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := readSmall(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func jsonList(ids []string) string {
	return `["` + strings.Join(ids, `","`) + `"]`
}

// TestNoFalseAlarm: 1,000 random honest appends through the API, each
// followed by an audit that proves the new checkpoint consistent with the
// last one kept; every one is ok.
func TestNoFalseAlarm(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	dir := t.TempDir()
	url := importScenario(t, dir)
	s := serveStore(t, url)
	rng := rand.New(rand.NewPCG(12, 2021))
	sections := []string{"U01-S01", "U01-S02", "U01-S03", "U02-S01", "U02-S02"}
	ratings := []string{"satisfied", "basic", "unsatisfied"}
	size := scenarioEvents
	for i := 0; i < n; i++ {
		// One to three events a batch, at random dates of the window.
		k := 1 + rng.IntN(3)
		var lines []string
		for j := 0; j < k; j++ {
			day := time.Date(2020, 12, 1, 9, 0, 0, 0, events.CST).AddDate(0, 0, rng.IntN(360))
			round := "H1"
			if day.Month() >= 6 && day.Year() == 2021 {
				round = "H2"
			}
			lines = append(lines, eventstest.Line(events.ServiceVoteRecorded, day.Format(time.RFC3339),
				fmt.Sprintf(`{"section_id":%q,"round":%q,"respondent":"r-honest-%s","rating":%q}`,
					sections[rng.IntN(len(sections))], round, letters(i*4+j), ratings[rng.IntN(3)]), eventstest.WithActor("office:liao")))
		}
		code, body := s.post("/v1/events", advRecorder, "["+strings.Join(lines, ",")+"]")
		require.Equal(t, 201, code, body)
		size += k
		code, out, errs := s.audit(dir)
		require.Equal(t, 0, code, "audit %d: %s", i, errs)
		require.Contains(t, out, fmt.Sprintf("ok size %d root ", size))
	}
	code, _, errs := s.audit(dir, "--full")
	require.Equal(t, 0, code, errs)
}

// TestServeDemoSignsWithADemoKey: `serve --demo` with no office key makes a
// demo key pair beside its database, says where the verifier key is, and
// signs what it serves with it; an append is in the checkpoint that
// follows, which the .pub checks.
func TestServeDemoSignsWithADemoKey(t *testing.T) {
	dir := t.TempDir()
	url := importScenario(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "--store", url, "serve", "--demo", "--addr", addr)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LEDGER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LEDGER_AS_CHILD=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	prefix := filepath.Join(dir, "ledger")
	require.True(t, lines.Scan())
	require.Equal(t, fmt.Sprintf("ledger: checkpoints are signed with the demo key %s.key; inspectors check them with %s.pub", prefix, prefix), lines.Text())
	require.True(t, lines.Scan())
	require.Contains(t, lines.Text(), "serving on")
	fi, err := os.Stat(prefix + ".key")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the signer key is the office's secret")
	pub, err := os.ReadFile(prefix + ".pub")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(pub), "pingyang-ledger/demo+"), string(pub))
	verifier, err := note.NewVerifier(strings.TrimSpace(string(pub)))
	require.NoError(t, err)
	checkpoint := func() int64 {
		resp, err := http.Get("http://" + addr + "/v1/checkpoint")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, 200, resp.StatusCode, string(b))
		n, err := note.Open(b, note.VerifierList(verifier))
		require.NoError(t, err, "signed with the demo key")
		cp, err := transparency.Parse([]byte(n.Text))
		require.NoError(t, err)
		return cp.Size
	}
	require.Equal(t, int64(scenarioEvents), checkpoint())
	// The demo's own recorder token, from the tokens file beside the database.
	toks, err := os.ReadFile(filepath.Join(dir, "demo-tokens.txt"))
	require.NoError(t, err)
	var recorder string
	for _, l := range strings.Split(string(toks), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "recorder" {
			recorder = f[1]
		}
	}
	require.NotEmpty(t, recorder)
	ts := &trustServer{t: t, srv: &httptest.Server{URL: "http://" + addr}}
	code, body := ts.post("/v1/events", recorder, eventstest.Line(events.ServiceVoteRecorded, "2021-11-01T09:00:00+08:00",
		`{"section_id":"U01-S01","round":"H2","respondent":"r-demo-key","rating":"satisfied"}`, eventstest.WithActor("office:liao")))
	require.Equal(t, 201, code, body)
	require.Eventually(t, func() bool { return checkpoint() == scenarioEvents+1 }, 5*time.Second, 100*time.Millisecond)
}

// TestAdversaryTreeNodeRewritten: a node of the stored Merkle tree that is
// not on the path to the root (the scenario's 274 events make the root of
// the subtrees over 1-256, 257-272 and 273-274) is rewritten. The root
// does not change, so only a check of every node finds it; proofs served
// from it would not verify. (The blobs are edited through hex: SQLite's ||
// makes text of them.)
func TestAdversaryTreeNodeRewritten(t *testing.T) {
	for _, c := range []struct {
		name, stmt, at string
	}{
		{"a leaf", `UPDATE tree SET hashes = unhex(hex(zeroblob(32)) || substr(hex(hashes), 65)) WHERE level = 0 AND idx = 0`,
			"position 1: the store's Merkle tree does not match the events: its node at level 0, index 0 (over event 1)"},
		{"a node over events 5 to 8", `UPDATE tree SET hashes = unhex(substr(hex(hashes), 1, 64) || hex(zeroblob(32)) || substr(hex(hashes), 129)) WHERE level = 2 AND idx = 0`,
			"position 5: the store's Merkle tree does not match the events: its node at level 2, index 1 (over events 5 to 8)"},
		{"the last leaf", `UPDATE tree SET hashes = unhex(substr(hex(hashes), 1, 17 * 64) || hex(zeroblob(32))) WHERE level = 0 AND idx = 1`,
			"position 274: the store's Merkle tree does not match the events: its node at level 0, index 273 (over event 274)"},
		{"a node gone", `UPDATE tree SET hashes = unhex(substr(hex(hashes), 1, 128)) WHERE level = 3 AND idx = 0`,
			"position 17: the store's Merkle tree does not match the events: its node at level 3, index 2 (over events 17 to 24) is not the hash they give, or is missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			importScenario(t, dir)
			tamper(t, filepath.Join(dir, "ledger.db"), c.stmt)
			code, out, errs := run(t, dir, "", "verify")
			require.Equal(t, 1, code, out)
			require.Contains(t, errs, "ledger: verify: FAILED at "+c.at)
			require.Contains(t, errs, fmt.Sprintf("(all %d events are intact; the tree stored beside them is not)", scenarioEvents))
			if c.name != "a node over events 5 to 8" {
				return
			}
			// prove does not print a proof through the changed node, and
			// prints the others.
			code, out, errs = run(t, dir, "", "prove", "--position", "1", "--size", fmt.Sprint(scenarioEvents))
			require.Equal(t, 1, code, out)
			require.Equal(t, fmt.Sprintf("ledger: prove: the store's tree gives no proof that verifies for event 1 in a tree of size %d (run ledger verify)\n", scenarioEvents), errs)
			code, out, errs = run(t, dir, "", "prove", "--from", "4", "--to", fmt.Sprint(scenarioEvents))
			require.Equal(t, 1, code, out)
			require.Contains(t, errs, "the store's tree gives no consistency proof that verifies from size 4")
			code, _, errs = run(t, dir, "", "prove", "--position", "200", "--size", fmt.Sprint(scenarioEvents))
			require.Equal(t, 0, code, errs)
		})
	}
}

// A tokens file other users can read is served, with a warning naming it.
func TestServeWarnsOfAReadableTokensFile(t *testing.T) {
	dir := t.TempDir()
	url := importScenario(t, dir)
	tokens := filepath.Join(dir, "tokens.txt")
	require.NoError(t, os.WriteFile(tokens, []byte("viewer "+strings.Repeat("v", 24)+"\n"), 0o644))
	require.NoError(t, os.Chmod(tokens, 0o644)) // whatever the umask
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "--store", url, "serve", "--addr", addr, "--tokens", tokens)
	cmd.Env = append(os.Environ(), "LEDGER_AS_CHILD=1")
	errs, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(errs)
	require.True(t, lines.Scan())
	require.Equal(t, fmt.Sprintf("ledger: warning: %s can be read by other users (mode 0644): chmod 600 %s", tokens, tokens), lines.Text())
}
