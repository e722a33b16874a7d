package api

import (
	"net/http"
	"strconv"
)

// The labels of the request metrics, each from a fixed set, so that no
// client can grow the metrics (and the memory that keeps them) by sending
// new methods or paths: every method is a valid HTTP token, every path a
// new string.

// methodLabel is the request's method if it is one of HTTP's, else
// "other".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// routeLabel is the template of the route that answered, else "unmatched"
// (echo names an unknown path after the nearest node of its route tree,
// which is not a route).
func (s *Server) routeLabel(path string) string {
	if s.routes[path] {
		return path
	}
	return "unmatched"
}

// codeLabel is the status when it is one the API answers (interface.md's
// table), else its class: 2xx, 3xx, 4xx or 5xx.
func codeLabel(status int) string {
	switch status {
	case 200, 201, 304, 400, 401, 403, 404, 405, 409, 413, 429, 500, 503:
		return strconv.Itoa(status)
	}
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
