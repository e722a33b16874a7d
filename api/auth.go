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
	f, err := ReadTokens(r)
	return f.Roles, err
}

// TokensFile is a tokens file read: each token's digest and role, and the
// lines whose token is short enough to guess.
type TokensFile struct {
	Roles map[[32]byte]Role
	// Short lists the lines whose token has fewer than MinTokenLength
	// characters: a server warns of them rather than refusing the file,
	// which the interface does not ask of a token.
	Short []int
}

// MinTokenLength is the length under which a token is reported as short.
const MinTokenLength = 16

// ReadTokens is ParseTokens, also saying which lines hold a short token.
// A role is read in any case ("Recorder" is recorder).
func ReadTokens(r io.Reader) (TokensFile, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return TokensFile{}, fmt.Errorf("tokens: %w", err)
	}
	out := TokensFile{Roles: map[[32]byte]Role{}}
	lines := map[[32]byte]int{} // where each token was given
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return TokensFile{}, fmt.Errorf("tokens: line %d: want ROLE TOKEN", i+1)
		}
		role, ok := roleNames[strings.ToLower(f[0])]
		if !ok {
			return TokensFile{}, fmt.Errorf("tokens: line %d: role must be recorder, inspector or viewer", i+1)
		}
		if len(f[1]) < MinTokenLength {
			out.Short = append(out.Short, i+1)
		}
		sum := sha256.Sum256([]byte(f[1]))
		if first, dup := lines[sum]; dup {
			// With two roles, which would it have? Refuse rather than guess.
			return TokensFile{}, fmt.Errorf("tokens: line %d: the token of line %d again; give each token once, with one role", i+1, first)
		}
		out.Roles[sum], lines[sum] = role, i+1
	}
	if len(out.Roles) == 0 {
		return TokensFile{}, errors.New("tokens: no tokens in the file")
	}
	return out, nil
}
