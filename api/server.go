// Package api is the ledger's HTTP API on echo v4: the routes, roles and
// status codes of interface.md, one error shape from one error table
// (errors.go), bearer-token roles, Prometheus metrics and a rate limit on
// ballots.
package api

import (
	"context"
	"crypto/rand"
	_ "embed"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Limits of one request.
const (
	MaxBody         = 1 << 20 // 1 MiB
	MaxBatch        = 10_000
	MaxPage         = 10_000
	DefaultPage     = 1_000
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
	// Now is the real clock, for the ballot rate limit; nil means time.Now.
	// (Default known_at is the ledger's clock, not this one.)
	Now    func() time.Time
	Logger *slog.Logger
	// Registry receives the metrics; nil makes a new one.
	Registry *prometheus.Registry
	// Signer signs checkpoints (serve --key); nil: GET /v1/checkpoint is 404.
	Signer *transparency.Signer
	// Witnesses are the keys whose cosignatures the server takes (serve
	// --witnesses); nil: none.
	Witnesses *transparency.Witnesses
	// Store is the store as --store names it, without credentials: the
	// verification page's recipe runs ledger verify on it.
	Store string
}

// Server is the HTTP API.
type Server struct {
	echo    *echo.Echo
	ledger  *replay.Ledger
	tokens  map[[32]byte]Role
	ballotT func() time.Time
	log     *slog.Logger
	m       *metrics
	routes  map[string]bool // the route templates, the only route labels

	signer    *transparency.Signer
	witnesses *transparency.Witnesses
	cp        signed
	store     string        // Config.Store
	workbooks chan struct{} // the workbooks being built (sendXLSX)
	now       func() time.Time
	// sessionKey signs the desk's session cookies (desk.go session).
	sessionKey [32]byte
}

//go:embed openapi.yaml
var openAPI []byte

// New builds the server and its routes.
func New(cfg Config) *Server {
	s := &Server{ledger: cfg.Ledger, tokens: cfg.Tokens, ballotT: cfg.BallotClock, log: cfg.Logger,
		signer: cfg.Signer, witnesses: cfg.Witnesses, store: cfg.Store,
		workbooks: make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))}
	if s.store == "" {
		s.store = "URL" // the recipe's placeholder: what --store the server was given
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s.now = now
	rand.Read(s.sessionKey[:]) // crypto/rand: never fails (Go 1.24 on)
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
	s.ledger.OnAppend(func(n int) { s.m.appended.Add(float64(n)) })

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// The client address is the TCP peer: headers such as X-Forwarded-For
	// are set by the client and would let it dodge the ballot rate limit.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(s.observe, s.deadline)
	e.GET("/healthz", s.healthz)
	e.HEAD("/healthz", s.healthz) // net/http sends the headers and drops the body
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/v1/openapi.yaml", s.openapi)
	e.POST("/v1/events", s.postEvents, s.require(Recorder))
	e.GET("/v1/events", s.getEvents, s.require(Inspector))
	e.GET("/v1/standings", s.standings, s.require(Viewer))
	e.GET("/v1/sections/:id/explain", s.explain, s.require(Inspector))
	e.GET("/v1/events/:id", s.getEvent, s.require(Inspector))
	e.GET("/v1/verify", s.verify, s.require(Inspector))
	e.GET("/v1/diff", s.diff, s.require(Inspector))
	e.POST("/v1/whatif", s.whatif, s.require(Inspector))
	e.GET("/v1/checkpoint", s.checkpoint)
	e.POST("/v1/checkpoint/cosignatures", s.cosign, s.require(Viewer))
	e.GET("/v1/proof/inclusion", s.inclusionProof, s.require(Viewer))
	e.GET("/v1/proof/consistency", s.consistencyProof, s.require(Viewer))
	// Keyed by c.RealIP(), the TCP peer (see IPExtractor above); a refused
	// attempt is echo's 429, which errors.go answers as rate_limited.
	e.POST("/v1/ballots", s.ballot, middleware.RateLimiter(newAttemptStore(BallotAttempts, time.Minute, now)))
	s.deskRoutes(e)
	s.echo = e
	s.routes = map[string]bool{}
	for _, r := range e.Routes() {
		s.routes[r.Path] = true
	}
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

// observe counts and times every request and logs it without path, query
// or body. Every label and logged name comes from a fixed set (labels.go):
// a client chooses its method and path freely, and each new label value is
// a new series that the server keeps for good.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = statusOf(err).Status
		}
		route, method, code := s.routeLabel(c.Path()), methodLabel(c.Request().Method), codeLabel(status)
		el := time.Since(start)
		s.m.requests.WithLabelValues(route, method, code).Inc()
		s.m.latency.WithLabelValues(route, method).Observe(el.Seconds())
		s.log.Info("request", "method", method, "route", route, "status", status,
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

// ---- the server's own routes (the ledger's are in events.go, views.go, ballots.go) ----

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "events": s.ledger.Len()})
}

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openAPI)
}
