// Package transparency makes the ledger a transparency log in the sense of
// Certificate Transparency and the Go checksum database: the office signs
// checkpoints of the events' Merkle tree (C2SP tlog-checkpoint, as a C2SP
// signed note with Ed25519), witnesses co-sign what they checked (C2SP
// tlog-cosignature), and an inspector's audit keeps the last checkpoint it
// saw and proves every later one consistent with it, over HTTP only.
//
// The tree itself is in package events (events/tree.go); this package
// holds the keys and the signed forms, and the audit client. It reads no
// environment and no clock of its own: callers pass both.
package transparency

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Signer is the office's key: a C2SP signed-note Ed25519 key whose name is
// the log's origin. It signs checkpoints and seals the fold's cache.
type Signer struct {
	note     note.Signer
	verifier note.Verifier
	vkey     string
}

// GenerateKey makes a new key pair for origin: the signer key (the text of
// PREFIX.key, "PRIVATE+KEY+ORIGIN+HASH+BASE64") and the verifier key (the
// text of PREFIX.pub, "ORIGIN+HASH+BASE64").
func GenerateKey(rand io.Reader, origin string) (skey, vkey string, err error) {
	if err := CheckOrigin(origin); err != nil {
		return "", "", err
	}
	skey, vkey, err = note.GenerateKey(rand, origin)
	if err != nil {
		return "", "", fmt.Errorf("keygen: %w", err)
	}
	return skey, vkey, nil
}

// CheckOrigin refuses an origin that a signed note cannot carry as a key
// name (empty, white space, '+'), or that our own cache seals use.
func CheckOrigin(origin string) error {
	if origin == "" {
		return errors.New("origin: required (for example pingyang.gov.cn/ledger/2021)")
	}
	if len(origin) > 256 {
		return errors.New("origin: at most 256 characters")
	}
	for _, r := range origin {
		if r <= ' ' || r == '+' || r == 0x7f || r > 0x7e {
			return fmt.Errorf("origin: printable ASCII without spaces or '+', not %q", r)
		}
	}
	if origin == cacheDomain {
		return fmt.Errorf("origin: %q is reserved", origin)
	}
	return nil
}

// NewSigner reads a signer key (the text of a .key file).
func NewSigner(skey string) (*Signer, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		// note's error quotes nothing of the key, but say which file kind.
		return nil, errors.New("not a signer key (PRIVATE+KEY+ORIGIN+HASH+BASE64, as `ledger keygen` writes)")
	}
	pub, err := publicOf(skey)
	if err != nil {
		return nil, err
	}
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("signer key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("signer key: %w", err)
	}
	return &Signer{note: s, verifier: v, vkey: vkey}, nil
}

// publicOf derives the Ed25519 public key of a signer key.
func publicOf(skey string) (ed25519.PublicKey, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, errors.New("not a signer key")
	}
	b, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return nil, errors.New("not an Ed25519 signer key")
	}
	return ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey), nil
}

// Origin is the log's origin: the key's name.
func (s *Signer) Origin() string { return s.note.Name() }

// Verifier is the signer's public side.
func (s *Signer) Verifier() note.Verifier { return s.verifier }

// VerifierKey is the text of the .pub file.
func (s *Signer) VerifierKey() string { return s.vkey }

// NewVerifier reads a verifier key (the text of a .pub file).
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, errors.New("not a verifier key (ORIGIN+HASH+BASE64, as `ledger keygen` writes to PREFIX.pub)")
	}
	return v, nil
}
