package xlsx

import (
	"fmt"
	"io"
	"strings"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/labels"
	"github.com/xuri/excelize/v2"
)

// The layout of a sheet of facts: row 1 the columns' labels for people
// (ignored by the reader), row 2 the field names (the header row the reader
// looks for), the facts from row 3. Both header rows stay in view.
const (
	labelRow  = 1
	headerRow = 2
	firstData = 3
	lastRow   = 1048576 // Excel's last row: drop-down lists cover the whole column
)

// Template writes a blank workbook for the given event types: a 说明 sheet
// saying how to fill it, then one sheet per type with the labels, the field
// names, a drop-down list on every enumerated and yes/no field, and text
// format on every other column so that Excel keeps ids and times as typed.
func Template(w io.Writer, types []events.Type, l labels.Lang) error {
	b, err := newBook(l)
	if err != nil {
		return err
	}
	text, err := b.f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text, as typed
	if err != nil {
		return fmt.Errorf("xlsx: text style: %w", err)
	}
	readme := b.t("sheet.readme")
	if err := b.sheet(readme, nil, nil); err != nil {
		return err
	}
	if err := b.f.SetColWidth(readme, "A", "A", 110); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for i, line := range readmeLines(l) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := b.f.SetCellStr(readme, cell, line); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	for _, t := range types {
		s, ok := SchemaOf(t)
		if !ok {
			return fmt.Errorf("xlsx: template: unknown event type %q", t)
		}
		if err := b.templateSheet(s, text); err != nil {
			return err
		}
	}
	return b.write(w)
}

func (b *book) templateSheet(s *Schema, text int) error {
	name := string(s.Type)
	if _, err := b.f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	labelsRow := make([]any, len(s.Columns))
	names := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		lab := labels.Field(b.lang, c.Name)
		if c.Required {
			lab += " *"
		}
		labelsRow[i], names[i] = lab, c.Name
	}
	if err := b.f.SetSheetRow(name, "A1", &labelsRow); err != nil {
		return fmt.Errorf("xlsx: %s: %w", name, err)
	}
	if err := b.f.SetSheetRow(name, "A2", &names); err != nil {
		return fmt.Errorf("xlsx: %s: %w", name, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(s.Columns), headerRow)
	if err := b.f.SetCellStyle(name, "A1", last, b.head); err != nil {
		return fmt.Errorf("xlsx: %s: %w", name, err)
	}
	for i, c := range s.Columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		width := float64(max(14, len(c.Name)+4))
		if c.Kind == KindTime {
			width = 28
		}
		if err := b.f.SetColWidth(name, col, col, width); err != nil {
			return fmt.Errorf("xlsx: %s: %w", name, err)
		}
		if c.Kind != KindNumber && c.Kind != KindBool {
			if err := b.f.SetColStyle(name, col, text); err != nil {
				return fmt.Errorf("xlsx: %s: %w", name, err)
			}
			// SetColStyle styles the header cells too: keep them bold.
			if err := b.f.SetCellStyle(name, col+"1", col+"2", b.head); err != nil {
				return fmt.Errorf("xlsx: %s: %w", name, err)
			}
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s%d:%s%d", col, firstData, col, lastRow)
		switch {
		case len(c.Values) > 0:
			if err := dv.SetDropList(c.Values); err != nil {
				return fmt.Errorf("xlsx: %s!%s: drop-down list: %w", name, col, err)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Name, hint(b.lang, c))
		case c.Kind == KindTime, c.Kind == KindList, c.Kind == KindPairs:
			// Any value (no Type), but a prompt with the form.
		default:
			continue
		}
		dv.SetInput(c.Name, hint(b.lang, c))
		if err := b.f.AddDataValidation(name, dv); err != nil {
			return fmt.Errorf("xlsx: %s!%s: %w", name, col, err)
		}
	}
	return b.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: "A3", ActivePane: "bottomLeft"})
}

// hint is a column's prompt in the sheet.
func hint(l labels.Lang, c Column) string {
	zh := l == labels.Zh
	switch c.Kind {
	case KindEnum, KindBool:
		if zh {
			return "从下拉列表选择：" + strings.Join(c.Values, "、")
		}
		return "pick one: " + strings.Join(c.Values, ", ")
	case KindTime:
		if zh {
			return "带时区的时间，例如 2021-06-30T09:00:00+08:00；也可填 Excel 日期时间（按北京时间）"
		}
		return "a time with offset, e.g. 2021-06-30T09:00:00+08:00, or an Excel date-time (read as +08:00)"
	case KindList:
		if zh {
			return "科室编号，用逗号、顿号或换行分隔"
		}
		return "section ids, separated by commas or new lines"
	case KindPairs:
		names := make([]string, len(c.Pair))
		for i, p := range c.Pair {
			names[i] = p.Name
		}
		if zh {
			return "每项写作 " + strings.Join(names, "=") + "，用分号或换行分隔，例如 U01-S01=4.6; U01-S02=4.2"
		}
		return "one " + strings.Join(names, "=") + " per item, separated by ; or new lines, e.g. U01-S01=4.6; U01-S02=4.2"
	}
	return ""
}

func readmeLines(l labels.Lang) []string {
	if l == labels.Zh {
		return []string{
			"平阳县2021年度千人评机关中层科室评议账本：事实录入表",
			"",
			"每个工作表对应一种事件类型，表名即事件类型，请勿改名。",
			"第1行是中文说明（带 * 的为必填），第2行是字段名，导入时按第2行识别各列，请勿修改；从第3行起每行一个事件。",
			"带下拉列表的列只能填列表中的值。时间须带时区，例如 2021-06-30T09:00:00+08:00，或填 Excel 日期时间（按北京时间）。",
			"导入：ledger import --xlsx 文件.xlsx。全部成功才追加；任一行有误则一条也不追加，并逐条报告“工作表!单元格: 字段: 原因”。",
			"本“说明”表导入时跳过。",
		}
	}
	return []string{
		"Pingyang 2021 evaluation ledger: sheets of facts",
		"",
		"Each sheet is one event type, named by the type: do not rename it.",
		"Row 1 labels the columns (* marks a required one); row 2 names the fields, which the import reads: do not change it. One event per row from row 3.",
		"A column with a drop-down list takes only its values. Times carry an offset, e.g. 2021-06-30T09:00:00+08:00, or are Excel date-times (read as +08:00).",
		"Import: ledger import --xlsx FILE.xlsx. All or nothing: if any row is bad, nothing is appended and every bad cell is reported as sheet!cell: field: reason.",
		"This README sheet is skipped by the import.",
	}
}
