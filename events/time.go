package events

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// CST is China Standard Time (UTC+08:00), the zone of every date in the rules.
var CST = time.FixedZone("CST", 8*60*60)

// WindowText names the window in error messages.
const WindowText = "2020-12-01T00:00:00+08:00 to 2021-11-30T23:59:59.999999999+08:00"

// InWindow reports whether t lies inside the evaluation window.
func InWindow(t time.Time) bool {
	return !t.Before(WindowStart) && !t.After(WindowEnd)
}

// CheckOccurred applies the time rule of the catalogue to an event of type
// t that occurred at at: inside the evaluation window, or, for a type that
// acts by knowledge (Spec.AfterWindow), any time from the window's start on.
// Whether it also comes after its target needs the ledger's state, so that
// is the fold's check.
func CheckOccurred(t Type, at time.Time) *FieldError {
	if s, ok := specs[t]; ok && s.AfterWindow {
		if at.Before(WindowStart) {
			return invalid("occurred_at", "before the evaluation window's start, %s", FormatCST(WindowStart))
		}
		return nil
	}
	if !InWindow(at) {
		return invalid("occurred_at", "outside the evaluation window %s", WindowText)
	}
	return nil
}

// ParseInstant parses an RFC 3339 timestamp that carries an explicit offset
// (Z counts as one). A bare date or a time without offset is refused, because
// an effective time must never depend on the machine's zone.
func ParseInstant(s string) (time.Time, error) {
	t, err := ParseRFC3339(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not an RFC 3339 time with offset: %q%s", clip(s), why(err))
	}
	return t, nil
}

// ErrNotRFC3339 is ParseRFC3339's error when there is no more to say than
// that; its other errors name what is wrong (an offset out of range, …).
var ErrNotRFC3339 = errors.New("not an RFC 3339 time with offset")

// why is a ParseRFC3339 error as words to add in parentheses, if it has
// more to say than ErrNotRFC3339.
func why(err error) string {
	if errors.Is(err, ErrNotRFC3339) {
		return ""
	}
	return " (" + err.Error() + ")"
}

// ParseRFC3339 parses RFC 3339's date-time (section 5.6) and nothing
// else. time.Parse is more lenient than the RFC: it takes a comma before
// the fraction, offsets of +24:00 and +08:60 and any number of fraction
// digits. The RFC's -00:00 ("the offset is unknown", section 4.3) is
// refused too: the ledger needs the offset. T and Z may be lower case, as
// the RFC allows; a fraction has at most 9 digits, the nanoseconds the
// ledger keeps. Every instant the ledger reads goes through it.
func ParseRFC3339(s string) (time.Time, error) {
	digits := func(i, n int) bool {
		if i+n > len(s) {
			return false
		}
		for k := i; k < i+n; k++ {
			if s[k] < '0' || s[k] > '9' {
				return false
			}
		}
		return true
	}
	bad := ErrNotRFC3339
	if len(s) < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
		(s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' || !digits(17, 2) {
		return time.Time{}, bad
	}
	i := 19
	if s[i] == '.' {
		n := 0
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n++
		}
		switch {
		case n == 0:
			return time.Time{}, bad
		case n > 9:
			return time.Time{}, errors.New("more than 9 digits of fraction")
		}
	}
	switch rest := s[i:]; {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && digits(i+1, 2) && rest[3] == ':' && digits(i+4, 2):
		if rest[1:3] > "23" || rest[4:6] > "59" {
			return time.Time{}, fmt.Errorf("offset %s out of range", rest)
		}
		if rest == "-00:00" {
			return time.Time{}, errors.New("-00:00 says the offset is unknown")
		}
	default:
		return time.Time{}, bad
	}
	// time.Parse wants the upper case, and checks the fields' ranges (month
	// 13, February 30, hour 24 and second 60 are refused).
	if s[10] == 't' || s[len(s)-1] == 'z' {
		u := []byte(s)
		u[10] = 'T'
		if u[len(u)-1] == 'z' {
			u[len(u)-1] = 'Z'
		}
		s = string(u)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, bad
	}
	return t, nil
}

// ParseBound parses a query bound: YYYY-MM-DD means the end of that day in
// CST (inclusive); anything else must be RFC 3339. Its error does not
// repeat the value: over HTTP, whatever a client pasted there (a voter's
// code, a token) must not come back in a response.
func ParseBound(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) == len("2006-01-02") {
		d, err := time.ParseInLocation("2006-01-02", s, CST)
		if err != nil {
			return time.Time{}, errors.New("not a date (YYYY-MM-DD) or RFC 3339 time")
		}
		return d.Add(24*time.Hour - time.Nanosecond), nil
	}
	t, err := ParseRFC3339(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date (YYYY-MM-DD) or RFC 3339 time%s", why(err))
	}
	return t, nil
}

// The instants a store can hold: times are kept as int64 nanoseconds since
// 1970 (time.Time.UnixNano), which reach from 1677-09-21 to 2262-04-11.
var (
	MinStored = time.Unix(0, math.MinInt64).UTC()
	MaxStored = time.Unix(0, math.MaxInt64).UTC()
)

// Storable reports whether t lies within MinStored and MaxStored.
func Storable(t time.Time) bool { return !t.Before(MinStored) && !t.After(MaxStored) }

// Nanos is t.UnixNano, saturated at the ends of the int64 range instead of
// overflowing: a view bound such as known_at may be any instant, and one
// after 2262 must still count as after every stored time.
func Nanos(t time.Time) int64 {
	switch {
	case t.Before(MinStored):
		return math.MinInt64
	case t.After(MaxStored):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// FormatCST renders t in CST, the form every stored occurred_at takes.
func FormatCST(t time.Time) string {
	var b [40]byte
	return string(AppendCST(b[:0], t))
}

// FormatUTC renders t in UTC, the form every stored recorded_at takes.
func FormatUTC(t time.Time) string {
	var b [40]byte
	return string(AppendUTC(b[:0], t))
}

// clip keeps error messages short when the input is hostile, without
// cutting a character in two.
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

// AppendCST appends t as a stored occurred_at: RFC 3339 with nanoseconds
// as needed, in +08:00. AppendUTC appends it as a stored recorded_at, in
// UTC. Both write exactly what time.Time.AppendFormat does with
// time.RFC3339Nano (TestAppendTimeMatchesTheLibrary) in a fraction of its
// time: every event's canonical bytes hold two, and so does every entry of
// an explain trail.
func AppendCST(dst []byte, t time.Time) []byte { return appendRFC3339(dst, t.In(CST), "+08:00") }

// AppendUTC: see AppendCST.
func AppendUTC(dst []byte, t time.Time) []byte { return appendRFC3339(dst, t.UTC(), "Z") }

// TimeWriter writes stored times from Unix nanoseconds as AppendCST and
// AppendUTC do, keeping the date of the last day it wrote in each zone: an
// explain trail writes two times an entry, thousands of entries in time
// order, most of them on a day it has just written. The zero value is
// ready; it is not safe for concurrent use.
type TimeWriter struct {
	day  [2]int64 // CST, UTC: the day (since 1970-01-01, local) of date
	date [2][10]byte
	set  [2]bool
}

// AppendCST appends the instant ns (Unix nanoseconds) as AppendCST does.
func (w *TimeWriter) AppendCST(dst []byte, ns int64) []byte {
	return w.append(dst, ns, 0, 8*60*60, "+08:00")
}

// AppendUTC appends the instant ns (Unix nanoseconds) as AppendUTC does.
func (w *TimeWriter) AppendUTC(dst []byte, ns int64) []byte { return w.append(dst, ns, 1, 0, "Z") }

func (w *TimeWriter) append(dst []byte, ns int64, z int, offset int64, zone string) []byte {
	secs, frac := ns/1e9, ns%1e9
	if frac < 0 {
		secs, frac = secs-1, frac+1e9
	}
	secs += offset
	day, rem := secs/86400, secs%86400
	if rem < 0 {
		day, rem = day-1, rem+86400
	}
	if !w.set[z] || w.day[z] != day {
		// Any int64 of nanoseconds lies between the years 1677 and 2262:
		// the date is always ten bytes.
		loc := CST
		if offset == 0 {
			loc = time.UTC
		}
		var b [40]byte
		copy(w.date[z][:], appendRFC3339(b[:0], time.Unix(day*86400-offset, 0).In(loc), "")[:10])
		w.day[z], w.set[z] = day, true
	}
	r := uint32(rem)
	hour, min, sec := r/3600, r/60%60, r%60
	dst = append(dst, w.date[z][:]...)
	dst = append(dst, 'T', byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	return append(appendFraction(dst, uint32(frac)), zone...)
}

func appendRFC3339(dst []byte, t time.Time, zone string) []byte {
	year, month, day := t.Date()
	if year < 1000 || year > 9999 {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	hour, min, sec := t.Clock()
	dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	return append(appendFraction(dst, uint32(t.Nanosecond())), zone...)
}

// appendFraction appends nanoseconds as RFC 3339 does: nothing for none,
// else a point and the digits without trailing zeros. (32-bit division is
// the cheaper.)
func appendFraction(dst []byte, ns uint32) []byte {
	if ns == 0 {
		return dst
	}
	var frac [10]byte
	frac[0] = '.'
	for i := 9; i >= 1; i-- {
		frac[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := 10
	for frac[n-1] == '0' {
		n--
	}
	return append(dst, frac[:n]...)
}
