package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
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
	// With a tokens file every page needs its role, a viewer's too, as
	// GET /v1/standings does: no sign-in, no standings.
	for _, p := range []string{"/", "/standings.csv", "/standings.xlsx", "/announcement", "/announcement.xlsx", "/verification"} {
		code, body, _ := page(t, c, "GET", f.url+p, nil)
		require.Equal(t, 401, code, p)
		require.Contains(t, body, "请先登录", p)
		require.NotContains(t, body, "县发改局", p)
	}
	for _, p := range []string{"/sections/S01", "/disputes", "/compare", "/events/3"} {
		code, body, _ := page(t, c, "GET", f.url+p, nil)
		require.Equal(t, 401, code, p)
		require.Contains(t, body, "需以检查员身份登录", p)
	}
	// A viewer signs in: the standings, and still not the inspector's pages.
	code, body, _ := page(t, c, "POST", f.url+"/signin", url.Values{"token": {viewerTok}, "next": {"/disputes"}})
	require.Equal(t, 403, code)
	require.Contains(t, body, "需要检查员身份")
	code, body, _ = page(t, c, "GET", f.url+"/", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "评议总览")
	require.Contains(t, body, "县发改局", "unit names beside their ids")
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
	// The cookie is a signed session, not the token: no response carries
	// a token. One changed by hand is no session.
	require.NotContains(t, ck.Value, inspectorTok)
	forged := &http.Cookie{Name: ck.Name, Value: "9" + ck.Value}
	req0, _ := http.NewRequest("GET", f.url+"/disputes", nil)
	req0.AddCookie(forged)
	resp0, err := http.DefaultClient.Do(req0)
	require.NoError(t, err)
	resp0.Body.Close()
	require.Equal(t, 401, resp0.StatusCode, "a session with its expiry changed")
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
	resp, err = ins.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
	// A session lasts 12 hours.
	f.advance(12 * time.Hour)
	code, _, _ = page(t, ins, "GET", f.url+"/disputes", nil)
	require.Equal(t, 401, code, "an expired session")
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
	f := newFixture(t, false) // no tokens file: every visitor is a viewer
	code, body, resp := page(t, browser(t), "GET", f.url+"/standings.csv", nil)
	require.Equal(t, 200, code)
	require.True(t, strings.HasPrefix(body, "\ufeff名次,单位编号,单位,科室编号,科室,"), body[:40])
	require.Contains(t, resp.Header.Get("Content-Type"), "text/csv")
	require.Contains(t, body, "县发改局")
	_, body, _ = page(t, browser(t), "GET", f.url+"/standings.csv?lang=en", nil)
	require.True(t, strings.HasPrefix(body, "\ufeffrank,unit_id,unit,section_id,section,"))
}

// scenarioDesk serves the hand-made scenario (testdata/scenario.jsonl),
// whose year ends with the standing committee's decision: it drops
// U03-S02 from the proposed satisfied list and adds U02-S02.
func scenarioDesk(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	l, _ := replaytest.OpenSQLite(t, replay.Options{})
	in, err := os.Open("../testdata/scenario.jsonl")
	require.NoError(t, err)
	defer in.Close()
	seq, _ := events.ReadLines(in, events.DecodeOptions{Historical: true})
	_, err = l.Append(ctx, seq, replay.AppendOptions{Historical: true})
	require.NoError(t, err)
	toks, err := api.ParseTokens(strings.NewReader("inspector " + inspectorTok + "\n"))
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(api.Config{Ledger: l, Tokens: toks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDeskShowsTheCommitteesDecision(t *testing.T) {
	u := scenarioDesk(t)
	ins := browser(t)
	code, _, _ := page(t, ins, "POST", u+"/signin", url.Values{"token": {inspectorTok}})
	require.Equal(t, 200, code)

	_, body, _ := page(t, ins, "GET", u+"/", nil)
	require.Contains(t, body, "评议结果（建议）")
	require.Contains(t, body, "县委常委会确定")
	row := func(body, id string) string {
		i := strings.Index(body, `data-section="`+id+`"`)
		require.Positive(t, i, id)
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	// Proposed satisfied, dropped by the decision: flagged.
	r := row(body, "U03-S02")
	require.Contains(t, r, `<span class="tag satisfied">满意</span>`)
	require.Contains(t, r, `<td class="confirmed"> <span class="tag deviates"`)
	// Not proposed, added as satisfied: flagged.
	r = row(body, "U02-S02")
	require.Contains(t, r, `<td class="confirmed"><span class="tag satisfied">满意</span> <span class="tag deviates"`)
	// Proposed and decided alike: no flag.
	r = row(body, "U01-S01")
	require.Contains(t, r, `<td class="confirmed"><span class="tag satisfied">`)
	require.NotContains(t, r, "deviates")

	_, body, _ = page(t, ins, "GET", u+"/sections/U02-S02", nil)
	require.Contains(t, body, `id="decision"`)
	require.Contains(t, body, "调整")

	// The CSV marks a departure with *, as the command line's table does.
	_, body, _ = page(t, ins, "GET", u+"/standings.csv", nil)
	require.Contains(t, body, ",县委常委会确定\n")
	require.Contains(t, body, ",是,,满意 *\n", "U02-S02 added")
	require.Contains(t, body, ",是,满意,- *\n", "U03-S02 dropped")

	// Before the decision (as known on 2021-12-01) there is no column.
	_, body, _ = page(t, ins, "GET", u+"/?known_at=2021-12-01", nil)
	require.NotContains(t, body, "县委常委会确定")
}

func TestDeskExcelDownloads(t *testing.T) {
	u := scenarioDesk(t)
	ins := browser(t)
	code, _, _ := page(t, ins, "POST", u+"/signin", url.Values{"token": {inspectorTok}})
	require.Equal(t, 200, code)
	_, body, _ := page(t, ins, "GET", u+"/", nil)
	require.Contains(t, body, `href="/standings.xlsx"`)
	_, body, _ = page(t, ins, "GET", u+"/sections/U01-S01?as_of=2021-06-30", nil)
	require.Contains(t, body, `href="/sections/U01-S01/explain.xlsx?as_of=2021-06-30"`)
	_, body, _ = page(t, ins, "GET", u+"/announcement", nil)
	require.Contains(t, body, `href="/announcement.xlsx"`)
	for _, c := range []struct{ path, name, sheet, cell, want string }{
		{"/standings.xlsx", "ledger-standings-2021-11-30.xlsx", "总表", "D2", "县经信局"},
		{"/announcement.xlsx", "ledger-outcome-2021-11-30.xlsx", "公示", "A1", ""},
		{"/sections/U01-S01/explain.xlsx?as_of=2021-06-30", "ledger-explain-U01-S01-2021-06-30.xlsx", "汇总", "A1", "评议项目"},
		// Last: the page's language is remembered.
		{"/standings.xlsx?lang=en", "ledger-standings-2021-11-30.xlsx", "Standings", "A1", "rank"},
	} {
		code, body, resp := page(t, ins, "GET", u+c.path, nil)
		require.Equal(t, 200, code, c.path)
		require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"), c.path)
		require.Equal(t, `attachment; filename="`+c.name+`"`, resp.Header.Get("Content-Disposition"), c.path)
		wb, err := excelize.OpenReader(strings.NewReader(body))
		require.NoError(t, err, c.path)
		require.Equal(t, c.sheet, wb.GetSheetList()[0], c.path)
		if c.want != "" {
			v, err := wb.GetCellValue(c.sheet, c.cell)
			require.NoError(t, err)
			require.Equal(t, c.want, v, c.path)
		}
		if c.sheet == "公示" {
			require.Contains(t, wb.GetSheetList(), "常委会确定", "the decision in force has its sheet")
		}
	}
	// A viewer gets the standings and the announcement, not a section's trail.
	code, _, _ = page(t, browser(t), "GET", u+"/sections/U01-S01/explain.xlsx", nil)
	require.Equal(t, 401, code)
}

// A unit filter naming no unit, or a view that sees no event, says so
// rather than "no section matches".
func TestDeskStandingsSaysWhyItIsEmpty(t *testing.T) {
	f := newFixture(t, false)
	code, body, _ := page(t, browser(t), "GET", f.url+"/?unit=U99", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "没有单位 U99")
	code, body, _ = page(t, browser(t), "GET", f.url+"/?known_at=2020-01-01", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "此视图中没有事件")
}

// The verification page's recipe names the server's own store.
func TestDeskVerificationNamesTheStore(t *testing.T) {
	f := newFixture(t, false)
	code, body, _ := page(t, browser(t), "GET", f.url+"/verification", nil)
	require.Equal(t, 200, code)
	require.Contains(t, body, "ledger --store sqlite:county.db verify\nok N events, head HASH, root BASE64")
}
