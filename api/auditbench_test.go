package api_test

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
)

// BenchmarkAuditFull runs `ledger audit --full` against the ledger file
// named by LEDGER_BENCH_DB, served on loopback, and reports events/s.
func BenchmarkAuditFull(b *testing.B) {
	path := os.Getenv("LEDGER_BENCH_DB")
	if path == "" {
		b.Skip("LEDGER_BENCH_DB not set")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	skey, vkey, _ := transparency.GenerateKey(rand.Reader, "bench.example/ledger")
	signer, _ := transparency.NewSigner(skey)
	v, _ := transparency.NewVerifier(vkey)
	l, err := replay.Open(ctx, st, replay.Options{})
	if err != nil {
		b.Fatal(err)
	}
	toks, _ := api.ParseTokens(strings.NewReader("inspector bench-inspector-token-01\n"))
	srv := httptest.NewServer(api.New(api.Config{Ledger: l, Tokens: toks, Signer: signer}).Handler())
	defer srv.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		res, err := transparency.Audit(ctx, transparency.AuditOptions{URL: srv.URL, Verifier: v, StateDir: b.TempDir(),
			Token: "bench-inspector-token-01", Full: true, Now: time.Now})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Checkpoint.Size)/time.Since(t).Seconds(), "events/s")
	}
}
