package recipients

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/projections"
	"github.com/xuri/excelize/v2"
)

// The rules' numbers for the lists (四(一)1).
const (
	MaxPerSection  = 500 // every recipient up to 500, else 500
	PenalisedQuota = 100 // an enforcement section's penalised recipients: 100, or all when fewer
)

// A list's columns, by the header words units write. The rules name 姓名,
// 单位（职务）, 手机号码 and 事项内容; the section is a column or the sheet's
// name; 是否被处罚 marks the penalised recipients of an enforcement section.
var aliases = map[string][]string{
	"section":   {"科室编号", "section_id", "科室", "科室名称", "参评科室"},
	"name":      {"姓名", "name"},
	"org":       {"单位（职务）", "单位(职务)", "单位/职务", "单位", "职务", "工作单位", "org"},
	"mobile":    {"手机号码", "手机号", "手机", "联系电话", "mobile"},
	"matter":    {"事项内容", "事项", "办理事项", "事项内容（处罚类案件名称）", "事项内容(处罚类案件名称)", "matter"},
	"penalised": {"是否被处罚", "被处罚", "处罚", "penalised"},
}

// The declaration sheet: a unit says here that a section has fewer than
// 500 recipients, or fewer than 100 penalised ones.
var (
	declSheets  = []string{"情况说明", "申报", "declaration"}
	declAliases = map[string][]string{
		"section":   {"科室编号", "section_id", "科室", "科室名称"},
		"total":     {"服务对象总数", "服务对象数", "total"},
		"penalised": {"被处罚对象总数", "被处罚总数", "被处罚人数", "penalised_total", "penalised"},
	}
)

// Recipient is one row of a list. Its personal fields are kept for the
// survey sheet only; nothing here prints them.
type Recipient struct {
	Where     string // "file.xlsx: Sheet1!A5": the row's first cell
	Section   string
	Name      string
	Org       string
	Mobile    string // normalised
	Matter    string
	Penalised bool
	mobileAt  string // the mobile cell, for duplicates
}

// Problem is one thing wrong, named by place and field, never by value.
type Problem struct {
	Where   string // "file.xlsx: Sheet1!D7"
	Field   string // name, org, mobile, matter, section, penalised, count, header, sheet
	Reason  string
	Section string // the section it concerns, if any
	Row     bool   // a row-level problem: the row cannot be surveyed as it is
}

func (p Problem) String() string { return p.Where + ": " + p.Field + ": " + p.Reason }

// Declared is what a unit declared of one section (-1: nothing).
type Declared struct{ Total, Penalised int }

// Lists is every list read, with the problems found while reading.
type Lists struct {
	Recipients []Recipient
	Declared   map[string]Declared
	Problems   []Problem
}

// Roster is what the check needs of the registry.
type Roster struct {
	sections map[string]projections.RosterSection
	byName   map[string][]string // section name → ids
}

// NewRoster indexes a ledger's registered sections.
func NewRoster(secs []projections.RosterSection) *Roster {
	r := &Roster{sections: map[string]projections.RosterSection{}, byName: map[string][]string{}}
	for _, s := range secs {
		r.sections[s.ID] = s
		r.byName[s.Name] = append(r.byName[s.Name], s.ID)
	}
	return r
}

// Section returns a registered section.
func (r *Roster) Section(id string) (projections.RosterSection, bool) {
	s, ok := r.sections[id]
	return s, ok
}

// resolve finds a section by id, or by a name that only one section has.
func (r *Roster) resolve(v string) (string, string) {
	if _, ok := r.sections[v]; ok {
		return v, ""
	}
	switch ids := r.byName[v]; len(ids) {
	case 1:
		return ids[0], ""
	case 0:
		return "", "not a registered section (write its id, e.g. U06-S12)"
	default:
		return "", fmt.Sprintf("several sections have this name (%s): write the id", strings.Join(ids, ", "))
	}
}

// ReadFiles reads the lists of several workbooks, as Read one after the
// other would, reading up to one file per core at a time.
func ReadFiles(files []string, roster *Roster) (*Lists, error) {
	each := make([]*Lists, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			each[i] = &Lists{}
			errs[i] = each[i].Read(f, roster)
		}()
	}
	wg.Wait()
	ls := &Lists{Declared: map[string]Declared{}}
	for i, l := range each {
		if errs[i] != nil {
			return nil, errs[i]
		}
		ls.Recipients = append(ls.Recipients, l.Recipients...)
		ls.Problems = append(ls.Problems, l.Problems...)
		for id, d := range l.Declared {
			ls.Declared[id] = d
		}
	}
	return ls, nil
}

// Read reads the lists of one workbook into ls.
func (ls *Lists) Read(path string, roster *Roster) error {
	b, err := xlsx.OpenBook(path)
	if err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	defer b.Close()
	if ls.Declared == nil {
		ls.Declared = map[string]Declared{}
	}
	base := filepath.Base(path)
	for i, sheet := range b.Sheets() {
		rows, err := b.ReadRows(i)
		if err != nil {
			return fmt.Errorf("recipients: %s: %s: %w", path, sheet, err)
		}
		if slices.ContainsFunc(declSheets, func(n string) bool { return strings.EqualFold(n, sheet) }) {
			ls.declarations(base, sheet, rows, roster)
			continue
		}
		ls.sheet(base, sheet, rows, roster)
	}
	return nil
}

func cell(base, sheet string, col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return base + ": " + sheet + "!" + c
}

// findHeader returns the header row (0-based) and the column of each key:
// the first row where at least two cells are known headers.
func findHeader(rows [][]string, al map[string][]string) (int, map[string]int) {
	for i, r := range rows {
		cols := map[string]int{}
		for j, c := range r {
			c = strings.TrimSpace(c)
			for k, names := range al {
				if _, done := cols[k]; !done && slices.Contains(names, c) {
					cols[k] = j
				}
			}
		}
		if len(cols) >= 2 {
			return i, cols
		}
	}
	return -1, nil
}

func get(r []string, cols map[string]int, k string) string {
	j, ok := cols[k]
	if !ok || j >= len(r) {
		return ""
	}
	return strings.TrimSpace(r[j])
}

func (ls *Lists) sheet(base, sheet string, rows [][]string, roster *Roster) {
	h, cols := findHeader(rows, aliases)
	if h < 0 {
		if len(rows) > 0 {
			ls.Problems = append(ls.Problems, Problem{Where: cell(base, sheet, 1, 1), Field: "header",
				Reason: "no header row: want the columns 姓名, 单位（职务）, 手机号码, 事项内容 (and 科室编号, unless the sheet is named by the section)", Row: true})
		}
		return
	}
	sheetSection, sheetWhy := "", ""
	if _, ok := cols["section"]; !ok {
		sheetSection, sheetWhy = roster.resolve(strings.TrimSpace(sheet))
		if sheetSection == "" {
			ls.Problems = append(ls.Problems, Problem{Where: cell(base, sheet, 1, h+1), Field: "section",
				Reason: "no 科室编号 column, and the sheet's name is " + sheetWhy, Row: true})
			return
		}
	}
	for _, k := range []string{"name", "org", "mobile", "matter"} {
		if _, ok := cols[k]; !ok {
			ls.Problems = append(ls.Problems, Problem{Where: cell(base, sheet, 1, h+1), Field: k,
				Reason: "column missing from the header row (want " + aliases[k][0] + ")", Row: true})
		}
	}
	ls.Recipients = slices.Grow(ls.Recipients, len(rows)-h-1)
	for i := h + 1; i < len(rows); i++ {
		r := rows[i]
		if blankRow(r) {
			continue
		}
		n := i + 1
		at := func(k string) string {
			j, ok := cols[k]
			if !ok {
				j = 0
			}
			return cell(base, sheet, j+1, n)
		}
		rec := Recipient{Where: cell(base, sheet, 1, n), Name: get(r, cols, "name"), Org: get(r, cols, "org"),
			Matter: get(r, cols, "matter"), mobileAt: at("mobile")}
		bad := func(k, reason string) {
			ls.Problems = append(ls.Problems, Problem{Where: at(k), Field: k, Reason: reason, Section: rec.Section, Row: true})
		}
		rec.Section = sheetSection
		if sheetSection == "" {
			v := get(r, cols, "section")
			if v == "" {
				bad("section", "required")
			} else if id, why := roster.resolve(v); id == "" {
				// A section's id or name is no one's personal data.
				bad("section", fmt.Sprintf("%q is %s", v, why))
			} else {
				rec.Section = id
			}
		}
		for _, k := range []string{"name", "org", "matter"} {
			if _, ok := cols[k]; ok && get(r, cols, k) == "" {
				bad(k, "required")
			}
		}
		if _, ok := cols["mobile"]; ok {
			raw := get(r, cols, "mobile")
			m, ok := NormalizeMobile(raw)
			switch {
			case raw == "":
				bad("mobile", "required")
			case !ok:
				bad("mobile", "not a mobile number: want 11 digits starting 13 to 19 (spaces, dashes and +86 allowed)")
			default:
				rec.Mobile = m
			}
		}
		if _, ok := cols["penalised"]; ok {
			switch v := strings.ToLower(get(r, cols, "penalised")); v {
			case "是", "yes", "true", "1", "y":
				rec.Penalised = true
			case "否", "no", "false", "0", "n", "":
			default:
				bad("penalised", "write 是 or 否")
			}
		}
		ls.Recipients = append(ls.Recipients, rec)
	}
}

func blankRow(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (ls *Lists) declarations(base, sheet string, rows [][]string, roster *Roster) {
	h, cols := findHeader(rows, declAliases)
	if h < 0 {
		ls.Problems = append(ls.Problems, Problem{Where: cell(base, sheet, 1, 1), Field: "header",
			Reason: "no header row: want 科室编号, 服务对象总数, 被处罚对象总数"})
		return
	}
	for i := h + 1; i < len(rows); i++ {
		r := rows[i]
		if blankRow(r) {
			continue
		}
		n := i + 1
		id, why := roster.resolve(get(r, cols, "section"))
		if id == "" {
			ls.Problems = append(ls.Problems, Problem{Where: cell(base, sheet, cols["section"]+1, n), Field: "section", Reason: why})
			continue
		}
		d := Declared{Total: -1, Penalised: -1}
		for _, k := range []string{"total", "penalised"} {
			v := get(r, cols, k)
			if v == "" {
				continue
			}
			x, err := strconv.Atoi(v)
			if err != nil || x < 0 {
				ls.Problems = append(ls.Problems, Problem{Where: cell(base, sheet, cols[k]+1, n), Field: k, Reason: "must be a whole number", Section: id})
				continue
			}
			if k == "total" {
				d.Total = x
			} else {
				d.Penalised = x
			}
		}
		ls.Declared[id] = d
	}
}

// SectionReport is the check of one section's list.
type SectionReport struct {
	ID, Name   string
	Recipients int
	Penalised  int
	Problems   []Problem
}

// Check applies the rules to the lists: per section at most 500, exactly
// min(500, declared total) when a unit declared fewer, at least min(100,
// declared) penalised recipients for an enforcement section; no mobile
// number twice, within a section or across sections. Problems of rows are
// already in ls.Problems; the report gathers them by section.
func Check(ls *Lists, roster *Roster) (reports []SectionReport, other []Problem) {
	by := map[string]*SectionReport{}
	var order []string
	section := func(id string) *SectionReport {
		if r, ok := by[id]; ok {
			return r
		}
		s, _ := roster.Section(id)
		r := &SectionReport{ID: id, Name: s.Name}
		by[id] = r
		order = append(order, id)
		return r
	}
	seen := make(map[string]Recipient, len(ls.Recipients))       // mobile → first row
	perSection := make(map[[2]string]string, len(ls.Recipients)) // (section, mobile) → first cell
	for _, rec := range ls.Recipients {
		if rec.Section == "" {
			continue
		}
		r := section(rec.Section)
		r.Recipients++
		if rec.Penalised {
			r.Penalised++
		}
		if rec.Mobile == "" {
			continue
		}
		key := [2]string{rec.Section, rec.Mobile}
		if first, dup := perSection[key]; dup {
			r.Problems = append(r.Problems, Problem{Where: rec.mobileAt, Field: "mobile", Reason: "the same mobile number as " + first + " in this section", Section: rec.Section, Row: true})
			continue
		}
		perSection[key] = rec.mobileAt
		if first, dup := seen[rec.Mobile]; dup && first.Section != rec.Section {
			r.Problems = append(r.Problems, Problem{Where: rec.mobileAt, Field: "mobile",
				Reason: "the same mobile number as " + first.mobileAt + " (section " + first.Section + ")", Section: rec.Section})
			continue
		}
		seen[rec.Mobile] = rec
	}
	for _, p := range ls.Problems {
		if p.Section != "" {
			section(p.Section).Problems = append(section(p.Section).Problems, p)
		} else {
			other = append(other, p)
		}
	}
	for id := range ls.Declared {
		section(id)
	}
	slices.Sort(order)
	for _, id := range order {
		r := by[id]
		d, declared := ls.Declared[id]
		if !declared {
			d = Declared{Total: -1, Penalised: -1}
		}
		count := func(reason string) {
			r.Problems = append(r.Problems, Problem{Where: id, Field: "count", Reason: reason, Section: id})
		}
		switch {
		case r.Recipients > MaxPerSection:
			count(fmt.Sprintf("%d recipients listed: at most %d per section", r.Recipients, MaxPerSection))
		case d.Total >= 0 && r.Recipients != min(d.Total, MaxPerSection):
			count(fmt.Sprintf("%d recipients listed, %d declared: list every one up to %d", r.Recipients, d.Total, MaxPerSection))
		case d.Total < 0 && r.Recipients < MaxPerSection:
			count(fmt.Sprintf("%d recipients listed, fewer than %d: declare the section's total in the 情况说明 sheet (科室编号, 服务对象总数)", r.Recipients, MaxPerSection))
		}
		if s, ok := roster.Section(id); ok && s.Enforcement {
			want := PenalisedQuota
			if d.Penalised >= 0 {
				want = min(d.Penalised, PenalisedQuota)
			}
			if r.Penalised < want {
				how := "mark them 是 in 是否被处罚, or declare fewer in the 情况说明 sheet (被处罚对象总数)"
				count(fmt.Sprintf("an enforcement section (管理执法类): %d penalised recipients listed, want %d; %s", r.Penalised, want, how))
			}
		}
		reports = append(reports, *r)
	}
	return reports, other
}
