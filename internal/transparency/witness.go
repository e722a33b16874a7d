package transparency

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// Witnesses: an inspector who audited a checkpoint co-signs it, as a C2SP
// tlog-cosignature (cosignature/v1: Ed25519 over "cosignature/v1\ntime
// T\n" and the checkpoint text, with T the Unix time, the signature being
// T as 8 big-endian bytes and the Ed25519 signature). A witness key is an
// ordinary Ed25519 note key (`ledger keygen` makes one); its cosignature
// key hash is that of algorithm 0x04, as C2SP says.

// Cosigner signs cosignatures with a witness key and an injected clock.
type Cosigner struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
	now  func() time.Time
}

// NewCosigner reads a witness's signer key.
func NewCosigner(skey string, now func() time.Time) (*Cosigner, error) {
	skey = strings.TrimSpace(skey)
	if _, err := note.NewSigner(skey); err != nil {
		return nil, errors.New("not a signer key (PRIVATE+KEY+NAME+HASH+BASE64, as `ledger keygen` writes)")
	}
	parts := strings.SplitN(skey, "+", 5)
	b, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return nil, errors.New("not an Ed25519 signer key")
	}
	priv := ed25519.NewKeyFromSeed(b[1:])
	pub := append([]byte{0x04}, priv.Public().(ed25519.PublicKey)...)
	return &Cosigner{name: parts[2], hash: keyHash(parts[2], pub), priv: priv, now: now}, nil
}

func keyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// Name implements note.Signer.
func (c *Cosigner) Name() string { return c.name }

// KeyHash implements note.Signer.
func (c *Cosigner) KeyHash() uint32 { return c.hash }

// Sign implements note.Signer: a timestamped cosignature/v1.
func (c *Cosigner) Sign(msg []byte) ([]byte, error) {
	t := uint64(c.now().Unix())
	m := []byte("cosignature/v1\ntime " + strconv.FormatUint(t, 10) + "\n" + string(msg))
	sig := binary.BigEndian.AppendUint64(nil, t)
	return append(sig, ed25519.Sign(c.priv, m)...), nil
}

// Cosign returns the signed checkpoint with the witness's cosignature
// line added: what `ledger audit --witness-key` sends.
func (c *Cosigner) Cosign(signed []byte, text string) ([]byte, error) {
	line, err := note.Sign(&note.Note{Text: text}, c)
	if err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	sigs := line[len(text)+1:] // note.Sign writes the text, a blank line, then the signatures
	return append(bytes.Clone(signed), sigs...), nil
}

// Witnesses holds the witness keys a server trusts and the cosignatures
// they sent, for the checkpoints it served lately.
type Witnesses struct {
	verifiers []note.Verifier
	names     map[string]bool

	mu     sync.Mutex
	recent []string                    // checkpoint texts served, newest last
	cosigs map[string][]note.Signature // by checkpoint text
}

// keepRecent is how many served checkpoints a cosignature may be for: a
// witness that audited one a few seconds ago, before the next append,
// still gets its cosignature kept.
const keepRecent = 64

// ParseWitnesses reads the witnesses file: one verifier key a line
// (NAME+HASH+BASE64, a witness's .pub); blank lines and lines starting
// with # are skipped. An error names the line.
func ParseWitnesses(text string) (*Witnesses, error) {
	w := &Witnesses{names: map[string]bool{}, cosigs: map[string][]note.Signature{}}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := fnote.NewVerifierForCosignatureV1(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: not a witness verifier key (NAME+HASH+BASE64, a witness's .pub)", i+1)
		}
		if w.names[v.Name()] {
			return nil, fmt.Errorf("line %d: witness %s is listed twice", i+1, v.Name())
		}
		w.names[v.Name()] = true
		w.verifiers = append(w.verifiers, v)
	}
	if len(w.verifiers) == 0 {
		return nil, errors.New("no witness key in the file")
	}
	return w, nil
}

// Served records a checkpoint text the server signed and serves.
func (w *Witnesses) Served(text string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.recent); n > 0 && w.recent[n-1] == text {
		return
	}
	w.recent = append(w.recent, text)
	if len(w.recent) > keepRecent {
		delete(w.cosigs, w.recent[0])
		w.recent = w.recent[1:]
	}
}

// ErrCosignature is a cosignature the server refuses; the wrapped text
// says why.
var ErrCosignature = errors.New("cosignature refused")

// Add checks a cosigned checkpoint: its log signature (log), that it is a
// checkpoint this server served lately, and at least one cosignature by a
// known witness; it keeps those cosignatures and returns the witnesses'
// names and the checkpoint.
func (w *Witnesses) Add(body []byte, log note.Verifier) ([]string, Checkpoint, error) {
	if w == nil {
		return nil, Checkpoint{}, fmt.Errorf("%w: this server was started without witness keys (serve --witnesses FILE)", ErrCosignature)
	}
	vs := append([]note.Verifier{log}, w.verifiers...)
	n, err := note.Open(body, note.VerifierList(vs...))
	if err != nil {
		var inv *note.InvalidSignatureError
		if errors.As(err, &inv) {
			return nil, Checkpoint{}, fmt.Errorf("%w: the signature of %s does not verify", ErrCosignature, inv.Name)
		}
		return nil, Checkpoint{}, fmt.Errorf("%w: not a signed checkpoint of this log (%v)", ErrCosignature, err)
	}
	if len(n.UnverifiedSigs) > 0 {
		// Taken with the known ones, it would read as accepted: the
		// witness would believe its cosignature is served.
		name := n.UnverifiedSigs[0].Name
		if w.names[name] {
			return nil, Checkpoint{}, fmt.Errorf("%w: a signature by %s that is not a cosignature/v1 by the key this server knows for it", ErrCosignature, name)
		}
		return nil, Checkpoint{}, fmt.Errorf("%w: a cosignature by %s, a witness this server does not know (serve --witnesses)",
			ErrCosignature, name)
	}
	cp, _, err := Open(body, log)
	if err != nil {
		return nil, Checkpoint{}, fmt.Errorf("%w: %v", ErrCosignature, err)
	}
	var got []note.Signature
	var names []string
	for _, s := range n.Sigs {
		if w.names[s.Name] && !(s.Name == log.Name() && s.Hash == log.KeyHash()) {
			got = append(got, s)
			names = append(names, s.Name)
		}
	}
	if len(got) == 0 {
		return nil, Checkpoint{}, fmt.Errorf("%w: no cosignature by a witness this server knows", ErrCosignature)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	served := false
	for _, t := range w.recent {
		served = served || t == n.Text
	}
	if !served {
		return nil, Checkpoint{}, fmt.Errorf("%w: not a checkpoint this server served lately (size %d)", ErrCosignature, cp.Size)
	}
	have := w.cosigs[n.Text]
	for _, s := range got {
		replaced := false
		for i := range have {
			if have[i].Name == s.Name {
				have[i], replaced = s, true
			}
		}
		if !replaced {
			have = append(have, s)
		}
	}
	w.cosigs[n.Text] = have
	return names, cp, nil
}

// With appends the cosignatures kept for text to signed, its signed note.
func (w *Witnesses) With(signed []byte, text string) []byte {
	if w == nil {
		return signed
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	sigs := w.cosigs[text]
	if len(sigs) == 0 {
		return signed
	}
	out := bytes.Clone(signed)
	for _, s := range sigs {
		out = append(out, "— "+s.Name+" "+s.Base64+"\n"...)
	}
	return out
}
