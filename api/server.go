// Package api is the ledger's HTTP API on echo v4: the routes, roles and
// status codes of interface.md, one error shape from one error table
// (errors.go), bearer-token roles, Prometheus metrics and a rate limit on
// ballots.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Role is what a token may do. Roles nest: recorder ⊃ inspector ⊃ viewer.
type Role int

const (
	None Role = iota
	Viewer
	Inspector
	Recorder
)

var roleNames = map[string]Role{"viewer": Viewer, "inspector": Inspector, "recorder": Recorder}

func (r Role) String() string {
	for n, x := range roleNames {
		if x == r {
			return n
		}
	}
	return "none"
}

// Limits of one request.
const (
	MaxBody         = 1 << 20 // 1 MiB
	MaxBatch        = 10_000
	MaxPage         = 10_000
	DefaultPage     = 1_000
	BallotAttempts  = 20 // per client address per minute
	RequestDeadline = 30 * time.Second
)

// Config wires a Server.
type Config struct {
	Ledger *replay.Ledger
	// Tokens maps sha256(token) to its role. Empty: every request is a
	// viewer (and the server must only listen on loopback).
	Tokens map[[32]byte]Role
	// BallotClock gives the occurred_at of a ballot the server receives
	// (--clock); nil means the ledger's clock.
	BallotClock func() time.Time
	// Now is the real clock, for rate limits and default known_at.
	Now    func() time.Time
	Logger *slog.Logger
	// Registry receives the metrics; nil makes a new one.
	Registry *prometheus.Registry
}

// Server is the HTTP API.
type Server struct {
	echo    *echo.Echo
	ledger  *replay.Ledger
	tokens  map[[32]byte]Role
	ballotT func() time.Time
	now     func() time.Time
	log     *slog.Logger
	limiter *limiter
	m       *metrics
}

//go:embed openapi.yaml
var openAPI []byte

// New builds the server and its routes.
func New(cfg Config) *Server {
	s := &Server{ledger: cfg.Ledger, tokens: cfg.Tokens, ballotT: cfg.BallotClock, now: cfg.Now, log: cfg.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ballotT == nil {
		s.ballotT = s.ledger.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s.m = newMetrics(reg, s.ledger)
	s.limiter = newLimiter(BallotAttempts, time.Minute, s.now)
	s.ledger.OnAppend(func(n int) { s.m.appended.Add(float64(n)) })

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// The client address is the TCP peer: headers such as X-Forwarded-For
	// are set by the client and would let it dodge the ballot rate limit.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(s.observe, s.deadline)
	e.GET("/healthz", s.healthz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/v1/openapi.yaml", s.openapi)
	e.POST("/v1/events", s.postEvents, s.require(Recorder))
	e.GET("/v1/events", s.getEvents, s.require(Inspector))
	e.GET("/v1/standings", s.standings, s.require(Viewer))
	e.GET("/v1/sections/:id/explain", s.explain, s.require(Inspector))
	e.GET("/v1/verify", s.verify, s.require(Inspector))
	e.POST("/v1/ballots", s.ballot)
	s.echo = e
	return s
}

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Routes lists "METHOD PATH" of every route, for the OpenAPI test.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// ---- middleware ----

// observe counts and times every request by route template (never by raw
// path, which could carry anything) and logs it without query or body.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = statusOf(err).Status
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		code := strconv.Itoa(status)
		el := time.Since(start)
		s.m.requests.WithLabelValues(route, c.Request().Method, code).Inc()
		s.m.latency.WithLabelValues(route, c.Request().Method).Observe(el.Seconds())
		s.log.Info("request", "method", c.Request().Method, "route", route, "status", status,
			"ms", float64(el.Microseconds())/1000, "remote", c.RealIP())
		return err
	}
}

// deadline bounds the time one request may take.
func (s *Server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), RequestDeadline)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// require admits a request whose bearer token has at least role r. The
// token is compared by its sha256 in constant time against every known
// token, so neither timing nor length tells anything about them.
func (s *Server) require(r Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			have := s.roleOf(c.Request())
			if have == None {
				return errUnauthorized
			}
			if have < r {
				return errForbidden
			}
			return next(c)
		}
	}
}

func (s *Server) roleOf(r *http.Request) Role {
	if len(s.tokens) == 0 {
		return Viewer // no tokens file: loopback only, everyone a viewer
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return None
	}
	sum := sha256.Sum256([]byte(tok))
	found := None
	for k, role := range s.tokens {
		if subtle.ConstantTimeCompare(k[:], sum[:]) == 1 {
			found = role
		}
	}
	return found
}

// ---- handlers ----

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "events": s.ledger.Len()})
}

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openAPI)
}

// readBody reads a JSON body of at most MaxBody bytes.
func readBody(c echo.Context) ([]byte, error) {
	// A body without a Content-Type is taken as JSON; one that says it is
	// something else is refused.
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, _ := strings.Cut(ct, ";"); ct != "" && strings.TrimSpace(strings.ToLower(mt)) != echo.MIMEApplicationJSON {
		return nil, invalidf("Content-Type", "Content-Type must be application/json")
	}
	if c.Request().ContentLength > MaxBody {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, MaxBody+1))
	if err != nil {
		return nil, invalidf("", "reading the body failed")
	}
	if len(body) > MaxBody {
		return nil, errTooLarge
	}
	return body, nil
}

func (s *Server) postEvents(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	trimmed := strings.TrimLeft(string(body[:min(len(body), 64)]), " \t\r\n")
	var raws []json.RawMessage
	single := false
	switch {
	case strings.HasPrefix(trimmed, "["):
		if err := json.Unmarshal(body, &raws); err != nil {
			return invalidf("", "malformed JSON array of events")
		}
		if len(raws) == 0 {
			return invalidf("", "empty array: nothing to append")
		}
		if len(raws) > MaxBatch {
			return invalidf("", fmt.Sprintf("at most %d events per request, got %d", MaxBatch, len(raws)))
		}
	case strings.HasPrefix(trimmed, "{"):
		raws, single = []json.RawMessage{body}, true
	default:
		return invalidf("", "body must be a JSON event or an array of events")
	}
	in := make([]events.Decoded, len(raws))
	for i, raw := range raws {
		ev, ferr := events.Decode(raw, events.DecodeOptions{})
		in[i] = events.Decoded{Event: ev, Err: ferr}
	}
	res, err := s.ledger.Append(c.Request().Context(), slices.Values(in), replay.AppendOptions{Keep: true, Replayable: true})
	if err != nil {
		return err
	}
	out := make([]json.RawMessage, len(res.Records))
	for i, r := range res.Records {
		out[i] = r.AppendJSON(nil)
	}
	if single && len(out) == 1 {
		return c.JSON(http.StatusCreated, out[0])
	}
	return c.JSON(http.StatusCreated, out)
}

func queryInt(c echo.Context, name string, def, min, max int64) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		return 0, invalidf(name, fmt.Sprintf("%s must be an integer from %d to %d", name, min, max))
	}
	return n, nil
}

func (s *Server) getEvents(c echo.Context) error {
	after, err := queryInt(c, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", DefaultPage, 1, MaxPage)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, '[')
	n := 0
	err = s.ledger.Store().Read(c.Request().Context(), after, int(limit), func(r *events.Record) error {
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = r.AppendJSON(buf)
		n++
		return nil
	})
	if err != nil {
		return err
	}
	buf = append(buf, ']')
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf)
}

// view reads as_of and known_at into the view they name.
func (s *Server) view(c echo.Context) (projections.View, error) {
	var asOf, knownAt *time.Time
	for _, q := range []struct {
		name string
		dst  **time.Time
	}{{"as_of", &asOf}, {"known_at", &knownAt}} {
		v := c.QueryParam(q.name)
		if v == "" {
			continue
		}
		t, err := events.ParseBound(v)
		if err != nil {
			return projections.View{}, invalidf(q.name, q.name+": "+err.Error())
		}
		*q.dst = &t
	}
	return s.ledger.View(asOf, knownAt)
}

func (s *Server) standings(c echo.Context) error {
	v, err := s.view(c)
	if err != nil {
		return err
	}
	start := time.Now()
	b, err := s.ledger.StandingsJSON(v)
	if err != nil {
		return err
	}
	s.m.replay.WithLabelValues("standings").Observe(time.Since(start).Seconds())
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

func (s *Server) explain(c echo.Context) error {
	v, err := s.view(c)
	if err != nil {
		return err
	}
	start := time.Now()
	e, err := s.ledger.Explain(c.Param("id"), v)
	if err != nil {
		return err
	}
	s.m.replay.WithLabelValues("explain").Observe(time.Since(start).Seconds())
	return c.JSON(http.StatusOK, e)
}

func (s *Server) verify(c echo.Context) error {
	n, head, err := events.Verify(c.Request().Context(), s.ledger.Store())
	var ve *events.VerifyError
	switch {
	case errors.As(err, &ve):
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "events": n, "head": head.String(),
			"position": ve.Position, "error": ve.Reason})
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "events": n, "head": head.String()})
}

type ballotBody struct {
	Code        string   `json:"code"`
	Satisfied   []string `json:"satisfied"`
	Unsatisfied []string `json:"unsatisfied"`
}

// ballot takes a voter's plain one-time code, hashes it at once, and casts
// the ballot. The code is never stored, logged or echoed.
func (s *Server) ballot(c echo.Context) error {
	if !s.limiter.allow(c.RealIP()) {
		return errRateLimited
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var b ballotBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return invalidf("", "body must be {\"code\", \"satisfied\", \"unsatisfied\"}")
	}
	if b.Code == "" || len(b.Code) > 128 {
		return invalidf("code", "code: required, at most 128 characters")
	}
	hash := events.CodeHash(b.Code)
	b.Code = ""
	// Build checks the lists like any BallotCast (exactly 10 and 10, disjoint, valid ids).
	ev, ferr := events.Build(s.ballotT(), "voter:qinglian",
		&events.BallotCastData{CredentialHash: hash, Satisfied: b.Satisfied, Unsatisfied: b.Unsatisfied})
	if ferr != nil {
		return ferr
	}
	res, err := s.ledger.Append(c.Request().Context(), slices.Values([]events.Decoded{{Event: ev}}),
		replay.AppendOptions{Keep: true, Replayable: true})
	if err != nil {
		return err
	}
	r := res.Records[0]
	return c.JSON(http.StatusCreated, map[string]any{"status": "accepted", "position": r.Position, "event_id": r.ID.String()})
}

// ParseTokens reads a tokens file: lines "ROLE TOKEN"; blank lines and
// lines starting with # are skipped. Errors name the line, never a token.
func ParseTokens(r io.Reader) (map[[32]byte]Role, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	out := map[[32]byte]Role{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("tokens: line %d: want ROLE TOKEN", i+1)
		}
		role, ok := roleNames[f[0]]
		if !ok {
			return nil, fmt.Errorf("tokens: line %d: role must be recorder, inspector or viewer", i+1)
		}
		if len(f[1]) < 16 {
			return nil, fmt.Errorf("tokens: line %d: token shorter than 16 characters", i+1)
		}
		out[sha256.Sum256([]byte(f[1]))] = role
	}
	if len(out) == 0 {
		return nil, errors.New("tokens: no tokens in the file")
	}
	return out, nil
}
