// Package when reads the dates and times people type on the command line
// and in spreadsheets, and shows times the way the office reads them.
//
// The ledger itself (events.ParseInstant, events.ParseBound) takes RFC 3339
// and YYYY-MM-DD only, so that a stored or requested instant never depends
// on how someone chose to write it. People write 2021/06/30 and 2021-6-30
// too, and deserve to be told why 2021-02-29 is no date; this package
// accepts those forms and turns them into the same instants, with an error
// that says what is wrong.
package when

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pingyang/ledger/events"
)

// Bound parses a query bound (--as-of, --known-at, --at, --clock): a date
// (2021-06-30, 2021/06/30, 2021-6-30) means the end of that day in +08:00,
// inclusive; anything with a time must be RFC 3339 with an offset.
func Bound(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if y, m, d, ok, err := date(s); ok {
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, events.CST).Add(24*time.Hour - time.Nanosecond), nil
	}
	return Instant(s)
}

// Instant parses an instant: RFC 3339 with an offset. A time without one
// says to add +08:00; a date alone says it needs a time.
func Instant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// RFC 3339 as the ledger reads it, not time.Parse's looser form (a
	// comma fraction, +24:00, -00:00).
	t, strict := events.ParseRFC3339(s)
	if strict == nil {
		return t, nil
	}
	if y, m, d, ok, err := date(s); ok {
		if err != nil {
			return time.Time{}, err
		}
		// The example in the one form the ledger reads (2021/6/3 is a
		// date, but 2021/6/3T09:00 is no RFC 3339).
		return time.Time{}, fmt.Errorf("%q is a date without a time: write e.g. %04d-%02d-%02dT09:00:00+08:00", clip(s), y, m, d)
	}
	// Say what is wrong with the date part before the form of the rest.
	if i := strings.IndexAny(s, "T t"); i > 0 {
		y, m, d, ok, err := date(s[:i])
		if ok && err != nil {
			return time.Time{}, err
		}
		rest := s[i+1:]
		if ok && !hasOffset(rest) {
			day := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
			if _, err := time.Parse(time.RFC3339Nano, day+"T"+rest+"+08:00"); err == nil {
				return time.Time{}, fmt.Errorf("%q has no offset: add +08:00 (China Standard Time), e.g. %sT%s+08:00", clip(s), day, rest)
			}
		}
	}
	why := ""
	if i := strings.IndexAny(s, "T t"); i > 0 && hasOffset(s[i+1:]) && !errors.Is(strict, events.ErrNotRFC3339) {
		why = " (" + strict.Error() + ")"
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2021-06-30, 2021/06/30, 2021-6-30) or an RFC 3339 time with offset (2021-06-30T09:00:00+08:00)%s", clip(s), why)
}

// hasOffset reports whether the time part of an RFC 3339 string carries
// an offset: Z, or a sign after the seconds.
func hasOffset(t string) bool {
	return strings.HasSuffix(t, "Z") || strings.HasSuffix(t, "z") || strings.ContainsAny(t, "+-")
}

// date reads YYYY-MM-DD, YYYY/MM/DD and their one-digit month and day forms.
// ok says s has the shape of a date; err then says why it is none.
func date(s string) (y, m, d int, ok bool, err error) {
	sep := ""
	switch {
	case strings.Count(s, "-") == 2 && !strings.ContainsAny(s, "/T :"):
		sep = "-"
	case strings.Count(s, "/") == 2 && !strings.ContainsAny(s, "-T :"):
		sep = "/"
	default:
		return 0, 0, 0, false, nil
	}
	parts := strings.Split(s, sep)
	if len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return 0, 0, 0, false, nil
	}
	var n [3]int
	for i, p := range parts {
		v, perr := strconv.Atoi(p)
		if perr != nil || v < 0 || p[0] == '+' {
			return 0, 0, 0, false, nil
		}
		n[i] = v
	}
	y, m, d = n[0], n[1], n[2]
	if m < 1 || m > 12 {
		return y, m, d, true, fmt.Errorf("%q: there is no month %d", s, m)
	}
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > last {
		return y, m, d, true, fmt.Errorf("%q: %s has %d days in %d", s, time.Month(m), last, y)
	}
	return y, m, d, true, nil
}

// Show renders an instant for people, in +08:00: "2021-11-30 +08:00" for
// the last instant of a day (how a date bound is kept), else
// "2021-11-30 09:30:00 +08:00" (with fractions of a second only when there
// are some).
func Show(t time.Time) string {
	c := t.In(events.CST)
	if c.Add(time.Nanosecond).Day() != c.Day() {
		return c.Format("2006-01-02 -07:00")
	}
	// People read seconds; the JSON keeps the instant to the nanosecond.
	return c.Format("2006-01-02 15:04:05 -07:00")
}

// ShowString renders a stored RFC 3339 time with Show, or returns it as it
// is when it does not parse.
func ShowString(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return Show(t)
}

// clip keeps an error short when the input is long.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
