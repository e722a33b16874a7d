package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
	flog "github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

const trustInspector = "trust-inspector-token-0123"

// trustFixture serves a SQLite ledger with a signing key and one witness.
type trustFixture struct {
	t        *testing.T
	l        *replay.Ledger
	srv      *httptest.Server
	vkey     string // the office's verifier key, as PREFIX.pub holds it
	witness  string // the witness's signer key
	wvkey    string
	sections []string
}

func newTrustFixture(t *testing.T) *trustFixture {
	l, _ := replaytest.OpenSQLite(t, replay.Options{})
	skey, vkey, err := transparency.GenerateKey(rand.Reader, "test.example/ledger")
	require.NoError(t, err)
	signer, err := transparency.NewSigner(skey)
	require.NoError(t, err)
	wskey, wvkey, err := note.GenerateKey(rand.Reader, "witness-wang")
	require.NoError(t, err)
	w, err := transparency.ParseWitnesses("# the inspectors\n" + wvkey + "\n")
	require.NoError(t, err)
	toks, err := api.ParseTokens(strings.NewReader("inspector " + trustInspector + "\n"))
	require.NoError(t, err)
	f := &trustFixture{t: t, l: l, vkey: vkey, witness: wskey, wvkey: wvkey}
	lines := []string{eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"县发改局"}`)}
	for k := 0; k < 22; k++ {
		id := fmt.Sprintf("U1-S%02d", k)
		f.sections = append(f.sections, id)
		lines = append(lines, eventstest.Line(events.SectionRegistered, "2020-12-01T09:00:00+08:00",
			fmt.Sprintf(`{"section_id":%q,"unit_id":"U1","name":"科室 \"%d\"","enforcement":false}`, id, k)))
	}
	lines = append(lines, eventstest.Line(events.OnlineCandidatesFrozen, "2021-11-15T10:00:00+08:00", `{"section_ids":["`+strings.Join(f.sections, `","`)+`"]}`))
	for _, c := range []string{"voter-one", "voter-two", "voter-three"} {
		lines = append(lines, eventstest.Line(events.VoterCredentialIssued, "2021-11-15T11:00:00+08:00", eventstest.CredentialData(c, "recipient")))
	}
	replaytest.AppendLines(t, l, lines...)
	s := api.New(api.Config{Ledger: l, Tokens: toks, Signer: signer, Witnesses: w,
		BallotClock: func() time.Time { return time.Date(2021, 11, 20, 10, 0, 0, 0, events.CST) }})
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *trustFixture) do(method, path, token, ctype string, body []byte) (int, []byte) {
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	require.NoError(f.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, b
}

func (f *trustFixture) votes(n int, from int) {
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, eventstest.Line(events.ServiceVoteRecorded, "2021-06-01T09:00:00+08:00",
			fmt.Sprintf(`{"section_id":"U1-S01","round":"H2","respondent":"r-out-%s","rating":"basic"}`, strings.Repeat("x", 1+(from+i)%5)+fmt.Sprint(from+i))))
	}
	replaytest.AppendLines(f.t, f.l, lines...)
}

// ---- the outside verifier: only formats/log, sumdb/note, merkle/proof ----
// (and the standard library), none of the project's packages.

type rfc6962 struct{}

func (rfc6962) EmptyRoot() []byte { h := sha256.Sum256(nil); return h[:] }
func (rfc6962) HashLeaf(b []byte) []byte {
	h := sha256.Sum256(append([]byte{0}, b...))
	return h[:]
}
func (rfc6962) HashChildren(l, r []byte) []byte {
	h := sha256.Sum256(append(append([]byte{1}, l...), r...))
	return h[:]
}
func (rfc6962) Size() int { return sha256.Size }

// outsideCanonical is what `jq -cS 'del(.prev_hash, .hash)'` prints for a
// stored envelope, made with encoding/json (which sorts map keys).
func outsideCanonical(t *testing.T, env json.RawMessage) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(env))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	delete(m, "prev_hash")
	delete(m, "hash")
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(m))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func b64s(t *testing.T, hs []string) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		b, err := base64.StdEncoding.DecodeString(h)
		require.NoError(t, err)
		out[i] = b
	}
	return out
}

func outsideCheckpoint(t *testing.T, f *trustFixture) *flog.Checkpoint {
	code, b := f.do("GET", "/v1/checkpoint", "", "", nil)
	require.Equal(t, 200, code, string(b))
	v, err := note.NewVerifier(f.vkey)
	require.NoError(t, err)
	cp, _, _, err := flog.ParseCheckpoint(b, v.Name(), v)
	require.NoError(t, err, string(b))
	return cp
}

func TestOutsideVerifier(t *testing.T) {
	f := newTrustFixture(t)
	f.votes(37, 0)
	cp1 := outsideCheckpoint(t, f)
	require.Equal(t, uint64(f.l.Len()), cp1.Size)

	// Every event's inclusion, from its stored envelope alone.
	code, b := f.do("GET", "/v1/events?limit=10000", trustInspector, "", nil)
	require.Equal(t, 200, code)
	var envs []json.RawMessage
	require.NoError(t, json.Unmarshal(b, &envs))
	require.Len(t, envs, int(cp1.Size))
	for i, env := range envs {
		leaf := rfc6962{}.HashLeaf(outsideCanonical(t, env))
		code, b := f.do("GET", fmt.Sprintf("/v1/proof/inclusion?position=%d&size=%d", i+1, cp1.Size), trustInspector, "", nil)
		require.Equal(t, 200, code, string(b))
		var p struct {
			LeafIndex uint64   `json:"leaf_index"`
			TreeSize  uint64   `json:"tree_size"`
			Hashes    []string `json:"hashes"`
		}
		require.NoError(t, json.Unmarshal(b, &p))
		require.Equal(t, uint64(i), p.LeafIndex)
		require.Equal(t, cp1.Size, p.TreeSize)
		require.NoError(t, proof.VerifyInclusion(rfc6962{}, uint64(i), cp1.Size, leaf, b64s(t, p.Hashes), cp1.Hash), "event %d", i+1)
	}

	// The log grows; the new checkpoint is consistent with the old one,
	// and with every size in between.
	f.votes(100, 100)
	cp2 := outsideCheckpoint(t, f)
	require.Equal(t, cp1.Size+100, cp2.Size)
	for _, from := range []uint64{1, 2, cp1.Size, cp1.Size + 1, cp2.Size} {
		code, b := f.do("GET", fmt.Sprintf("/v1/proof/consistency?from=%d&to=%d", from, cp2.Size), trustInspector, "", nil)
		require.Equal(t, 200, code, string(b))
		var p struct {
			From, To uint64
			Hashes   []string
		}
		require.NoError(t, json.Unmarshal(b, &p))
		require.Equal(t, from, p.From)
		require.Equal(t, cp2.Size, p.To)
		if from == cp1.Size {
			require.NoError(t, proof.VerifyConsistency(rfc6962{}, cp1.Size, cp2.Size, b64s(t, p.Hashes), cp1.Hash, cp2.Hash))
		}
	}
}

func TestCheckpointIsSignedTextAndFresh(t *testing.T) {
	f := newTrustFixture(t)
	req, _ := http.NewRequest("GET", f.srv.URL+"/v1/checkpoint", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	lines := strings.Split(string(b), "\n")
	require.Equal(t, "test.example/ledger", lines[0])
	require.Equal(t, fmt.Sprint(f.l.Len()), lines[1])
	require.Equal(t, "", lines[3])
	require.True(t, strings.HasPrefix(lines[4], "— test.example/ledger "), lines[4])
	f.votes(1, 0)
	require.Equal(t, uint64(f.l.Len()), outsideCheckpoint(t, f).Size)
}

func TestWitnessCosignatures(t *testing.T) {
	f := newTrustFixture(t)
	code, signed := f.do("GET", "/v1/checkpoint", "", "", nil)
	require.Equal(t, 200, code)
	// An independent witness, with formats/note's own cosigner.
	ws, err := fnote.NewSignerForCosignatureV1(f.witness)
	require.NoError(t, err)
	text := string(signed[:bytes.Index(signed, []byte("\n\n"))+1])
	cosigned, err := note.Sign(&note.Note{Text: text}, ws)
	require.NoError(t, err)
	body := append(append([]byte{}, signed...), cosigned[len(text)+1:]...)
	code, b := f.do("POST", "/v1/checkpoint/cosignatures", trustInspector, "text/plain", body)
	require.Equal(t, 201, code, string(b))
	require.JSONEq(t, fmt.Sprintf(`{"status":"accepted","witnesses":["witness-wang"],"size":%d}`, f.l.Len()), string(b))
	// GET now carries it, and it verifies as a cosignature/v1.
	code, served := f.do("GET", "/v1/checkpoint", "", "", nil)
	require.Equal(t, 200, code)
	wv, err := fnote.NewVerifierForCosignatureV1(f.wvkey)
	require.NoError(t, err)
	lv, err := note.NewVerifier(f.vkey)
	require.NoError(t, err)
	n, err := note.Open(served, note.VerifierList(lv, wv))
	require.NoError(t, err)
	require.Len(t, n.Sigs, 2)
	// Our own cosigner (ledger audit --witness-key) makes the same kind.
	own, err := transparency.NewCosigner(f.witness, time.Now)
	require.NoError(t, err)
	body2, err := own.Cosign(signed, text)
	require.NoError(t, err)
	_, err = note.Open(body2, note.VerifierList(lv, wv))
	require.NoError(t, err)

	// Refused: an unknown witness, a changed checkpoint, one never served.
	otherKey, _, _ := note.GenerateKey(rand.Reader, "witness-li")
	other, _ := fnote.NewSignerForCosignatureV1(otherKey)
	byOther, _ := note.Sign(&note.Note{Text: text}, other)
	code, b = f.do("POST", "/v1/checkpoint/cosignatures", trustInspector, "text/plain", append(append([]byte{}, signed...), byOther[len(text)+1:]...))
	require.Equal(t, 400, code)
	require.Contains(t, string(b), "a cosignature by witness-li, a witness this server does not know")
	// Also beside a known witness's: it would read as accepted.
	code, b = f.do("POST", "/v1/checkpoint/cosignatures", trustInspector, "text/plain", append(append([]byte{}, body...), byOther[len(text)+1:]...))
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), "a cosignature by witness-li, a witness this server does not know")
	require.Contains(t, string(b), `"field":"cosignature"`)
	bad := bytes.Replace(body, []byte("\n"+fmt.Sprint(f.l.Len())+"\n"), []byte("\n1\n"), 1)
	code, b = f.do("POST", "/v1/checkpoint/cosignatures", trustInspector, "text/plain", bad)
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"cosignature"`)
	code, _ = f.do("POST", "/v1/checkpoint/cosignatures", trustInspector, "text/plain", []byte("not a note"))
	require.Equal(t, 400, code)
}

func TestProofParameters(t *testing.T) {
	f := newTrustFixture(t)
	n := f.l.Len()
	for _, c := range []struct {
		path, field string
	}{
		{"/v1/proof/inclusion?position=1", "size"},
		{fmt.Sprintf("/v1/proof/inclusion?size=%d", n), "position"},
		{fmt.Sprintf("/v1/proof/inclusion?position=1&size=%d", n+1), "size"},
		{"/v1/proof/inclusion?position=3&size=2", "position"},
		{"/v1/proof/inclusion?position=0&size=2", "position"},
		{"/v1/proof/inclusion?position=x&size=2", "position"},
		{"/v1/proof/consistency?from=3&to=2", "from"},
		{fmt.Sprintf("/v1/proof/consistency?from=1&to=%d", n+1), "to"},
		{"/v1/proof/consistency?to=2", "from"},
	} {
		code, b := f.do("GET", c.path, trustInspector, "", nil)
		require.Equal(t, 400, code, c.path)
		require.Contains(t, string(b), `"field":"`+c.field+`"`, c.path)
	}
	code, b := f.do("GET", "/v1/proof/consistency?from=2&to=2", trustInspector, "", nil)
	require.Equal(t, 200, code)
	require.JSONEq(t, `{"from":2,"to":2,"hashes":[]}`, string(b))
}

func TestSignedBallots(t *testing.T) {
	f := newTrustFixture(t)
	sat, unsat := f.sections[:10], f.sections[10:20]
	list := func(ids []string) string { return `["` + strings.Join(ids, `","`) + `"]` }
	// The code as a voter types it: spaces and capitals.
	code, b := f.do("POST", "/v1/ballots", "", "application/json", []byte(`{"code":" Voter-ONE\n","satisfied":`+list(sat)+`,"unsatisfied":`+list(unsat)+`}`))
	require.Equal(t, 201, code, string(b))
	// Signed in the browser: the code never travels.
	d := &events.BallotCastData{Satisfied: sat, Unsatisfied: unsat}
	d.Sign(events.CodeKey("voter-two"))
	pre, _ := json.Marshal(d)
	code, b = f.do("POST", "/v1/ballots", "", "application/json", pre)
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/v1/ballots", "", "application/json", pre)
	require.Equal(t, 409, code, string(b))
	// A signature over other lists.
	d3 := &events.BallotCastData{Satisfied: sat, Unsatisfied: unsat}
	d3.Sign(events.CodeKey("voter-three"))
	d3.Satisfied = append([]string{f.sections[20]}, sat[1:]...)
	bad, _ := json.Marshal(d3)
	code, b = f.do("POST", "/v1/ballots", "", "application/json", bad)
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"signature"`) // the body's own field
	// Both forms at once.
	both := strings.Replace(string(pre), "{", `{"code":"voter-three",`, 1)
	code, b = f.do("POST", "/v1/ballots", "", "application/json", []byte(both))
	require.Equal(t, 400, code, string(b))
	require.Contains(t, string(b), `"field":"code"`)
	// Nothing of the code in the log.
	code, b = f.do("GET", "/v1/events?limit=10000", trustInspector, "", nil)
	require.Equal(t, 200, code)
	require.NotContains(t, strings.ToLower(string(b)), "voter-one")
}

// lyingServer stands between an auditor and the ledger f serves: it
// answers /v1/events (and /v1/events/{id}) from the server at from
// (another one, or f itself) and rewrites their bodies with lie;
// everything else is f's.
func lyingServer(t *testing.T, f *trustFixture, from string, lie func([]byte) []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := f.srv.URL
		if strings.HasPrefix(r.URL.Path, "/v1/events") {
			base = from
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
		require.NoError(t, err)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		if strings.HasPrefix(r.URL.Path, "/v1/events") {
			b = lie(b)
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAuditCatchesALyingServer: the checkpoint and the proofs are the
// office's, the events served are not the ones it signed. Each of audit's
// reasons for --event and --full (docs/transparency.md) is met.
func TestAuditCatchesALyingServer(t *testing.T) {
	f := newTrustFixture(t)
	f.votes(5, 0) // positions 28 to 32
	other := newTrustFixture(t)
	other.votes(5, 100) // as many events, others
	v, err := note.NewVerifier(f.vkey)
	require.NoError(t, err)
	_, id := firstVote(t, f)
	lastPrev := func(b []byte) []byte {
		i := bytes.LastIndex(b, []byte(`"prev_hash":"`)) + len(`"prev_hash":"`)
		return append(append(b[:i:i], strings.Repeat("0", 64)...), b[i+64:]...)
	}
	rating := func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"rating":"basic"`), []byte(`"rating":"satisfied"`), 1)
	}
	honest := func(b []byte) []byte { return b }
	for _, c := range []struct {
		name string
		from string // the server the events come from
		lie  func([]byte) []byte
		opt  transparency.AuditOptions
		want string
	}{
		{"honest", f.srv.URL, honest, transparency.AuditOptions{Event: id, Full: true}, ""},
		{"a vote changed, --event", f.srv.URL, rating, transparency.AuditOptions{Event: id}, "event not included"},
		{"a vote changed, --full", f.srv.URL, rating, transparency.AuditOptions{Full: true}, "event at position 28: its hash does not match its content"},
		{"a link broken, --full", f.srv.URL, lastPrev, transparency.AuditOptions{Full: true}, "event at position 32: its prev_hash is not the hash of the event before it"},
		{"another log of the same size, --full", other.srv.URL, honest, transparency.AuditOptions{Full: true}, "the events served do not give the checkpoint's root"},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := c.opt
			opt.URL, opt.Verifier, opt.StateDir, opt.Token, opt.Now = lyingServer(t, f, c.from, c.lie), v, t.TempDir(), trustInspector, time.Now
			_, err := transparency.Audit(context.Background(), opt)
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			var af *transparency.AuditFailure
			require.ErrorAs(t, err, &af)
			require.Equal(t, c.want, af.Reason)
		})
	}
}

// firstVote is the position and id of f's first stored vote.
func firstVote(t *testing.T, f *trustFixture) (int64, string) {
	t.Helper()
	code, b := f.do("GET", "/v1/events?after=27&limit=1", trustInspector, "", nil)
	require.Equal(t, 200, code, string(b))
	var page []struct {
		Position int64  `json:"position"`
		ID       string `json:"id"`
		Type     string `json:"type"`
	}
	require.NoError(t, json.Unmarshal(b, &page))
	require.Len(t, page, 1)
	require.Equal(t, "ServiceVoteRecorded", page[0].Type)
	require.Equal(t, int64(28), page[0].Position)
	return page[0].Position, page[0].ID
}
