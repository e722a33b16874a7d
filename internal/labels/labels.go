// Package labels holds the words people read in the ledger's outputs, in
// Chinese and English: table and workbook headings, the outcome's and
// explain's words, and a label for every field of the event catalogue. The
// command line's help texts are in cmd/ledger/messages.go; these are shared
// by the command line, the workbooks (internal/xlsx) and the API's
// downloads, so they live below all three.
//
// JSON never uses them: its keys and values are the contract's.
package labels

import "strings"

// Lang is a language of the outputs.
type Lang string

const (
	En Lang = "en"
	Zh Lang = "zh"
)

// Parse reads "zh" or "en" (any case); ok is false otherwise.
func Parse(s string) (Lang, bool) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case En, Zh:
		return l, true
	}
	return "", false
}

// FromLocale is the language of a POSIX locale: Chinese for zh_CN*, else
// English. LC_ALL, then LC_MESSAGES, then LANG: the first one set decides,
// as for any POSIX program's messages.
func FromLocale(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(v, "zh_CN") {
				return Zh
			}
			return En
		}
	}
	return En
}

type pair struct{ en, zh string }

// words is the table, by key. Keys are the contract's own names where
// there is one (a JSON field, a component, a status), so that a label is
// found from the value it labels.
var words = map[string]pair{
	// Standings columns: the standings JSON's field names, plus unit_name.
	"rank":                 {"rank", "排名"},
	"section_id":           {"section", "科室编号"},
	"unit_id":              {"unit", "单位编号"},
	"unit_name":            {"unit name", "单位"},
	"name":                 {"name", "科室名称"},
	"exempt":               {"exempt", "免评"},
	"service_h1":           {"service H1", "服务对象上半年"},
	"service_h2":           {"service H2", "服务对象下半年"},
	"votes_h1":             {"votes H1", "上半年票数"},
	"votes_h2":             {"votes H2", "下半年票数"},
	"service":              {"service", "服务对象评价"},
	"hotline":              {"hotline", "热线"},
	"qr":                   {"qr", "网络监督"},
	"supervisor":           {"superv", "主管单位"},
	"inspection":           {"inspect", "监督检查"},
	"daily_total":          {"daily", "日常评议"},
	"online":               {"online", "网络评价"},
	"online_ballots":       {"ballots", "网络票数"},
	"bonus":                {"bonus", "加分"},
	"total":                {"total", "总分"},
	"candidate":            {"candidate", "候选"},
	"outcome":              {"outcome", "评议结果"},
	"confirmed":            {"confirmed", "常委会确定"},
	"adjustment":           {"adjustment", "单位加减分"},
	"adjustment.confirmed": {"adjustment confirmed", "确定加减分"},
	"proposal":             {"proposal", "拟定"},
	"list":                 {"list", "名单"},

	// Outcome words (R-OUT).
	"satisfied":        {"satisfied", "满意"},
	"top3":             {"satisfied top3", "满意（前三）"},
	"unsatisfied":      {"unsatisfied", "不满意"},
	"most_unsatisfied": {"most_unsatisfied", "最不满意"},
	"yes":              {"yes", "是"},
	"no":               {"no", "否"},

	// The standings header.
	"header.rulebook":  {"rulebook", "规则"},
	"header.as_of":     {"as of", "生效"},
	"header.known_at":  {"known at", "知情"},
	"header.events":    {"events", "事件数"},
	"header.cands":     {"candidates", "候选"},
	"header.frozen":    {"frozen", "已冻结"},
	"header.preview":   {"preview (not frozen)", "预览（未冻结）"},
	"header.units":     {"unit adjustments", "单位加减分"},
	"header.noOutcome": {"no outcome yet: the candidate list is not frozen, or has fewer than 20 sections", "尚无评议结果：候选名单未冻结，或不足20个科室"},
	// The committee's decision beside the proposal (R-OUT-CONF).
	"header.proposal":    {"proposal (拟定, R-OUT)", "拟定名单（R-OUT）"},
	"header.confirmed":   {"confirmed by %s (县委常委会研究确定, R-OUT-CONF)", "县委常委会研究确定（%s，R-OUT-CONF）"},
	"header.deviations":  {"deviations from the proposal (-dropped +added)", "与拟定名单的差异（-移出 +增加）"},
	"header.noDeviation": {"deviations from the proposal: none", "与拟定名单无差异"},
	"header.deviates":    {"* the decision places the section otherwise than the proposal", "* 常委会确定与拟定名单不同"},

	// Explain columns: the entry's field names.
	"position":    {"position", "序号"},
	"event_id":    {"event", "事件编号"},
	"type":        {"type", "事件类型"},
	"occurred_at": {"occurred", "发生时间"},
	"recorded_at": {"recorded", "记录时间"},
	"component":   {"component", "评议项目"},
	"points":      {"points", "分值"},
	"clause":      {"clause", "规则条款"},
	"status":      {"status", "状态"},
	"note":        {"note", "说明"},
	"arithmetic":  {"the arithmetic", "计算过程"},

	// Components (explain's `component`).
	"roster": {"roster", "名册"},

	// Statuses (explain's `status`).
	"counted":     {"counted", "计入"},
	"contested":   {"contested", "申诉中"},
	"retracted":   {"retracted", "已撤回"},
	"overturned":  {"overturned", "已撤销"},
	"reduced":     {"reduced", "已减轻"},
	"not_counted": {"not_counted", "不计入"},

	// Sheet names (at most 31 characters, none of : \ / ? * [ ]).
	"sheet.standings": {"Standings", "总表"},
	"sheet.outcome":   {"Outcome", "公示"},
	"sheet.confirmed": {"Confirmed", "常委会确定"},
	"sheet.units":     {"Unit adjustments", "单位加减分"},
	"sheet.summary":   {"Summary", "汇总"},
	"sheet.readme":    {"README", "说明"},

	// Envelope fields of an event (docs/events.md).
	"id":    {"event id", "事件编号"},
	"actor": {"actor", "记录人"},
	"ref":   {"reference", "参考文号"},

	// Data fields of the catalogue, by JSON name (TestEveryFieldHasALabel).
	"enforcement":    {"enforcement section", "管理执法类"},
	"late_reported":  {"reported late", "应报未报"},
	"reason":         {"reason", "原因"},
	"rating":         {"rating", "评价"},
	"respondent":     {"respondent (pseudonym)", "服务对象化名"},
	"round":          {"round", "轮次"},
	"item":           {"item", "扣分事项"},
	"role":           {"role", "主办或协办"},
	"level":          {"level", "级别"},
	"serious":        {"serious", "情节严重"},
	"subject":        {"subject", "涉案对象"},
	"violation":      {"violation year", "违纪年度"},
	"grades":         {"grades", "评分"},
	"section_ids":    {"sections", "科室名单"},
	"credential_key": {"credential key", "凭证公钥"},
	"signature":      {"signature", "签名"},
	"deed_id":        {"deed", "先进事迹编号"},
	"matter_id":      {"matter", "报道事项编号"},
	"target_id":      {"target event", "对象事件编号"},
	"grounds":        {"grounds", "申诉理由"},
	"score":          {"score", "得分"},
	"group":          {"voter group", "投票群体"},
	"document":       {"document number", "文号"},
	// Where a field shares its JSON name with a column above but means
	// something else, "field.NAME" wins for the catalogue's fields.
	"field.outcome": {"outcome", "处理结果"},
	"field.name":    {"name", "名称"},
	"field.points":  {"points", "分值"},
}

// Field returns the label of a catalogue field (its JSON name).
func Field(l Lang, name string) string {
	if Has("field." + name) {
		return Get(l, "field."+name)
	}
	return Get(l, name)
}

// Get returns the word for key in l, or key itself when the table has
// none (a new field reads as its JSON name until it is given a label).
func Get(l Lang, key string) string {
	p, ok := words[key]
	if !ok {
		return key
	}
	if l == Zh {
		return p.zh
	}
	return p.en
}

// Has reports whether the table has key.
func Has(key string) bool { _, ok := words[key]; return ok }
