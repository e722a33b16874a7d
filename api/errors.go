package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
)

// Error is the one error shape of the API:
// {"error": {"code": "...", "message": "...", "field": "..."}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"` // "" when no field is at fault: the contract's shape has the key
}

func (e *Error) Error() string { return e.Message }

// Errors the handlers raise themselves.
var (
	errUnauthorized = &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "missing or unknown bearer token"}
	errForbidden    = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "this token's role may not do this"}
	errTooLarge     = &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "request body over 1 MiB"}
	errRateLimited  = &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "too many ballot attempts from this address; wait a minute"}
	errUnavailable  = &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "request timed out or the server is shutting down"}
	errStoreLost    = &Error{Status: http.StatusServiceUnavailable, Code: "store_lost",
		Message: "the ledger's database files were removed or replaced while it ran; no append is accepted until it is restarted (the server's log says more)"}
)

func invalidf(field, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: msg, Field: field}
}

// statusOf is the API's one error-to-status table.
func statusOf(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return &Error{Status: he.Code, Code: "not_found", Message: "no such route"}
		case http.StatusMethodNotAllowed:
			return &Error{Status: he.Code, Code: "method_not_allowed", Message: "method not allowed on this route"}
		case http.StatusRequestEntityTooLarge:
			return errTooLarge
		case http.StatusTooManyRequests: // echo's RateLimiter, on POST /v1/ballots only
			return errRateLimited
		case http.StatusServiceUnavailable:
			return errUnavailable
		}
		return &Error{Status: he.Code, Code: "error", Message: http.StatusText(he.Code)}
	}
	if errors.Is(err, events.ErrStoreLost) {
		return errStoreLost // the details (paths) go to the log, not to the client
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// The request's deadline ran out, most likely waiting for its turn
		// to compute a view (replay's gate).
		return errUnavailable
	}
	out := &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
	if errors.Is(err, replay.ErrReadOnly) {
		return &Error{Status: http.StatusServiceUnavailable, Code: "read_only", Message: replay.ErrReadOnly.Error()}
	}
	var be *events.BatchError
	var fe *events.FieldError
	switch {
	case errors.As(err, &be) && len(be.Items) > 0:
		out.Message, out.Field = be.Error(), be.Items[0].Err.Field
	case errors.As(err, &fe):
		out.Message, out.Field = fe.Error(), fe.Field
	default:
		out.Message = err.Error()
	}
	switch {
	case errors.Is(err, events.ErrInvalid):
		out.Status, out.Code = http.StatusBadRequest, "invalid"
	case errors.Is(err, events.ErrConflict):
		out.Status, out.Code = http.StatusConflict, "conflict"
	case errors.Is(err, events.ErrNotFound):
		out.Status, out.Code = http.StatusNotFound, "not_found"
	case errors.Is(err, events.ErrBroken):
		out.Status, out.Code = http.StatusInternalServerError, "broken_chain"
	default:
		out.Message, out.Field = "internal error", ""
	}
	return out
}

// handleError writes every error the same way.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := statusOf(err)
	if e.Status >= 500 {
		s.log.Error("request failed", "route", c.Path(), "method", c.Request().Method, "err", err.Error())
	}
	_ = c.JSON(e.Status, map[string]*Error{"error": e})
}
