package transparency

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/pingyang/ledger/events"
	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a tree head: the log's origin, its size and its root.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   events.Hash
}

// Text is the C2SP tlog-checkpoint body: three lines, origin, size and
// the base64 root.
func (c Checkpoint) Text() []byte {
	return log.Checkpoint{Origin: c.Origin, Size: uint64(c.Size), Hash: c.Root[:]}.Marshal()
}

// RootBase64 is the root as a checkpoint writes it.
func (c Checkpoint) RootBase64() string { return base64.StdEncoding.EncodeToString(c.Root[:]) }

// Sign signs the checkpoint of size and root as a C2SP signed note. Ed25519
// is deterministic, so the same tree always gives the same bytes.
func (s *Signer) Sign(size int64, root events.Hash) ([]byte, error) {
	c := Checkpoint{Origin: s.Origin(), Size: size, Root: root}
	b, err := note.Sign(&note.Note{Text: string(c.Text())}, s.note)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return b, nil
}

// ErrBadSignature is a checkpoint whose log signature does not verify with
// the key given, or that is not a checkpoint at all.
var ErrBadSignature = errors.New("bad signature")

// Open checks a signed checkpoint's log signature with v (whose name is the
// origin) and parses it, with github.com/transparency-dev/formats/log. It
// returns the note too, for its other signatures.
func Open(signed []byte, v note.Verifier) (Checkpoint, *note.Note, error) {
	cp, _, n, err := log.ParseCheckpoint(signed, v.Name(), v)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if len(cp.Hash) != sha256.Size || cp.Size > 1<<62 {
		return Checkpoint{}, nil, fmt.Errorf("%w: the root is not a sha256 hash", ErrBadSignature)
	}
	return Checkpoint{Origin: cp.Origin, Size: int64(cp.Size), Root: events.Hash(cp.Hash)}, n, nil
}

// Parse reads a checkpoint's text without checking any signature (for
// the state an audit kept, which it checked when it kept it).
func Parse(text []byte) (Checkpoint, error) {
	var cp log.Checkpoint
	if _, err := cp.Unmarshal(text); err != nil {
		return Checkpoint{}, err
	}
	if len(cp.Hash) != sha256.Size || cp.Size > 1<<62 {
		return Checkpoint{}, errors.New("the root is not a sha256 hash")
	}
	return Checkpoint{Origin: cp.Origin, Size: int64(cp.Size), Root: events.Hash(cp.Hash)}, nil
}

// cacheDomain opens every cache seal's message. Its second line is not a
// number, so no seal is ever also a valid checkpoint signature.
const cacheDomain = "pingyang-ledger/cache/v2"

// cacheMessage is what a cache seal signs: the checkpoint's format,
// position and record hash, and the size and digest of its data (the
// ledger checks the data against them as it reads it).
func cacheMessage(c events.Checkpoint) []byte {
	var b bytes.Buffer
	b.WriteString(cacheDomain + "\nformat ")
	b.WriteString(strconv.Quote(c.Format))
	b.WriteString("\nposition ")
	b.WriteString(strconv.FormatInt(c.Position, 10))
	b.WriteString("\nhash ")
	b.WriteString(c.Hash.String())
	b.WriteString("\nsize ")
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteString("\ndata ")
	b.WriteString(base64.StdEncoding.EncodeToString(c.Digest[:]))
	b.WriteString("\n")
	return b.Bytes()
}

// SealCache signs a fold checkpoint (replay.Sealer).
func (s *Signer) SealCache(c events.Checkpoint) ([]byte, error) {
	sig, err := s.note.Sign(cacheMessage(c))
	if err != nil {
		return nil, fmt.Errorf("seal cache: %w", err)
	}
	return sig, nil
}

// OpenCache reports whether c.Seal is this key's seal of c (replay.Sealer).
func (s *Signer) OpenCache(c events.Checkpoint) bool {
	return len(c.Seal) > 0 && s.verifier.Verify(cacheMessage(c), c.Seal)
}
