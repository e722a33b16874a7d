package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/memlimit"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
)

// runScaling measures how the ledger's costs grow with the log (issue #16),
// at each demo scale, runs times each, every figure the median (min–max) of
// the runs with the 1-minute load average of each run and the same run's
// floor beside it:
//
//	go run -tags benchscan ./cmd/bench -scaling 1,3,10 -runs 5 [-keep DIR]
//
// For each scale the demo year (`ledger demo --seed 1 --historical --scale
// S`) is written once into the work directory (kept, and reused, with
// -keep). Each run then measures, each in a process of its own, the built
// ledger binary timed as /usr/bin/time does (the rusage of wait4: wall,
// user+sys CPU, peak RSS):
//
//   - `ledger --key K import --historical FILE` into a fresh file: wall,
//     CPU per event, peak RSS, and its garbage collections (GODEBUG=gctrace=1,
//     whose lines on stderr are counted);
//   - the same-run floor: a raw multi-row INSERT of the very same rows into
//     a table of the same shape, durable, in one transaction (rawInsert);
//   - the store's own write of the same records, already sealed and held
//     in memory (storeAppend): the pace of an import whose decoding,
//     sealing and folding had cores of their own;
//   - `ledger standings --format json` from cold, with `--key K` (the sealed
//     fold cache is loaded) and without (the log is folded);
//   - in a process of the bench (-scaling-child inproc), on the imported
//     store opened with the key: warm standings of 200 random (as_of,
//     known_at) views, warm explain of 20 sections (the busiest by votes and
//     ballots, and 19 at random) at the final view and at a random one, and
//     1,000 distinct views with 16 concurrent clients, through
//     replay.Ledger.Standings and through GET /v1/standings on loopback;
//   - `ledger --key K serve` on the store: its VmRSS after 300 standings
//     requests of distinct views, beside that of the same binary serving an
//     empty ledger.
//
// Once per scale, after the runs, a process of the bench (-scaling-child
// check) folds the log afresh and holds the fast standings, of that state
// and of the ledger opened from its checkpoint, to the full fold of every
// fact (projections' BenchStandingsByScan, built only with -tags benchscan)
// over 100 random views, every field to 1e-9. Without the tag the check is
// reported as not run.
func runScaling(scalesArg string, runs int, keep string) error {
	if runs < 1 {
		return fmt.Errorf("-runs wants at least 1, got %d", runs)
	}
	var scales []float64
	for _, s := range strings.Split(scalesArg, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || x <= 0 {
			return fmt.Errorf("-scaling: bad scale %q", s)
		}
		scales = append(scales, x)
	}
	dir, cleanup := workDir(keep, "ledger-bench-scaling")
	defer cleanup()
	self, err := os.Executable()
	check(err)
	bin := filepath.Join(dir, "ledger")
	if err := buildLedger(bin); err != nil {
		return err
	}
	commit := "unknown"
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
		if out, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); len(out) > 0 {
			commit += " (with uncommitted changes)"
		}
	}
	key := filepath.Join(dir, "office.key")
	if _, err := os.Stat(key); err != nil {
		mustRun(bin, "keygen", "--origin", "bench.example/ledger", "--out", filepath.Join(dir, "office"))
	}
	load0 := loadavg()
	var results []scaleResult
	for _, s := range scales {
		file := filepath.Join(dir, fmt.Sprintf("demo-seed1-scale%g.jsonl", s))
		if _, err := os.Stat(file); err != nil {
			fmt.Fprintf(os.Stderr, "scale %g: writing the demo year ...\n", s)
			mustRun(bin, "demo", "--seed", "1", "--historical", "--scale", fmt.Sprint(s), "--out", file+".part")
			check(os.Rename(file+".part", file))
		}
		n := countLines(file)
		syscall.Sync()
		res := scaleResult{scale: s, events: n}
		for i := range runs {
			fmt.Fprintf(os.Stderr, "scale %g (%d events): run %d of %d, load %.2f\n", s, n, i+1, runs, load1min())
			r := scalingRun(self, bin, dir, key, file, n, s, i)
			fmt.Fprintf(os.Stderr, "  %+v\n", r)
			res.runs = append(res.runs, r)
		}
		db := filepath.Join(dir, fmt.Sprintf("run-scale%g.db", s))
		var c checkResult
		childJSON(&c, self, "check", db, key)
		res.check = c
		results = append(results, res)
	}
	scalingTable(results, runs, commit, load0)
	return nil
}

type scaleResult struct {
	scale  float64
	events int64
	runs   []scalingFigures
	check  checkResult
}

// scalingFigures are one run's figures.
type scalingFigures struct {
	Load1                       float64 // 1-minute load average when the run started
	ImportS, ImportCPUus        float64 // wall seconds; CPU µs per event
	ImportRSS, ImportGC         float64 // MB; GC cycles
	StoreBytes, CheckpointBytes float64 // the SQLite file (and its WAL) after the import; the saved checkpoint's blob (NaN: none found)
	FloorRate, FloorCPUus       float64 // raw insert: rows/s, CPU per row
	StoreRate, StoreCPUus       float64 // sqlite.Store.Append of sealed records: rows/s, CPU per row
	ColdKeyMS, ColdKeyRSS       float64
	ColdNoKeyMS, ColdNoKeyRSS   float64
	inprocFigures                       // warm figures, in the bench's child
	ServeRSS, EmptyRSS          float64 // MB, VmRSS after the requests
	ServeStartRSS, ServeHeap    float64 // MB: VmRSS once serving, before any request; Go heap in use after the requests (GET /metrics)
	ServeAnon, ServeFile        float64 // MB: RssAnon, RssFile after the requests
	EmptyAnon                   float64
	ServeRequests, EmptyRequest int
}

// inprocFigures are measured in a child process of the bench, on the
// imported store opened with the key.
type inprocFigures struct {
	FromCheckpoint       bool
	OpenMS               float64
	StandMed, StandP99   float64 // ms, 200 random views
	Explained            int     // explain calls timed
	ExplMed, ExplP99     float64 // ms
	Busiest              string
	BusiestMS            float64 // its explain at the final view
	ViewsPerS, HTTPPerS  float64 // 1,000 distinct views, 16 clients
	HTTPFailed           int
	Clients, DistinctCnt int
}

type checkResult struct {
	Checked    bool
	Why        string // why it did not run
	Views      int
	Mismatches []string
	MaxDiff    float64
}

func scalingRun(self, bin, dir, key, file string, n int64, scale float64, i int) scalingFigures {
	var f scalingFigures
	f.Load1 = load1min()
	db := filepath.Join(dir, fmt.Sprintf("run-scale%g.db", scale))
	removeDB(db)
	r, stderr := procEnv([]string{"GODEBUG=gctrace=1"}, bin, "--store", "sqlite:"+db, "--key", key, "import", "--historical", file)
	f.ImportS = r.wall.Seconds()
	f.ImportCPUus = float64(r.cpu.Microseconds()) / float64(n)
	f.ImportRSS = float64(r.rssKB) / 1024
	f.ImportGC = float64(len(gcLine.FindAllIndex(stderr, -1)))
	f.StoreBytes, f.CheckpointBytes = storeSizes(db)

	raw := filepath.Join(dir, "raw.db")
	removeDB(raw)
	var floor, alone writeRate
	childJSON(&floor, self, "rawinsert", db, raw)
	removeDB(raw)
	childJSON(&alone, self, "storeappend", db, raw)
	removeDB(raw)
	f.FloorRate, f.FloorCPUus, f.StoreRate, f.StoreCPUus = floor.Rate, floor.CPUus, alone.Rate, alone.CPUus

	r = procCPU(bin, "--store", "sqlite:"+db, "--key", key, "standings", "--format", "json")
	f.ColdKeyMS, f.ColdKeyRSS = ms(r.wall), float64(r.rssKB)/1024
	r = procCPU(bin, "--store", "sqlite:"+db, "standings", "--format", "json")
	f.ColdNoKeyMS, f.ColdNoKeyRSS = ms(r.wall), float64(r.rssKB)/1024

	childJSON(&f.inprocFigures, self, "inproc", db, key, strconv.Itoa(i))

	const requests = 300
	sr := serveRSS(bin, db, key, requests, uint64(i))
	f.ServeRSS, f.ServeStartRSS, f.ServeHeap, f.ServeRequests = sr.rss, sr.startRSS, sr.heap, sr.ok
	f.ServeAnon, f.ServeFile = sr.anon, sr.file
	empty := filepath.Join(dir, "empty.db")
	removeDB(empty)
	sr = serveRSS(bin, empty, key, requests, uint64(i))
	f.EmptyRSS, f.EmptyAnon, f.EmptyRequest = sr.rss, sr.anon, sr.ok
	removeDB(empty)
	return f
}

var gcLine = regexp.MustCompile(`(?m)^gc \d+ @`)

// storeSizes is the size of a SQLite store's files and of its saved
// checkpoint's data (NaN when there is none to be read).
func storeSizes(db string) (file, checkpoint float64) {
	for _, s := range []string{"", "-wal"} {
		if fi, err := os.Stat(db + s); err == nil {
			file += float64(fi.Size())
		}
	}
	checkpoint = math.NaN()
	h, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		return file, checkpoint
	}
	defer h.Close()
	// Stored in chunks (checkpoint_chunk, since migration 003) or, before,
	// as one blob in the checkpoint row.
	var n int64
	if err := h.QueryRow(`SELECT length(c.data) + coalesce((SELECT sum(length(k.data)) FROM checkpoint_chunk k WHERE k.gen = c.gen), 0) FROM checkpoint c`).Scan(&n); err == nil {
		checkpoint = float64(n)
	} else if err := h.QueryRow(`SELECT length(data) FROM checkpoint`).Scan(&n); err == nil {
		checkpoint = float64(n)
	}
	return file, checkpoint
}

func removeDB(path string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + s)
	}
}

func mustRun(bin string, args ...string) {
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		panic(fmt.Sprintf("%s %v: %v: %s", bin, args, err, out))
	}
}

func countLines(path string) int64 {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n
		}
		check(err)
	}
}

// procEnv is procCPU with extra environment, returning the process's
// stderr too.
func procEnv(env []string, bin string, args ...string) (procRun, []byte) {
	rssFile := filepath.Join(os.TempDir(), fmt.Sprintf("ledger-bench-rss-%d", os.Getpid()))
	cmd := exec.Command(bin, args...)
	timed := false
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		cmd = exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
		timed = true
	}
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	t := time.Now()
	if err := cmd.Run(); err != nil {
		panic(fmt.Sprintf("%v: %v: %s", args, err, tail(errb.Bytes())))
	}
	r := procRun{wall: time.Since(t), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	r.rssKB = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if timed {
		if b, err := os.ReadFile(rssFile); err == nil {
			fmt.Sscan(string(b), &r.rssKB)
		}
		os.Remove(rssFile)
	}
	return r, errb.Bytes()
}

func tail(b []byte) []byte {
	if len(b) > 2000 {
		return b[len(b)-2000:]
	}
	return b
}

// childJSON runs the bench itself in a child mode and decodes what it
// prints: the warm figures are taken in a process of their own, so that
// this one stays small (a child's peak RSS is counted from its fork).
func childJSON(into any, self string, args ...string) {
	cmd := exec.Command(self, append([]string{"-scaling-child"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		panic(fmt.Sprintf("bench child %v: %v: %s", args, err, tail(errb.Bytes())))
	}
	if err := json.Unmarshal(out.Bytes(), into); err != nil {
		panic(fmt.Sprintf("bench child %v: %v: %q", args, err, tail(out.Bytes())))
	}
}

// runScalingChild is a child mode of -scaling; it prints its figures as
// JSON.
func runScalingChild(args []string) error {
	var out any
	switch {
	case len(args) == 3 && args[0] == "rawinsert":
		out = rawInsert(args[1], args[2])
	case len(args) == 3 && args[0] == "storeappend":
		out = storeAppend(args[1], args[2])
	case len(args) == 4 && args[0] == "inproc":
		seed, err := strconv.ParseUint(args[3], 10, 64)
		if err != nil {
			return err
		}
		out = scalingInproc(args[1], args[2], seed)
	case len(args) == 3 && args[0] == "check":
		out = scalingCheck(args[1], args[2], 100)
	default:
		return fmt.Errorf("-scaling-child: unknown arguments %q", args)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func openKeyed(ctx context.Context, db, keyFile string) (*replay.Ledger, events.Store) {
	b, err := os.ReadFile(keyFile)
	check(err)
	signer, err := transparency.NewSigner(strings.TrimSpace(string(b)))
	check(err)
	st, err := sqlite.Open(ctx, db)
	check(err)
	l, err := replay.Open(ctx, st, replay.Options{Sealer: signer})
	check(err)
	// As ledger serve runs: the figures of this process are a server's.
	go memlimit.Serve(ctx)
	return l, st
}

// viewPicker draws random views that no earlier draw of the same picker
// had: as_of any instant of the window, known_at any instant from a month
// before the window to a day after the last record.
type viewPicker struct {
	rng        *rand.Rand
	from, last time.Time
	seen       map[[2]int64]bool
	seenQ      map[string]bool
}

func newViewPicker(seed uint64, last time.Time) *viewPicker {
	return &viewPicker{rng: rand.New(rand.NewPCG(seed, 16)), from: events.WindowStart.AddDate(0, -1, 0),
		last: last.Add(24 * time.Hour), seen: map[[2]int64]bool{}, seenQ: map[string]bool{}}
}

func (p *viewPicker) next() projections.View {
	for {
		asOf := events.WindowStart.Add(time.Duration(p.rng.Int64N(int64(events.WindowEnd.Sub(events.WindowStart)))))
		known := p.from.Add(time.Duration(p.rng.Int64N(int64(p.last.Sub(p.from)))))
		k := [2]int64{asOf.UnixNano(), known.UnixNano()}
		if !p.seen[k] {
			p.seen[k] = true
			return projections.View{AsOf: asOf, KnownAt: known}
		}
	}
}

// nextQuery is next as a query string: as_of a day (its end), known_at to
// the microsecond, as a client writes them; no two the same.
func (p *viewPicker) nextQuery() string {
	for {
		v := p.next()
		q := url.Values{"as_of": {v.AsOf.In(events.CST).Format("2006-01-02")},
			"known_at": {v.KnownAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)}}.Encode()
		if !p.seenQ[q] {
			p.seenQ[q] = true
			return q
		}
	}
}

func scalingInproc(db, keyFile string, seed uint64) inprocFigures {
	ctx := context.Background()
	t := time.Now()
	l, st := openKeyed(ctx, db, keyFile)
	defer st.Close()
	f := inprocFigures{FromCheckpoint: l.FromCheckpoint(), OpenMS: ms(time.Since(t)), Clients: 16, DistinctCnt: 1000}
	final := projections.View{AsOf: events.WindowEnd, KnownAt: l.Head().RecordedAt.Add(time.Hour)}
	s, err := l.Standings(ctx, final) // warms the process
	check(err)
	p := newViewPicker(seed, l.Head().RecordedAt)

	var stand []float64
	for range 200 {
		v := p.next()
		t := time.Now()
		_, err := l.Standings(ctx, v)
		check(err)
		stand = append(stand, ms(time.Since(t)))
	}
	f.StandMed, f.StandP99 = pct(stand, 50), pct(stand, 99)

	// The busiest section by votes and ballots, and 19 others at random.
	most := -1
	var ids []string
	for _, r := range s.Sections {
		ids = append(ids, r.SectionID)
		n := 0
		if r.Service != nil {
			n += r.Service.VotesH1 + r.Service.VotesH2
		}
		if r.OnlineBallots != nil {
			n += *r.OnlineBallots
		}
		if n > most {
			f.Busiest, most = r.SectionID, n
		}
	}
	p.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	pick := []string{f.Busiest}
	for _, id := range ids {
		if len(pick) == 20 {
			break
		}
		if id != f.Busiest {
			pick = append(pick, id)
		}
	}
	var expl []float64
	for _, id := range pick {
		for k := range 2 {
			v := final
			if k == 1 {
				v = p.next()
			}
			t := time.Now()
			_, err := l.Explain(ctx, id, v)
			for tries := 0; err != nil && tries < 50; tries++ {
				// Not registered in that view: another one.
				v = p.next()
				t = time.Now()
				_, err = l.Explain(ctx, id, v)
			}
			check(err)
			e := ms(time.Since(t))
			expl = append(expl, e)
			if k == 0 && id == f.Busiest {
				f.BusiestMS = e
			}
		}
	}
	f.Explained = len(expl)
	f.ExplMed, f.ExplP99 = pct(expl, 50), pct(expl, 99)

	// 1,000 distinct views, 16 clients, every one a computation.
	views := make(chan projections.View, f.DistinctCnt)
	for range f.DistinctCnt {
		views <- p.next()
	}
	close(views)
	var wg sync.WaitGroup
	t = time.Now()
	for range f.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range views {
				_, err := l.Standings(ctx, v)
				check(err)
			}
		}()
	}
	wg.Wait()
	f.ViewsPerS = float64(f.DistinctCnt) / time.Since(t).Seconds()

	// The same through the HTTP API, on loopback, with distinct query
	// strings (the API's render cache misses every one).
	srv := httptest.NewServer(api.New(api.Config{Ledger: l}).Handler())
	defer srv.Close()
	queries := make(chan string, f.DistinctCnt)
	for range f.DistinctCnt {
		queries <- p.nextQuery()
	}
	close(queries)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: f.Clients}, Timeout: 5 * time.Minute}
	var mu sync.Mutex
	t = time.Now()
	for range f.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range queries {
				resp, err := client.Get(srv.URL + "/v1/standings?" + q)
				check(err)
				_, err = io.Copy(io.Discard, resp.Body)
				check(err)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					mu.Lock()
					f.HTTPFailed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	f.HTTPPerS = float64(f.DistinctCnt) / time.Since(t).Seconds()
	return f
}

// scanStandings is projections' full fold (BenchStandingsByScan), set by
// scan_benchscan.go when the bench is built with -tags benchscan.
var scanStandings func(*projections.State, projections.View) *projections.Standings

// scalingCheck folds the log afresh and compares, over n random views, the
// fast standings of that state and of the ledger opened from its sealed
// checkpoint with the full fold of every fact.
func scalingCheck(db, keyFile string, n int) checkResult {
	if scanStandings == nil {
		return checkResult{Why: "the bench was built without -tags benchscan"}
	}
	ctx := context.Background()
	l, st := openKeyed(ctx, db, keyFile)
	defer st.Close()
	fresh := projections.New()
	check(st.Read(ctx, 0, 0, func(r *events.Record) error {
		body, err := r.Body()
		if err != nil {
			return err
		}
		if ferr := fresh.Add(r, body, false); ferr != nil {
			return ferr
		}
		return nil
	}))
	if fresh.Len() != l.Len() {
		panic(fmt.Sprintf("folded %d records, the ledger has %d", fresh.Len(), l.Len()))
	}
	res := checkResult{Checked: true}
	p := newViewPicker(99, l.Head().RecordedAt)
	for k := range n {
		v := p.next()
		switch k % 10 {
		case 0: // the final view
			v = projections.View{AsOf: events.WindowEnd, KnownAt: l.Head().RecordedAt.Add(time.Hour)}
		case 1: // everything known, as of a random instant
			v.KnownAt = l.Head().RecordedAt.Add(time.Hour)
		}
		full := scanStandings(fresh, v)
		mine, err := l.Standings(ctx, v)
		check(err)
		for name, fast := range map[string]*projections.Standings{"state": fresh.Standings(v), "ledger": mine} {
			var diffs []string
			compareValues("standings", reflect.ValueOf(full), reflect.ValueOf(fast), 1e-9, &diffs, &res.MaxDiff)
			for _, d := range diffs {
				if len(res.Mismatches) < 20 {
					res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s, as_of %s known_at %s: %s",
						name, events.FormatCST(v.AsOf), events.FormatUTC(v.KnownAt), d))
				}
			}
		}
		res.Views++
	}
	return res
}

// compareValues walks two values of the same type and records where they
// differ: floats by more than tol, anything else at all. It keeps the
// largest float difference seen in maxDiff.
func compareValues(path string, a, b reflect.Value, tol float64, diffs *[]string, maxDiff *float64) {
	if a.Kind() != b.Kind() {
		*diffs = append(*diffs, path+": different kinds")
		return
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*diffs = append(*diffs, fmt.Sprintf("%s: %v against %v", path, show(a), show(b)))
			}
			return
		}
		compareValues(path, a.Elem(), b.Elem(), tol, diffs, maxDiff)
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			compareValues(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), tol, diffs, maxDiff)
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			*diffs = append(*diffs, fmt.Sprintf("%s: %d elements against %d", path, a.Len(), b.Len()))
			return
		}
		for i := range a.Len() {
			compareValues(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), tol, diffs, maxDiff)
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			*diffs = append(*diffs, fmt.Sprintf("%s: %d keys against %d", path, a.Len(), b.Len()))
			return
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				*diffs = append(*diffs, fmt.Sprintf("%s[%v]: missing", path, k))
				continue
			}
			compareValues(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), bv, tol, diffs, maxDiff)
		}
	case reflect.Float32, reflect.Float64:
		d := math.Abs(a.Float() - b.Float())
		if d > *maxDiff {
			*maxDiff = d
		}
		if !(d <= tol) && !(math.IsNaN(a.Float()) && math.IsNaN(b.Float())) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v against %v", path, a.Float(), b.Float()))
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v against %v", path, a.Interface(), b.Interface()))
		}
	}
}

func show(v reflect.Value) any {
	if v.IsNil() {
		return "null"
	}
	return v.Elem().Interface()
}

type serveFigures struct {
	startRSS, rss, heap float64 // MB
	anon, file          float64 // MB: RssAnon and RssFile (mapped files: the binary, the proofs' pages) after the requests
	ok                  int
}

// serveRSS starts `ledger serve` on the store, asks it standings of
// distinct views requests times (one client), and returns its VmRSS once
// serving and after the requests, and then the Go heap in use that its
// /metrics reports.
func serveRSS(bin, db, key string, requests int, seed uint64) serveFigures {
	cmd := exec.Command(bin, "--store", "sqlite:"+db, "--key", key, "serve", "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	check(err)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	check(cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(out)
	base := ""
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "serving on "); i >= 0 {
			base = strings.TrimSpace(sc.Text()[i+len("serving on "):])
			break
		}
	}
	if base == "" {
		panic(fmt.Sprintf("serve did not start: %s", tail(errb.Bytes())))
	}
	go io.Copy(io.Discard, out)
	f := serveFigures{startRSS: vmRSS(cmd.Process.Pid), heap: math.NaN()}
	p := newViewPicker(1000+seed, time.Date(2022, 5, 1, 0, 0, 0, 0, events.CST))
	client := &http.Client{Timeout: 5 * time.Minute}
	for range requests {
		resp, err := client.Get(base + "/v1/standings?" + p.nextQuery())
		check(err)
		_, err = io.Copy(io.Discard, resp.Body)
		check(err)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			f.ok++
		}
	}
	m := procStatus(cmd.Process.Pid)
	f.rss, f.anon, f.file = m["VmRSS"], m["RssAnon"], m["RssFile"]
	if resp, err := client.Get(base + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "go_memstats_heap_inuse_bytes "); ok {
				if x, err := strconv.ParseFloat(strings.TrimSpace(rest), 64); err == nil {
					f.heap = x / (1 << 20)
				}
			}
		}
	}
	return f
}

// vmRSS is a process's resident set in MB, from /proc/PID/status.
func vmRSS(pid int) float64 { return procStatus(pid)["VmRSS"] }

// procStatus reads the kB fields of /proc/PID/status (VmRSS, RssAnon,
// RssFile, ...), in MB.
func procStatus(pid int) map[string]float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || !strings.HasSuffix(rest, " kB") {
			continue
		}
		var kb float64
		if _, err := fmt.Sscan(rest, &kb); err == nil {
			out[name] = kb / 1024
		}
	}
	if _, ok := out["VmRSS"]; !ok {
		panic("no VmRSS in /proc/PID/status")
	}
	return out
}

// scalingTable prints the figures, a column per scale.
func scalingTable(results []scaleResult, runs int, commit, load0 string) {
	fmt.Printf("\n-scaling: commit %s, %d runs per scale, %d cores, Go %s; each figure median (min–max) of the runs\n\n",
		commit, runs, runtime.NumCPU(), strings.TrimPrefix(runtime.Version(), "go"))
	head := "| measure |"
	sep := "|---|"
	for _, r := range results {
		head += fmt.Sprintf(" scale %g (%s events) |", r.scale, comma(float64(r.events)))
		sep += "---|"
	}
	fmt.Println(head + " target (at the largest scale unless said) | met |")
	fmt.Println(sep + "---|---|")
	last := results[len(results)-1]
	row := func(what, format string, get func(scalingFigures, scaleResult) float64, target string, met func(float64) bool) {
		line := "| " + what + " |"
		for _, r := range results {
			var v []float64
			for _, f := range r.runs {
				v = append(v, get(f, r))
			}
			line += " " + stat(v, format) + " |"
		}
		m := ""
		if met != nil {
			var v []float64
			for _, f := range last.runs {
				v = append(v, get(f, last))
			}
			m = yes(met(median(v)))
		}
		fmt.Println(line + " " + target + " | " + m + " |")
	}
	first := results[0]
	firstCPU := func() float64 {
		var v []float64
		for _, f := range first.runs {
			v = append(v, f.ImportCPUus)
		}
		return median(v)
	}()
	row("1-min load average at the run's start", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.Load1 }, "", nil)
	row("import (process, durable, with its checkpoint), s", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.ImportS }, "", nil)
	row("import, events/s", "%.0f", func(f scalingFigures, r scaleResult) float64 { return float64(r.events) / f.ImportS }, "", nil)
	row("import, CPU (user+sys) per event, µs", "%.1f", func(f scalingFigures, _ scaleResult) float64 { return f.ImportCPUus },
		fmt.Sprintf("<= 1.2 x the smallest scale's (%.1f)", firstCPU), func(x float64) bool { return x <= 1.2*firstCPU })
	row("import, peak RSS, MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ImportRSS }, "< 400 MB at every scale",
		func(float64) bool {
			for _, r := range results {
				var v []float64
				for _, f := range r.runs {
					v = append(v, f.ImportRSS)
				}
				if median(v) >= 400 {
					return false
				}
			}
			return true
		})
	row("store file after the import (SQLite, with its WAL), bytes per event", "%.0f", func(f scalingFigures, r scaleResult) float64 { return f.StoreBytes / float64(r.events) }, "", nil)
	row("its saved checkpoint of the fold, bytes per event", "%.0f", func(f scalingFigures, r scaleResult) float64 { return f.CheckpointBytes / float64(r.events) }, "", nil)
	row("import, GC cycles (gctrace lines)", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ImportGC }, "", nil)
	row("floor: raw multi-row INSERT of the same rows, same run, rows/s", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.FloorRate }, "", nil)
	firstRatio := func() float64 {
		var v []float64
		for _, f := range first.runs {
			v = append(v, float64(first.events)/f.ImportS/f.FloorRate)
		}
		return median(v)
	}()
	row("import / floor, same run", "%.2f", func(f scalingFigures, r scaleResult) float64 { return float64(r.events) / f.ImportS / f.FloorRate },
		fmt.Sprintf(">= 0.75 at the smallest scale (%.2f)", firstRatio), func(float64) bool { return firstRatio >= 0.75 })
	row("floor's CPU (user+sys) per row, µs", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.FloorCPUus }, "", nil)
	row("the store's write alone (records already sealed, with the Merkle tree), rows/s", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.StoreRate }, "", nil)
	row("the store's write alone / floor, same run", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.StoreRate / f.FloorRate }, "", nil)
	row("the store's write alone, CPU per row, µs", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.StoreCPUus }, "", nil)
	row("cold `standings --format json --key K` (sealed fold cache), ms", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ColdKeyMS }, "<= 500 ms",
		func(x float64) bool { return x <= 500 })
	row("its peak RSS, MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ColdKeyRSS }, "", nil)
	row("cold `standings --format json` without the key (log folded), ms", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ColdNoKeyMS }, "", nil)
	row("its peak RSS, MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ColdNoKeyRSS }, "", nil)
	row("in-process open of the store with the key (checkpoint + tail), ms", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.OpenMS }, "", nil)
	row("warm standings, 200 random views, median ms", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.StandMed }, "", nil)
	row("warm standings, 200 random views, p99 ms", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.StandP99 }, "<= 5 ms (any view: p99)",
		func(x float64) bool { return x <= 5 })
	row("warm explain, 20 sections x 2 views, median ms", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.ExplMed }, "", nil)
	row("warm explain, 20 sections x 2 views, p99 ms", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.ExplP99 }, "<= 5 ms (p99)",
		func(x float64) bool { return x <= 5 })
	busiest := ""
	for _, r := range results {
		if len(r.runs) > 0 && !strings.Contains(busiest, r.runs[0].Busiest) {
			busiest += " " + r.runs[0].Busiest
		}
	}
	row("warm explain of the busiest section ("+strings.TrimSpace(busiest)+"), final view, ms", "%.2f", func(f scalingFigures, _ scaleResult) float64 { return f.BusiestMS }, "<= 5 ms",
		func(x float64) bool { return x <= 5 })
	row("1,000 distinct views, 16 clients, replay.Ledger.Standings, views/s", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ViewsPerS }, ">= 1,000 views/s",
		func(x float64) bool { return x >= 1000 })
	row("1,000 distinct views, 16 clients, GET /v1/standings on loopback, views/s", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.HTTPPerS }, "", nil)
	row("serve: VmRSS once serving, before any request, MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ServeStartRSS }, "", nil)
	row("serve: Go heap in use after 300 standings requests (its /metrics), MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ServeHeap }, "", nil)
	row("serve: VmRSS after 300 standings requests, MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ServeRSS }, "", nil)
	row("  of which RssAnon (the process's own memory), MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ServeAnon }, "", nil)
	row("  of which RssFile (mapped files: the binary, the store's pages a proof read), MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.ServeFile }, "", nil)
	row("the same binary serving an empty ledger, same requests, MB", "%.0f", func(f scalingFigures, _ scaleResult) float64 { return f.EmptyRSS }, "", nil)
	row("serve: VmRSS / events, bytes", "%.0f", func(f scalingFigures, r scaleResult) float64 { return f.ServeRSS * (1 << 20) / float64(r.events) }, "<= 120 bytes/event",
		func(x float64) bool { return x <= 120 })
	row("serve: (VmRSS − empty ledger's) / events, bytes", "%.0f", func(f scalingFigures, r scaleResult) float64 {
		return (f.ServeRSS - f.EmptyRSS) * (1 << 20) / float64(r.events)
	}, "", nil)
	row("serve: (RssAnon − empty ledger's) / events, bytes", "%.0f", func(f scalingFigures, r scaleResult) float64 {
		return (f.ServeAnon - f.EmptyAnon) * (1 << 20) / float64(r.events)
	}, "", nil)
	line := "| fast standings = full fold, every field to 1e-9 (the state folded afresh, and the ledger from its checkpoint) |"
	allOK := true
	for _, r := range results {
		c := r.check
		switch {
		case !c.Checked:
			line += " not run: " + c.Why + " |"
			allOK = false
		case len(c.Mismatches) > 0:
			line += fmt.Sprintf(" **%d mismatches** in %d views |", len(c.Mismatches), c.Views)
			allOK = false
		default:
			line += fmt.Sprintf(" equal in %d views (max float difference %.1g) |", c.Views, c.MaxDiff)
		}
	}
	fmt.Println(line + " equal at every scale | " + yes(allOK) + " |")
	fmt.Printf("\nload average (1, 5, 15 min): before %s, after %s\n", load0, loadavg())
	for _, r := range results {
		for i, f := range r.runs {
			if !f.FromCheckpoint {
				fmt.Printf("scale %g, run %d: the in-process ledger did not load its checkpoint\n", r.scale, i+1)
			}
			if f.HTTPFailed > 0 || f.ServeRequests != 300 || f.EmptyRequest != 300 {
				fmt.Printf("scale %g, run %d: %d HTTP standings failed; serve answered %d and %d of 300\n", r.scale, i+1, f.HTTPFailed, f.ServeRequests, f.EmptyRequest)
			}
		}
		for _, m := range r.check.Mismatches {
			fmt.Printf("scale %g: mismatch: %s\n", r.scale, m)
		}
	}
}

func comma(x float64) string {
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
