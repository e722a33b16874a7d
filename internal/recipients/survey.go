package recipients

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/xuri/excelize/v2"
)

// SurveyOptions fill the survey sheet's fixed columns.
type SurveyOptions struct {
	Round events.Round // "" leaves the column for the caller
	Actor string       // "" leaves it too
	Lang  labels.Lang
}

// WriteSurvey writes the survey workbook: one sheet named
// ServiceVoteRecorded, laid out as `ledger template` lays it (labels, then
// the field names, frozen), one row per recipient with its section and
// pseudonym, sorted by section; the caller fills round, rating and
// occurred_at, and the sheet is imported with `ledger import --xlsx`. Beside
// the fields, columns whose header starts with # hold the section's name
// and the recipient's name, unit or post, mobile number and matter, for the
// person who calls: the import never reads them, so they never reach the
// ledger.
func WriteSurvey(w io.Writer, recs []Recipient, key Key, roster *Roster, opt SurveyOptions) error {
	sorted := make([]*Recipient, len(recs))
	for i := range recs {
		sorted[i] = &recs[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Section < sorted[j].Section })
	f := excelize.NewFile()
	defer f.Close()
	// Deflate at its fastest: at the default level, compressing the sheet
	// took a third of the run; the file is ~15% larger.
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	const sheet = string(events.ServiceVoteRecorded)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	fields := []string{"occurred_at", "actor", "round", "section_id", "respondent", "rating", "ref"}
	people := []string{"#科室名称", "#姓名", "#单位（职务）", "#手机号码", "#事项内容"}
	if opt.Lang == labels.En {
		people = []string{"#section name", "#name", "#unit or post", "#mobile", "#matter"}
	}
	head1, head2 := make([]any, 0, 12), make([]any, 0, 12)
	for _, f := range fields {
		head1 = append(head1, labels.Field(opt.Lang, f))
		head2 = append(head2, f)
	}
	for _, p := range people {
		head1 = append(head1, p)
		head2 = append(head2, p)
	}
	for i, w := range []float64{28, 18, 8, 10, 32, 12, 12, 24, 10, 24, 14, 30} {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return fmt.Errorf("survey: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	if err := sw.SetRow("A1", head1); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	if err := sw.SetRow("A2", head2); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	// An empty cell is left out (nil), not written as an empty string.
	cell := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	pseudonyms := pseudonymsOf(sorted, key)
	row := make([]any, 12)
	for i, r := range sorted {
		s, _ := roster.Section(r.Section)
		row[0], row[1], row[2] = nil, cell(opt.Actor), cell(string(opt.Round))
		row[3], row[4], row[5], row[6] = r.Section, pseudonyms[i], nil, nil
		row[7], row[8], row[9], row[10], row[11] = cell(s.Name), cell(r.Name), cell(r.Org), cell(r.Mobile), cell(r.Matter)
		cellName, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cellName, row); err != nil {
			return fmt.Errorf("survey: row %d: %w", i+3, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	// No drop-down lists here: excelize adds a validation to a streamed
	// sheet by reading the whole sheet back into memory, which made 181,500
	// rows take seconds. The import checks round and rating all the same.
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("survey: write: %w", err)
	}
	return nil
}

// pseudonymsOf computes the recipients' pseudonyms, a share on each core.
func pseudonymsOf(recs []*Recipient, key Key) []string {
	out := make([]string, len(recs))
	workers := max(runtime.GOMAXPROCS(0), 1)
	step := (len(recs) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(recs); lo += step {
		hi := min(lo+step, len(recs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i] = key.Pseudonym(recs[i].Mobile)
			}
		}()
	}
	wg.Wait()
	return out
}
