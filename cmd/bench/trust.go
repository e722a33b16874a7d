package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/replay"
)

// runTrust measures what issue #12 added, n runs each (median and range),
// with the load average and, where there is one, the same run's floor:
//
//   - import of the demo year, in-process, with the Merkle tree kept and
//     without it (sqlite.OpenWithoutTree, the floor), alternating;
//   - verify with re-validation (the ledger process);
//   - serve start on the demo year, the chain checked, until it listens;
//   - audit of the year's growth: signature and consistency from the
//     checkpoint after the roster to the year's;
//   - audit --full, over loopback HTTP;
//   - inclusion and consistency proofs at bigN events (p50, p99).
func runTrust(n int, bigScale float64) error {
	if n < 5 {
		return fmt.Errorf("-trust wants at least 5 runs, got %d", n)
	}
	ctx := context.Background()
	dir, cleanup := workDir("", "ledger-bench-trust")
	defer cleanup()
	bin := filepath.Join(dir, "ledger")
	if err := buildLedger(bin); err != nil {
		return err
	}
	load0 := loadavg()
	year := filepath.Join(dir, "demo.jsonl")
	nEvents := writeDemo(year, demo.Options{Seed: 2021, Historical: true})
	key := filepath.Join(dir, "office")
	skey, vkey, err := transparency.GenerateKey(rand.Reader, "bench.example/ledger")
	check(err)
	check(os.WriteFile(key+".key", []byte(skey+"\n"), 0o600))
	check(os.WriteFile(key+".pub", []byte(vkey+"\n"), 0o644))
	signer, err := transparency.NewSigner(skey)
	check(err)

	// Import, with and without the tree, alternating so that both see
	// the same machine.
	var with, without []float64
	for i := range n {
		for _, tree := range []bool{true, false} {
			db := filepath.Join(dir, fmt.Sprintf("imp-%d-%v.db", i, tree))
			rate := importInProcess(ctx, db, year, tree)
			if tree {
				with = append(with, rate)
			} else {
				without = append(without, rate)
			}
			os.Remove(db)
			os.Remove(db + "-wal")
			os.Remove(db + "-shm")
		}
	}
	ratios := make([]float64, n)
	for i := range ratios {
		ratios[i] = with[i] / without[i]
	}

	// The year, imported by the ledger with the office's key (its cache
	// sealed), for the rest.
	db := filepath.Join(dir, "year.db")
	proc(bin, "--store", "sqlite:"+db, "--key", key+".key", "import", "--historical", year)
	// verify, next to its floors in the same run: a raw scan of the rows,
	// and the hash-only check (chain and tree, no re-validation).
	var verify, scans, hashOnly []float64
	for range n {
		el, _ := proc(bin, "--store", "sqlite:"+db, "verify")
		verify = append(verify, float64(nEvents)/el.Seconds())
		scans = append(scans, rawScan(db))
		hs, err := sqlite.Open(ctx, db)
		check(err)
		t := time.Now()
		_, err = events.VerifyLog(ctx, hs, events.VerifyOptions{})
		check(err)
		hashOnly = append(hashOnly, float64(nEvents)/time.Since(t).Seconds())
		hs.Close()
	}
	var starts []float64
	for range n {
		starts = append(starts, serveStart(bin, db, key+".key"))
	}

	// Audits over loopback HTTP against the ledger served in-process.
	st, err := sqlite.Open(ctx, db)
	check(err)
	l, err := replay.Open(ctx, st, replay.Options{Sealer: signer})
	check(err)
	toks, err := api.ParseTokens(strings.NewReader("inspector bench-inspector-token-01\n"))
	check(err)
	srv := httptest.NewServer(api.New(api.Config{Ledger: l, Tokens: toks, Signer: signer}).Handler())
	defer srv.Close()
	v, err := transparency.NewVerifier(vkey)
	check(err)
	// The checkpoint kept after the roster (the first 409 events: units and
	// sections), signed then, is where a year's growth starts.
	early := int64(409)
	root, err := events.TreeRoot(ctx, st, early)
	check(err)
	note, err := signer.Sign(early, root)
	check(err)
	state := filepath.Join(dir, "audit")
	keptPath := transparency.StatePath(state, signer.Origin())
	check(os.MkdirAll(state, 0o755))
	kept := fmt.Sprintf(`{"origin":%q,"kept_at":"2021-01-01T00:00:00Z","checkpoint":%q}`, signer.Origin(), string(note))
	var growth, full, download []float64
	client := &http.Client{Timeout: time.Minute}
	for range n {
		check(os.WriteFile(keptPath, []byte(kept), 0o644))
		t := time.Now()
		_, err := transparency.Audit(ctx, transparency.AuditOptions{URL: srv.URL, Verifier: v, StateDir: state,
			Token: "bench-inspector-token-01", Now: time.Now, Client: client})
		check(err)
		growth = append(growth, ms(time.Since(t)))
	}
	for range n {
		t := time.Now()
		_, err := transparency.Audit(ctx, transparency.AuditOptions{URL: srv.URL, Verifier: v, StateDir: state,
			Token: "bench-inspector-token-01", Full: true, Now: time.Now, Client: client})
		check(err)
		full = append(full, float64(nEvents)/time.Since(t).Seconds())
		download = append(download, downloadAll(srv.URL, int64(nEvents), client))
	}
	srv.Close()
	st.Close()

	// Proofs at a million events.
	bigJSONL := filepath.Join(dir, "big.jsonl")
	bigN := writeDemo(bigJSONL, demo.Options{Seed: 5, Scale: bigScale})
	big := filepath.Join(dir, "big.db")
	proc(bin, "--store", "sqlite:"+big, "import", bigJSONL)
	os.Remove(bigJSONL)
	bs, err := sqlite.Open(ctx, big)
	check(err)
	var incl50, incl99, cons50, cons99 []float64
	rng := mrand.New(mrand.NewPCG(1, 2))
	for range n {
		var in, co []float64
		for range 2000 {
			size := int64(bigN) - rng.Int64N(int64(bigN)/10)
			pos := 1 + rng.Int64N(size)
			t := time.Now()
			_, err := events.InclusionProof(ctx, bs, pos-1, size)
			check(err)
			in = append(in, float64(time.Since(t).Microseconds())/1000)
			from := 1 + rng.Int64N(size)
			t = time.Now()
			_, err = events.ConsistencyProof(ctx, bs, from, size)
			check(err)
			co = append(co, float64(time.Since(t).Microseconds())/1000)
		}
		incl50, incl99 = append(incl50, pct(in, 50)), append(incl99, pct(in, 99))
		cons50, cons99 = append(cons50, pct(co, 50)), append(cons99, pct(co, 99))
	}
	bs.Close()
	load1 := loadavg()

	fmt.Printf("| measure (demo year: %d events; proofs at %d) | median (range), %d runs | floor (same run) | target | met |\n|---|---|---|---|---|\n", nEvents, bigN, n)
	fmt.Printf("| import, in-process, tree kept | %s ev/s | without the tree: %s ev/s; ratio %s | >= 0.9 of without | %s |\n",
		stat(with, "%.0f"), stat(without, "%.0f"), stat(ratios, "%.2f"), yes(median(ratios) >= 0.9))
	fmt.Printf("| verify with re-validation (process) | %s ev/s | raw scan %s rows/s; hashes and tree only, in-process, %s ev/s | >= 300,000 ev/s | %s |\n",
		stat(verify, "%.0f"), stat(scans, "%.0f"), stat(hashOnly, "%.0f"), yes(median(verify) >= 300000))
	fmt.Printf("| serve start, the demo year, chain and tree checked (process, until it listens) | %s ms | | < 2 s | %s |\n", stat(starts, "%.0f"), yes(median(starts) < 2000))
	fmt.Printf("| audit of a year's growth (409 to %d: signature + consistency) | %s ms | | < 50 ms | %s |\n", nEvents, stat(growth, "%.1f"), yes(median(growth) < 50))
	fmt.Printf("| audit --full, loopback HTTP | %s ev/s | downloading the pages alone: %s ev/s | >= 300,000 ev/s | %s |\n",
		stat(full, "%.0f"), stat(download, "%.0f"), yes(median(full) >= 300000))
	fmt.Printf("| inclusion proof at %d events, p50 / p99 of 2,000 | %s / %s ms | | p99 < 1 ms | %s |\n", bigN, stat(incl50, "%.3f"), stat(incl99, "%.3f"), yes(median(incl99) < 1))
	fmt.Printf("| consistency proof at %d events, p50 / p99 of 2,000 | %s / %s ms | | p99 < 1 ms | %s |\n", bigN, stat(cons50, "%.3f"), stat(cons99, "%.3f"), yes(median(cons99) < 1))
	fmt.Printf("\nload average (1, 5, 15 min): before %s, after %s\n", load0, load1)
	return nil
}

// importInProcess imports the file into a fresh SQLite file, durably, with
// the tree or without, and returns events per second.
func importInProcess(ctx context.Context, db, file string, tree bool) float64 {
	open := sqlite.Open
	if !tree {
		open = sqlite.OpenWithoutTree
	}
	st, err := open(ctx, db)
	check(err)
	defer st.Close()
	l, err := replay.Open(ctx, st, replay.Options{CheckpointEvery: -1})
	check(err)
	f, err := os.Open(file)
	check(err)
	defer f.Close()
	t := time.Now()
	seq, _ := events.ReadLines(f, events.DecodeOptions{Historical: true})
	res, err := l.Append(ctx, seq, replay.AppendOptions{Historical: true})
	check(err)
	return float64(res.Appended) / time.Since(t).Seconds()
}

// serveStart runs `ledger serve` and returns the milliseconds until it says
// it is serving (the whole chain and tree checked before), then stops it.
func serveStart(bin, db, key string) float64 {
	cmd := exec.Command(bin, "--store", "sqlite:"+db, "--key", key, "serve", "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	check(err)
	t := time.Now()
	check(cmd.Start())
	sc := bufio.NewScanner(out)
	el := math.NaN()
	for sc.Scan() {
		if strings.Contains(sc.Text(), "serving on") {
			el = ms(time.Since(t))
			break
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	return el
}

func pct(v []float64, p int) float64 {
	s := slices.Sorted(slices.Values(v))
	return s[min(len(s)-1, len(s)*p/100)]
}

// downloadAll fetches every page of GET /v1/events, two at a time as the
// audit does, without reading them: the floor of audit --full.
func downloadAll(base string, n int64, client *http.Client) float64 {
	const page = 10000
	t := time.Now()
	next := make(chan int64, n/page+1)
	for after := int64(0); after < n; after += page {
		next <- after
	}
	close(next)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for after := range next {
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/events?after=%d&limit=%d", base, after, page), nil)
				req.Header.Set("Authorization", "Bearer bench-inspector-token-01")
				resp, err := client.Do(req)
				check(err)
				_, err = io.Copy(io.Discard, resp.Body)
				check(err)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(t).Seconds()
}
