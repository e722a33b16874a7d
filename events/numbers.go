package events

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The ledger keeps a number as a 64-bit float and writes it in its
// shortest form (canonical.go). A number is therefore taken only when that
// form says exactly what the client sent: a digit that a float cannot hold
// (4.1000000000000000001, 1e-400) would otherwise be dropped without a word,
// and two texts that differ would hash the same. -0 is refused as well:
// tools print it as -0, 0 or -0.0, which would break the hash recipe.

// numberProblem says what is wrong with a JSON number token, or "".
func numberProblem(tok []byte) string {
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return "out of range: the ledger keeps 64-bit numbers"
	}
	if v == 0 && math.Signbit(v) {
		return "-0 is not allowed: write 0"
	}
	sent, ok := decimalOf(string(tok))
	if !ok {
		return "out of range: the ledger keeps 64-bit numbers"
	}
	if kept, _ := decimalOf(strconv.FormatFloat(v, 'e', -1, 64)); sent != kept {
		return fmt.Sprintf("has more digits than the ledger keeps; it would store %s: send that", num(v))
	}
	return ""
}

// decimal is a number's exact value as its significant digits (no leading
// or trailing zero) and the place of the decimal point: 0.d1d2d3… × 10^point.
type decimal struct {
	neg    bool
	digits string
	point  int
}

// decimalOf reads a JSON number (or Go's 'e' format) exactly.
func decimalOf(s string) (decimal, bool) {
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 1<<20 || e < -(1<<20) {
			return d, false
		}
		exp, s = e, s[:i]
	}
	whole, frac, _ := strings.Cut(s, ".")
	digits := whole + frac
	point := len(whole) + exp
	for len(digits) > 0 && digits[0] == '0' {
		digits, point = digits[1:], point-1
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return decimal{}, true // zero, whatever its sign or exponent
	}
	d.digits, d.point = digits, point
	return d, true
}

// decimals reports whether v has at most n decimals, exactly: its shortest
// form, which is what the ledger stores and prints (and, the decoder made
// sure, exactly what the client sent), has no more than n digits after the
// point. 4.1 has one; 4.10000001 and 1e-9 have more.
func decimals(v float64, n int) bool {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s)-i-1 <= n
	}
	return true
}
