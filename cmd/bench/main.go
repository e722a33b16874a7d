// Command bench measures the ledger on the demo year and prints a table:
// each figure next to its floor measured in the same run (a raw SQLite
// insert of the same rows for import, a raw row scan for replay) and its
// target. Run it from the repository root:
//
//	go run ./cmd/bench            # the demo year (~365,000 events)
//	go run ./cmd/bench -scale 3   # ~1,000,000 events
//	go run ./cmd/bench -trust 5   # the transparency figures, 5 runs each
package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
)

type row struct {
	what, value, floor, ratio, target string
	ok                                bool
}

var rows []row

func add(what, value, floor, ratio, target string, ok bool) {
	rows = append(rows, row{what, value, floor, ratio, target, ok})
	fmt.Fprintf(os.Stderr, "  %s: %s\n", what, value)
}

func main() {
	scale := flag.Float64("scale", 1, "demo scale (1: ~365,000 events)")
	loadFor := flag.Duration("load", 10*time.Second, "duration of the HTTP load test")
	office := flag.Int("office", 0, "measure the office's tools instead (Excel import and export, pseudonyms), this many runs each (>= 5)")
	desk := flag.Int("desk", 0, "measure the desk instead (pages, diff, what-if, first load in Chromium), this many runs each (>= 5)")
	deskDB := flag.String("db", "", "with -desk: a demo database to use (made by serve --demo); else the demo year is imported into a temporary one")
	keep := flag.String("keep", "", "with -office: keep the workbooks and stores in this directory (to profile with)")
	trust := flag.Int("trust", 0, "measure the transparency figures instead (tree, proofs, audits, verify, serve start), this many runs each (>= 5)")
	flag.Parse()
	if *trust > 0 {
		if err := runTrust(*trust, 3); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *desk > 0 {
		if err := runDesk(*desk, *deskDB); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *office > 0 {
		if err := runOffice(*office, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*scale, *loadFor); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func run(scale float64, loadFor time.Duration) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ledger-bench")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "ledger")
	fmt.Fprintln(os.Stderr, "building ledger ...")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/ledger").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	file := filepath.Join(dir, "demo.jsonl")
	f, err := os.Create(file)
	check(err)
	t0 := time.Now()
	n, err := demo.Generate(f, demo.Options{Seed: 2021, Historical: true, Scale: scale})
	check(err)
	f.Close()
	fmt.Fprintf(os.Stderr, "demo year: %d events in %.1fs\n", n, time.Since(t0).Seconds())
	// Write the file out and give memory back before timing anything: the
	// import's fsyncs must not queue behind 100 MB of dirty pages.
	syscall.Sync()
	debug.FreeOSMemory()
	db := filepath.Join(dir, "ledger.db")
	store := "sqlite:" + db
	// The office's key, as the office runs the ledger: it seals the fold's
	// cache, which a command without it does not trust.
	skey, _, err := transparency.GenerateKey(crand.Reader, "bench.example/ledger")
	check(err)
	key := filepath.Join(dir, "office.key")
	check(os.WriteFile(key, []byte(skey+"\n"), 0o600))

	// Import, durable, in a process of its own.
	el, rss := proc(bin, "--store", store, "--key", key, "import", "--historical", file)
	rate := float64(n) / el.Seconds()
	floor := rawInsert(db, filepath.Join(dir, "raw.db"))
	add(fmt.Sprintf("import %d events (durable, process)", n), fmt.Sprintf("%.0f ev/s (%.2fs, RSS %d MB)", rate, el.Seconds(), rss/1024),
		fmt.Sprintf("%.0f rows/s raw insert", floor), fmt.Sprintf("%.2f", rate/floor), ">= 100,000 ev/s and >= 0.5 of raw", rate >= 100000 && rate/floor >= 0.5)

	el, _ = proc(bin, "--store", store, "verify")
	vrate := float64(n) / el.Seconds()
	scan := rawScan(db)
	add("verify with re-validation (process)", fmt.Sprintf("%.0f ev/s (%.2fs)", vrate, el.Seconds()), fmt.Sprintf("%.0f rows/s raw scan", scan),
		fmt.Sprintf("%.2f", vrate/scan), ">= 300,000 ev/s", vrate >= 300000)

	el, rss = proc(bin, "--store", store, "--key", key, "standings", "--format", "json")
	add("standings, cold process (checkpoint)", fmt.Sprintf("%.0f ms, RSS %d MB", ms(el), rss/1024), fmt.Sprintf("%.0f ms to scan the rows", float64(n)/scan*1000),
		"", "< 1 s", el < time.Second)
	add("peak RSS, standings of the year", fmt.Sprintf("%d MB", rss/1024), "", "", "< 300 MB", rss/1024 < 300)

	// In one process: warm queries.
	st, err := sqlite.Open(ctx, db)
	check(err)
	defer st.Close()
	l, err := replay.Open(ctx, st, replay.Options{})
	check(err)
	var worst, sum time.Duration
	days := 0
	for d := events.WindowStart; d.Before(events.WindowEnd); d = d.AddDate(0, 0, 1) {
		asOf := d.Add(24*time.Hour - time.Nanosecond)
		t := time.Now()
		_, err := l.StandingsJSON(projections.View{AsOf: asOf, KnownAt: time.Now()})
		check(err)
		e := time.Since(t)
		sum += e
		worst = max(worst, e)
		days++
	}
	add(fmt.Sprintf("standings, warm, every day of the window (%d dates)", days), fmt.Sprintf("mean %.1f ms, max %.1f ms", ms(sum)/float64(days), ms(worst)),
		"", "", "< 50 ms each", worst < 50*time.Millisecond)
	var known []time.Duration
	for k := 0; k < 20; k++ {
		kt := time.Date(2021, time.Month(1+k%12), 1+k, 0, 0, 0, 0, events.CST)
		t := time.Now()
		_, err := l.StandingsJSON(projections.View{AsOf: events.WindowEnd, KnownAt: kt})
		check(err)
		known = append(known, time.Since(t))
	}
	sort.Slice(known, func(i, j int) bool { return known[i] < known[j] })
	add("standings, warm, 20 known_at values", fmt.Sprintf("max %.1f ms", ms(known[len(known)-1])), "", "", "< 50 ms each", known[len(known)-1] < 50*time.Millisecond)
	var ex []time.Duration
	for _, id := range []string{"U01-S01", "U06-S12", "U21-S17", "U34-S05", "U44-S03", "U09-S18", "U12-S13", "U02-S01"} {
		t := time.Now()
		_, err := l.Explain(id, projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()})
		check(err)
		ex = append(ex, time.Since(t))
	}
	sort.Slice(ex, func(i, j int) bool { return ex[i] < ex[j] })
	add("explain, warm (8 sections)", fmt.Sprintf("max %.1f ms", ms(ex[len(ex)-1])), "", "", "< 20 ms", ex[len(ex)-1] < 20*time.Millisecond)

	load(l, loadFor)

	fmt.Printf("\n| measure | value | floor (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		met := "yes"
		if !r.ok {
			met = "NO"
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", r.what, r.value, r.floor, r.ratio, r.target, met)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// proc runs the ledger binary and returns its wall time and peak RSS (KB).
// The RSS comes from /usr/bin/time when it is there: a child's own
// ru_maxrss also counts the pages it shared with this (large) process
// between fork and exec.
func proc(bin string, args ...string) (time.Duration, int64) {
	rssFile := filepath.Join(os.TempDir(), fmt.Sprintf("ledger-bench-rss-%d", os.Getpid()))
	cmd := exec.Command(bin, args...)
	timed := false
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		cmd = exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
		timed = true
	}
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	t := time.Now()
	if err := cmd.Run(); err != nil {
		panic(fmt.Sprintf("%v: %v: %s", args, err, errb.String()))
	}
	el := time.Since(t)
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if timed {
		if b, err := os.ReadFile(rssFile); err == nil {
			fmt.Sscan(string(b), &rss)
		}
		os.Remove(rssFile)
	}
	return el, rss
}

// rawInsert copies the imported rows into a fresh table of the same shape
// with plain multi-row INSERTs in one durable transaction: the floor for
// import.
func rawInsert(from, to string) float64 {
	src, err := sql.Open("sqlite", "file:"+from)
	check(err)
	defer src.Close()
	type r struct {
		pos                int64
		id, data, prev, h  []byte
		typ, stream, actor string
		ref                string
		occ, rec           int64
	}
	var all []r
	rs, err := src.Query(`SELECT position, id, type, stream, occurred_at, recorded_at, actor, ref, data, prev_hash, hash FROM events`)
	check(err)
	for rs.Next() {
		var x r
		check(rs.Scan(&x.pos, &x.id, &x.typ, &x.stream, &x.occ, &x.rec, &x.actor, &x.ref, &x.data, &x.prev, &x.h))
		all = append(all, x)
	}
	rs.Close()
	dst, err := sql.Open("sqlite", "file:"+to+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	check(err)
	defer dst.Close()
	dst.SetMaxOpenConns(1)
	_, err = dst.Exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, id BLOB, type TEXT, stream TEXT, occurred_at INTEGER, recorded_at INTEGER, actor TEXT, ref TEXT, data BLOB, prev_hash BLOB, hash BLOB)`)
	check(err)
	const per = 64
	q := `INSERT INTO events VALUES ` + strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?),", per), ",")
	t := time.Now()
	tx, err := dst.Begin()
	check(err)
	stmt, err := tx.Prepare(q)
	check(err)
	args := make([]any, 0, per*11)
	for i := 0; i+per <= len(all); i += per {
		args = args[:0]
		for _, x := range all[i : i+per] {
			args = append(args, x.pos, x.id, x.typ, x.stream, x.occ, x.rec, x.actor, x.ref, x.data, x.prev, x.h)
		}
		_, err := stmt.Exec(args...)
		check(err)
	}
	check(tx.Commit())
	return float64(len(all)/per*per) / time.Since(t).Seconds()
}

// rawScan reads every row and column: the floor for replay and verify.
func rawScan(path string) float64 {
	db, err := sql.Open("sqlite", "file:"+path)
	check(err)
	defer db.Close()
	t := time.Now()
	rs, err := db.Query(`SELECT position, id, type, stream, occurred_at, recorded_at, actor, ref, data, prev_hash, hash FROM events`)
	check(err)
	n := 0
	var a, b, c, d, e, f, g, h, i, j, k sql.RawBytes
	for rs.Next() {
		check(rs.Scan(&a, &b, &c, &d, &e, &f, &g, &h, &i, &j, &k))
		n++
	}
	rs.Close()
	return float64(n) / time.Since(t).Seconds()
}

// load serves the ledger on loopback and measures GET /v1/standings under
// concurrent clients, then single durable POST /v1/events.
func load(l *replay.Ledger, d time.Duration) {
	var ln net.Listener
	tokens, err := api.ParseTokens(strings.NewReader("recorder bench-token-0123456789"))
	check(err)
	srv := api.New(api.Config{Ledger: l, Tokens: tokens})
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	check(err)
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var lat []time.Duration
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(stop) {
				t := time.Now()
				req, _ := http.NewRequest("GET", url+"/v1/standings", nil)
				req.Header.Set("Authorization", "Bearer bench-token-0123456789")
				resp, err := client.Do(req)
				check(err)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	rps := float64(len(lat)) / d.Seconds()
	p99 := lat[len(lat)*99/100]
	add("GET /v1/standings, 16 clients on loopback", fmt.Sprintf("%.0f req/s, p50 %.1f ms, p99 %.1f ms", rps, ms(lat[len(lat)/2]), ms(p99)),
		"", "", ">= 2,000 req/s, p99 < 50 ms", rps >= 2000 && p99 < 50*time.Millisecond)
	// Single events, one client, each durable before its 201.
	var post []time.Duration
	for i := 0; i < 300; i++ {
		body := fmt.Sprintf(`{"type":"DiscretionaryDeduction","occurred_at":"2021-11-20T10:00:00+08:00","actor":"bench","data":{"section_id":"U01-S01","points":0.01,"reason":"bench %d"}}`, i)
		t := time.Now()
		req, _ := http.NewRequest("POST", url+"/v1/events", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer bench-token-0123456789")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		check(err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			panic(fmt.Sprintf("POST: %d", resp.StatusCode))
		}
		post = append(post, time.Since(t))
	}
	sort.Slice(post, func(i, j int) bool { return post[i] < post[j] })
	p99 = post[len(post)*99/100]
	add("POST /v1/events, single events, durable", fmt.Sprintf("p50 %.1f ms, p99 %.1f ms", ms(post[len(post)/2]), ms(p99)), "", "", "p99 < 10 ms", p99 < 10*time.Millisecond)
}
