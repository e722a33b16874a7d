package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "office")
	code, out, errs := run(t, dir, "", "keygen", "--origin", "pingyang.gov.cn/ledger/2021", "--out", prefix)
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "wrote "+prefix+".key (secret, mode 0600) and "+prefix+".pub: pingyang.gov.cn/ledger/2021+")
	fi, err := os.Stat(prefix + ".key")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	pub, err := os.ReadFile(prefix + ".pub")
	require.NoError(t, err)
	require.Regexp(t, `^pingyang\.gov\.cn/ledger/2021\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$`, string(pub))
	key, _ := os.ReadFile(prefix + ".key")
	require.NotContains(t, out+errs, strings.TrimSpace(string(key)), "the secret key is never printed")
	// Never over an existing key.
	code, _, errs = run(t, dir, "", "keygen", "--origin", "x", "--out", prefix)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "exists already")
	code, _, _ = run(t, dir, "", "keygen", "--origin", "has space", "--out", filepath.Join(dir, "b"))
	require.Equal(t, 2, code)
	code, _, _ = run(t, dir, "", "keygen", "--origin", "x")
	require.Equal(t, 2, code)
}

func TestCheckpointAndProve(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, dir, "", "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	code, out, errs := run(t, dir, "", "checkpoint")
	require.Equal(t, 0, code, errs)
	pub, err := os.ReadFile(strings.TrimSuffix(officeKey, ".key") + ".pub")
	require.NoError(t, err)
	v, err := transparency.NewVerifier(string(pub))
	require.NoError(t, err)
	cp, _, err := transparency.Open([]byte(out), v)
	require.NoError(t, err, out)
	require.Equal(t, int64(scenarioEvents), cp.Size)
	// verify prints the same root.
	_, vout, _ := run(t, dir, "", "verify")
	require.Contains(t, vout, "root "+cp.RootBase64())

	// An inclusion proof of event 5, checked with transparency-dev/merkle
	// against the signed root, from the event's envelope.
	n := fmt.Sprint(scenarioEvents)
	code, out, errs = run(t, dir, "", "prove", "--position", "5", "--size", n)
	require.Equal(t, 0, code, errs)
	require.True(t, strings.HasPrefix(out, `{"leaf_index":4,"tree_size":`+n+`,"hashes":[`), out)
	var p struct {
		Hashes []string `json:"hashes"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	var leaf []byte
	st, _, err := openStore(t.Context(), "sqlite:"+filepath.Join(dir, "ledger.db"), false, false, nil)
	require.NoError(t, err)
	require.NoError(t, st.Read(t.Context(), 4, 1, func(r *events.Record) error {
		leaf = rfc6962.DefaultHasher.HashLeaf(r.Canonical(nil))
		return nil
	}))
	st.Close()
	require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, 4, scenarioEvents, leaf, decode64(t, p.Hashes), cp.Root[:]))
	code, out, errs = run(t, dir, "", "prove", "--from", "10", "--to", n)
	require.Equal(t, 0, code, errs)
	require.True(t, strings.HasPrefix(out, `{"from":10,"to":`+n+`,"hashes":[`), out)

	for _, args := range [][]string{
		{"prove"},
		{"prove", "--position", "5"},
		{"prove", "--position", "5", "--size", "9", "--from", "1", "--to", "2"},
		{"prove", "--position", "10", "--size", "9"},
		{"prove", "--from", "0", "--to", "9"},
	} {
		code, _, _ := run(t, dir, "", args...)
		require.Equal(t, 2, code, args)
	}
	code, _, errs = run(t, dir, "", "prove", "--position", "1", "--size", fmt.Sprint(scenarioEvents+1))
	require.Equal(t, 1, code)
	require.Contains(t, errs, "past the log's size "+n)
}

func decode64(t *testing.T, hs []string) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		b, err := base64.StdEncoding.DecodeString(h)
		require.NoError(t, err)
		out[i] = b
	}
	return out
}

func TestAuditRefusesAnotherKeyAndBadFlags(t *testing.T) {
	dir := t.TempDir()
	url := importScenario(t, dir)
	s := serveStore(t, url)
	other := filepath.Join(dir, "other")
	code, _, errs := run(t, dir, "", "keygen", "--origin", "test.example/ledger", "--out", other)
	require.Equal(t, 0, code, errs)
	code, _, errs = run(t, dir, "", "audit", "--url", s.srv.URL, "--pub", other+".pub", "--state", filepath.Join(dir, "st"))
	require.Equal(t, 1, code)
	require.Equal(t, "ledger: audit: bad signature\n", errs)
	_, err := os.Stat(filepath.Join(dir, "st"))
	require.True(t, os.IsNotExist(err), "nothing kept")
	for _, args := range [][]string{
		{"audit", "--pub", other + ".pub", "--state", dir},
		{"audit", "--url", "ftp://x", "--pub", other + ".pub", "--state", dir},
		{"audit", "--url", s.srv.URL, "--state", dir},
		{"audit", "--url", s.srv.URL, "--pub", other + ".pub"},
	} {
		code, _, _ := run(t, dir, "", args...)
		require.Equal(t, 2, code, args)
	}
	// An event, then a witness cosigning.
	code, out, errs := s.audit(dir, "--event", "00000000-0000-4000-8000-000000000005")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, fmt.Sprintf("ok size %d root ", scenarioEvents))
	code, _, errs = s.audit(dir, "--event", "00000000-0000-4000-8000-000000009999")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "404")
}

func TestAuditAsAWitness(t *testing.T) {
	dir := t.TempDir()
	url := importScenario(t, dir)
	w := filepath.Join(dir, "wang")
	code, _, errs := run(t, dir, "", "keygen", "--origin", "inspector-wang", "--out", w)
	require.Equal(t, 0, code, errs)
	pub, err := os.ReadFile(w + ".pub")
	require.NoError(t, err)
	s := serveStore(t, url, string(pub))
	code, out, errs := s.audit(dir, "--witness-key", w+".key")
	require.Equal(t, 0, code, errs)
	require.Regexp(t, fmt.Sprintf(`^ok size %d root \S+\ncosigned by inspector-wang\n$`, scenarioEvents), out)
	// The checkpoint now carries the cosignature.
	resp, err := http.Get(s.srv.URL + "/v1/checkpoint")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(b), "\n— inspector-wang ")

	// A witness the server does not know: the checkpoint passed and is
	// kept (ok), the cosignature is refused (exit 1).
	li := filepath.Join(dir, "li")
	code, _, errs = run(t, dir, "", "keygen", "--origin", "inspector-li", "--out", li)
	require.Equal(t, 0, code, errs)
	code, out, errs = s.audit(dir, "--witness-key", li+".key")
	require.Equal(t, 1, code, out)
	require.Regexp(t, fmt.Sprintf(`^ok size %d root \S+\n$`, scenarioEvents), out)
	require.Contains(t, errs, "a cosignature by inspector-li, a witness this server does not know")
}
