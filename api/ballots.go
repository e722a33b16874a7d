package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
)

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
