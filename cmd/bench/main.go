// Command bench measures the ledger on the demo year and prints a table:
// each figure the median (min–max) of several runs, next to its floor
// measured in the same run (a raw SQLite insert of the same rows for
// import, a raw row scan for replay) and its target, with the 1-minute
// load average of each run. Run it from the repository root:
//
//	go run ./cmd/bench                     # the demo year (~380,000 events), 5 runs
//	go run ./cmd/bench -runs 7 -scale 3    # ~1,000,000 events, 7 runs
//	go run ./cmd/bench -trust 5            # the transparency figures, 5 runs each
//	go run ./cmd/bench -office 5           # the office's tools (Excel, pseudonyms)
//	go run ./cmd/bench -desk 5             # the desk's pages
//	go run -tags benchscan ./cmd/bench -scaling 1,3,10 -runs 5   # how costs grow with the log (issue #16)
//	go run ./cmd/bench -only mixed -from demo.db   # only the mixed load, on a copy of a store
//
// The mixed load (issue #13, item 2) serves the ledger on loopback with 64
// clients asking standings for views that are almost never asked twice
// (every answer is computed) while 4 clients append single events, each
// durable before its 201: appends must not queue behind the readers.
package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/internal/memlimit"
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
	keep := flag.String("keep", "", "with -office: keep the workbooks and stores in this directory (to profile with); with -scaling: the work directory (demo files are reused)")
	trust := flag.Int("trust", 0, "measure the transparency figures instead (tree, proofs, audits, verify, serve start), this many runs each (>= 5)")
	flag.DurationVar(&mixedFor, "mixed", 20*time.Second, "duration of the mixed load (0: skip it)")
	flag.IntVar(&mixedReaders, "readers", 64, "standings clients of the mixed load")
	flag.IntVar(&mixedAppenders, "appenders", 4, "appending clients of the mixed load")
	flag.IntVar(&maxViews, "maxviews", 0, "replay.Options.MaxViews (0: the default)")
	only := flag.String("only", "", "run only this part: mixed")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the mixed load to this file")
	from := flag.String("from", "", "with -only mixed: a store to copy instead of importing the demo year")
	scaling := flag.String("scaling", "", "measure how costs grow with the log instead, at these demo scales (e.g. 1,3,10); build with -tags benchscan for the correctness check")
	runs := flag.Int("runs", 5, "runs of the default table, or with -scaling: runs per scale")
	scalingChild := flag.Bool("scaling-child", false, "internal: a child process of -scaling")
	flag.Parse()
	if *scalingChild {
		if err := runScalingChild(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *scaling != "" {
		if err := runScaling(*scaling, *runs, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		check(err)
		defer f.Close()
		profile = f
	}
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
	if *only != "" {
		if *only != "mixed" {
			fmt.Fprintln(os.Stderr, "bench: -only takes mixed")
			os.Exit(2)
		}
		if err := runMixed(*scale, *from); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*scale, *loadFor, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func run(scale float64, loadFor time.Duration, runs int) error {
	if runs < 1 {
		return fmt.Errorf("-runs wants at least 1, got %d", runs)
	}
	dir, cleanup := workDir("", "ledger-bench")
	defer cleanup()
	bin := filepath.Join(dir, "ledger")
	if err := buildLedger(bin); err != nil {
		return err
	}
	load0 := loadavg()
	file := filepath.Join(dir, "demo.jsonl")
	t0 := time.Now()
	n := writeDemo(file, demo.Options{Seed: 2021, Historical: true, Scale: scale})
	fmt.Fprintf(os.Stderr, "demo year: %d events in %.1fs\n", n, time.Since(t0).Seconds())
	// The office's key, as the office runs the ledger: it seals the fold's
	// cache, which a command without it does not trust.
	skey, _, err := transparency.GenerateKey(crand.Reader, "bench.example/ledger")
	check(err)
	key := filepath.Join(dir, "office.key")
	check(os.WriteFile(key, []byte(skey+"\n"), 0o600))
	var loads []float64
	for i := range runs {
		loads = append(loads, load1min())
		fmt.Fprintf(os.Stderr, "run %d of %d, load %.2f\n", i+1, runs, loads[i])
		runOnce(dir, bin, file, key, int64(n), loadFor)
	}
	fmt.Printf("\n%d events, %d runs, %d cores; each figure median (min–max) of the runs, met judged by the median\n\n", n, runs, runtime.NumCPU())
	fmt.Printf("| measure | value | floor (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, r := range series {
		ratio, floor := "", ""
		ratioOK := true
		if r.floor != nil {
			floor = stat(r.floor, r.floorFormat) + " " + r.floorUnit
			var q []float64
			for i := range r.vals {
				q = append(q, r.vals[i]/r.floor[i])
			}
			ratio = stat(q, "%.2f")
			ratioOK = median(q) >= r.minRatio
		}
		met := ""
		if r.ok != nil {
			met = yes(r.ok(median(r.vals)) && ratioOK)
		}
		fmt.Printf("| %s | %s %s | %s | %s | %s | %s |\n", r.name, stat(r.vals, r.format), r.unit, floor, ratio, r.target, met)
	}
	fmt.Printf("\n1-min load average at each run's start: %s\nload average (1, 5, 15 min): before %s, after %s\n", list(loads), load0, loadavg())
	return nil
}

// A series is one figure over the runs of the default table, with its
// floor measured in the same runs.
type figureSeries struct {
	name, format, unit, target string
	vals                       []float64
	ok                         func(float64) bool
	floor                      []float64
	floorFormat, floorUnit     string
	minRatio                   float64 // with a floor: the ratio's median must reach it too
}

var series []*figureSeries

// record adds one run's value to the named series (made on first use).
func record(name, format, unit string, v float64, target string, ok func(float64) bool) *figureSeries {
	for _, s := range series {
		if s.name == name {
			s.vals = append(s.vals, v)
			return s
		}
	}
	s := &figureSeries{name: name, format: format, unit: unit, target: target, ok: ok, vals: []float64{v}}
	series = append(series, s)
	return s
}

// withFloor records the same run's floor of a series.
func (s *figureSeries) withFloor(v float64, format, unit string) *figureSeries {
	s.floor, s.floorFormat, s.floorUnit = append(s.floor, v), format, unit
	return s
}

// runOnce measures each figure of the default table once: the import into
// a fresh file, verify and cold standings as processes, each next to its
// floor, then warm queries and the HTTP loads in this process.
func runOnce(dir, bin, file, key string, n int64, loadFor time.Duration) {
	ctx := context.Background()
	// Write the file out and give memory back before timing anything: the
	// import's fsyncs must not queue behind dirty pages.
	syscall.Sync()
	debug.FreeOSMemory()
	db := filepath.Join(dir, "ledger.db")
	removeDB(db)
	store := "sqlite:" + db

	// Import, durable, in a process of its own.
	r := procCPU(bin, "--store", store, "--key", key, "import", "--historical", file)
	raw := filepath.Join(dir, "raw.db")
	removeDB(raw)
	floor := rawInsert(db, raw).Rate
	removeDB(raw)
	debug.FreeOSMemory()
	record(fmt.Sprintf("import %d events (durable, process)", n), "%.0f", "ev/s", float64(n)/r.wall.Seconds(),
		">= 100,000 ev/s and >= 0.5 of raw", func(x float64) bool { return x >= 100000 }).withFloor(floor, "%.0f", "rows/s raw insert").minRatio = 0.5
	record("its CPU time (user+sys) per event", "%.1f", "µs", float64(r.cpu.Microseconds())/float64(n), "", nil)
	record("its peak RSS", "%.0f", "MB", float64(r.rssKB)/1024, "", nil)

	// The raw insert's file, just removed, is still being written back:
	// not while verify is timed.
	syscall.Sync()
	el, _ := proc(bin, "--store", store, "verify")
	scan := rawScan(db)
	record("verify with re-validation (process)", "%.0f", "ev/s", float64(n)/el.Seconds(), ">= 300,000 ev/s",
		func(x float64) bool { return x >= 300000 }).withFloor(scan, "%.0f", "rows/s raw scan")

	el, rss := proc(bin, "--store", store, "--key", key, "standings", "--format", "json")
	record("standings, cold process, with the key (sealed checkpoint)", "%.0f", "ms", ms(el), "< 1 s", func(x float64) bool { return x < 1000 }).
		withFloor(float64(n)/scan*1000, "%.0f", "ms to scan the rows")
	record("peak RSS, cold standings of the year", "%.0f", "MB", float64(rss)/1024, "< 300 MB", func(x float64) bool { return x < 300 })

	// In one process: warm queries.
	st, err := sqlite.Open(ctx, db)
	check(err)
	defer st.Close()
	l, err := replay.Open(ctx, st, replay.Options{})
	check(err)
	defer asAServer(ctx)()
	var worst, sum time.Duration
	days := 0
	for d := events.WindowStart; d.Before(events.WindowEnd); d = d.AddDate(0, 0, 1) {
		asOf := d.Add(24*time.Hour - time.Nanosecond)
		t := time.Now()
		_, err := l.StandingsJSON(ctx, projections.View{AsOf: asOf, KnownAt: time.Now()})
		check(err)
		e := time.Since(t)
		sum += e
		worst = max(worst, e)
		days++
	}
	record(fmt.Sprintf("standings, warm, every day of the window (%d dates), mean", days), "%.1f", "ms", ms(sum)/float64(days), "", nil)
	record(fmt.Sprintf("standings, warm, every day of the window (%d dates), max", days), "%.1f", "ms", ms(worst), "< 50 ms each", func(x float64) bool { return x < 50 })
	var known time.Duration
	for k := 0; k < 20; k++ {
		kt := time.Date(2021, time.Month(1+k%12), 1+k, 0, 0, 0, 0, events.CST)
		t := time.Now()
		_, err := l.StandingsJSON(ctx, projections.View{AsOf: events.WindowEnd, KnownAt: kt})
		check(err)
		known = max(known, time.Since(t))
	}
	record("standings, warm, 20 known_at values, max", "%.1f", "ms", ms(known), "< 50 ms each", func(x float64) bool { return x < 50 })
	var ex time.Duration
	for _, id := range []string{"U01-S01", "U06-S12", "U21-S17", "U34-S05", "U44-S03", "U09-S18", "U12-S12", "U02-S01"} {
		t := time.Now()
		_, err := l.Explain(ctx, id, projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()})
		check(err)
		ex = max(ex, time.Since(t))
	}
	record("explain, warm, 8 sections, max", "%.1f", "ms", ms(ex), "< 20 ms", func(x float64) bool { return x < 20 })

	h := load(l, loadFor)
	record("GET /v1/standings (one view, cached), 16 clients on loopback", "%.0f", "req/s", h.rps, ">= 2,000 req/s", func(x float64) bool { return x >= 2000 })
	record("its p50", "%.1f", "ms", h.p50, "", nil)
	record("its p99", "%.1f", "ms", h.p99, "< 50 ms", func(x float64) bool { return x < 50 })
	record("POST /v1/events, single events, durable, p50", "%.1f", "ms", h.postP50, "", nil)
	record("POST /v1/events, single events, durable, p99", "%.1f", "ms", h.postP99, "< 10 ms", func(x float64) bool { return x < 10 })
	if mixedFor > 0 {
		m := mixed(l, mixedFor, mixedReaders, mixedAppenders)
		name := fmt.Sprintf("mixed load %s: POST /v1/events, %d appenders beside %d standings readers", mixedFor, mixedAppenders, mixedReaders)
		record(name+", p99", "%.1f", "ms", m.postP99, "p99 < 50 ms", func(x float64) bool { return x < 50 })
		record(fmt.Sprintf("mixed load %s: GET /v1/standings, %d readers of varying views, answers/s", mixedFor, mixedReaders), "%.0f", "/s", m.getsPerS, "", nil)
		record(fmt.Sprintf("mixed load %s: GET /v1/standings, p99", mixedFor), "%.0f", "ms", m.getP99, "p99 < 500 ms", func(x float64) bool { return x < 500 })
		record("mixed load: requests failed", "%.0f", "", float64(m.bad), "0", func(x float64) bool { return x == 0 })
	}
}

func table() {
	fmt.Printf("\n| measure | value | floor (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		met := "yes"
		if !r.ok {
			met = "NO"
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", r.what, r.value, r.floor, r.ratio, r.target, met)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// proc runs the ledger binary and returns its wall time and peak RSS (KB).
// The RSS comes from /usr/bin/time when it is there: a child's own
// ru_maxrss also counts the pages it shared with this (large) process
// between fork and exec.
func proc(bin string, args ...string) (time.Duration, int64) {
	r := procCPU(bin, args...)
	return r.wall, r.rssKB
}

// buildLedger builds the ledger binary at bin from this checkout.
func buildLedger(bin string) error {
	fmt.Fprintln(os.Stderr, "building ledger ...")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/ledger").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	return nil
}

// writeDemo writes the demo year of opt to path and returns its events.
func writeDemo(path string, opt demo.Options) int {
	f, err := os.Create(path)
	check(err)
	n, err := demo.Generate(f, opt)
	check(err)
	check(f.Close())
	return n
}

// writeRate is how fast a child wrote the rows: rows a second, and the
// CPU (user+sys) a row took, which bounds an import on two cores.
type writeRate struct{ Rate, CPUus float64 }

func rateSince(n int, t time.Time, cpu time.Duration) writeRate {
	return writeRate{float64(n) / time.Since(t).Seconds(), float64((cpuTime() - cpu).Microseconds()) / float64(n)}
}

// rawInsert copies the imported rows into a fresh table of the same shape
// with plain multi-row INSERTs in one durable transaction: the floor for
// import.
func rawInsert(from, to string) writeRate {
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
	t, cpu := time.Now(), cpuTime()
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
	return rateSince(len(all)/per*per, t, cpu)
}

// storeAppend copies the imported records into a fresh SQLite store through
// Store.Append, as an import hands them over but with every record read
// and sealed beforehand: the store's part of an import alone (its multi-row
// INSERTs, the Merkle tree's rows, the durable commit), which is the pace an
// import would keep if decoding, sealing and folding ran on cores of their
// own. The timer covers what rawInsert's does: the append, not the open.
func storeAppend(from, to string) writeRate {
	ctx := context.Background()
	src, err := sqlite.Open(ctx, from)
	check(err)
	var recs []*events.Record
	check(src.Read(ctx, 0, -1, func(r *events.Record) error {
		c := *r
		c.Data = append([]byte(nil), r.Data...)
		// As events.Seal leaves it: the leaf hash is the sealer's work.
		c.LeafOf(nil)
		recs = append(recs, &c)
		return nil
	}))
	check(src.Close())
	dst, err := sqlite.Open(ctx, to)
	check(err)
	defer dst.Close()
	t, cpu := time.Now(), cpuTime()
	_, err = dst.Append(ctx, events.Head{}, func(yield func(*events.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	})
	check(err)
	return rateSince(len(recs), t, cpu)
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
type httpFigures struct{ rps, p50, p99, postP50, postP99 float64 }

func load(l *replay.Ledger, d time.Duration) httpFigures {
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
	out := httpFigures{rps: rps, p50: ms(lat[len(lat)/2]), p99: ms(lat[len(lat)*99/100])}
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
	out.postP50, out.postP99 = ms(post[len(post)/2]), ms(post[len(post)*99/100])
	return out
}

var (
	mixedFor       time.Duration
	mixedReaders   int
	mixedAppenders int
	maxViews       int
	profile        io.Writer // the mixed load's CPU profile, if asked for
)

// runMixed runs only the mixed load, on a copy of the store from (or on
// the demo year, imported first), so that repeated runs start alike.
func runMixed(scale float64, from string) error {
	ctx := context.Background()
	dir, cleanup := workDir("", "ledger-bench")
	defer cleanup()
	db := filepath.Join(dir, "ledger.db")
	if from != "" {
		b, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		check(os.WriteFile(db, b, 0o644))
	} else {
		bin := filepath.Join(dir, "ledger")
		if err := buildLedger(bin); err != nil {
			return err
		}
		file := filepath.Join(dir, "demo.jsonl")
		writeDemo(file, demo.Options{Seed: 2021, Historical: true, Scale: scale})
		proc(bin, "--store", "sqlite:"+db, "import", "--historical", file)
	}
	syscall.Sync()
	debug.FreeOSMemory()
	st, err := sqlite.Open(ctx, db)
	check(err)
	defer st.Close()
	l, err := replay.Open(ctx, st, replay.Options{MaxViews: maxViews})
	check(err)
	defer asAServer(ctx)()
	fmt.Fprintf(os.Stderr, "store: %d events\n", l.Len())
	m := mixed(l, mixedFor, mixedReaders, mixedAppenders)
	d, readers, appenders := mixedFor, mixedReaders, mixedAppenders
	add(fmt.Sprintf("mixed load %s: POST /v1/events, %d appenders beside %d standings readers", d, appenders, readers),
		fmt.Sprintf("%d appends, p50 %.1f ms, p99 %.1f ms, max %.1f ms", m.appends, m.postP50, m.postP99, m.postMax),
		"", "", "p99 < 50 ms", m.postP99 < 50 && m.bad == 0)
	add(fmt.Sprintf("mixed load %s: GET /v1/standings, %d readers of varying views", d, readers),
		fmt.Sprintf("%d answers (%.0f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d failed; load average %s", m.gets,
			m.getsPerS, m.getP50, m.getP99, m.getMax, m.bad, m.load),
		"", "", "p99 < 500 ms", m.getP99 < 500 && m.bad == 0)
	table()
	return nil
}

// mixed serves the ledger on loopback for d: readers clients ask standings
// for a random view each time (as_of a random day of the window, known_at a
// random instant of the demo's recording period, so that nearly every
// answer is computed, not cached), while appenders clients post single
// durable events. It reports the latencies of both.
type mixedFigures struct {
	appends, gets, bad               int
	postP50, postP99, postMax        float64
	getsPerS, getP50, getP99, getMax float64
	load                             string
}

func mixed(l *replay.Ledger, d time.Duration, readers, appenders int) mixedFigures {
	tokens, err := api.ParseTokens(strings.NewReader("recorder bench-token-0123456789"))
	check(err)
	srv := api.New(api.Config{Ledger: l, Tokens: tokens})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: readers + appenders}}
	failures := map[string]int{}
	var fmu sync.Mutex
	do := func(req *http.Request) int {
		req.Header.Set("Authorization", "Bearer bench-token-0123456789")
		resp, err := client.Do(req)
		check(err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			fmu.Lock()
			failures[fmt.Sprintf("%s %s %d %.80s", req.Method, req.URL.RawQuery, resp.StatusCode, b)]++
			fmu.Unlock()
		}
		return resp.StatusCode
	}
	var (
		mu         sync.Mutex
		gets, pots []time.Duration
		bad        int
		wg         sync.WaitGroup
	)
	if profile != nil {
		check(pprof.StartCPUProfile(profile))
		defer pprof.StopCPUProfile()
	}
	stop := time.Now().Add(d)
	days := int(events.WindowEnd.Sub(events.WindowStart)/(24*time.Hour)) + 1 // integer division: the float of Hours() rounds up
	knownFrom := time.Date(2020, 12, 1, 0, 0, 0, 0, events.CST)
	knownSpan := time.Date(2022, 5, 1, 0, 0, 0, 0, events.CST).Sub(knownFrom)
	for c := 0; c < readers; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			var mine []time.Duration
			nbad := 0
			for time.Now().Before(stop) {
				asOf := events.WindowStart.AddDate(0, 0, rng.IntN(days)).Format("2006-01-02")
				known := knownFrom.Add(time.Duration(rng.Int64N(int64(knownSpan)))).UTC().Format(time.RFC3339Nano)
				req, _ := http.NewRequest("GET", url+"/v1/standings?as_of="+asOf+"&known_at="+known, nil)
				t := time.Now()
				if do(req) != 200 {
					nbad++
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			gets, bad = append(gets, mine...), bad+nbad
			mu.Unlock()
		}(uint64(c))
	}
	for c := 0; c < appenders; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			nbad := 0
			for i := 0; time.Now().Before(stop); i++ {
				body := fmt.Sprintf(`{"type":"DiscretionaryDeduction","occurred_at":"2021-11-20T10:00:00+08:00","actor":"bench","data":{"section_id":"U01-S01","points":0.01,"reason":"mixed %d-%d"}}`, c, i)
				req, _ := http.NewRequest("POST", url+"/v1/events", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				t := time.Now()
				if do(req) != 201 {
					nbad++
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			pots, bad = append(pots, mine...), bad+nbad
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	for f, n := range failures {
		fmt.Fprintf(os.Stderr, "  failed %d times: %s\n", n, f)
	}
	if len(gets) == 0 || len(pots) == 0 {
		panic(fmt.Sprintf("mixed load: %d standings and %d appends answered, %d failed", len(gets), len(pots), bad))
	}
	pct := func(l []time.Duration, p int) time.Duration {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		return l[min(len(l)-1, len(l)*p/100)]
	}
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return mixedFigures{appends: len(pots), gets: len(gets), bad: bad,
		postP50: ms(pct(pots, 50)), postP99: ms(pct(pots, 99)), postMax: ms(pct(pots, 100)),
		getsPerS: float64(len(gets)) / d.Seconds(), getP50: ms(pct(gets, 50)), getP99: ms(pct(gets, 99)), getMax: ms(pct(gets, 100)),
		load: load}
}

// asAServer collects this process's garbage as ledger serve does
// (memlimit.Serve) until the function it returns is called, which puts the
// limit back before it returns: the next run's floor must not be measured
// under a server's limit.
func asAServer(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { memlimit.Serve(ctx); close(done) }()
	return func() { cancel(); <-done }
}
