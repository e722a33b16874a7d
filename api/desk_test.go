package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// page fetches a desk page with a client (and its cookies).
func page(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp
}

func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar}
}

func TestDeskRolesAndSignIn(t *testing.T) {
	f := newFixture(t, true)
	vote := eventstest.Line(events.ServiceVoteRecorded, "2021-06-01T10:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-hidden-person","rating":"basic"}`)
	code, b := f.post("/v1/events", recorderTok, "["+deduction+","+vote+"]")
	require.Equal(t, 201, code, string(b))
	c := browser(t)
	code, body, _ := page(t, c, "GET", f.url+"/", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "评议总览")
	require.Contains(t, body, "县发改局", "unit names beside their ids")
	for _, p := range []string{"/sections/S01", "/disputes", "/compare", "/events/3"} {
		code, body, _ = page(t, c, "GET", f.url+p, nil)
		require.Equal(t, 401, code, p)
		require.Contains(t, body, "需以检查员身份登录", p)
	}
	// A viewer signs in and is still refused the inspector's pages.
	code, body, _ = page(t, c, "POST", f.url+"/signin", url.Values{"token": {viewerTok}, "next": {"/disputes"}})
	require.Equal(t, 403, code)
	require.Contains(t, body, "需要检查员身份")
	// A bad token: refused, never echoed.
	code, body, _ = page(t, browser(t), "POST", f.url+"/signin", url.Values{"token": {"not-a-real-token-123456"}})
	require.Equal(t, 401, code)
	require.NotContains(t, body, "not-a-real-token-123456")

	// An inspector: the cookie is HttpOnly and SameSite=Strict.
	ins := browser(t)
	ins.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	code, _, resp := page(t, ins, "POST", f.url+"/signin", url.Values{"token": {inspectorTok}, "next": {"/sections/S01"}})
	require.Equal(t, 303, code)
	require.Equal(t, "/sections/S01", resp.Header.Get("Location"))
	ck := resp.Cookies()[0]
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
	for _, p := range []string{"/sections/S01", "/sections/S01?votes=all", "/disputes", "/compare?from_as_of=2021-05-01", "/events/24", "/verification?run=1", "/announcement", "/", "/?lang=en"} {
		code, body, _ = page(t, ins, "GET", f.url+p, nil)
		require.Equal(t, 200, code, p)
		for _, secret := range append([]string{recorderTok, inspectorTok, viewerTok, "r-hidden-person"}, f.codes...) {
			require.NotContains(t, body, secret, p)
		}
	}
	code, body, _ = page(t, ins, "GET", f.url+"/events/"+strconv.FormatInt(f.ledger.Len(), 10)+"?lang=zh", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "已隐去", "the respondent is hidden")
	code, body, _ = page(t, ins, "GET", f.url+"/sections/S01?component=nope", nil)
	require.Equal(t, 400, code)
	require.Contains(t, body, "component")
	code, body, _ = page(t, ins, "GET", f.url+"/?as_of=2022-01-01", nil)
	require.Equal(t, 400, code)
	require.Contains(t, body, "as_of: outside the evaluation window")
	code, _, _ = page(t, ins, "GET", f.url+"/sections/S99", nil)
	require.Equal(t, 404, code)
	// A form from another site is refused.
	req, _ := http.NewRequest("POST", f.url+"/signout", nil)
	req.Header.Set("Origin", "http://evil.example")
	resp, err := ins.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
	// Sign-out clears the cookie.
	code, _, resp = page(t, ins, "POST", f.url+"/signout", url.Values{})
	require.Equal(t, 303, code)
	require.Equal(t, -1, resp.Cookies()[0].MaxAge)
	code, _, _ = page(t, ins, "GET", f.url+"/disputes", nil)
	require.Equal(t, 401, code)
	require.NotContains(t, f.logs.String(), inspectorTok)
}

func TestDeskWithoutTokensEveryoneIsAViewer(t *testing.T) {
	f := newFixture(t, false)
	c := browser(t)
	code, body, _ := page(t, c, "GET", f.url+"/signin", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "所有访问者均为查看者")
	code, _, _ = page(t, c, "GET", f.url+"/sections/S01", nil)
	require.Equal(t, 403, code)
	code, _, _ = page(t, c, "GET", f.url+"/announcement", nil)
	require.Equal(t, 200, code)
}

func TestDeskStandingsCSVHasABOM(t *testing.T) {
	f := newFixture(t, true)
	code, body, resp := page(t, browser(t), "GET", f.url+"/standings.csv", nil)
	require.Equal(t, 200, code)
	require.True(t, strings.HasPrefix(body, "\ufeff名次,单位编号,单位,科室编号,科室,"), body[:40])
	require.Contains(t, resp.Header.Get("Content-Type"), "text/csv")
	require.Contains(t, body, "县发改局")
	_, body, _ = page(t, browser(t), "GET", f.url+"/standings.csv?lang=en", nil)
	require.True(t, strings.HasPrefix(body, "\ufeffrank,unit_id,unit,section_id,section,"))
}
