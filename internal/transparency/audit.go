package transparency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// AuditOptions say what an audit checks. An audit runs on the inspector's
// own machine and talks to the ledger over HTTP only.
type AuditOptions struct {
	URL      string        // the server, e.g. http://127.0.0.1:8080
	Verifier note.Verifier // the office's public key (PREFIX.pub); its name is the origin
	StateDir string        // where the last checkpoint seen is kept, one file per origin
	Token    string        // a bearer token: inspector for Event and Full, else none needed
	Event    string        // an event id whose inclusion to prove, or ""
	Full     bool          // download every event and recompute the chain and the root
	Witness  *Cosigner     // cosign the checkpoint once it is proved consistent
	Client   *http.Client
	Now      func() time.Time
}

// AuditResult is what an audit proved.
type AuditResult struct {
	Checkpoint Checkpoint
	Previous   int64    // the size of the checkpoint kept before, 0 for a first audit
	Cosigned   []string // the witnesses the server took the cosignature of
	// Kept: the checkpoint was proved consistent with the one kept before
	// and now replaces it, whatever a later step (--event, --full, the
	// cosignature) then finds.
	Kept bool
}

// AuditFailure is an audit that found the log not to be what it should:
// the reason is one of the inspector-facing sentences of
// docs/transparency.md.
type AuditFailure struct{ Reason string }

func (f *AuditFailure) Error() string { return f.Reason }

func fail(format string, args ...any) error {
	return &AuditFailure{Reason: fmt.Sprintf(format, args...)}
}

// kept is the state file of one origin.
type kept struct {
	Origin     string `json:"origin"`
	KeptAt     string `json:"kept_at"`
	Checkpoint string `json:"checkpoint"` // the signed note as served
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// StatePath is the file that keeps the last checkpoint of origin in dir.
func StatePath(dir, origin string) string {
	sum := sha256.Sum256([]byte(origin))
	name := unsafeName.ReplaceAllString(origin, "_")
	if len(name) > 64 {
		name = name[:64]
	}
	return filepath.Join(dir, name+"-"+hex.EncodeToString(sum[:4])+".checkpoint.json")
}

// Audit fetches the served checkpoint, checks its signature, proves it
// consistent with the one kept in the state directory for the same origin
// and only then keeps it; then, as asked, proves an event's inclusion,
// recomputes the whole log, and cosigns.
func Audit(ctx context.Context, opt AuditOptions) (AuditResult, error) {
	var res AuditResult
	c := &client{base: strings.TrimRight(opt.URL, "/"), token: opt.Token, http: opt.Client}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	signed, err := c.get(ctx, "/v1/checkpoint", nil)
	if err != nil {
		return res, err
	}
	cp, n, err := Open(signed, opt.Verifier)
	if err != nil {
		return res, fail("bad signature")
	}
	res.Checkpoint = cp
	path := StatePath(opt.StateDir, cp.Origin)
	old, err := loadKept(path, opt.Verifier)
	if err != nil {
		return res, err
	}
	if old != nil {
		prev, when := old.cp, old.keptAt
		res.Previous = prev.Size
		switch {
		case cp.Size < prev.Size:
			return res, fail("the log shrank from %d to %d", prev.Size, cp.Size)
		case cp.Size == prev.Size:
			if cp.Root != prev.Root {
				return res, fail("not consistent with the checkpoint of size %d kept on %s", prev.Size, when)
			}
		default:
			var p proofJSON
			if err := c.getJSON(ctx, "/v1/proof/consistency", url.Values{"from": {strconv.FormatInt(prev.Size, 10)}, "to": {strconv.FormatInt(cp.Size, 10)}}, &p); err != nil {
				return res, err
			}
			hs, perr := p.decode()
			if perr != nil || p.From != prev.Size || p.To != cp.Size ||
				proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(prev.Size), uint64(cp.Size), hs, prev.Root[:], cp.Root[:]) != nil {
				return res, fail("not consistent with the checkpoint of size %d kept on %s", prev.Size, when)
			}
		}
	}
	if err := keep(path, cp.Origin, signed, opt.Now()); err != nil {
		return res, err
	}
	res.Kept = true
	if opt.Event != "" {
		if err := c.inclusion(ctx, opt.Event, cp); err != nil {
			return res, err
		}
	}
	if opt.Full {
		if err := c.full(ctx, cp); err != nil {
			return res, err
		}
	}
	if opt.Witness != nil {
		body, err := opt.Witness.Cosign(signed, n.Text)
		if err != nil {
			return res, err
		}
		var ack struct {
			Witnesses []string `json:"witnesses"`
		}
		if err := c.post(ctx, "/v1/checkpoint/cosignatures", body, &ack); err != nil {
			return res, err
		}
		res.Cosigned = ack.Witnesses
	}
	return res, nil
}

type keptState struct {
	cp     Checkpoint
	keptAt string
}

func loadKept(path string, v note.Verifier) (*keptState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var k kept
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("state file %s is damaged: %v", path, err)
	}
	// The kept checkpoint was checked when it was kept; checking it again
	// catches a state file edited since, or one kept for another key.
	cp, _, err := Open([]byte(k.Checkpoint), v)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint kept in %s does not verify with this key: %v", path, err)
	}
	return &keptState{cp: cp, keptAt: k.KeptAt}, nil
}

// keep writes the state file whole (a temporary file renamed over it), so
// that a crash never leaves half a state.
func keep(path, origin string, signed []byte, now time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	b, _ := json.MarshalIndent(kept{Origin: origin, KeptAt: now.UTC().Format(time.RFC3339), Checkpoint: string(signed)}, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// proofJSON is the API's proof shape, for both kinds.
type proofJSON struct {
	LeafIndex int64    `json:"leaf_index"`
	TreeSize  int64    `json:"tree_size"`
	From      int64    `json:"from"`
	To        int64    `json:"to"`
	Hashes    []string `json:"hashes"`
}

func (p proofJSON) decode() ([][]byte, error) {
	out := make([][]byte, len(p.Hashes))
	for i, h := range p.Hashes {
		b, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(b) != sha256.Size {
			return nil, errors.New("a proof hash is not base64 of 32 bytes")
		}
		out[i] = b
	}
	return out, nil
}

func (c *client) inclusion(ctx context.Context, id string, cp Checkpoint) error {
	var env json.RawMessage
	if err := c.getJSON(ctx, "/v1/events/"+url.PathEscape(id), nil, &env); err != nil {
		return err
	}
	r, err := events.ParseStored(env)
	if err != nil {
		return fmt.Errorf("event %s: the server's answer is not a stored event: %v", id, err)
	}
	if r.Position > cp.Size {
		return fail("event not included: it is at position %d, past the checkpoint's size %d", r.Position, cp.Size)
	}
	var p proofJSON
	if err := c.getJSON(ctx, "/v1/proof/inclusion", url.Values{"position": {strconv.FormatInt(r.Position, 10)}, "size": {strconv.FormatInt(cp.Size, 10)}}, &p); err != nil {
		return err
	}
	hs, perr := p.decode()
	leaf := events.LeafHash(r.Canonical(nil))
	if perr != nil || p.LeafIndex != r.Position-1 || p.TreeSize != cp.Size ||
		proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(r.Position-1), uint64(cp.Size), leaf[:], hs, cp.Root[:]) != nil {
		return fail("event not included")
	}
	return nil
}

// full downloads the first cp.Size events, pages fetched ahead and parsed
// on every core, and checks each one's hash, the links and the root.
func (c *client) full(ctx context.Context, cp Checkpoint) error {
	const page = 10000
	type result struct {
		leaves []events.StoredLeaf
		err    error
		done   chan struct{}
	}
	pages := int((cp.Size + page - 1) / page)
	results := make([]result, pages)
	next := make(chan int, pages)
	for i := range results {
		results[i].done = make(chan struct{})
		next <- i
	}
	close(next)
	// Twice the cores: while one page is hashed here, the server is
	// already reading the next.
	workers := 2 * max(runtime.GOMAXPROCS(0), 2)
	ahead := make(chan struct{}, workers+2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				select {
				case ahead <- struct{}{}:
				case <-stop:
					return
				}
				res := &results[i]
				after := int64(i) * page
				limit := min(page, cp.Size-after)
				body, err := c.get(ctx, "/v1/events", url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.FormatInt(limit, 10)}})
				if err != nil {
					res.err = err
				} else if res.leaves, err = events.LeavesOfStoredArray(body); err != nil {
					res.err = fmt.Errorf("events after %d: the server's answer is not a list of stored events: %v", after, err)
				}
				close(res.done)
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	var edge events.Edge
	prev := events.ZeroHash
	for i := range results {
		res := &results[i]
		select {
		case <-res.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if res.err != nil {
			return res.err
		}
		for _, r := range res.leaves {
			if r.Position != edge.Size+1 {
				return fail("the events served skip from position %d to %d", edge.Size, r.Position)
			}
			if r.PrevHash != prev {
				return fail("event at position %d: its prev_hash is not the hash of the event before it", r.Position)
			}
			if !r.ContentOK {
				return fail("event at position %d: its hash does not match its content", r.Position)
			}
			edge.Append(r.Leaf, nil)
			prev = r.Hash
		}
		res.leaves = nil
		<-ahead
	}
	if edge.Size != cp.Size {
		return fail("the server served %d events where the checkpoint has %d", edge.Size, cp.Size)
	}
	if edge.Root() != cp.Root {
		return fail("the events served do not give the checkpoint's root")
	}
	return nil
}

type client struct {
	base  string
	token string
	http  *http.Client
}

func (c *client) do(ctx context.Context, method, path string, q url.Values, body []byte) ([]byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The error names the URL, which holds no secret.
		return nil, fmt.Errorf("%w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, msg)
	}
	return b, nil
}

func (c *client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	return c.do(ctx, http.MethodGet, path, q, nil)
}

func (c *client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	b, err := c.get(ctx, path, q)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: the server's answer is not the JSON expected: %v", path, err)
	}
	return nil
}

func (c *client) post(ctx context.Context, path string, body []byte, v any) error {
	b, err := c.do(ctx, http.MethodPost, path, nil, body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: the server's answer is not the JSON expected: %v", path, err)
	}
	return nil
}
