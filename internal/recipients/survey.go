package recipients

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/pingyang/ledger/internal/xlsx"
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
	const sheet = string(events.ServiceVoteRecorded)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
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
	// The sheet holds its two header rows, widths, frozen panes and
	// drop-down lists for round and rating (as the template has) when
	// excelize writes it; the recipients' rows are then streamed into it.
	if err := f.SetSheetRow(sheet, "A1", &head1); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	if err := f.SetSheetRow(sheet, "A2", &head2); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	for i, w := range []float64{28, 18, 8, 10, 32, 12, 12, 24, 10, 24, 14, 30} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return fmt.Errorf("survey: %w", err)
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	for _, dl := range []struct {
		col    string
		values []string
	}{{"C", enumNames(events.Rounds)}, {"F", enumNames(events.Ratings)}} {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = dl.col + "3:" + dl.col + "1048576"
		if err := dv.SetDropList(dl.values); err != nil {
			return fmt.Errorf("survey: %w", err)
		}
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return fmt.Errorf("survey: %w", err)
		}
	}
	// The recipients' rows are streamed into the file by xlsx.WriteWithRows,
	// which writes them as excelize would, at a fraction of its cost, and
	// deflates them while the next are written.
	pseudonyms := pseudonymsOf(sorted, key)
	err := xlsx.WriteWithRows(w, f, func(rw *xlsx.RowWriter) error {
		row := make([]string, 12)
		for i, r := range sorted {
			s, _ := roster.Section(r.Section)
			row[0], row[1], row[2] = "", opt.Actor, string(opt.Round)
			row[3], row[4], row[5], row[6] = r.Section, pseudonyms[i], "", ""
			row[7], row[8], row[9], row[10], row[11] = s.Name, r.Name, r.Org, r.Mobile, r.Matter
			if err := rw.Row(i+3, row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("survey: write: %w", err)
	}
	return nil
}

func enumNames[T ~string](e events.Enum[T]) []string {
	out := make([]string, len(e))
	for i, v := range e {
		out[i] = string(v)
	}
	return out
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
			pseudonym := key.pseudonyms()
			for i := lo; i < hi; i++ {
				out[i] = pseudonym(recs[i].Mobile)
			}
		}()
	}
	wg.Wait()
	return out
}
