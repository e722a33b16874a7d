package api

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
)

// queryInt refuses an out-of-range value rather than clamping it: a client
// that asked for limit=50000 should learn it got at most MaxPage.
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

// allowQuery refuses a query parameter the route does not take, naming it:
// a mistyped ?as-of= would otherwise be ignored and the answer given for the
// default view, with nothing to say it was not the view asked for.
//
// A pair that does not decode, or a name given twice, is refused too: Go's
// parser drops the one and echo answers the first of the other, and
// either way the view answered would not be the one asked for.
func allowQuery(c echo.Context, names ...string) error {
	seen := map[string]bool{}
	for _, pair := range strings.Split(c.Request().URL.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, kerr := url.QueryUnescape(k)
		if kerr != nil {
			return invalidf("query", fmt.Sprintf("a query parameter's name is not valid percent-encoding: %q", clip(k)))
		}
		if _, err := url.QueryUnescape(v); err != nil {
			// The value is not repeated: it may be a code or a token.
			return invalidf(name, fmt.Sprintf("query parameter %q: its value is not valid percent-encoding", clip(name)))
		}
		if strings.Contains(pair, ";") {
			// Go drops a pair with a semicolon (it is no separator since
			// Go 1.17): it must not vanish in silence either.
			return invalidf(name, fmt.Sprintf("query parameter %q: a ; does not separate parameters (use &), and a value holds none", clip(name)))
		}
		if !slices.Contains(names, name) {
			want := "none"
			if len(names) > 0 {
				want = "one of " + strings.Join(names, ", ")
			}
			return invalidf(name, fmt.Sprintf("unknown query parameter %q: want %s", clip(name), want))
		}
		if seen[name] {
			return invalidf(name, fmt.Sprintf("query parameter %q is given twice", clip(name)))
		}
		seen[name] = true
	}
	return nil
}

// sectionParam is the path's section id, percent-decoded: echo hands a
// parameter over as it came when the path was escaped (U06%2DS12 for
// U06-S12), and an id escaped by a client's library is the same id.
func sectionParam(c echo.Context) string {
	id := c.Param("id")
	if u, err := url.PathUnescape(id); err == nil {
		return u
	}
	return id
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// download reads format (json, the default, or xlsx) and, for xlsx, lang
// (zh, the default: the office reads Chinese, or en).
func download(c echo.Context) (xlsxLang labels.Lang, isXLSX bool, err error) {
	switch f := c.QueryParam("format"); f {
	case "", "json":
		if c.QueryParam("lang") != "" {
			return "", false, invalidf("lang", "lang is for format=xlsx; the JSON has no labels")
		}
		return "", false, nil
	case "xlsx":
	default:
		return "", false, invalidf("format", "format must be json or xlsx")
	}
	l := labels.Zh
	if v := c.QueryParam("lang"); v != "" {
		var ok bool
		if l, ok = labels.Parse(v); !ok {
			return "", false, invalidf("lang", "lang must be zh or en")
		}
	}
	return l, true, nil
}

// standingsXLSX, outcomeXLSX and explainXLSX answer the workbooks of the
// API's ?format=xlsx and the desk's downloads.

func (s *Server) standingsXLSX(c echo.Context, st *projections.Standings, l labels.Lang) error {
	names := s.names()
	return s.sendXLSX(c, xlsx.Filename("standings", st.AsOf), func(w io.Writer) error {
		return xlsx.Standings(w, st, names, present.Filter{}, l)
	})
}

func (s *Server) outcomeXLSX(c echo.Context, st *projections.Standings, l labels.Lang) error {
	names := s.names()
	return s.sendXLSX(c, xlsx.Filename("outcome", st.AsOf), func(w io.Writer) error {
		return xlsx.Outcome(w, st, names, l)
	})
}

func (s *Server) explainXLSX(c echo.Context, e *projections.Explanation, v projections.View, l labels.Lang) error {
	names := s.names()
	return s.sendXLSX(c, xlsx.Filename("explain-"+e.SectionID, events.FormatCST(v.AsOf)), func(w io.Writer) error {
		return xlsx.Explain(w, e, names, l)
	})
}

// names are the roster's unit names.
func (s *Server) names() present.Names { return s.ledger.UnitNames() }

// sendXLSX answers a workbook as a download. A workbook is built whole in
// memory (tens of MB for a busy section's explain), so at most one a core
// is built at a time: a hundred requests at once wait their turn, up to
// their deadline (503), rather than hold gigabytes together.
func (s *Server) sendXLSX(c echo.Context, name string, write func(io.Writer) error) error {
	ctx := c.Request().Context()
	select {
	case s.workbooks <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("workbook: %w", ctx.Err())
	}
	defer func() { <-s.workbooks }()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, xlsx.ContentType, buf.Bytes())
}

// view reads as_of and known_at into the view they name.
func (s *Server) view(c echo.Context) (projections.View, error) {
	return s.viewOf(c, "as_of", "known_at", s.ledger.Now())
}

// viewOf reads a view from two query parameters; an error names the
// parameter.
// now is known_at's default (replay.Ledger.ViewAt).
func (s *Server) viewOf(c echo.Context, asOfName, knownName string, now time.Time) (projections.View, error) {
	var asOf, knownAt *time.Time
	for _, q := range []struct {
		name string
		dst  **time.Time
	}{{asOfName, &asOf}, {knownName, &knownAt}} {
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
	v, err := s.ledger.ViewAt(now, asOf, knownAt)
	var fe *events.FieldError
	if errors.As(err, &fe) && fe.Field == "as_of" {
		// The ledger names its own parameter; the request named another.
		return v, invalidf(asOfName, asOfName+": "+fe.Reason)
	}
	return v, err
}

func (s *Server) standings(c echo.Context) error {
	if err := allowQuery(c, "as_of", "known_at", "format", "lang"); err != nil {
		return err
	}
	l, isXLSX, err := download(c)
	if err != nil {
		return err
	}
	v, err := s.view(c)
	if err != nil {
		return err
	}
	if isXLSX {
		st, err := s.ledger.Standings(c.Request().Context(), v)
		if err != nil {
			return err
		}
		return s.standingsXLSX(c, st, l)
	}
	start := time.Now()
	b, err := s.ledger.StandingsJSON(c.Request().Context(), v)
	if err != nil {
		return err
	}
	s.m.replay.WithLabelValues("standings").Observe(time.Since(start).Seconds())
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

func (s *Server) explain(c echo.Context) error {
	if err := allowQuery(c, "as_of", "known_at", "format", "lang", "component", "deductions", "votes"); err != nil {
		return err
	}
	l, isXLSX, err := download(c)
	if err != nil {
		return err
	}
	v, err := s.view(c)
	if err != nil {
		return err
	}
	f, err := explainFilter(c)
	if err != nil {
		return err
	}
	start := time.Now()
	e, err := s.ledger.Explain(c.Request().Context(), sectionParam(c), v)
	if err != nil {
		return err
	}
	e = e.Filtered(f)
	if isXLSX {
		return s.explainXLSX(c, e, v, l)
	}
	s.m.replay.WithLabelValues("explain").Observe(time.Since(start).Seconds())
	return c.JSON(http.StatusOK, e)
}

// explainFilter reads explain's reading options: component, deductions,
// and votes (which the JSON ignores: its entries always list every vote).
func explainFilter(c echo.Context) (projections.ExplainFilter, error) {
	f := projections.ExplainFilter{Component: c.QueryParam("component")}
	switch d := c.QueryParam("deductions"); d {
	case "", "false", "0":
	case "true", "1":
		f.Deductions = true
	default:
		return f, invalidf("deductions", "deductions must be true or false")
	}
	switch c.QueryParam("votes") {
	case "", "all", "summary":
	default:
		return f, invalidf("votes", "votes must be all or summary")
	}
	if ferr := f.Check(); ferr != nil {
		return f, invalidf(ferr.Field, ferr.Field+": "+ferr.Reason)
	}
	return f, nil
}

func (s *Server) diff(c echo.Context) error {
	if err := allowQuery(c, "from_as_of", "from_known_at", "to_as_of", "to_known_at"); err != nil {
		return err
	}
	now := s.ledger.Now() // one instant for both views (ViewAt)
	from, err := s.viewOf(c, "from_as_of", "from_known_at", now)
	if err != nil {
		return err
	}
	to, err := s.viewOf(c, "to_as_of", "to_known_at", now)
	if err != nil {
		return err
	}
	start := time.Now()
	d, err := s.ledger.Diff(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	s.m.replay.WithLabelValues("diff").Observe(time.Since(start).Seconds())
	return c.JSON(http.StatusOK, d)
}

func (s *Server) whatif(c echo.Context) error {
	if err := allowQuery(c, "as_of"); err != nil {
		return err
	}
	v, err := s.view(c)
	if err != nil {
		return err
	}
	in, _, err := readEvents(c)
	if err != nil {
		return err
	}
	start := time.Now()
	w, err := s.ledger.WhatIf(c.Request().Context(), slices.Values(in), v.AsOf)
	if err != nil {
		return err
	}
	s.m.replay.WithLabelValues("whatif").Observe(time.Since(start).Seconds())
	return c.JSON(http.StatusOK, w)
}

func (s *Server) verify(c echo.Context) error {
	if err := allowQuery(c); err != nil {
		return err
	}
	v, err := replay.Verify(c.Request().Context(), s.ledger.Store(), s.ledger.Now())
	var ve *events.VerifyError
	switch {
	case errors.As(err, &ve):
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "events": v.Events, "head": v.Head.String(),
			"position": ve.Position, "error": ve.Reason})
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "events": v.Events, "head": v.Head.String(),
		"root": base64.StdEncoding.EncodeToString(v.Root[:])})
}
