package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
)

// BallotAttempts is how many ballots one client address may try in a
// minute: codes are guessable only by trying, so guessing is what this
// slows down.
const BallotAttempts = 20

type ballotBody struct {
	Code          string   `json:"code"`
	CredentialKey string   `json:"credential_key"`
	Satisfied     []string `json:"satisfied"`
	Unsatisfied   []string `json:"unsatisfied"`
	Signature     string   `json:"signature"`
}

// ballot takes a voter's plain one-time code, derives its key, signs the
// ballot and forgets the code (which is never stored, logged or echoed);
// or a ballot the voter's browser signed with that key, so that the code
// never reaches the ledger at all. Either way the stored BallotCast is
// signed, and its signature is checked like any other's.
func (s *Server) ballot(c echo.Context) error {
	if s.ledger.Broken != nil {
		return replay.ErrReadOnly
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var b ballotBody
	// As strict as an event: "Code" is not "code", a key is given once,
	// nothing follows the body. An error names a field of the body, never
	// what the client sent (a key could be the code itself).
	if ferr := events.DecodeObject(body, &b); ferr != nil {
		switch f := ferr.Field; {
		case f == "code" || f == "credential_key" || f == "signature" ||
			strings.HasPrefix(f, "satisfied") || strings.HasPrefix(f, "unsatisfied"):
			return invalidf(f, ferr.Error())
		}
		return invalidf("", "body must be {\"code\", \"satisfied\", \"unsatisfied\"} or "+
			"{\"credential_key\", \"satisfied\", \"unsatisfied\", \"signature\"}, each key once, and nothing more")
	}
	d := &events.BallotCastData{Satisfied: b.Satisfied, Unsatisfied: b.Unsatisfied}
	codeForm := b.Code != ""
	switch {
	case b.Code != "" && (b.CredentialKey != "" || b.Signature != ""):
		return invalidf("code", "code: send either the code or credential_key and signature, not both")
	case b.Code != "":
		// Voters type codes from an SMS: NormalizeCode trims and lowercases
		// (codes are issued in lower case).
		code := events.NormalizeCode(b.Code)
		b.Code = ""
		if code == "" || len(code) > 128 {
			return invalidf("code", "code: required, at most 128 characters")
		}
		d.Sign(events.CodeKey(code))
	case b.CredentialKey == "" && b.Signature == "":
		return invalidf("code", "code: required (or credential_key and signature)")
	default:
		d.CredentialKey, d.Signature = b.CredentialKey, b.Signature
	}
	// Build checks the ballot like any BallotCast: the key, 10 and 10
	// disjoint valid ids, and the signature.
	ev, ferr := events.Build(s.ballotT(), "voter:qinglian", d)
	if ferr != nil {
		return inBody(ferr, codeForm)
	}
	res, err := s.ledger.Append(c.Request().Context(), slices.Values([]events.Decoded{{Event: ev}}),
		replay.AppendOptions{Keep: true, Replayable: true})
	var be *events.BatchError
	if errors.As(err, &be) && len(be.Items) == 1 {
		return inBody(be.Items[0].Err, codeForm)
	}
	if err != nil {
		return err
	}
	r := res.Records[0]
	return c.JSON(http.StatusCreated, map[string]any{"status": "accepted", "position": r.Position, "event_id": r.ID.String()})
}

// inBody names a refusal of the ballot's event by the field of the body
// the voter sent (satisfied[9], not data.satisfied[9]; code, when the key
// and signature were derived from it), as the same kind of error.
func inBody(fe *events.FieldError, codeForm bool) error {
	field := strings.TrimPrefix(fe.Field, "data.")
	name, _, _ := strings.Cut(field, "[") // satisfied[9] is satisfied's
	switch {
	case codeForm && (name == "credential_key" || name == "signature"):
		field = "code"
	case name != "credential_key" && name != "signature" && name != "satisfied" && name != "unsatisfied":
		// No field of the body (the event's type or time: no list frozen,
		// the ballot clock outside the window): the ballot as a whole.
		field = ""
	}
	reason := fe.Reason
	if r, ok := codeReasons[reason]; ok && codeForm {
		reason = r
	}
	return &events.FieldError{Field: field, Reason: reason, Kind: fe.Kind}
}

// codeReasons words the credential's refusals for a voter who sent a code.
var codeReasons = map[string]string{
	"unknown credential":                "unknown code",
	"this credential has already voted": "this code has already been used to vote",
}

// attemptStore is echo's RateLimiterMemoryStore with the server's clock
// instead of time.Now: echo (v4.16, and v5 too) does not let a caller set
// its store's clock, and the rate-limit test must not depend on how fast
// the machine runs. Each client keeps the times of its attempts of the last
// window: at most n in any window, as the contract words it ("past 20
// attempts a minute"). A token bucket of n refilled at n per window, which
// this replaced, let through n at once and then one every window/n: about
// 2n in a window.
type attemptStore struct {
	mu      sync.Mutex
	n       int
	window  time.Duration
	now     func() time.Time
	clients map[string]*attempts
	swept   time.Time
}

type attempts struct {
	times []time.Time // the allowed attempts of the last window, oldest first
	last  time.Time
}

func newAttemptStore(n int, window time.Duration, now func() time.Time) *attemptStore {
	return &attemptStore{n: n, window: window, now: now, clients: map[string]*attempts{}, swept: now()}
}

// Allow implements middleware.RateLimiterStore.
func (s *attemptStore) Allow(client string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	// A bucket left alone for a whole window is full again, the same as a
	// new one: forgetting it loses nothing and bounds the map by the
	// clients of the last window.
	if now.Sub(s.swept) >= s.window {
		for k, a := range s.clients {
			if now.Sub(a.last) >= s.window {
				delete(s.clients, k)
			}
		}
		s.swept = now
	}
	a := s.clients[client]
	if a == nil {
		a = &attempts{times: make([]time.Time, 0, s.n)}
		s.clients[client] = a
	}
	a.last = now
	old := 0
	for old < len(a.times) && now.Sub(a.times[old]) >= s.window {
		old++
	}
	a.times = append(a.times[:0], a.times[old:]...)
	if len(a.times) >= s.n {
		return false, nil
	}
	a.times = append(a.times, now)
	return true, nil
}
