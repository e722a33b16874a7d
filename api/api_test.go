package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

const (
	recorderTok  = "rec-0123456789abcdef"
	inspectorTok = "ins-0123456789abcdef"
	viewerTok    = "vie-0123456789abcdef"
)

type fixture struct {
	t      testing.TB
	url    string
	ledger *replay.Ledger
	store  *sqlite.Store
	path   string // the store's file
	logs   *bytes.Buffer
	codes  []string
	srv    *httptest.Server
	// clock is how far the server's clock (Config.Now) is past clockStart;
	// it moves only when a test moves it.
	clock atomic.Int64
}

var clockStart = time.Date(2021, 11, 20, 10, 0, 0, 0, events.CST)

func (f *fixture) now() time.Time          { return clockStart.Add(time.Duration(f.clock.Load())) }
func (f *fixture) advance(d time.Duration) { f.clock.Add(int64(d)) }

// newFixture serves a real SQLite ledger on a loopback port: one unit,
// 22 sections, a frozen list and voter credentials whose codes it keeps.
func newFixture(t testing.TB, withTokens bool) *fixture {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	l, err := replay.Open(ctx, st, replay.Options{})
	require.NoError(t, err)
	f := &fixture{t: t, ledger: l, store: st, path: path, logs: &bytes.Buffer{}}
	lines := []string{eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"县发改局"}`)}
	var ids []string
	for k := 0; k < 22; k++ {
		id := fmt.Sprintf("S%02d", k)
		ids = append(ids, `"`+id+`"`)
		lines = append(lines, eventstest.Line(events.SectionRegistered, "2020-12-01T09:00:00+08:00", fmt.Sprintf(`{"section_id":%q,"unit_id":"U1","name":"科室%d","enforcement":false}`, id, k)))
	}
	lines = append(lines, eventstest.Line(events.OnlineCandidatesFrozen, "2021-11-15T10:00:00+08:00", `{"section_ids":[`+strings.Join(ids, ",")+`]}`))
	for i := 0; i < 5; i++ {
		code := events.NewCode()
		f.codes = append(f.codes, code)
		lines = append(lines, eventstest.Line(events.VoterCredentialIssued, "2021-11-15T11:00:00+08:00", eventstest.CredentialData(code, "recipient")))
	}
	replaytest.AppendLines(t, l, lines...)
	cfg := api.Config{Ledger: l, Logger: slog.New(slog.NewJSONHandler(syncWriter{f.logs, &sync.Mutex{}}, nil)),
		BallotClock: func() time.Time { return time.Date(2021, 11, 20, 10, 0, 0, 0, events.CST) }, Now: f.now,
		Store: "sqlite:county.db"}
	if withTokens {
		toks, err := api.ParseTokens(strings.NewReader("recorder " + recorderTok + "\ninspector " + inspectorTok + "\n# comment\nviewer " + viewerTok + "\n"))
		require.NoError(t, err)
		cfg.Tokens = toks
	}
	s := api.New(cfg)
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	f.url = f.srv.URL
	return f
}

type syncWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (f *fixture) do(method, path, token, ctype string, body []byte) (int, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.url+path, bytes.NewReader(body))
	require.NoError(f.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, b
}

func (f *fixture) post(path, token, body string) (int, []byte) {
	return f.do("POST", path, token, "application/json", []byte(body))
}

func errCode(t testing.TB, b []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Code, Message, Field string
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(b, &e), string(b))
	require.NotEmpty(t, e.Error.Code)
	require.NotEmpty(t, e.Error.Message)
	return e.Error.Code
}

// deduction is the line of an event a recorder posts: S01 loses 1.5 points.
var deduction = eventstest.Line(events.DiscretionaryDeduction, "2021-05-01T10:00:00+08:00", `{"section_id":"S01","points":1.5,"reason":"迟报"}`, eventstest.WithActor("office:liao"))

func TestRolesOnEveryRoute(t *testing.T) {
	f := newFixture(t, true)
	routes := []struct {
		method, path string
		need         string // lowest role
		body         string
	}{
		{"GET", "/healthz", "", ""},
		{"GET", "/metrics", "", ""},
		{"GET", "/v1/openapi.yaml", "", ""},
		{"GET", "/v1/standings", "viewer", ""},
		{"GET", "/v1/events", "inspector", ""},
		{"GET", "/v1/sections/S01/explain", "inspector", ""},
		{"GET", "/v1/verify", "inspector", ""},
		{"GET", "/v1/diff", "inspector", ""},
		{"POST", "/v1/whatif", "inspector", deduction},
		{"POST", "/v1/events", "recorder", deduction},
	}
	rank := map[string]int{"": 0, "viewer": 1, "inspector": 2, "recorder": 3}
	toks := map[string]string{"": "", "viewer": viewerTok, "inspector": inspectorTok, "recorder": recorderTok}
	for _, r := range routes {
		for _, who := range []string{"", "viewer", "inspector", "recorder"} {
			t.Run(r.method+r.path+"/"+who, func(t *testing.T) {
				code, b := f.do(r.method, r.path, toks[who], "application/json", []byte(r.body))
				switch {
				case rank[who] >= rank[r.need]:
					require.Contains(t, []int{200, 201}, code, string(b))
				case who == "":
					require.Equal(t, 401, code)
					require.Equal(t, "unauthorized", errCode(t, b))
					require.Contains(t, string(b), `"field":""`, "the contract's shape: the key is always there")
				default:
					require.Equal(t, 403, code)
					require.Equal(t, "forbidden", errCode(t, b))
				}
			})
		}
	}
	code, b := f.do("GET", "/v1/standings", "wrong-token-0123456789", "", nil)
	require.Equal(t, 401, code, string(b))
	code, _ = f.do("GET", "/nope", "", "", nil)
	require.Equal(t, 404, code)
}

func TestNoTokensMeansViewerOnly(t *testing.T) {
	f := newFixture(t, false)
	code, _ := f.do("GET", "/v1/standings", "", "", nil)
	require.Equal(t, 200, code)
	code, b := f.post("/v1/events", recorderTok, deduction)
	require.Equal(t, 403, code, string(b))
	code, _ = f.do("GET", "/v1/events", "", "", nil)
	require.Equal(t, 403, code)
}

func TestPostEvents(t *testing.T) {
	f := newFixture(t, true)
	before := f.ledger.Len()
	// One event: 201 with its envelope; standings reflect it at once.
	code, b := f.post("/v1/events", recorderTok, deduction)
	require.Equal(t, 201, code, string(b))
	var env map[string]any
	require.NoError(t, json.Unmarshal(b, &env))
	require.Equal(t, float64(before+1), env["position"])
	require.Len(t, env["hash"], 64)
	code, b = f.do("GET", "/v1/standings", viewerTok, "", nil)
	require.Equal(t, 200, code)
	var st struct {
		Sections []struct {
			SectionID  string   `json:"section_id"`
			Inspection *float64 `json:"inspection"`
		} `json:"sections"`
	}
	require.NoError(t, json.Unmarshal(b, &st))
	require.Equal(t, "S01", st.Sections[1].SectionID)
	require.InDelta(t, 18.5, *st.Sections[1].Inspection, 1e-9) // 20 - 1.5

	// An idempotent repeat reports the stored envelope.
	withID := eventstest.Line(events.DiscretionaryDeduction, "2021-05-01T10:00:00+08:00", `{"section_id":"S01","points":1.5,"reason":"迟报"}`,
		eventstest.WithID("1b4e28ba-2fa1-11d2-883f-0016d3cca427"), eventstest.WithActor("office:liao"))
	code, b = f.post("/v1/events", recorderTok, withID)
	require.Equal(t, 201, code, string(b))
	code, b2 := f.post("/v1/events", recorderTok, withID)
	require.Equal(t, 201, code)
	require.JSONEq(t, string(b), string(b2))
	// Same id, other content: 409.
	other := strings.Replace(withID, `"points":1.5`, `"points":2`, 1)
	code, b = f.post("/v1/events", recorderTok, other)
	require.Equal(t, 409, code, string(b))
	require.Equal(t, "conflict", errCode(t, b))

	n := f.ledger.Len()
	bad := []struct {
		name, ctype, body string
		status            int
	}{
		{"array with a bad event", "application/json", "[" + deduction + `,{"type":"Nope"}]`, 400},
		{"malformed JSON", "application/json", `{"type":`, 400},
		{"wrong content type", "text/plain", deduction, 400},
		{"form content type", "application/x-www-form-urlencoded", deduction, 400},
		{"empty array", "application/json", `[]`, 400},
		{"not JSON", "application/json", `hello`, 400},
		{"unknown section", "application/json", strings.Replace(deduction, "S01", "S99", 1), 400},
		{"two MiB", "application/json", `{"type":"` + strings.Repeat("x", 2<<20) + `"}`, 413},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			code, b := f.do("POST", "/v1/events", recorderTok, c.ctype, []byte(c.body))
			require.Equal(t, c.status, code, string(b))
			errCode(t, b)
		})
	}
	var many []string
	for i := 0; i < api.MaxBatch+1; i++ {
		many = append(many, deduction)
	}
	code, _ = f.post("/v1/events", recorderTok, "["+strings.Join(many, ",")+"]")
	require.Contains(t, []int{400, 413}, code)
	require.Equal(t, n, f.ledger.Len(), "nothing appended on any error")

	// An array: all stored, envelopes in order.
	code, b = f.post("/v1/events", recorderTok, "["+deduction+","+deduction+"]")
	require.Equal(t, 201, code, string(b))
	var envs []map[string]any
	require.NoError(t, json.Unmarshal(b, &envs))
	require.Len(t, envs, 2)
	require.Equal(t, envs[0]["hash"], envs[1]["prev_hash"])
}

func TestGetEventsAndVerify(t *testing.T) {
	f := newFixture(t, true)
	code, b := f.do("GET", "/v1/events?after=3&limit=2", inspectorTok, "", nil)
	require.Equal(t, 200, code)
	var envs []map[string]any
	require.NoError(t, json.Unmarshal(b, &envs))
	require.Len(t, envs, 2)
	require.Equal(t, float64(4), envs[0]["position"])
	for _, q := range []string{"after=-1", "limit=0", "limit=10001", "after=x"} {
		code, b = f.do("GET", "/v1/events?"+q, inspectorTok, "", nil)
		require.Equal(t, 400, code, q)
		errCode(t, b)
	}
	code, b = f.do("GET", "/v1/verify", inspectorTok, "", nil)
	require.Equal(t, 200, code)
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v))
	require.Equal(t, true, v["ok"])
	require.Equal(t, float64(f.ledger.Len()), v["events"])
	require.Equal(t, f.ledger.Head().Hash.String(), v["head"])
}

func TestStandingsAndExplainQueries(t *testing.T) {
	f := newFixture(t, true)
	code, b := f.do("GET", "/v1/standings?as_of=2022-01-01", viewerTok, "", nil)
	require.Equal(t, 400, code)
	require.Equal(t, "invalid", errCode(t, b))
	require.Contains(t, string(b), "2020-12-01")
	code, _ = f.do("GET", "/v1/standings?as_of=yesterday", viewerTok, "", nil)
	require.Equal(t, 400, code)
	code, b = f.do("GET", "/v1/standings?as_of=2021-06-30&known_at=2020-01-01T00:00:00Z", viewerTok, "", nil)
	require.Equal(t, 200, code)
	require.Contains(t, string(b), `"events":0`)
	code, b = f.do("GET", "/v1/sections/S99/explain", inspectorTok, "", nil)
	require.Equal(t, 404, code)
	require.Equal(t, "not_found", errCode(t, b))
	code, b = f.do("GET", "/v1/sections/S03/explain?as_of=2021-11-30", inspectorTok, "", nil)
	require.Equal(t, 200, code)
	require.Contains(t, string(b), `"entries"`)
}

func ballot(code string, sat, unsat []string) string {
	b, _ := json.Marshal(map[string]any{"code": code, "satisfied": sat, "unsatisfied": unsat})
	return string(b)
}

var sat10 = []string{"S00", "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09"}
var unsat10 = []string{"S12", "S13", "S14", "S15", "S16", "S17", "S18", "S19", "S20", "S21"}

func TestBallots(t *testing.T) {
	f := newFixture(t, true)
	code := f.codes[0]
	// Eight voters race with one code: exactly one 201, the rest 409.
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _ := f.post("/v1/ballots", "", ballot(code, sat10, unsat10))
			statuses <- s
		}()
	}
	wg.Wait()
	close(statuses)
	var got []int
	for s := range statuses {
		got = append(got, s)
	}
	sort.Ints(got)
	require.Equal(t, []int{201, 409, 409, 409, 409, 409, 409, 409}, got)
	// The ballot occurred at the drill clock.
	var last []map[string]any
	_, b := f.do("GET", fmt.Sprintf("/v1/events?after=%d", f.ledger.Len()-1), inspectorTok, "", nil)
	require.NoError(t, json.Unmarshal(b, &last))
	require.Equal(t, "2021-11-20T10:00:00+08:00", last[0]["occurred_at"])

	// Errors name the body's own fields, in the code's words.
	bodyErr := func(b []byte) (field, message string) {
		var e struct {
			Error struct{ Code, Message, Field string }
		}
		require.NoError(t, json.Unmarshal(b, &e), string(b))
		return e.Error.Field, e.Error.Message
	}
	s, b := f.post("/v1/ballots", "", ballot(code, sat10, unsat10))
	require.Equal(t, 409, s, string(b))
	field, msg := bodyErr(b)
	require.Equal(t, "code", field)
	require.Equal(t, "code: this code has already been used to vote", msg)
	s, b = f.post("/v1/ballots", "", ballot("not-a-code", sat10, unsat10))
	require.Equal(t, 400, s, string(b))
	field, msg = bodyErr(b)
	require.Equal(t, "code", field)
	require.Equal(t, "code: unknown code", msg)
	s, b = f.post("/v1/ballots", "", ballot(f.codes[1], sat10[:9], unsat10))
	require.Equal(t, 400, s)
	require.Equal(t, "invalid", errCode(t, b))
	field, _ = bodyErr(b)
	require.Equal(t, "satisfied", field)
	s, b = f.post("/v1/ballots", "", ballot(f.codes[1], sat10, append(unsat10[:9:9], "S00")))
	require.Equal(t, 400, s)
	field, msg = bodyErr(b)
	require.Equal(t, "unsatisfied[9]", field, msg)
	require.True(t, strings.HasPrefix(msg, "unsatisfied[9]: "), msg)
	s, _ = f.post("/v1/ballots", "", `{"code":`)
	require.Equal(t, 400, s)
	// No response or log line carries a code.
	require.NotContains(t, f.logs.String(), code)
	require.NotContains(t, string(b), f.codes[1])
}

// TestBallotRateLimit: at most 20 attempts in any minute per TCP peer, on
// the server's clock, so the test does not depend on how fast the machine
// is.
func TestBallotRateLimit(t *testing.T) {
	f := newFixture(t, true)
	n := 0
	attempt := func(header ...string) (int, []byte) {
		t.Helper()
		n++
		req, err := http.NewRequest("POST", f.url+"/v1/ballots", strings.NewReader(ballot(fmt.Sprint("guess-", n), sat10, unsat10)))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, b
	}
	passes := func(k int) {
		t.Helper()
		for i := 0; i < k; i++ {
			s, b := attempt()
			require.Equal(t, 400, s, "attempt %d: a wrong code, past the limit: %s", i+1, b)
		}
	}
	refused := func(header ...string) {
		t.Helper()
		s, b := attempt(header...)
		require.Equal(t, 429, s, string(b))
		require.Equal(t, "rate_limited", errCode(t, b))
	}
	passes(api.BallotAttempts)
	for i := 0; i < 5; i++ {
		refused()
	}
	// Headers a client sets do not make it another client.
	refused("X-Forwarded-For", "203.0.113.9")
	refused("X-Real-IP", "203.0.113.10")
	// Another TCP peer has a bucket of its own.
	h := f.srv.Config.Handler
	other := httptest.NewRequest("POST", "http://ledger/v1/ballots", strings.NewReader(ballot("guess-other", sat10, unsat10)))
	other.Header.Set("Content-Type", "application/json")
	other.RemoteAddr = "192.0.2.7:4444"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, other)
	require.Equal(t, 400, w.Code, w.Body.String())
	// Not one more until the first 20 are a minute old: 20 a minute, not
	// 20 at once and then one every 3 s.
	f.advance(3 * time.Second)
	refused()
	f.advance(time.Minute - 3*time.Second - time.Millisecond)
	refused()
	f.advance(time.Millisecond)
	passes(api.BallotAttempts)
	refused()
	// Other routes are not limited.
	s, _ := f.do("GET", "/healthz", "", "", nil)
	require.Equal(t, 200, s)
	_, m := f.do("GET", "/metrics", "", "", nil)
	require.Contains(t, string(m), `ledger_http_requests_total{code="429",method="POST",route="/v1/ballots"} 10`) // 5 + 2 + 1 + 1 + 1
}

func TestMetricsAndLogsLeakNothing(t *testing.T) {
	f := newFixture(t, true)
	f.post("/v1/ballots", "", ballot(f.codes[2], sat10, unsat10))
	vote := eventstest.Line(events.ServiceVoteRecorded, "2021-06-01T10:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-hidden-person","rating":"basic"}`, eventstest.WithActor("a"))
	f.post("/v1/events", recorderTok, vote)
	f.post("/v1/events", recorderTok, vote)
	_, viewerStandings := f.do("GET", "/v1/standings", viewerTok, "", nil)
	_, m := f.do("GET", "/metrics", "", "", nil)
	require.Contains(t, string(m), `ledger_http_requests_total{code="201",method="POST",route="/v1/ballots"} 1`)
	require.Contains(t, string(m), "ledger_events_appended_total")
	require.Contains(t, string(m), "ledger_replay_duration_seconds")
	require.Contains(t, string(m), "go_goroutines")
	require.Contains(t, string(m), "process_cpu_seconds_total")
	for _, secret := range append([]string{recorderTok, inspectorTok, viewerTok, "r-hidden-person"}, f.codes...) {
		require.NotContains(t, string(m), secret)
		require.NotContains(t, f.logs.String(), secret)
		require.NotContains(t, string(viewerStandings), secret)
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	// paths: two-space-indented "/path:" lines, methods four-space-indented.
	var documented []string
	path := ""
	inPaths := false
	for _, line := range strings.Split(string(doc), "\n") {
		if line == "paths:" {
			inPaths = true
			continue
		}
		if !inPaths {
			continue
		}
		if m := regexp.MustCompile(`^  (/\S*):$`).FindStringSubmatch(line); m != nil {
			path = regexp.MustCompile(`\{(\w+)\}`).ReplaceAllString(m[1], ":$1")
		}
		if m := regexp.MustCompile(`^    (get|head|post|put|delete|patch):$`).FindStringSubmatch(line); m != nil {
			documented = append(documented, strings.ToUpper(m[1])+" "+path)
		}
	}
	l, _ := replaytest.OpenSQLite(t, replay.Options{})
	routes := api.New(api.Config{Ledger: l}).Routes()
	sort.Strings(routes)
	sort.Strings(documented)
	require.Equal(t, routes, documented)
	f := newFixture(t, false)
	s, b := f.do("GET", "/v1/openapi.yaml", "", "", nil)
	require.Equal(t, 200, s)
	require.Equal(t, string(doc), string(b))
}

// TestOpenAPIDescribesEveryQueryParameter: each GET route's query
// parameters in openapi.yaml are the ones the route takes, as it names them
// when it refuses one it does not ("want one of as_of, known_at, …"). The
// routes that refuse an unknown parameter are checked: the API's (/v1/).
func TestOpenAPIDescribesEveryQueryParameter(t *testing.T) {
	doc, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	lines := strings.Split(string(doc), "\n")
	// components.parameters: key → name, for the query ones.
	refs := map[string]string{}
	key, inParams := "", false
	for _, line := range lines {
		switch {
		case line == "  parameters:":
			inParams = true
		case inParams && regexp.MustCompile(`^  \S`).MatchString(line), line == "paths:":
			inParams = false
		case inParams:
			if m := regexp.MustCompile(`^    (\w+):$`).FindStringSubmatch(line); m != nil {
				key = m[1]
			}
			if m := regexp.MustCompile(`^      name: (\w+)$`).FindStringSubmatch(line); m != nil {
				refs[key] = m[1]
			}
			if strings.HasPrefix(line, "      in: ") && line != "      in: query" {
				delete(refs, key)
			}
		}
	}
	require.Contains(t, refs, "format")
	documented := map[string][]string{} // "GET /path" → query parameters
	path, route, inPaths := "", "", false
	for _, line := range lines {
		if line == "paths:" {
			inPaths = true
			continue
		}
		if !inPaths {
			continue
		}
		if m := regexp.MustCompile(`^  (/\S*):$`).FindStringSubmatch(line); m != nil {
			path = m[1]
		}
		if m := regexp.MustCompile(`^    (get|post|put|delete|patch):$`).FindStringSubmatch(line); m != nil {
			route = strings.ToUpper(m[1]) + " " + path
			documented[route] = []string{}
		}
		if m := regexp.MustCompile(`^\s+- \{name: (\w+), in: query`).FindStringSubmatch(line); m != nil {
			documented[route] = append(documented[route], m[1])
		}
		if m := regexp.MustCompile(`^\s+- \$ref: '#/components/parameters/(\w+)'`).FindStringSubmatch(line); m != nil {
			if name, ok := refs[m[1]]; ok {
				documented[route] = append(documented[route], name)
			}
		}
	}
	f := newFixture(t, true)
	checked := 0
	for route, params := range documented {
		method, p, _ := strings.Cut(route, " ")
		if method != "GET" {
			continue
		}
		url := regexp.MustCompile(`\{\w+\}`).ReplaceAllString(p, "S01") + "?zz_not_a_parameter=1"
		code, b := f.do("GET", url, recorderTok, "", nil)
		var e struct {
			Error struct{ Message, Field string }
		}
		_ = json.Unmarshal(b, &e)
		if code != 400 || e.Error.Field != "zz_not_a_parameter" {
			continue // a route that does not refuse an unknown parameter cannot name its own
		}
		_, want, ok := strings.Cut(e.Error.Message, ": want ")
		require.True(t, ok, e.Error.Message)
		takes := []string{}
		if want != "none" {
			takes = strings.Split(strings.TrimPrefix(want, "one of "), ", ")
		}
		require.ElementsMatch(t, takes, params, "%s: the query parameters it takes, and openapi.yaml's", route)
		checked++
	}
	require.GreaterOrEqual(t, checked, 5, "events, standings, explain, verify, diff")
}

// TestSlowClientCannotHoldTheWriter: a client that sends its body slowly
// holds nothing; the writer lock is only taken once a whole body is read.
func TestSlowClientCannotHoldTheWriter(t *testing.T) {
	f := newFixture(t, true)
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		recorderTok, len(deduction)+10, deduction[:20])
	start := time.Now()
	code, b := f.post("/v1/events", recorderTok, deduction)
	require.Equal(t, 201, code, string(b))
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestBodyWithoutContentTypeIsJSON(t *testing.T) {
	f := newFixture(t, true)
	code, b := f.do("POST", "/v1/events", recorderTok, "", []byte(deduction))
	require.Equal(t, 201, code, string(b))
}

// TestUnknownQueryParameters: a parameter the route does not take is a 400
// naming it, never silently ignored.
func TestUnknownQueryParameters(t *testing.T) {
	f := newFixture(t, true)
	for path, field := range map[string]string{
		"/v1/standings?as-of=2021-06-30":           "as-of",
		"/v1/standings?as_of=2021-06-30&knownat=x": "knownat",
		"/v1/sections/S03/explain?asof=2021-06-30": "asof",
		"/v1/events?after=0&limt=5":                "limt",
		"/v1/verify?deep=1":                        "deep",
		"/v1/standings?format=xml":                 "format",
		"/v1/standings?lang=zh":                    "lang",
		"/v1/standings?format=xlsx&lang=fr":        "lang",
	} {
		code, b := f.do("GET", path, inspectorTok, "", nil)
		require.Equal(t, 400, code, path)
		var e struct {
			Error struct{ Code, Message, Field string }
		}
		require.NoError(t, json.Unmarshal(b, &e), path)
		require.Equal(t, "invalid", e.Error.Code, path)
		require.Equal(t, field, e.Error.Field, path)
		if field != "format" && field != "lang" {
			require.Contains(t, e.Error.Message, `unknown query parameter "`+field+`"`, path)
		}
	}
	// A value that does not decode, or a name given twice: refused, where
	// Go's parser would drop the one and echo take the first of the other.
	for path, c := range map[string]struct{ field, message string }{
		"/v1/standings?as_of=2021-06-3%":                     {"as_of", `query parameter "as_of": its value is not valid percent-encoding`},
		"/v1/standings?as_of=2021-06-30&known_at=2021-01%z":  {"known_at", `query parameter "known_at": its value is not valid percent-encoding`},
		"/v1/events?after=0&limit=1%":                        {"limit", "not valid percent-encoding"},
		"/v1/diff?from_as_of=2021-03-01%":                    {"from_as_of", "not valid percent-encoding"},
		"/v1/standings?as_of=2021-06-30&as_of=2021-07-30":    {"as_of", `query parameter "as_of" is given twice`},
		"/v1/standings?as%zz=1":                              {"query", "name is not valid percent-encoding"},
		"/v1/standings?as_of=2021-06-30;known_at=2021-07-01": {"as_of", "a ; does not separate parameters"},
	} {
		code, b := f.do("GET", path, inspectorTok, "", nil)
		require.Equal(t, 400, code, path)
		var e struct {
			Error struct{ Code, Message, Field string }
		}
		require.NoError(t, json.Unmarshal(b, &e), path)
		require.Equal(t, c.field, e.Error.Field, path)
		require.Contains(t, e.Error.Message, c.message, path)
	}
	code, b := f.do("GET", "/v1/standings?as_of=2021-06-30&known_at=2026-01-01T00%3A00%3A00Z", inspectorTok, "", nil)
	require.Equal(t, 200, code, "percent-encoding that decodes is fine: %s", b)
}

// TestXLSXDownloads: ?format=xlsx answers a workbook with its content type
// and file name; JSON stays the default, byte for byte.
func TestXLSXDownloads(t *testing.T) {
	f := newFixture(t, true)
	_, plain := f.do("GET", "/v1/standings?as_of=2021-11-30&known_at=2026-01-01T00:00:00Z", viewerTok, "", nil)
	_, asJSON := f.do("GET", "/v1/standings?as_of=2021-11-30&known_at=2026-01-01T00:00:00Z&format=json", viewerTok, "", nil)
	require.Equal(t, plain, asJSON)
	for _, c := range []struct{ path, name, sheet, a1 string }{
		{"/v1/standings?format=xlsx&as_of=2021-06-30", "ledger-standings-2021-06-30.xlsx", "总表", "排名"},
		{"/v1/standings?format=xlsx&lang=en", "ledger-standings-2021-11-30.xlsx", "Standings", "rank"},
		{"/v1/sections/S03/explain?format=xlsx", "ledger-explain-S03-2021-11-30.xlsx", "汇总", "评议项目"},
	} {
		req, err := http.NewRequest("GET", f.url+c.path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+inspectorTok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode, c.path)
		require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
		require.Equal(t, `attachment; filename="`+c.name+`"`, resp.Header.Get("Content-Disposition"))
		wb, err := excelize.OpenReader(bytes.NewReader(body))
		require.NoError(t, err, c.path)
		require.Equal(t, c.sheet, wb.GetSheetList()[0])
		v, err := wb.GetCellValue(c.sheet, "A1")
		require.NoError(t, err)
		require.Equal(t, c.a1, v)
		if c.sheet == "总表" {
			unit, _ := wb.GetCellValue(c.sheet, "D2")
			require.Equal(t, "县发改局", unit, "the unit's name beside its id")
		}
	}
}
