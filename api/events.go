package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
)

// readEvents reads a body of one event (an object) or an array of at most
// MaxBatch, and decodes each; single tells which it was.
func readEvents(c echo.Context) (in []events.Decoded, single bool, err error) {
	body, err := readBody(c)
	if err != nil {
		return nil, false, err
	}
	trimmed := strings.TrimLeft(string(body[:min(len(body), 64)]), " \t\r\n")
	var raws []json.RawMessage
	switch {
	case strings.HasPrefix(trimmed, "["):
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, false, invalidf("", "malformed JSON array of events")
		}
		if len(raws) == 0 {
			return nil, false, invalidf("", "empty array: no event given")
		}
		if len(raws) > MaxBatch {
			return nil, false, invalidf("", fmt.Sprintf("at most %d events per request, got %d", MaxBatch, len(raws)))
		}
	case strings.HasPrefix(trimmed, "{"):
		raws, single = []json.RawMessage{body}, true
	default:
		return nil, false, invalidf("", "body must be a JSON event or an array of events")
	}
	in = make([]events.Decoded, len(raws))
	for i, raw := range raws {
		ev, ferr := events.Decode(raw, events.DecodeOptions{})
		in[i] = events.Decoded{Event: ev, Err: ferr}
	}
	return in, single, nil
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
	if s.ledger.Broken != nil {
		return replay.ErrReadOnly
	}
	in, single, err := readEvents(c)
	if err != nil {
		return err
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

func (s *Server) getEvents(c echo.Context) error {
	if err := allowQuery(c, "after", "limit"); err != nil {
		return err
	}
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
