package main

import (
	"bufio"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/xuri/excelize/v2"
)

// runOffice measures the office's tools on the demo year, each figure the
// median and range of n runs of the built binary in a process of its own,
// with the load average before and after:
//
//		go run ./cmd/bench -office 5
//		go run ./cmd/bench -office 5 -keep /tmp/office   # keep the files to profile with
//
//	  - import --xlsx of the demo year's votes (one ServiceVoteRecorded sheet)
//	    into a store holding the roster: rows/s, CPU time (user+sys) per row,
//	    which a loaded machine disturbs less than wall time, and peak RSS;
//	    its floor, in the same run: import of the very same votes as JSON
//	    Lines (everything but reading the workbook), the runs interleaved;
//	  - export standings --xlsx of the whole demo year;
//	  - recipients pseudonymize of the year's sections x 500 recipients (a
//	    file per unit), wall and CPU time.
//
// Every command runs with the office's signing key in LEDGER_KEY, as the
// office runs them, so that the sealed fold cache is used.
//
// With keep, the workbooks, the keys and the stores are left in that
// directory (votes.xlsx, votes.jsonl, base.db: the roster, year.db, the
// unit files U*.xlsx, office.key: the pseudonyms' key, signing.key: the
// office's signing key).
func runOffice(n int, keep string) error {
	if n < 5 {
		return fmt.Errorf("-office wants at least 5 runs, got %d", n)
	}
	dir, cleanup := workDir(keep, "ledger-bench-office")
	defer cleanup()
	bin := filepath.Join(dir, "ledger")
	if err := buildLedger(bin); err != nil {
		return err
	}
	// The office runs every command with its signing key (LEDGER_KEY), as
	// the office does: it seals the fold's cache, which a command without
	// it does not trust (it would fold the whole log first).
	skey, _, err := transparency.GenerateKey(crand.Reader, "bench.example/ledger")
	check(err)
	signing := filepath.Join(dir, "signing.key")
	check(os.WriteFile(signing, []byte(skey+"\n"), 0o600))
	check(os.Setenv("LEDGER_KEY", signing))
	defer os.Unsetenv("LEDGER_KEY")
	load0 := loadavg()
	year := filepath.Join(dir, "demo.jsonl")
	writeDemo(year, demo.Options{Seed: 2021})

	// The roster as JSON Lines, the votes as a sheet.
	roster := filepath.Join(dir, "roster.jsonl")
	votes := filepath.Join(dir, "votes.xlsx")
	votesJSONL := filepath.Join(dir, "votes.jsonl")
	nVotes, units := splitYear(year, roster, votes, votesJSONL)
	fmt.Fprintf(os.Stderr, "votes.xlsx: %d rows\n", nVotes)
	base := filepath.Join(dir, "base.db")
	os.Remove(base)
	proc(bin, "--store", "sqlite:"+base, "import", roster)

	// The workbook's runs and the floor's alternate, so that a change of
	// load on a shared machine falls on both.
	var rates, cpuRow, rss, floor, floorCPU, loads []float64
	for i := range n {
		db := filepath.Join(dir, fmt.Sprintf("votes-%d.db", i))
		copyFile(base, db)
		l := load1min()
		r := procCPU(bin, "--store", "sqlite:"+db, "import", "--xlsx", votes)
		loads = append(loads, (l+load1min())/2)
		rates = append(rates, float64(nVotes)/r.wall.Seconds())
		cpuRow = append(cpuRow, float64(r.cpu.Microseconds())/float64(nVotes))
		rss = append(rss, float64(r.rssKB)/1024)
		os.Remove(db)
		copyFile(base, db)
		r = procCPU(bin, "--store", "sqlite:"+db, "import", votesJSONL)
		floor = append(floor, float64(nVotes)/r.wall.Seconds())
		floorCPU = append(floorCPU, float64(r.cpu.Microseconds())/float64(nVotes))
		os.Remove(db)
	}
	full := filepath.Join(dir, "year.db")
	os.Remove(full)
	proc(bin, "--store", "sqlite:"+full, "import", year)
	var exports []float64
	for range n {
		el, _ := proc(bin, "--store", "sqlite:"+full, "export", "standings", "--xlsx", filepath.Join(dir, "standings.xlsx"))
		exports = append(exports, ms(el))
	}
	lists := recipientLists(dir, units)
	key := filepath.Join(dir, "office.key")
	check(os.WriteFile(key, []byte(strings.Repeat("42", 32)+"\n"), 0o600))
	var pseud, pseudCPU, pseudLoads []float64
	for range n {
		args := append([]string{"--store", "sqlite:" + full, "recipients", "pseudonymize", "--key", key, "--xlsx", filepath.Join(dir, "survey.xlsx")}, lists...)
		l := load1min()
		r := procCPU(bin, args...)
		pseudLoads = append(pseudLoads, (l+load1min())/2)
		pseud = append(pseud, ms(r.wall))
		pseudCPU = append(pseudCPU, ms(r.cpu))
	}
	load1 := loadavg()
	fmt.Printf("| measure | median (range), %d runs | target | met |\n|---|---|---|---|\n", n)
	fmt.Printf("| import --xlsx, %d votes | %s rows/s | >= 50,000 rows/s | %s |\n", nVotes, stat(rates, "%.0f"), yes(median(rates) >= 50000))
	fmt.Printf("| CPU time (user+sys) of that import | %s µs/row |  |  |\n", stat(cpuRow, "%.2f"))
	fmt.Printf("| peak RSS of that import | %s MB | < 300 MB | %s |\n", stat(rss, "%.0f"), yes(slices.Max(rss) < 300))
	fmt.Printf("| floor: import of the same votes as JSON Lines | %s rows/s, %s µs/row CPU |  |  |\n", stat(floor, "%.0f"), stat(floorCPU, "%.2f"))
	fmt.Printf("| export standings --xlsx, the demo year | %s ms | < 1 s | %s |\n", stat(exports, "%.0f"), yes(slices.Max(exports) < 1000))
	sections := 0
	for _, s := range units {
		sections += len(s)
	}
	fmt.Printf("| recipients pseudonymize, %d x 500 rows (%d unit files) | %s ms | < 2 s | %s |\n", sections, len(lists), stat(pseud, "%.0f"), yes(slices.Max(pseud) < 2000))
	fmt.Printf("| CPU time (user+sys) of that run | %s ms |  |  |\n", stat(pseudCPU, "%.0f"))
	fmt.Printf("\nload average (1, 5, 15 min): before %s, after %s\n", load0, load1)
	fmt.Printf("1-min load beside each import --xlsx run: %s\n", list(loads))
	fmt.Printf("1-min load beside each pseudonymize run: %s\n", list(pseudLoads))
	fmt.Printf("(%d cores)\n", runtime.NumCPU())
	return nil
}

// procRun is one process's wall time, CPU time (user+sys, its children's
// included) and peak RSS.
type procRun struct {
	wall, cpu time.Duration
	rssKB     int64
}

// procCPU runs the ledger binary like proc, with its CPU time: that of
// /usr/bin/time, which counts the ledger it waited for.
func procCPU(bin string, args ...string) procRun {
	r, _ := procEnv(nil, bin, args...)
	return r
}

func load1min() float64 {
	var l float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscan(string(b), &l)
	}
	return l
}

func list(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(s, ", ")
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	return s[len(s)/2]
}

// stat is median (min–max), with thousands separated for large figures.
func stat(v []float64, f string) string {
	if len(v) == 0 {
		return ""
	}
	g := func(x float64) string {
		if f == "%.0f" && math.Abs(x) >= 1000 {
			return comma(x)
		}
		return fmt.Sprintf(f, x)
	}
	if len(v) == 1 {
		return g(v[0])
	}
	return fmt.Sprintf("%s (%s–%s)", g(median(v)), g(slices.Min(v)), g(slices.Max(v)))
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func copyFile(from, to string) {
	in, err := os.Open(from)
	check(err)
	defer in.Close()
	out, err := os.Create(to)
	check(err)
	_, err = io.Copy(out, in)
	check(err)
	check(out.Close())
}

// splitYear writes the demo year's unit and section registrations as JSON
// Lines, and its votes as one ServiceVoteRecorded sheet and as JSON Lines
// (the import's floor). It returns the number of votes and each unit's
// sections.
func splitYear(year, roster, votes, votesJSONL string) (int, map[string][]events.SectionRegisteredData) {
	// A vote that the year retracts later leaves room for a second vote of
	// the same respondent: without its retraction, the sheet keeps neither
	// the retracted vote nor a refusal of the second.
	retracted := map[string]bool{}
	in, err := os.Open(year)
	check(err)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if !strings.Contains(sc.Text(), `"EventRetracted"`) {
			continue
		}
		var e struct {
			Data struct {
				TargetID string `json:"target_id"`
			} `json:"data"`
		}
		check(json.Unmarshal(sc.Bytes(), &e))
		retracted[e.Data.TargetID] = true
	}
	check(sc.Err())
	in.Close()
	in, err = os.Open(year)
	check(err)
	defer in.Close()
	rf, err := os.Create(roster)
	check(err)
	defer rf.Close()
	vf, err := os.Create(votesJSONL)
	check(err)
	defer vf.Close()
	vw := bufio.NewWriter(vf)
	wb := excelize.NewFile()
	defer wb.Close()
	check(wb.SetSheetName("Sheet1", string(events.ServiceVoteRecorded)))
	sw, err := wb.NewStreamWriter(string(events.ServiceVoteRecorded))
	check(err)
	check(sw.SetRow("A1", []any{"id", "occurred_at", "actor", "section_id", "round", "respondent", "rating"}))
	units := map[string][]events.SectionRegisteredData{}
	sc = bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	row := 1
	for sc.Scan() {
		var e struct {
			ID         string          `json:"id"`
			Type       events.Type     `json:"type"`
			OccurredAt string          `json:"occurred_at"`
			Actor      string          `json:"actor"`
			Data       json.RawMessage `json:"data"`
		}
		check(json.Unmarshal(sc.Bytes(), &e))
		switch e.Type {
		case events.UnitRegistered:
			_, err = fmt.Fprintf(rf, "%s\n", sc.Bytes())
			check(err)
		case events.SectionRegistered:
			_, err = fmt.Fprintf(rf, "%s\n", sc.Bytes())
			check(err)
			var d events.SectionRegisteredData
			check(json.Unmarshal(e.Data, &d))
			units[d.UnitID] = append(units[d.UnitID], d)
		case events.ServiceVoteRecorded:
			if retracted[e.ID] {
				continue
			}
			var d events.ServiceVoteRecordedData
			check(json.Unmarshal(e.Data, &d))
			_, err = fmt.Fprintf(vw, "%s\n", sc.Bytes())
			check(err)
			row++
			cell, _ := excelize.CoordinatesToCellName(1, row)
			check(sw.SetRow(cell, []any{e.ID, e.OccurredAt, e.Actor, d.SectionID, string(d.Round), d.Respondent, string(d.Rating)}))
		}
	}
	check(sc.Err())
	check(vw.Flush())
	check(sw.Flush())
	check(wb.SaveAs(votes))
	return row - 1, units
}

// recipientLists writes one workbook per unit, 500 recipients per section,
// the first 100 of an enforcement section penalised.
func recipientLists(dir string, units map[string][]events.SectionRegisteredData) []string {
	var files []string
	m := 0
	for _, u := range slices.Sorted(func(yield func(string) bool) {
		for k := range units {
			if !yield(k) {
				return
			}
		}
	}) {
		wb := excelize.NewFile()
		sw, err := wb.NewStreamWriter("Sheet1")
		check(err)
		check(sw.SetRow("A1", []any{"科室编号", "姓名", "单位（职务）", "手机号码", "事项内容", "是否被处罚"}))
		row := 1
		for _, s := range units[u] {
			for i := range 500 {
				pen := "否"
				if s.Enforcement != nil && *s.Enforcement && i < 100 {
					pen = "是"
				}
				row++
				m++
				cell, _ := excelize.CoordinatesToCellName(1, row)
				check(sw.SetRow(cell, []any{s.SectionID, "某某", "某单位", fmt.Sprintf("139%08d", m), "办理事项", pen}))
			}
		}
		check(sw.Flush())
		path := filepath.Join(dir, u+".xlsx")
		check(wb.SaveAs(path))
		check(wb.Close())
		files = append(files, path)
	}
	return files
}

// workDir is the directory a bench works in: keep (made if need be, and
// kept), or else a temporary one that cleanup removes.
func workDir(keep, prefix string) (dir string, cleanup func()) {
	if keep != "" {
		check(os.MkdirAll(keep, 0o755))
		return keep, func() {}
	}
	d, err := os.MkdirTemp("", prefix)
	check(err)
	return d, func() { os.RemoveAll(d) }
}
