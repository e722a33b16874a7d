package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fuzzServer serves one fixture in-process (no sockets) for a fuzz run.
func fuzzServer(f *testing.F) (http.Handler, *fixture) {
	fx := newFixture(f, true)
	return fx.srv.Config.Handler, fx
}

func serve(h http.Handler, method, target, token, ctype string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://ledger"+target, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", ctype)
	req.RemoteAddr = "127.0.0.1:1234"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// checkAnswer: every answer is a known status, and every error has the one
// error shape.
func checkAnswer(t *testing.T, w *httptest.ResponseRecorder) {
	switch w.Code {
	case 200, 201:
		return
	case 400, 401, 403, 404, 409, 413, 429:
		if !strings.HasPrefix(w.Body.String(), `{"error":{"code":`) {
			t.Fatalf("error without the error shape: %d %s", w.Code, w.Body.String())
		}
	default:
		t.Fatalf("unexpected status %d: %s", w.Code, w.Body.String())
	}
}

func FuzzPostEvents(f *testing.F) {
	h, _ := fuzzServer(f)
	f.Add([]byte(deduction), "application/json")
	f.Add([]byte("["+deduction+","+deduction+"]"), "application/json")
	f.Add([]byte(`{"type":"BallotCast"}`), "application/json; charset=utf-8")
	f.Add([]byte(`[`), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		checkAnswer(t, serve(h, "POST", "/v1/events", recorderTok, ctype, body))
	})
}

func FuzzBallot(f *testing.F) {
	h, fx := fuzzServer(f)
	f.Add([]byte(ballot(fx.codes[0], sat10, unsat10)))
	f.Add([]byte(`{"code":"x","satisfied":[],"unsatisfied":null}`))
	f.Add([]byte(`{"code":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w := serve(h, "POST", "/v1/ballots", "", "application/json", body)
		checkAnswer(t, w)
		for _, c := range fx.codes {
			if strings.Contains(w.Body.String(), c) {
				t.Fatal("a code was echoed")
			}
		}
	})
}

func FuzzQuery(f *testing.F) {
	h, _ := fuzzServer(f)
	f.Add("as_of=2021-06-30&known_at=2021-07-01T00:00:00Z", "S01", "after=3&limit=2")
	f.Add("as_of=2021-13-40", "../../etc", "after=-1")
	f.Add("known_at=9999-99-99", "%00", "limit=99999999999999999999")
	f.Fuzz(func(t *testing.T, q, section, page string) {
		// Any values, sent the way a client's URL encoder would send them.
		qv, err1 := url.ParseQuery(q)
		pv, err2 := url.ParseQuery(page)
		if err1 != nil || err2 != nil {
			return
		}
		checkAnswer(t, serve(h, "GET", "/v1/standings?"+qv.Encode(), viewerTok, "", nil))
		checkAnswer(t, serve(h, "GET", "/v1/sections/"+url.PathEscape(section)+"/explain?"+qv.Encode(), inspectorTok, "", nil))
		checkAnswer(t, serve(h, "GET", "/v1/events?"+pv.Encode(), inspectorTok, "", nil))
		checkAnswer(t, serve(h, "GET", "/v1/diff?"+qv.Encode(), inspectorTok, "", nil))
		// The desk's pages answer HTML, with a status of the same table.
		for _, p := range []string{"/?", "/sections/" + url.PathEscape(section) + "?", "/compare?", "/disputes?", "/announcement?", "/standings.csv?"} {
			w := serve(h, "GET", p+qv.Encode(), inspectorTok, "", nil)
			switch w.Code {
			case 200, 400, 404:
			default:
				t.Fatalf("%s: unexpected status %d: %.300s", p, w.Code, w.Body.String())
			}
		}
	})
}
