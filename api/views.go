package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
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
