package events

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewCode makes a one-time voting code: 160 bits from crypto/rand in
// lowercase base32 (32 characters). Only the public key it derives
// (CredentialKey) is ever stored.
func NewCode() string {
	var b [20]byte
	// crypto/rand.Read never returns an error on supported platforms (it
	// crashes the program itself if the OS has no randomness).
	_, _ = rand.Read(b[:])
	return strings.ToLower(codeEncoding.EncodeToString(b[:]))
}

// BallotKeyDomain prefixes the code in the key derivation, so that the
// same code used anywhere else gives another key.
const BallotKeyDomain = "pingyang-ledger/ballot/v1\n"

// NormalizeCode is what a code a voter sends is read as: trimmed and in
// lowercase (codes are issued in lowercase).
func NormalizeCode(code string) string { return strings.ToLower(strings.TrimSpace(code)) }

// CodeKey is the one-time code's Ed25519 key pair: its seed is
// SHA-256(BallotKeyDomain || code), the code's characters as issued. A
// voter's browser can derive the same key and sign the ballot itself, so
// that the code never reaches the ledger.
func CodeKey(code string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(BallotKeyDomain + code))
	return ed25519.NewKeyFromSeed(seed[:])
}

// CredentialKey is a code's credential_key: its public key in lowercase
// hex.
func CredentialKey(code string) string {
	return hex.EncodeToString(CodeKey(code).Public().(ed25519.PublicKey))
}

// SignedBytes is what a ballot's signature signs: the canonical bytes of
// its data without signature, {"credential_key","satisfied","unsatisfied"}
// as compact JSON with sorted keys (the hash recipe's form).
func (d *BallotCastData) SignedBytes() []byte {
	b := make([]byte, 0, 64+len(d.CredentialKey)+24*(len(d.Satisfied)+len(d.Unsatisfied)))
	b = append(b, `{"credential_key":`...)
	b = appendString(b, d.CredentialKey)
	b = append(b, `,"satisfied":`...)
	b = appendStrings(b, d.Satisfied)
	b = append(b, `,"unsatisfied":`...)
	b = appendStrings(b, d.Unsatisfied)
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// Sign sets the ballot's credential_key and signature with the code's key.
func (d *BallotCastData) Sign(key ed25519.PrivateKey) {
	d.CredentialKey = hex.EncodeToString(key.Public().(ed25519.PublicKey))
	d.Signature = hex.EncodeToString(ed25519.Sign(key, d.SignedBytes()))
}

// verifySignature reports whether the signature verifies by the
// credential's key (both already checked as lowercase hex).
func (d *BallotCastData) verifySignature() bool {
	pub, err1 := hex.DecodeString(d.CredentialKey)
	sig, err2 := hex.DecodeString(d.Signature)
	if err1 != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, d.SignedBytes(), sig)
}
