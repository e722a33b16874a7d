package api_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pingyang/ledger/api"
	"github.com/stretchr/testify/require"
)

// TestMetricsLabelsAreBounded: thousands of requests with made-up methods
// and paths leave the scrape small; every label is from a fixed set
// (issue #13, item 1: 20,000 odd methods made one scrape 372 MB).
func TestMetricsLabelsAreBounded(t *testing.T) {
	f := newFixture(t, true)
	rng := rand.New(rand.NewPCG(13, 1))
	word := func(n int, letters string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	client := &http.Client{}
	for i := 0; i < 3000; i++ {
		method := word(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-.^_`|~")
		path := "/" + word(12, "abcdefghijklmnopqrstuvwxyz0123456789-._~")
		switch i % 3 {
		case 1:
			path = "/v1/sections/" + word(10, "abcxyz") + "/explain"
		case 2:
			method = []string{"GET", "POST", "PUT", "OPTIONS"}[i%4]
		}
		req, err := http.NewRequest(method, f.url+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+inspectorTok)
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	_, m := f.do("GET", "/metrics", "", "", nil)
	require.Less(t, len(m), 64<<10, "the scrape grew with the requests")
	labels := regexp.MustCompile(`ledger_http_request[^{]*\{([^}]*)\}`)
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true}
	routes := map[string]bool{"unmatched": true}
	for _, r := range api.New(api.Config{Ledger: f.ledger}).Routes() {
		routes[strings.SplitN(r, " ", 2)[1]] = true
	}
	series := 0
	for _, l := range labels.FindAllStringSubmatch(string(m), -1) {
		series++
		for _, kv := range strings.Split(l[1], ",") {
			k, v, _ := strings.Cut(kv, "=")
			v = strings.Trim(v, `"`)
			switch k {
			case "method":
				require.True(t, methods[v], "method label %q", v)
			case "route":
				require.True(t, routes[v], "route label %q", v)
			case "code":
				require.Regexp(t, `^([1-5][0-9][0-9]|[1-5]xx|other)$`, v)
			}
		}
	}
	require.Positive(t, series)
	require.Contains(t, string(m), `method="other",route="unmatched"`)
	require.Contains(t, string(m), `route="/v1/sections/:id/explain"`)
}

// TestHeadHealthz answers HEAD like GET, without the body (issue #13, item 12).
func TestHeadHealthz(t *testing.T) {
	f := newFixture(t, true)
	req, err := http.NewRequest("HEAD", f.url+"/healthz", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Empty(t, body, "HEAD answers carry no body")
	_, m := f.do("GET", "/metrics", "", "", nil)
	require.Contains(t, string(m), `ledger_http_requests_total{code="200",method="HEAD",route="/healthz"} 1`)
}

// TestTokensFile: a token given twice refuses the file, naming the lines
// and never the token; the Bearer scheme is case-insensitive (issue #13,
// item 11).
func TestTokensFile(t *testing.T) {
	tok := "same-token-0123456789"
	for _, file := range []string{
		"recorder " + tok + "\nviewer other-token-0123456789\nviewer " + tok + "\n",
		"viewer " + tok + "\n# again\nviewer " + tok + "\n",
	} {
		_, err := api.ParseTokens(strings.NewReader(file))
		require.Error(t, err)
		require.Regexp(t, `^tokens: line [34]: the token of line 1 again`, err.Error())
		require.NotContains(t, err.Error(), tok)
	}
	// A short token is read, and reported by its line; a role in any case
	// is the role.
	tf, err := api.ReadTokens(strings.NewReader("Recorder rec-token\n\nINSPECTOR inspector-token-0123\nviewer v\n"))
	require.NoError(t, err)
	require.Len(t, tf.Roles, 3)
	require.Equal(t, api.Recorder, tf.Roles[sha256.Sum256([]byte("rec-token"))])
	require.Equal(t, api.Inspector, tf.Roles[sha256.Sum256([]byte("inspector-token-0123"))])
	require.Equal(t, []int{1, 4}, tf.Short)
	for file, want := range map[string]string{
		"boss some-token-0123456789\n": "tokens: line 1: role must be recorder, inspector or viewer",
		"viewer\n":                     "tokens: line 1: want ROLE TOKEN",
		"# nothing\n":                  "tokens: no tokens in the file",
	} {
		_, err := api.ReadTokens(strings.NewReader(file))
		require.EqualError(t, err, want, file)
	}
	f := newFixture(t, true)
	for _, auth := range []string{"Bearer " + viewerTok, "bearer " + viewerTok, "BEARER " + viewerTok, "bEaReR   " + viewerTok} {
		req, err := http.NewRequest("GET", f.url+"/v1/standings", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, fmt.Sprintf("Authorization: %.10s…", auth))
	}
	for _, auth := range []string{"Basic " + viewerTok, "Bearer", "Bearer ", viewerTok, "Bearer" + viewerTok} {
		req, err := http.NewRequest("GET", f.url+"/v1/standings", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 401, resp.StatusCode)
	}
}

// TestBallotBodyIsStrict: the ballot body is read as strictly as an
// event, and a code is read as voters type it (issue #13, item 9).
func TestBallotBodyIsStrict(t *testing.T) {
	f := newFixture(t, true)
	lists := func() string {
		b := ballot("x", sat10, unsat10)
		return b[strings.Index(b, `,"satisfied"`):]
	}()
	for _, body := range []string{
		`{"code":"` + f.codes[0] + `","code":"` + f.codes[1] + `"` + lists,
		`{"Code":"` + f.codes[0] + `"` + lists,
		`{"code":"` + f.codes[0] + `","CODE":"x"` + lists,
		ballot(f.codes[0], sat10, unsat10) + ` x`,
		ballot(f.codes[0], sat10, unsat10) + `{}`,
		`{"code":"` + f.codes[0] + `\ud800"` + lists,
		`{"code":"` + f.codes[0] + `","satisfied":[` + strings.Repeat(`[`, 20) + strings.Repeat(`]`, 20) + `]}`,
		`{"` + f.codes[0] + `":1` + lists,
	} {
		s, b := f.post("/v1/ballots", "", body)
		require.Equal(t, 400, s, "%s: %s", body, b)
		require.Equal(t, "invalid", errCode(t, b))
		for _, c := range f.codes {
			require.NotContains(t, string(b), c, "a code in an error")
		}
	}
	require.Equal(t, 0, countBallots(t, f), "nothing appended")
	// A code with surrounding spaces and capitals, as typed from an SMS.
	s, b := f.post("/v1/ballots", "", ballot(" \u3000"+strings.ToUpper(f.codes[0])+"\n", sat10, unsat10))
	require.Equal(t, 201, s, string(b))
	s, _ = f.post("/v1/ballots", "", ballot(f.codes[0], sat10, unsat10))
	require.Equal(t, 409, s, "the same code, however it was typed")
	require.NotContains(t, f.logs.String(), f.codes[0])
}

func countBallots(t *testing.T, f *fixture) int {
	_, b := f.do("GET", "/v1/events?limit=10000", inspectorTok, "", nil)
	return strings.Count(string(b), `"type":"BallotCast"`)
}

// TestErrorMessagesArePlain: an error message names what was wrong in
// words, without the package it came from, and never repeats a path or
// query value that is long or hides bidi controls (issue #13, item 12:
// "replay: explain: section <anything>: not found").
func TestErrorMessagesArePlain(t *testing.T) {
	f := newFixture(t, true)
	long := strings.Repeat("A", 5000)
	// An id escaped by a client's library is the same id.
	code, b := f.do("GET", "/v1/sections/S%30%31/explain", inspectorTok, "", nil)
	require.Equal(t, 200, code, string(b))
	require.Contains(t, string(b), `"section_id":"S01"`)
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"/v1/sections/S99/explain", 404, "section S99 is not registered"},
		{"/v1/sections/S01/explain?as_of=2020-12-01T00:00:00%2B08:00", 404, "section S01 is not registered as of 2020-12-01T00:00:00+08:00"},
		{"/v1/sections/" + long + "/explain", 404, "no such section"},
		{"/v1/sections/S01%E2%80%AEevil/explain", 404, "no such section"},
		{"/v1/sections/%E2%80%8BS01/explain", 404, "no such section"},
		{"/v1/standings?as_of=2021-06-01%E2%80%AE", 400, "as_of: not a date"},
		{"/v1/standings?known_at=" + long, 400, "not a date"},
		// A value is not repeated at all: it may be a voter's code.
		{"/v1/standings?as_of=voter-code-abc123", 400, "as_of: not a date (YYYY-MM-DD) or RFC 3339 time"},
	} {
		code, b := f.do("GET", c.path, inspectorTok, "", nil)
		require.Equal(t, c.status, code, "%.80s: %s", c.path, b)
		var e struct{ Error struct{ Message string } }
		require.NoError(t, json.Unmarshal(b, &e))
		msg := e.Error.Message
		require.Contains(t, msg, c.want, c.path)
		require.Less(t, len(msg), 200, "%.80s: %s", c.path, msg)
		require.NotContains(t, msg, long[:50])
		require.NotContains(t, msg, "voter-code")
		require.NotContains(t, msg, "\u202e")
		require.NotContains(t, msg, "\u200b")
		require.NotRegexp(t, `(^|: )(replay|projections|events|sqlite|esdb|api): `, msg)
	}
}

// TestNoAppendOnLostFiles: once the store's WAL is removed beneath the
// server, an append is answered 503 store_lost, not 201, and the server's
// log says why (issue #13, item 10).
func TestNoAppendOnLostFiles(t *testing.T) {
	f := newFixture(t, true)
	code, b := f.post("/v1/events", recorderTok, deduction)
	require.Equal(t, 201, code, string(b))
	require.NoError(t, os.Remove(f.path+"-wal"))
	before := f.ledger.Len()
	for i := 0; i < 2; i++ {
		code, b = f.post("/v1/events", recorderTok, deduction)
		require.Equal(t, 503, code, string(b))
		require.Equal(t, "store_lost", errCode(t, b))
		require.NotContains(t, string(b), f.path, "no path in an answer")
	}
	require.Equal(t, before, f.ledger.Len())
	require.Contains(t, f.logs.String(), `"level":"ERROR"`)
	require.Contains(t, f.logs.String(), "l.db-wal was removed or replaced")
	code, _ = f.do("GET", "/v1/standings", viewerTok, "", nil)
	require.Equal(t, 200, code, "the ledger still answers what it knows")
}
