package events

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Record is a stored event: the envelope of events.md with what the ledger
// adds (position, stream, recorded_at, prev_hash, hash).
type Record struct {
	Position   int64
	ID         uuid.UUID
	Type       Type
	Stream     string
	OccurredAt time.Time
	RecordedAt time.Time
	Actor      string
	Ref        string
	Data       []byte // canonical JSON
	PrevHash   Hash
	Hash       Hash
	// Leaf is the record's RFC 6962 leaf hash, sha256(0x00 || canonical
	// bytes), as Seal sets it for Store.Append, which keeps the Merkle tree
	// from it without recomputing it (as with Hash, Verify does). Read
	// leaves it zero: LeafOf computes it.
	Leaf Hash
}

// Hash is a sha256 digest.
type Hash [32]byte

// ZeroHash is the prev_hash of the first event.
var ZeroHash Hash

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses 64 lowercase hex characters.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, errors.New("hash must be 64 hex characters")
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
}

// Canonical appends the canonical bytes of r to dst: the stored envelope
// without prev_hash and hash, as compact JSON with keys in sorted order and
// ref left out when empty. It is exactly what
//
//	jq -cS 'del(.prev_hash, .hash)'
//
// prints for the record's JSON (GET /v1/events).
func (r *Record) Canonical(dst []byte) []byte {
	dst = append(dst, `{"actor":`...)
	dst = appendString(dst, r.Actor)
	dst = append(dst, `,"data":`...)
	dst = append(dst, r.Data...)
	dst = append(dst, `,"id":"`...)
	dst = AppendUUID(dst, r.ID)
	dst = append(dst, `","occurred_at":"`...)
	dst = AppendCST(dst, r.OccurredAt)
	dst = append(dst, `","position":`...)
	dst = strconv.AppendInt(dst, r.Position, 10)
	dst = append(dst, `,"recorded_at":"`...)
	dst = AppendUTC(dst, r.RecordedAt)
	dst = append(dst, '"')
	if r.Ref != "" {
		dst = append(dst, `,"ref":`...)
		dst = appendString(dst, r.Ref)
	}
	dst = append(dst, `,"stream":`...)
	dst = appendString(dst, r.Stream)
	dst = append(dst, `,"type":`...)
	dst = appendString(dst, string(r.Type))
	return append(dst, '}')
}

// ChainHash is sha256(prev_hash as 64 lowercase hex characters || canonical).
func ChainHash(prev Hash, canonical []byte) Hash {
	h := sha256.New()
	var hx [64]byte
	hex.Encode(hx[:], prev[:])
	h.Write(hx[:])
	h.Write(canonical)
	var out Hash
	h.Sum(out[:0])
	return out
}

// seal computes r.Hash from r.PrevHash and the canonical bytes; buf is
// scratch space that seal returns for reuse.
func (r *Record) seal(buf []byte) []byte {
	buf = r.Canonical(buf[:0])
	r.Hash = ChainHash(r.PrevHash, buf)
	r.Leaf = LeafHash(buf)
	return buf
}

// Check recomputes the record's hash and reports whether it matches.
func (r *Record) Check(buf []byte) ([]byte, bool) {
	buf = r.Canonical(buf[:0])
	return buf, ChainHash(r.PrevHash, buf) == r.Hash
}

// MarshalJSON renders the stored envelope (GET /v1/events, export).
func (r *Record) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil), nil
}

// AppendJSON appends the stored envelope's JSON to dst.
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"position":`...)
	dst = strconv.AppendInt(dst, r.Position, 10)
	dst = append(dst, `,"id":"`...)
	dst = AppendUUID(dst, r.ID)
	dst = append(dst, `","type":`...)
	dst = appendString(dst, string(r.Type))
	dst = append(dst, `,"stream":`...)
	dst = appendString(dst, r.Stream)
	dst = append(dst, `,"occurred_at":"`...)
	dst = AppendCST(dst, r.OccurredAt)
	dst = append(dst, `","recorded_at":"`...)
	dst = AppendUTC(dst, r.RecordedAt)
	dst = append(dst, `","actor":`...)
	dst = appendString(dst, r.Actor)
	if r.Ref != "" {
		dst = append(dst, `,"ref":`...)
		dst = appendString(dst, r.Ref)
	}
	dst = append(dst, `,"data":`...)
	dst = append(dst, r.Data...)
	dst = append(dst, `,"prev_hash":"`...)
	dst = hex.AppendEncode(dst, r.PrevHash[:])
	dst = append(dst, `","hash":"`...)
	dst = hex.AppendEncode(dst, r.Hash[:])
	return append(dst, `"}`...)
}

// appendString quotes s as JSON. Stored strings never hold control
// characters (checkString), so only the quote and the backslash need escaping,
// which is what jq does too.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, `\u00`...)
			dst = append(dst, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// AppendUUID appends id in its canonical form (8-4-4-4-12, lower-case hex),
// as id.String() writes it, without allocating.
func AppendUUID(dst []byte, id uuid.UUID) []byte {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return append(dst, b[:]...)
}

// ContentDigest identifies what events.md calls an event's content (type,
// occurred_at as an instant, actor, ref, data; not recorded_at), for telling
// an idempotent retry from a conflicting reuse of an id.
func ContentDigest(t Type, occurred time.Time, actor, ref string, data []byte) [16]byte {
	h := sha256.New()
	var n [8]byte
	for _, s := range []string{string(t), actor, ref} {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.LittleEndian.PutUint64(n[:], uint64(occurred.UnixNano()))
	h.Write(n[:])
	h.Write(data)
	var sum [32]byte
	h.Sum(sum[:0])
	var out [16]byte
	copy(out[:], sum[:16])
	return out
}

// Digest is the content digest of a decoded event.
func (e *Event) Digest() [16]byte {
	return ContentDigest(e.Type, e.OccurredAt, e.Actor, e.Ref, e.Data)
}

// Digest is the content digest of a stored record.
func (r *Record) Digest() [16]byte {
	return ContentDigest(r.Type, r.OccurredAt, r.Actor, r.Ref, r.Data)
}
