package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/xuri/excelize/v2"
)

// runOffice measures the office's tools on the demo year, each figure the
// median and range of n runs of the built binary in a process of its own,
// with the load average before and after:
//
//		go run ./cmd/bench -office 5
//
//	  - import --xlsx of the demo year's votes (one ServiceVoteRecorded sheet)
//	    into a store holding the roster: rows/s and peak RSS;
//	  - export standings --xlsx of the whole demo year;
//	  - recipients pseudonymize of 363 sections x 500 recipients (44 unit files).
func runOffice(n int) error {
	if n < 5 {
		return fmt.Errorf("-office wants at least 5 runs, got %d", n)
	}
	dir, err := os.MkdirTemp("", "ledger-bench-office")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "ledger")
	fmt.Fprintln(os.Stderr, "building ledger ...")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/ledger").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	load0 := loadavg()
	year := filepath.Join(dir, "demo.jsonl")
	f, err := os.Create(year)
	check(err)
	_, err = demo.Generate(f, demo.Options{Seed: 2021})
	check(err)
	check(f.Close())

	// The roster as JSON Lines, the votes as a sheet.
	roster := filepath.Join(dir, "roster.jsonl")
	votes := filepath.Join(dir, "votes.xlsx")
	nVotes, units := splitYear(year, roster, votes)
	fmt.Fprintf(os.Stderr, "votes.xlsx: %d rows\n", nVotes)
	base := filepath.Join(dir, "base.db")
	proc(bin, "--store", "sqlite:"+base, "import", roster)

	var rates []float64
	var rss []int64
	for i := range n {
		db := filepath.Join(dir, fmt.Sprintf("votes-%d.db", i))
		copyFile(base, db)
		el, r := proc(bin, "--store", "sqlite:"+db, "import", "--xlsx", votes)
		rates = append(rates, float64(nVotes)/el.Seconds())
		rss = append(rss, r/1024)
		os.Remove(db)
	}
	full := filepath.Join(dir, "year.db")
	proc(bin, "--store", "sqlite:"+full, "import", year)
	var exports []float64
	for range n {
		el, _ := proc(bin, "--store", "sqlite:"+full, "export", "standings", "--xlsx", filepath.Join(dir, "standings.xlsx"))
		exports = append(exports, ms(el))
	}
	lists := recipientLists(dir, units)
	key := filepath.Join(dir, "office.key")
	check(os.WriteFile(key, []byte(strings.Repeat("42", 32)+"\n"), 0o600))
	var pseud []float64
	for range n {
		args := append([]string{"--store", "sqlite:" + full, "recipients", "pseudonymize", "--key", key, "--xlsx", filepath.Join(dir, "survey.xlsx")}, lists...)
		el, _ := proc(bin, args...)
		pseud = append(pseud, ms(el))
	}
	load1 := loadavg()
	rssF := make([]float64, len(rss))
	for i, v := range rss {
		rssF[i] = float64(v)
	}
	fmt.Printf("| measure | median (range), %d runs | target | met |\n|---|---|---|---|\n", n)
	fmt.Printf("| import --xlsx, %d votes | %s rows/s | >= 50,000 rows/s | %s |\n", nVotes, stat(rates, "%.0f"), yes(median(rates) >= 50000))
	fmt.Printf("| peak RSS of that import | %s MB | < 300 MB | %s |\n", stat(rssF, "%.0f"), yes(slices.Max(rssF) < 300))
	fmt.Printf("| export standings --xlsx, the demo year | %s ms | < 1 s | %s |\n", stat(exports, "%.0f"), yes(slices.Max(exports) < 1000))
	fmt.Printf("| recipients pseudonymize, 363 x 500 rows | %s ms | < 2 s | %s |\n", stat(pseud, "%.0f"), yes(slices.Max(pseud) < 2000))
	fmt.Printf("\nload average (1, 5, 15 min): before %s, after %s\n", load0, load1)
	return nil
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

func stat(v []float64, f string) string {
	return fmt.Sprintf(f+" ("+f+"-"+f+")", median(v), slices.Min(v), slices.Max(v))
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
// Lines, and its votes as one ServiceVoteRecorded sheet. It returns the
// number of votes and each unit's sections.
func splitYear(year, roster, votes string) (int, map[string][]events.SectionRegisteredData) {
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
			row++
			cell, _ := excelize.CoordinatesToCellName(1, row)
			check(sw.SetRow(cell, []any{e.ID, e.OccurredAt, e.Actor, d.SectionID, string(d.Round), d.Respondent, string(d.Rating)}))
		}
	}
	check(sc.Err())
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
