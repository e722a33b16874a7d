package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/when"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
)

// The desk: the ledger's pages for the county office, the inspectors and
// the dispute panels, at /. Server-rendered html/template, embedded with the
// binary, plain CSS and a few lines of JavaScript: nothing is fetched from
// outside, so it works on an intranet. Roles are the API's; a person signs
// in with a token kept in an HttpOnly, SameSite=Strict cookie.

//go:embed desk
var deskFiles embed.FS

const (
	tokenCookie = "ledger_token"
	langCookie  = "ledger_lang"
)

// inCST shows an RFC 3339 time in +08:00 with layout; with bound, the
// end of a day (23:59:59, a view's bound) as the date alone. What is not a
// time is shown as it is.
func inCST(v, layout string, bound bool) string {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return v
	}
	t = t.In(events.CST)
	if bound && t.Hour() == 23 && t.Minute() == 59 && t.Second() == 59 {
		return t.Format("2006-01-02")
	}
	return t.Format(layout)
}

// deskPages are the templates, each parsed with the layout.
var deskPages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"f2":  f2s,
		"num": numS,
		"inc": func(i int) int { return i + 1 },
		// when shows a view's bound as people read it: a date in +08:00,
		// with the time when it is not the end of the day.
		// A dispute's diff is one nanosecond wide: show it.
		"when": func(v string) string { return inCST(v, "2006-01-02 15:04:05.999999999", true) },
		// picker is a known_at as a browser's date-time picker holds it
		// (local time, no offset), or "" when it cannot hold it (a
		// nanosecond bound from a dispute's link): then the page shows a
		// text field instead.
		"picker": func(v string) string {
			if localTime.MatchString(v) {
				return v
			}
			if y, m, d, ok := dateOnly(v); ok {
				return fmt.Sprintf("%04d-%02d-%02dT23:59:59", y, m, d)
			}
			return ""
		},
		// minute shows a view's bound to the minute, for a page's header.
		"minute": func(v string) string { return inCST(v, "2006-01-02 15:04", true) },
		// ts shows an event's time to the minute, in +08:00.
		"ts":  func(v string) string { return inCST(v, "2006-01-02 15:04", false) },
		"day": func(v string) string { return inCST(v, "2006-01-02", false) },
		"deref": func(v *float64) float64 {
			if v == nil {
				return 0
			}
			return *v
		},
		"adj": func(v any) string {
			switch x := v.(type) {
			case *int:
				if x == nil {
					return "—"
				}
				return fmt.Sprintf("%+d", *x)
			case int:
				return fmt.Sprintf("%+d", x)
			}
			return ""
		},
		"diffArgs": func(p *page, rows []diffRow, d *projections.Diff, real int64) map[string]any {
			return map[string]any{"P": p, "Rows": rows, "Diff": d, "Real": real}
		},
		"annArgs": func(p *page, title string, rows []standingsRow, class string) map[string]any {
			return map[string]any{"P": p, "Title": title, "Rows": rows, "Class": class}
		},
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(deskFiles, "desk/layout.html"))
	out := map[string]*template.Template{}
	names, _ := fs.Glob(deskFiles, "desk/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "desk/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(deskFiles, n))
	}
	return out
}()

// page is what every template gets.
type page struct {
	Lang     lang
	Title    string
	Nav      string
	Role     Role
	Tokens   bool   // a tokens file is configured: signing in is possible
	Here     string // this page's path and query, for the language switch and sign-in
	Switch   string // the same page in the other language
	Data     any
	Code     int // the HTTP status
	Messages []string
}

// T is a text in the page's language; with args it is a format.
func (p *page) T(key string, args ...any) string {
	w, ok := texts[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(w.in(p.Lang), args...)
	}
	return w.in(p.Lang)
}

func (p *page) En() bool { return p.Lang == en }

// RoleName is the signed-in role in the page's language.
func (p *page) RoleName() string {
	switch p.Role {
	case Viewer:
		return p.T("role.viewer")
	case Inspector:
		return p.T("role.inspector")
	case Recorder:
		return p.T("role.recorder")
	}
	return p.T("role.none")
}

func (p *page) Inspector() bool { return p.Role >= Inspector }

// Comp is a component's name.
func (p *page) Comp(c string) string { return p.T("comp." + c) }

// Status is an entry's status in words.
func (p *page) Status(s string) string { return p.T("status." + s) }

// TypeName is an event type in words (with the type itself in English).
func (p *page) TypeName(t string) string {
	if p.Lang == en {
		return t
	}
	if n, ok := typeNames[t]; ok {
		return n
	}
	return t
}

// Rule is a clause's rule in one sentence.
func (p *page) Rule(clause string) string { return clauseRules[clause].in(p.Lang) }

// Note is an explain note in the page's language.
func (p *page) Note(n string) string { return note(p.Lang, n) }

// Outcome names an R-OUT list.
func (p *page) Outcome(o *string, top3 bool) string {
	if o == nil {
		return ""
	}
	s := p.T("out." + *o)
	if top3 {
		s += "（" + p.T("out.top3") + "）"
		if p.Lang == en {
			s = strings.ReplaceAll(strings.ReplaceAll(s, "（", " ("), "）", ")")
		}
	}
	return s
}

// Move shows a figure before and after, or once when it did not change.
func (p *page) Move(a, b string) string {
	if a == b {
		return b
	}
	if a == "" {
		a = "—"
	}
	if b == "" {
		b = "—"
	}
	return a + " → " + b
}

// Fig is a figure of one side of a diff, "" for a side without the section.
func (p *page) Fig(f *projections.Figures, what string) string {
	if f == nil {
		return ""
	}
	switch what {
	case "total":
		return f2s(f.Total)
	case "rank":
		return p.Rank(f.Rank)
	case "outcome":
		return p.Outcome(f.Outcome, f.Top3)
	}
	return ""
}

// Rank shows a rank or a dash.
func (p *page) Rank(r *int) string {
	if r == nil {
		return "—"
	}
	return strconv.Itoa(*r)
}

// Arith is a group's arithmetic in the page's language.
func (p *page) Arith(g projections.Group) []string {
	if p.Lang == en {
		return g.Arithmetic
	}
	return arithmeticZH(g)
}

// Field names a field of a diff's figures.
func (p *page) Field(f string) string {
	if p.Lang == en {
		return f
	}
	switch f {
	case "service", "hotline", "qr", "supervisor", "inspection", "online", "bonus":
		return p.Comp(f)
	}
	return map[string]string{"service_h1": "上半年服务对象", "service_h2": "下半年服务对象", "votes_h1": "上半年票数",
		"votes_h2": "下半年票数", "daily_total": "日常小计", "online_ballots": "选票数", "total": "总分", "candidate": "候选",
		"rank": "名次", "outcome": "评议结果", "top3": "前三名", "exempt": "免评", "registered": "登记",
		"confirmed": "县委常委会确定"}[f]
}

// Change names how an event differs between two views.
func (p *page) Change(c string) string { return p.T("cmp." + c) }

// Max is a component's maximum.
func (p *page) Max(c string) string { return componentMax[c] }

// Q keeps the view's query parameters in a link.
func (p *page) Q(v viewQuery, extra ...string) template.URL {
	q := url.Values{}
	if v.AsOf != "" {
		q.Set("as_of", v.AsOf)
	}
	if v.KnownAt != "" {
		q.Set("known_at", v.KnownAt)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	if len(q) == 0 {
		return ""
	}
	return template.URL("?" + q.Encode())
}

// viewQuery is a page's view as the person typed it.
type viewQuery struct {
	AsOf, KnownAt string
	View          projections.View
	Events        int64
}

// deskViewStandings reads the page's view (as_of, known_at) and answers
// its standings.
func (s *Server) deskViewStandings(c echo.Context) (viewQuery, *projections.Standings, error) {
	vq, err := s.deskView(c, "as_of", "known_at", s.ledger.Now())
	if err != nil {
		return vq, nil, err
	}
	st, err := s.ledger.Standings(c.Request().Context(), vq.View)
	return vq, st, err
}

// ---- routes ----

func (s *Server) deskRoutes(e *echo.Echo) {
	// Every page needs the role the API needs for what it shows: with a
	// tokens file, a viewer's pages too (GET /v1/standings is a viewer's).
	e.GET("/", s.deskStandings, s.deskRequire(Viewer))
	e.GET("/standings.csv", s.deskStandingsCSV, s.deskRequire(Viewer))
	e.GET("/standings.xlsx", s.deskStandingsXLSX, s.deskRequire(Viewer))
	e.GET("/announcement.xlsx", s.deskAnnouncementXLSX, s.deskRequire(Viewer))
	e.GET("/sections/:id/explain.xlsx", s.deskExplainXLSX, s.deskRequire(Inspector))
	e.GET("/sections/:id", s.deskSection, s.deskRequire(Inspector))
	e.GET("/events/:position", s.deskEvent, s.deskRequire(Inspector))
	e.GET("/disputes", s.deskDisputes, s.deskRequire(Inspector))
	e.POST("/whatif", s.deskWhatIf, s.deskRequire(Inspector), sameOrigin)
	e.GET("/compare", s.deskCompare, s.deskRequire(Inspector))
	e.GET("/announcement", s.deskAnnouncement, s.deskRequire(Viewer))
	e.GET("/verification", s.deskVerification, s.deskRequire(Viewer))
	e.GET("/signin", s.deskSignIn)
	e.POST("/signin", s.deskSignInPost, sameOrigin)
	e.POST("/signout", s.deskSignOut, sameOrigin)
	e.GET("/static/desk.css", s.deskStatic("desk/static/desk.css", "text/css; charset=utf-8"))
	e.GET("/static/desk.js", s.deskStatic("desk/static/desk.js", "text/javascript; charset=utf-8"))
}

func (s *Server) deskStatic(name, ctype string) echo.HandlerFunc {
	b, err := deskFiles.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: a missing file is a build error
	}
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		return c.Blob(http.StatusOK, ctype, b)
	}
}

// deskRole is the role of a desk request: its bearer token, else its
// cookie's; without a tokens file every visitor is a viewer.
func (s *Server) deskRole(c echo.Context) Role {
	if len(s.tokens) == 0 {
		return Viewer
	}
	if c.Request().Header.Get("Authorization") != "" {
		return s.roleOf(c.Request())
	}
	ck, err := c.Cookie(tokenCookie)
	if err != nil || ck.Value == "" {
		return None
	}
	return s.sessionRole(ck.Value)
}

// sessionTTL is how long a desk sign-in lasts.
const sessionTTL = 12 * time.Hour

// session is the cookie of a signed-in person: until when, whose token (its
// SHA-256, never the token itself: no response carries a token), and an
// HMAC of both under a key the server draws at start, so that it cannot be
// made or stretched by hand. A restart signs everyone out.
func (s *Server) session(tok string, now time.Time) string {
	sum := sha256.Sum256([]byte(tok))
	body := fmt.Sprintf("%d.%s", now.Add(sessionTTL).Unix(), hex.EncodeToString(sum[:]))
	return body + "." + hex.EncodeToString(s.sessionMAC(body))
}

func (s *Server) sessionMAC(body string) []byte {
	m := hmac.New(sha256.New, s.sessionKey[:])
	m.Write([]byte(body))
	return m.Sum(nil)
}

// sessionRole is the role of a session cookie, None when it is not one of
// this server's, has expired, or names a token no longer in the file.
func (s *Server) sessionRole(v string) Role {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return None
	}
	body := v[:i]
	mac, err := hex.DecodeString(v[i+1:])
	if err != nil || !hmac.Equal(mac, s.sessionMAC(body)) {
		return None
	}
	until, hash, ok := strings.Cut(body, ".")
	exp, err := strconv.ParseInt(until, 10, 64)
	if !ok || err != nil || !s.now().Before(time.Unix(exp, 0)) {
		return None
	}
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != sha256.Size {
		return None
	}
	if r, ok := s.tokens[[sha256.Size]byte(b)]; ok {
		return r
	}
	return None
}

// tokenRole compares a token's sha256 with every known one in constant time.
func (s *Server) tokenRole(tok string) Role {
	r := &http.Request{Header: http.Header{"Authorization": {"Bearer " + tok}}}
	return s.roleOf(r)
}

// deskRequire answers an HTML page instead of the API's JSON error: a
// sign-in form for no role, a refusal for too low a role.
func (s *Server) deskRequire(r Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			have := s.deskRole(c)
			if have >= r {
				return next(c)
			}
			p := s.newPage(c, "deny", "")
			p.Title = p.T("deny.title")
			switch {
			case have == None && r == Viewer:
				p.Code = http.StatusUnauthorized
				p.Title, p.Messages = p.T("deny.vtitle"), []string{p.T("deny.vsignin")}
			case have == None:
				p.Code = http.StatusUnauthorized
				p.Messages = []string{p.T("deny.signin")}
			default:
				p.Code = http.StatusForbidden
				p.Messages = []string{p.T("deny.role")}
			}
			return s.render(c, "deny", p)
		}
	}
}

// sameOrigin refuses a form posted from another site. The cookie is
// SameSite=Strict already; this also covers a browser that ignores it.
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		o := c.Request().Header.Get("Origin")
		if o != "" && o != "null" {
			u, err := url.Parse(o)
			if err != nil || u.Host != c.Request().Host {
				return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "a form posted from another site"}
			}
		}
		return next(c)
	}
}

// newPage reads the language (?lang= sets it, a cookie keeps it) and the role.
func (s *Server) newPage(c echo.Context, nav, title string) *page {
	l := zh
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value == string(en) {
		l = en
	}
	switch q := c.QueryParam("lang"); q {
	case string(en), string(zh):
		l = lang(q)
		c.SetCookie(&http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteStrictMode})
	}
	u := *c.Request().URL
	q := u.Query()
	q.Del("lang")
	u.RawQuery = q.Encode()
	here := u.RequestURI()
	other := zh
	if l == zh {
		other = en
	}
	q.Set("lang", string(other))
	u.RawQuery = q.Encode()
	p := &page{Lang: l, Nav: nav, Role: s.deskRole(c), Tokens: len(s.tokens) > 0, Here: here, Switch: u.RequestURI(), Code: http.StatusOK}
	p.Title = title
	if title != "" {
		p.Title = p.T(title)
	}
	return p
}

func (s *Server) render(c echo.Context, name string, p *page) error {
	var b bytes.Buffer
	if err := deskPages[name].ExecuteTemplate(&b, "layout.html", p); err != nil {
		return fmt.Errorf("desk: render %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(p.Code, b.Bytes())
}

// deskError shows a refused request as a page, naming the field.
func (s *Server) deskError(c echo.Context, p *page, err error) error {
	e := statusOf(err)
	p.Code = e.Status
	p.Title = p.T("err.title")
	if e.Status == http.StatusNotFound {
		p.Title = p.T("notfound")
	}
	msg := e.Message
	var be *events.BatchError
	if errors.As(err, &be) && be.Len() == 1 {
		// A page's one event (a what-if's decision) has no number a
		// person sent: "event 0:" says nothing.
		msg = be.Items[0].Err.Error()
	}
	p.Messages = []string{msg}
	if e.Status >= 500 {
		s.log.Error("desk page failed", "route", c.Path(), "err", err.Error())
	}
	return s.render(c, "deny", p)
}

var localTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$`)

// dateOnly reads YYYY-MM-DD.
func dateOnly(v string) (y, m, d int, ok bool) {
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return 0, 0, 0, false
	}
	return t.Year(), int(t.Month()), t.Day(), true
}

// parseDeskBound reads a date, RFC 3339, or a browser's datetime-local
// (which has no offset: it is read in +08:00, the county's time).
func parseDeskBound(v string) (time.Time, error) {
	if localTime.MatchString(v) {
		if len(v) == 16 {
			v += ":00"
		}
		v += "+08:00"
	}
	return when.Bound(v)
}

// deskView reads a view from two query parameters.
// now is known_at's default (replay.Ledger.ViewAt).
func (s *Server) deskView(c echo.Context, asOfName, knownName string, now time.Time) (viewQuery, error) {
	q := viewQuery{AsOf: strings.TrimSpace(c.QueryParam(asOfName)), KnownAt: strings.TrimSpace(c.QueryParam(knownName))}
	var asOf, knownAt *time.Time
	if q.AsOf != "" {
		t, err := parseDeskBound(q.AsOf)
		if err != nil {
			return q, invalidf(asOfName, asOfName+": "+err.Error())
		}
		asOf = &t
	}
	if q.KnownAt != "" {
		t, err := parseDeskBound(q.KnownAt)
		if err != nil {
			return q, invalidf(knownName, knownName+": "+err.Error())
		}
		knownAt = &t
	}
	v, err := s.ledger.ViewAt(now, asOf, knownAt)
	if err != nil {
		var fe *events.FieldError
		if errors.As(err, &fe) {
			return q, invalidf(asOfName, asOfName+": "+fe.Reason)
		}
		return q, err
	}
	q.View = v
	return q, nil
}

// ---- 总览: the standings ----

type standingsRow struct {
	projections.Row
	UnitName string
	Outcome  *string
	Top3     bool
	decision
}

// decision is a section's place in the standing committee's decision in
// force (R-OUT-CONF), beside the proposal's: Decided once there is one,
// Deviates where it departs from the proposal.
type decision struct {
	Decided      bool
	Decision     *string
	DecisionTop3 bool
	Deviates     bool
}

func decisionOf(c *projections.Confirmed, id string) decision {
	if c == nil {
		return decision{}
	}
	k, dev := present.Decision(c, id)
	d := decision{Decided: true, Deviates: dev}
	if k != "" {
		if k == "top3" {
			k, d.DecisionTop3 = "satisfied", true
		}
		d.Decision = &k
	}
	return d
}

type standingsData struct {
	View       viewQuery
	S          *projections.Standings
	Rows       []standingsRow
	Units      []unitOption
	Unit, Find string
	Candidates bool
	Decided    bool
	Total      int
	Why        string // why no row is shown, when it is not the filter's doing
}

type unitOption struct{ ID, Name string }

func (s *Server) deskStandings(c echo.Context) error {
	p := s.newPage(c, "standings", "st.title")
	vq, st, err := s.deskViewStandings(c)
	if err != nil {
		return s.deskError(c, p, err)
	}
	vq.Events = st.Events
	names := s.ledger.UnitNames()
	d := &standingsData{View: vq, S: st, Unit: c.QueryParam("unit"), Find: strings.TrimSpace(c.QueryParam("q")),
		Candidates: c.QueryParam("candidates") != "", Decided: st.Confirmed != nil, Total: len(st.Sections)}
	for id, n := range names {
		d.Units = append(d.Units, unitOption{id, n})
	}
	sort.Slice(d.Units, func(i, j int) bool { return d.Units[i].ID < d.Units[j].ID })
	d.Rows = rankedRows(st, names)
	find := strings.ToLower(d.Find)
	d.Rows = slices.DeleteFunc(d.Rows, func(r standingsRow) bool {
		return (d.Unit != "" && r.UnitID != d.Unit) || (d.Candidates && !r.Candidate) ||
			(find != "" && !strings.Contains(strings.ToLower(r.SectionID), find) && !strings.Contains(r.Name, d.Find) &&
				!strings.Contains(r.UnitName, d.Find))
	})
	switch _, known := names[d.Unit]; {
	case d.Unit != "" && !known:
		d.Why = fmt.Sprintf(p.T("st.nounit"), clip(d.Unit))
	case st.Events == 0:
		d.Why = p.T("st.noevent")
	}
	p.Data = d
	return s.render(c, "standings", p)
}

// rankedRows are the standings in rank order: candidates by rank, then the
// others by total, then the exempt.
func rankedRows(st *projections.Standings, names map[string]string) []standingsRow {
	place := map[string]string{}
	top3 := map[string]bool{}
	if o := st.Outcome; o != nil {
		for _, l := range []struct {
			n   string
			ids []string
		}{{"satisfied", o.Satisfied}, {"unsatisfied", o.Unsatisfied}, {"most_unsatisfied", o.MostUnsatisfied}} {
			for _, id := range l.ids {
				place[id] = l.n
			}
		}
		for _, id := range o.Top3 {
			top3[id] = true
		}
	}
	rows := make([]standingsRow, 0, len(st.Sections))
	for _, r := range st.Sections {
		sr := standingsRow{Row: r, UnitName: names[r.UnitID], Top3: top3[r.SectionID], decision: decisionOf(st.Confirmed, r.SectionID)}
		if o, ok := place[r.SectionID]; ok {
			sr.Outcome = &o
		}
		rows = append(rows, sr)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.Exempt != b.Exempt {
			return b.Exempt
		}
		if (a.Rank == nil) != (b.Rank == nil) {
			return a.Rank != nil
		}
		if a.Rank != nil {
			return *a.Rank < *b.Rank
		}
		if a.Total != nil && b.Total != nil && *a.Total != *b.Total {
			return *a.Total > *b.Total
		}
		return a.SectionID < b.SectionID
	})
	return rows
}

// deskStandingsCSV is the standings for a spreadsheet: UTF-8 with a byte
// order mark, which Excel needs to read Chinese; headings in the page's
// language.
func (s *Server) deskStandingsCSV(c echo.Context) error {
	p := s.newPage(c, "standings", "")
	_, st, err := s.deskViewStandings(c)
	if err != nil {
		return s.deskError(c, p, err)
	}
	rows := rankedRows(st, s.ledger.UnitNames())
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	head := []string{"rank", "unit_id", "unit", "section_id", "section", "service", "hotline", "qr", "supervisor", "inspection",
		"daily_total", "online", "bonus", "total", "candidate", "outcome", "confirmed"}
	if p.Lang == zh {
		head = []string{"名次", "单位编号", "单位", "科室编号", "科室", "服务对象满意度", "热线", "二维码", "主管单位评价", "监督检查",
			"日常小计", "网络评价", "加分", "总分", "候选", "评议结果", "县委常委会确定"}
	}
	decided := st.Confirmed != nil
	if !decided {
		head = head[:len(head)-1]
	}
	w.Write(head)
	cell := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	}
	for _, r := range rows {
		var svc *float64
		if r.Service != nil {
			svc = r.Service.Score
		}
		rank := ""
		if r.Rank != nil {
			rank = strconv.Itoa(*r.Rank)
		}
		outcome := p.Outcome(r.Outcome, r.Top3)
		if r.Exempt {
			outcome = p.T("exempt")
		}
		cand := "否"
		if r.Candidate {
			cand = "是"
		}
		if p.Lang == en {
			cand = strconv.FormatBool(r.Candidate)
		}
		line := []string{rank, r.UnitID, r.UnitName, r.SectionID, r.Name, cell(svc), cell(r.Hotline), cell(r.QR), cell(r.Supervisor),
			cell(r.Inspection), cell(r.DailyTotal), cell(r.Online), cell(r.Bonus), cell(r.Total), cand, outcome}
		if decided {
			// As the command line's table: * where the decision departs
			// from the proposal.
			line = append(line, present.Marked(p.Outcome(r.Decision, r.DecisionTop3), r.Deviates))
		}
		w.Write(line)
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="standings.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// The desk's Excel downloads are the API's workbooks (?format=xlsx) of
// the page's view, in the page's language.

func (p *page) labels() labels.Lang {
	if p.Lang == en {
		return labels.En
	}
	return labels.Zh
}

func (s *Server) deskStandingsXLSX(c echo.Context) error {
	return s.deskWorkbook(c, "standings", s.standingsXLSX)
}

func (s *Server) deskAnnouncementXLSX(c echo.Context) error {
	return s.deskWorkbook(c, "announcement", s.outcomeXLSX)
}

// deskWorkbook answers the workbook that send makes of the view's
// standings.
func (s *Server) deskWorkbook(c echo.Context, nav string, send func(echo.Context, *projections.Standings, labels.Lang) error) error {
	p := s.newPage(c, nav, "")
	_, st, err := s.deskViewStandings(c)
	if err != nil {
		return s.deskError(c, p, err)
	}
	return send(c, st, p.labels())
}

func (s *Server) deskExplainXLSX(c echo.Context) error {
	p := s.newPage(c, "standings", "")
	vq, err := s.deskView(c, "as_of", "known_at", s.ledger.Now())
	if err != nil {
		return s.deskError(c, p, err)
	}
	e, err := s.ledger.Explain(c.Request().Context(), sectionParam(c), vq.View)
	if err != nil {
		return s.deskError(c, p, err)
	}
	return s.explainXLSX(c, e, vq.View, p.labels())
}

// ---- 科室: a section ----

type sectionData struct {
	// Page and Pages number the pages of listed votes and ballots
	// (votes=all), votesPerPage a page.
	Page, Pages int
	View        viewQuery
	E           *projections.Explanation
	Outcome     *string
	Top3        bool
	decision
	Groups []sectionGroup
	Votes  bool
	Filter projections.ExplainFilter
	Comps  []string
}

type sectionGroup struct {
	projections.Group
	Entries    []projections.Entry
	Summarised int
}

func (s *Server) deskSection(c echo.Context) error {
	p := s.newPage(c, "standings", "sec.title")
	vq, err := s.deskView(c, "as_of", "known_at", s.ledger.Now())
	if err != nil {
		return s.deskError(c, p, err)
	}
	f, err := explainFilter(c)
	if err != nil {
		return s.deskError(c, p, err)
	}
	explain := s.ledger.ExplainCounted
	if c.QueryParam("votes") == "all" {
		explain = s.ledger.Explain
	}
	e, err := explain(c.Request().Context(), sectionParam(c), vq.View)
	if err != nil {
		return s.deskError(c, p, err)
	}
	e = e.Filtered(f)
	d := &sectionData{View: vq, E: e, Votes: c.QueryParam("votes") == "all", Filter: f, Comps: projections.Components,
		Outcome: e.Outcome, Top3: e.Top3}
	d.decision = decisionOf(e.Decision(), e.SectionID)
	byPos := make(map[int64]projections.Entry, len(e.Entries))
	for _, x := range e.Entries {
		byPos[x.Position] = x
	}
	// Listed one by one, a busy section's votes and ballots are some 4,000
	// rows: they come a page at a time.
	if d.Votes {
		n, _ := strconv.Atoi(c.QueryParam("page"))
		d.Page = max(n, 1)
	}
	k := 0
	for _, g := range e.Groups {
		sg := sectionGroup{Group: g}
		for _, pos := range g.Positions {
			x := byPos[pos]
			if x.Summarised() {
				if !d.Votes {
					sg.Summarised++
					continue
				}
				k++
				if k <= (d.Page-1)*votesPerPage || k > d.Page*votesPerPage {
					sg.Summarised++
					continue
				}
			}
			sg.Entries = append(sg.Entries, x)
		}
		d.Groups = append(d.Groups, sg)
	}
	if d.Votes {
		d.Pages = max(1, (k+votesPerPage-1)/votesPerPage)
	}
	p.Title = e.Name + " · " + p.T("sec.title")
	p.Data = d
	return s.render(c, "section", p)
}

// votesPerPage is how many votes and ballots a section page lists at a time.
const votesPerPage = 400

// PageLinks are the links to the pages of listed votes and ballots.
func (d *sectionData) PageLinks() []int {
	if d.Pages <= 1 {
		return nil
	}
	out := make([]int, d.Pages)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// ---- a stored event ----

type eventData struct {
	Record map[string]any
	Data   string
	Pos    int64
}

func (s *Server) deskEvent(c echo.Context) error {
	p := s.newPage(c, "standings", "ev.title")
	pos, err := strconv.ParseInt(c.Param("position"), 10, 64)
	if err != nil || pos < 1 || pos > s.ledger.Len() {
		return s.deskError(c, p, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "position: no stored event at " + c.Param("position"), Field: "position"})
	}
	var env map[string]any
	err = s.ledger.Store().Read(c.Request().Context(), pos-1, 1, func(r *events.Record) error {
		return json.Unmarshal(r.AppendJSON(nil), &env)
	})
	if err != nil {
		return s.deskError(c, p, err)
	}
	data, _ := env["data"].(map[string]any)
	// A respondent's pseudonym is never shown on a page, even to an
	// inspector: the API's events route is the one place it is read.
	if _, ok := data["respondent"]; ok {
		data["respondent"] = p.T("ev.redacted")
	}
	delete(env, "data")
	b, _ := json.MarshalIndent(data, "", "  ")
	p.Data = &eventData{Record: env, Data: string(b), Pos: pos}
	return s.render(c, "event", p)
}

// ---- 争议: disputes ----

type disputesData struct {
	View  viewQuery
	List  []disputeRow
	Open  int
	AsOf  string
	Names map[string]string
}

type disputeRow struct {
	projections.Dispute
	UnitName string
	DiffURL  template.URL
}

func (s *Server) deskDisputes(c echo.Context) error {
	p := s.newPage(c, "disputes", "dis.title")
	vq, err := s.deskView(c, "as_of", "known_at", s.ledger.Now())
	if err != nil {
		return s.deskError(c, p, err)
	}
	names := s.ledger.UnitNames()
	d := &disputesData{View: vq, Names: names}
	for _, x := range s.ledger.Disputes(vq.View) {
		r := disputeRow{Dispute: x, UnitName: names[x.UnitID]}
		if x.Resolution != nil {
			at := time.Unix(0, x.Resolution.RecordedNS).UTC()
			q := url.Values{"from_known_at": {events.FormatUTC(at.Add(-time.Nanosecond))}, "to_known_at": {events.FormatUTC(at)},
				"section": {x.SectionID}}
			r.DiffURL = template.URL("/compare?" + q.Encode())
		} else {
			d.Open++
		}
		d.List = append(d.List, r)
	}
	// The newest first: an open dispute is the panel's work of the day.
	slices.Reverse(d.List)
	p.Data = d
	return s.render(c, "disputes", p)
}

// ---- what-if, from the disputes page ----

type whatifData struct {
	Real    int64
	Dispute *disputeRow
	Outcome string
	Points  string
	Diff    *projections.Diff
	Rows    []diffRow
	Units   map[string]string
}

func (s *Server) deskWhatIf(c echo.Context) error {
	p := s.newPage(c, "disputes", "wi.title")
	target, outcome, pts := c.FormValue("target_id"), c.FormValue("outcome"), strings.TrimSpace(c.FormValue("points"))
	var d *projections.Dispute
	for _, x := range s.ledger.Disputes(projections.View{AsOf: events.WindowEnd, KnownAt: s.ledger.Now()}) {
		if x.Deduction.EventID == target && x.Resolution == nil {
			d = &x
		}
	}
	if d == nil {
		return s.deskError(c, p, invalidf("target_id", "target_id: no open dispute of event "+target))
	}
	body := map[string]any{"target_id": target, "outcome": outcome}
	if outcome == string(events.OutcomeReduced) {
		v, err := strconv.ParseFloat(pts, 64)
		if err != nil {
			return s.deskError(c, p, invalidf("points", "points: a reduction needs a number of points"))
		}
		body["points"] = v
	}
	data, _ := json.Marshal(body)
	// Dated at the contest: the correction acts from its target's date
	// whatever its own, and the contest's date is inside the window.
	occurred := d.OccurredAt
	line, _ := json.Marshal(map[string]any{"type": events.ContestResolved, "occurred_at": occurred, "actor": "desk:whatif", "data": json.RawMessage(data)})
	ev, ferr := events.Decode(line, events.DecodeOptions{})
	w, err := s.ledger.WhatIf(c.Request().Context(), slices.Values([]events.Decoded{{Event: ev, Err: ferr}}), events.WindowEnd)
	if err != nil {
		return s.deskError(c, p, err)
	}
	names := s.ledger.UnitNames()
	row := disputeRow{Dispute: *d, UnitName: names[d.UnitID]}
	p.Data = &whatifData{Real: s.ledger.Len(), Dispute: &row, Outcome: outcome, Points: pts, Diff: w.Diff, Rows: diffRows(w.Diff, names, d.SectionID), Units: names}
	return s.render(c, "whatif", p)
}

// ---- 对比: two views ----

type compareData struct {
	Real     int64 // the log's length: a later position is hypothetical
	From, To viewQuery
	Diff     *projections.Diff
	Rows     []diffRow
	Units    map[string]string
	Section  string
}

type diffRow struct {
	projections.SectionDiff
	UnitName string
	Focus    bool
	More     int // events not listed on the page
}

// diffPageEvents is how many events a section of a diff lists on a page
// (all for the section in focus): a diff of two dates has hundreds a
// section, which its section page and the JSON list whole.
const diffPageEvents = 8

// diffPageSections is how many changed sections a diff page may have and
// still list their events.
const diffPageSections = 40

// diffRows puts the section in focus first, then the others by section id.
func diffRows(d *projections.Diff, names map[string]string, focus string) []diffRow {
	// A diff of two dates changes every section: then only the section in
	// focus lists its events, the others count them.
	most := diffPageEvents
	if len(d.Sections) > diffPageSections {
		most = 0
	}
	var out []diffRow
	for _, x := range d.Sections {
		r := diffRow{SectionDiff: x, UnitName: names[x.UnitID], Focus: x.SectionID == focus}
		if !r.Focus && len(r.Events) > most {
			r.More = len(r.Events) - most
			r.Events = r.Events[:most]
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Focus && !out[j].Focus })
	return out
}

func (s *Server) deskCompare(c echo.Context) error {
	p := s.newPage(c, "compare", "cmp.title")
	now := s.ledger.Now() // one instant for both views (ViewAt)
	from, err := s.deskView(c, "from_as_of", "from_known_at", now)
	if err != nil {
		return s.deskError(c, p, err)
	}
	to, err := s.deskView(c, "to_as_of", "to_known_at", now)
	if err != nil {
		return s.deskError(c, p, err)
	}
	names := s.ledger.UnitNames()
	d := &compareData{From: from, To: to, Units: names, Section: c.QueryParam("section"), Real: s.ledger.Len()}
	if c.QueryParams().Has("from_as_of") || c.QueryParams().Has("from_known_at") || c.QueryParams().Has("to_as_of") || c.QueryParams().Has("to_known_at") {
		if d.Diff, err = s.ledger.Diff(c.Request().Context(), from.View, to.View); err != nil {
			return s.deskError(c, p, err)
		}
		d.Rows = diffRows(d.Diff, names, d.Section)
	}
	p.Data = d
	return s.render(c, "compare", p)
}

// ---- 公示: the announcement ----

type announcementData struct {
	View                        viewQuery
	S                           *projections.Standings
	Satisfied, Unsat, Most, Top []standingsRow
	Units                       []unitAdjustment
	// The standing committee's decision, when one is in force.
	Conf       *announced
	Deviations []deviation
}

type announced struct {
	Document                    string
	Satisfied, Unsat, Most, Top []standingsRow
	Units                       []unitAdjustment
}

// deviation is one list's difference between the decision and the
// proposal, by name.
type deviation struct {
	List           string
	Dropped, Added []standingsRow
}

type unitAdjustment struct {
	ID, Name   string
	Adjustment int
}

func (s *Server) deskAnnouncement(c echo.Context) error {
	p := s.newPage(c, "announcement", "ann.title")
	vq, st, err := s.deskViewStandings(c)
	if err != nil {
		return s.deskError(c, p, err)
	}
	vq.Events = st.Events
	names := s.ledger.UnitNames()
	d := &announcementData{View: vq, S: st}
	byID := map[string]standingsRow{}
	for _, r := range rankedRows(st, names) {
		byID[r.SectionID] = r
	}
	pick := func(ids []string) []standingsRow {
		var out []standingsRow
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	}
	adjust := func(l []projections.UnitAdjustment) []unitAdjustment {
		var out []unitAdjustment
		for _, u := range l {
			out = append(out, unitAdjustment{u.UnitID, names[u.UnitID], u.Adjustment})
		}
		return out
	}
	if o := st.Outcome; o != nil {
		d.Satisfied, d.Unsat, d.Most, d.Top = pick(o.Satisfied), pick(o.Unsatisfied), pick(o.MostUnsatisfied), pick(o.Top3)
		d.Units = adjust(o.Units)
	}
	if k := st.Confirmed; k != nil {
		d.Conf = &announced{Document: k.Document, Satisfied: pick(k.Satisfied), Unsat: pick(k.Unsatisfied),
			Most: pick(k.MostUnsatisfied), Top: pick(k.Top3), Units: adjust(k.Units)}
		for _, x := range []struct {
			list string
			dev  projections.Deviation
		}{{"satisfied", k.Deviations.Satisfied}, {"unsatisfied", k.Deviations.Unsatisfied}, {"most_unsatisfied", k.Deviations.MostUnsatisfied}} {
			if len(x.dev.Dropped)+len(x.dev.Added) > 0 {
				d.Deviations = append(d.Deviations, deviation{List: x.list, Dropped: pick(x.dev.Dropped), Added: pick(x.dev.Added)})
			}
		}
	}
	p.Data = d
	return s.render(c, "announcement", p)
}

// ---- 核验: verification ----

type verificationData struct {
	Store    string // the --store to run ledger verify on
	Events   int64
	Head     string
	Ran      bool
	OK       bool
	Checked  int64
	Position int64
	Reason   string
	Tree     bool // the events are intact, the stored tree is not
	CanRun   bool
}

func (s *Server) deskVerification(c echo.Context) error {
	p := s.newPage(c, "verification", "ver.title")
	h := s.ledger.Head()
	d := &verificationData{Store: s.store, Events: h.Position, Head: h.Hash.String(), CanRun: p.Inspector()}
	// Re-deriving every hash reads the whole log (about a second for a
	// year): an inspector asks for it; the page itself shows the head.
	if c.QueryParam("run") != "" && p.Inspector() {
		// The same check as ledger verify and GET /v1/verify: hashes,
		// the Merkle tree, every event re-validated, the fold's cache.
		v, err := replay.Verify(c.Request().Context(), s.ledger.Store(), s.ledger.Now())
		d.Ran, d.Checked, d.Head = true, v.Events, v.Head.String()
		var ve *events.VerifyError
		switch {
		case errors.As(err, &ve):
			d.Position, d.Reason, d.Tree = ve.Position, ve.Reason, ve.Tree
		case err != nil:
			return s.deskError(c, p, err)
		default:
			d.OK = true
		}
	}
	p.Data = d
	return s.render(c, "verification", p)
}

// ---- signing in and out ----

func (s *Server) deskSignIn(c echo.Context) error {
	p := s.newPage(c, "signin", "in.title")
	p.Data = safeNext(c.QueryParam("next"))
	return s.render(c, "signin", p)
}

func (s *Server) deskSignInPost(c echo.Context) error {
	p := s.newPage(c, "signin", "in.title")
	next := safeNext(c.FormValue("next"))
	p.Data = next
	tok := strings.TrimSpace(c.FormValue("token"))
	if len(s.tokens) == 0 {
		p.Code = http.StatusForbidden
		p.Messages = []string{p.T("in.notokens")}
		return s.render(c, "signin", p)
	}
	if tok == "" || s.tokenRole(tok) == None {
		p.Code = http.StatusUnauthorized
		p.Messages = []string{p.T("in.bad")}
		return s.render(c, "signin", p)
	}
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: s.session(tok, s.now()), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.Request().TLS != nil, MaxAge: int(sessionTTL / time.Second)})
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) deskSignOut(c echo.Context) error {
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, "/")
}

// safeNext keeps a redirect on this site.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.ContainsAny(n, "\\\r\n") {
		return "/"
	}
	return n
}
