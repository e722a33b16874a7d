// Package recipients reads the units' lists of service recipients (四(一)1
// of the 2021 rules: name, unit or post, mobile number and matter, at most
// 500 per section, and for 管理执法类 sections the recipients penalised
// that year, 100 or all of them), checks them against the rules and the
// roster, and turns them into the survey sheet, where each recipient is a
// keyed pseudonym.
//
// Names and mobile numbers stay in the lists and the survey sheet: no error
// or report of this package contains one (a problem names its cell, never
// its value), and the ledger only ever receives the pseudonym. The key is
// read from its file and used in memory only.
package recipients

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/pingyang/ledger/events"
)

// KeyBytes is the size of a new key: 256 bits.
const KeyBytes = 32

// Key is the office's pseudonym key.
type Key struct{ b []byte }

// String never shows the key.
func (Key) String() string { return "[pseudonym key]" }

// LoadKey reads a key file: exactly 64 hex characters (32 bytes), blank
// space around them ignored. A stray character more would make another key
// and silently other pseudonyms, unlinked from the last round's. Errors never quote the file's content. warn
// says when the file can be read by other users.
func LoadKey(path string) (k Key, warn string, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Key{}, "", fmt.Errorf("key file %s does not exist: give --new-key to create one (keep it safe: the same key gives the same pseudonyms)", path)
	}
	if err != nil {
		return Key{}, "", fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return Key{}, "", fmt.Errorf("key file %s: %w", path, err)
	}
	b, err := hex.DecodeString(string(bytes.TrimSpace(raw)))
	if err != nil || len(b) != KeyBytes {
		return Key{}, "", fmt.Errorf("key file %s: not a key: want exactly %d hex characters on one line", path, 2*KeyBytes)
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		warn = fmt.Sprintf("key file %s can be read by other users (mode %04o): chmod 600 %s", path, st.Mode().Perm(), path)
	}
	return Key{b: b}, warn, nil
}

// NewKey writes a new random key to path, readable by its owner only. It
// refuses to replace an existing file: pseudonyms made under the old key
// would no longer match.
func NewKey(path string) (Key, error) {
	b := make([]byte, KeyBytes)
	if _, err := rand.Read(b); err != nil {
		return Key{}, fmt.Errorf("new key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return Key{}, fmt.Errorf("key file %s already exists: it is kept (a new key would change every pseudonym); leave out --new-key to use it", path)
	}
	if err != nil {
		return Key{}, fmt.Errorf("new key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(b) + "\n"); err != nil {
		f.Close()
		return Key{}, fmt.Errorf("new key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return Key{}, fmt.Errorf("new key %s: %w", path, err)
	}
	return Key{b: b}, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// domain separates these HMACs from any other use of the key.
const domain = "pingyang-2021/recipient\x00"

// Pseudonym is a recipient's pseudonym: events.PseudonymPrefix and the
// first 128 bits of HMAC-SHA-256(key, domain || mobile) in lowercase base32.
// mobile is the normalised number (NormalizeMobile), so that 138-1234-5678
// and +86 13812345678 are one person.
func (k Key) Pseudonym(mobile string) string { return k.pseudonyms()(mobile) }

// pseudonyms returns Pseudonym for one goroutine: the HMAC's keyed state
// is made once and reset for each number.
func (k Key) pseudonyms() func(mobile string) string {
	m := hmac.New(sha256.New, k.b)
	var sum [sha256.Size]byte
	var enc [26]byte // 128 bits in base32, unpadded
	return func(mobile string) string {
		m.Reset()
		m.Write([]byte(domain))
		m.Write([]byte(mobile))
		b32.Encode(enc[:], m.Sum(sum[:0])[:16])
		return events.PseudonymPrefix + strings.ToLower(string(enc[:]))
	}
}

// NormalizeMobile returns the 11 digits of a mainland mobile number
// (1[3-9]xxxxxxxxx), without spaces, dashes or a +86 prefix; ok is false for
// anything else.
func NormalizeMobile(s string) (string, bool) {
	var d []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		case c == '+' && len(d) == 0:
		default:
			return "", false
		}
	}
	if len(d) == 13 && d[0] == '8' && d[1] == '6' {
		d = d[2:]
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", false
	}
	return string(d), true
}
