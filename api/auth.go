package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
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
	// RFC 7235: the scheme is case-insensitive and one or more spaces
	// separate it from the credentials.
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimLeft(tok, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
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

// ParseTokens reads a tokens file: lines "ROLE TOKEN"; blank lines and
// lines starting with # are skipped. Errors name the line, never a token.
func ParseTokens(r io.Reader) (map[[32]byte]Role, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	out := map[[32]byte]Role{}
	lines := map[[32]byte]int{} // where each token was given
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
		sum := sha256.Sum256([]byte(f[1]))
		if first, dup := lines[sum]; dup {
			// With two roles, which would it have? Refuse rather than guess.
			return nil, fmt.Errorf("tokens: line %d: the token of line %d again; give each token once, with one role", i+1, first)
		}
		out[sum], lines[sum] = role, i+1
	}
	if len(out) == 0 {
		return nil, errors.New("tokens: no tokens in the file")
	}
	return out, nil
}
