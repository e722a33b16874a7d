package events

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewCode makes a one-time voting code: 160 bits from crypto/rand in
// lowercase base32 (32 characters). Only its CodeHash is ever stored.
func NewCode() string {
	var b [20]byte
	// crypto/rand.Read never returns an error on supported platforms (it
	// crashes the program itself if the OS has no randomness).
	_, _ = rand.Read(b[:])
	return strings.ToLower(codeEncoding.EncodeToString(b[:]))
}

// CodeHash is a code's credential_hash: sha256 of its UTF-8 bytes, in
// lowercase hex.
func CodeHash(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}
