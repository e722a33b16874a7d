package events

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Field checks shared by the bodies of the catalogue.

// Limits on free text and lists, so that no single event can be huge.
const (
	MaxNameLen  = 128
	MaxTextLen  = 1024
	MaxListLen  = 1000
	MaxActorLen = 64
	MaxRefLen   = 128
)

func sectionStream(id string) string { return "section-" + id }
func unitStream(id string) string    { return "unit-" + id }

// idChars reports whether every byte of v is A-Z a-z 0-9 - _ and its
// length is within [min, max].
func idChars(v string, min, max int) bool {
	if len(v) < min || len(v) > max {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func first(errs ...*FieldError) *FieldError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// IsID reports whether v is an id (unit_id, section_id): 1-32 characters
// of A-Z a-z 0-9 - _.
func IsID(v string) bool { return idChars(v, 1, 32) }

func checkID(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !idChars(v, 1, 32) {
		return invalid(field, "must be 1-32 characters of A-Z a-z 0-9 - _")
	}
	return nil
}

func checkIDList(field string, ids []string) *FieldError {
	if len(ids) > MaxListLen {
		return invalid(field, "more than %d ids", MaxListLen)
	}
	// The path of an element is built only for an error: a ballot's
	// lists are checked at every append and every verify.
	at := func(i int) string { return field + "[" + strconv.Itoa(i) + "]" }
	var seen map[string]bool
	if len(ids) > 16 {
		seen = make(map[string]bool, len(ids))
	}
	for i, id := range ids {
		if !idChars(id, 1, 32) {
			return checkID(at(i), id)
		}
		twice := false
		if seen != nil {
			twice, seen[id] = seen[id], true
		} else {
			twice = slices.Contains(ids[:i], id)
		}
		if twice {
			return invalid(at(i), "section %s named twice", id)
		}
	}
	return nil
}

func checkString(field, v string, max int) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !utf8.ValidString(v) {
		return invalid(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "at most %d characters, got %d", max, n)
	}
	if hasControl(v) {
		return invalid(field, "must not contain control characters")
	}
	if r, ok := invisible(v); ok {
		return invalid(field, "must not contain invisible or formatting characters (U+%04X)", r)
	}
	if strings.TrimSpace(v) == "" {
		return invalid(field, "must not be blank")
	}
	return nil
}

func checkName(field, v string) *FieldError { return checkString(field, v, MaxNameLen) }
func checkText(field, v string) *FieldError { return checkString(field, v, MaxTextLen) }

// hasControl reports C0/C1 controls, DEL and the line and paragraph
// separators. Keeping them out of the ledger makes the canonical JSON of
// every event identical whichever JSON tool an inspector re-derives it with.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	return false
}

// invisible finds a character that shows nothing, or changes how the text
// around it shows: every format character (Unicode category Cf: the bidi
// controls U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and
// U+061C, the zero-width U+200B-U+200D, U+2060 and U+FEFF, the soft hyphen,
// …) and the other default-ignorable code points (the combining grapheme
// joiner, the variation selectors, the Hangul fillers, and the ranges
// Unicode reserves as default-ignorable: U+2065, U+FFF0-U+FFF8 and the
// whole U+E0000-U+E0FFF block). They let two
// strings that look alike differ, or one string read differently from what
// it stores; no name, reason or reference of the ledger needs one.
func invisible(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		if unicode.Is(unicode.Cf, r) || r == 0x034F || r == 0x115F || r == 0x1160 || r == 0x17B4 || r == 0x17B5 ||
			(r >= 0x180B && r <= 0x180F) || r == 0x3164 || (r >= 0xFE00 && r <= 0xFE0F) || r == 0xFFA0 ||
			r == 0x2065 || (r >= 0xFFF0 && r <= 0xFFF8) || (r >= 0xE0000 && r <= 0xE0FFF) {
			return r, true
		}
	}
	return 0, false
}

// foldID is the one spelling of an identifier that de-duplicates (deed_id,
// matter_id): compatibility forms unified (NFKC: full-width ＡＢ becomes AB),
// case folded, surrounding white space trimmed. Without it, DEED-1,
// deed-1, ｄｅｅｄ-1 and "deed-1 " would be four deeds. A value that the
// checks refuse anyway is left as sent, so that the refusal names what was
// sent (NFKC would turn some invisible characters into others).
func foldID(s string) string {
	if _, bad := invisible(s); bad || hasControl(s) || !utf8.ValidString(s) {
		return s
	}
	return strings.TrimSpace(norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s))))
}

func checkBool(field string, v *bool) *FieldError {
	if v == nil {
		return invalid(field, "required (true or false)")
	}
	return nil
}

func lowerHex(v string, n int) bool {
	if len(v) != n {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// checkKey checks a credential_key: an Ed25519 public key in lowercase hex.
func checkKey(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !lowerHex(v, 64) {
		return invalid(field, "must be 64 lowercase hex characters (the Ed25519 public key of the one-time code)")
	}
	return nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func checkUUID(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !uuidRE.MatchString(v) {
		return invalid(field, "must be a UUID")
	}
	return nil
}

// The office's keyed pseudonym of a service recipient (docs/readings.md):
// PseudonymPrefix, then the first 128 bits of HMAC-SHA-256 under the
// office's key in lowercase base32 (RFC 4648, no padding): 26 characters of
// a-z and 2-7. internal/recipients makes them.
const (
	PseudonymPrefix = "r-"
	PseudonymChars  = 26
)

// IsPseudonym reports whether v has the form of the office's pseudonym.
// Such a value is accepted whatever digits it holds: base32 has no 0, 1, 8
// or 9, and every mobile number starts with 1, so it cannot carry one; a run
// of the digits 2-7 in an HMAC is chance, not a number someone typed.
func IsPseudonym(v string) bool {
	if len(v) != len(PseudonymPrefix)+PseudonymChars || v[:len(PseudonymPrefix)] != PseudonymPrefix {
		return false
	}
	for i := len(PseudonymPrefix); i < len(v); i++ {
		if c := v[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// checkRespondent never echoes the value: a pseudonym must not reach an
// error message or a log line.
func checkRespondent(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !idChars(v, 4, 64) {
		return invalid(field, "must be 4-64 characters of A-Z a-z 0-9 - _")
	}
	if IsPseudonym(v) {
		return nil
	}
	if LooksLikePhone(v) {
		return invalid(field, "looks like a phone number (7 or more digits); send a pseudonym")
	}
	return nil
}

// LooksLikePhone reports a run of 7 or more digits, ignoring the separators
// - and _ (so "138-1234-5678" is caught while a hex digest that merely
// contains digits here and there is not).
func LooksLikePhone(v string) bool {
	run := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			run++
			if run >= 7 {
				return true
			}
		case c == '-' || c == '_':
		default:
			run = 0
		}
	}
	return false
}

func checkDeduction(field string, p float64) *FieldError {
	if !(p > 0 && p <= DeductionMax) {
		return invalid(field, "must be more than 0 and at most %s", num(DeductionMax))
	}
	if !decimals(p, DeductionDecimals) {
		return invalid(field, "at most two decimals")
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
