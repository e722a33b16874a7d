package api

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pingyang/ledger/projections"
)

// The desk's words: Simplified Chinese first (its readers are the county
// office, the inspectors and the dispute panels), English by the switch.
// Every text a page shows comes from here or from the ledger's own data.

type lang string

const (
	zh lang = "zh"
	en lang = "en"
)

type words struct{ zh, en string }

func (w words) in(l lang) string {
	if l == en {
		return w.en
	}
	return w.zh
}

var texts = map[string]words{
	"site":             {"平阳县千人评机关中层科室评议台账", "Pingyang evaluation ledger"},
	"desk":             {"评议工作台", "Evaluation desk"},
	"nav.standings":    {"总览", "Standings"},
	"nav.disputes":     {"争议", "Disputes"},
	"nav.compare":      {"对比", "Compare"},
	"nav.announcement": {"公示", "Announcement"},
	"nav.verification": {"核验", "Verification"},
	"signin":           {"登录", "Sign in"},
	"signout":          {"退出", "Sign out"},
	"role.viewer":      {"查看者", "viewer"},
	"role.inspector":   {"检查员", "inspector"},
	"role.recorder":    {"记录员", "recorder"},
	"role.none":        {"未登录", "not signed in"},
	"switch":           {"English", "中文"},

	"view.asof":       {"生效日期", "As of"},
	"view.knownat":    {"知情时点", "Known at"},
	"view.apply":      {"查询", "Show"},
	"view.now":        {"现在", "now"},
	"view.events":     {"可见事件", "events in view"},
	"view.hint.known": {"日期或 日期T时:分（北京时间）", "a date, or date and time (+08:00)"},

	"st.title":      {"评议总览", "Standings"},
	"st.unit":       {"单位", "Unit"},
	"st.allunits":   {"全部单位", "All units"},
	"st.search":     {"科室名称或编号", "Section name or id"},
	"st.candidates": {"只看网络评价候选科室", "Candidates only"},
	"st.csv":        {"下载 CSV", "Download CSV"},
	"st.xlsx":       {"下载 Excel", "Download Excel"},
	"st.frozen":     {"候选名单已冻结", "candidate list frozen"},
	"st.preview":    {"候选名单未冻结（预览）", "not frozen (preview)"},
	"st.shown":      {"显示 %d / %d 个科室", "%d of %d sections shown"},
	"st.none":       {"没有符合条件的科室。", "No section matches."},
	"st.nounit":     {"没有单位 %s：请从列表中选择单位。", "There is no unit %s: choose one from the list."},
	"st.noevent":    {"此视图中没有事件：所选的记录截止时间（known_at）早于第一个事件的记录时间，或评议日期（as_of）早于所有事件。", "This view sees no event: its known_at is before the first event was recorded, or its as_of before every event."},

	"col.rank":           {"名次", "Rank"},
	"col.section":        {"科室", "Section"},
	"col.unit":           {"单位", "Unit"},
	"col.service":        {"服务对象", "Service"},
	"col.hotline":        {"热线", "Hotline"},
	"col.qr":             {"二维码", "QR"},
	"col.supervisor":     {"主管评价", "Supervisor"},
	"col.inspection":     {"监督检查", "Inspection"},
	"col.daily":          {"日常小计", "Daily"},
	"col.online":         {"网络评价", "Online"},
	"col.bonus":          {"加分", "Bonus"},
	"col.total":          {"总分", "Total"},
	"col.outcome":        {"评议结果", "Outcome"},
	"col.proposal":       {"评议结果（建议）", "Outcome (proposed)"},
	"col.confirmed":      {"县委常委会确定", "Committee's decision"},
	"dec.deviates":       {"调整", "changed"},
	"dec.deviates.title": {"县委常委会的确定与评议结果建议不同", "the standing committee's decision departs from the proposed outcome"},
	"ann.xlsx":           {"下载 Excel", "Download Excel"},
	"sec.xlsx":           {"下载 Excel", "Download Excel"},
	"col.position":       {"序号", "Position"},
	"col.occurred":       {"发生时间", "Occurred"},
	"col.recorded":       {"记录时间", "Recorded"},
	"col.event":          {"事件", "Event"},
	"col.points":         {"分值", "Points"},
	"col.clause":         {"条款", "Clause"},
	"col.status":         {"状态", "Status"},
	"col.note":           {"说明", "Note"},
	"col.before":         {"变化前", "Before"},
	"col.after":          {"变化后", "After"},
	"col.changed":        {"变化项", "Changed"},
	"col.score":          {"得分", "Score"},
	"col.max":            {"满分", "Max"},
	"col.arith":          {"计算过程", "Arithmetic"},
	"col.grounds":        {"争议理由", "Grounds"},
	"col.deduction":      {"被争议的扣分", "Deduction"},
	"col.decision":       {"裁决", "Decision"},
	"col.contested":      {"提出时间", "Contested"},
	"col.action":         {"操作", "Action"},
	"col.adjustment":     {"单位考绩加减分", "Unit adjustment"},

	"out.satisfied":        {"满意", "satisfied"},
	"out.unsatisfied":      {"不满意", "unsatisfied"},
	"out.most_unsatisfied": {"最不满意", "most unsatisfied"},
	"out.top3":             {"前三名", "top 3"},
	"exempt":               {"免评", "exempt"},
	"notcandidate":         {"非候选", "not a candidate"},

	"sec.title":             {"科室评分说明", "Section"},
	"sec.components":        {"各项得分", "Components"},
	"sec.trail":             {"事件记录（按项目分组）", "The trail, by component"},
	"sec.votes.all":         {"逐条显示全部评价票和选票", "List every vote and ballot"},
	"sec.votes.sum":         {"按轮次汇总评价票和选票", "Count votes and ballots per round"},
	"sec.component":         {"项目", "Component"},
	"sec.allcomp":           {"全部项目", "All components"},
	"sec.deductions":        {"只看扣分及其更正", "Deductions and their corrections only"},
	"sec.noentries":         {"本项目在此视图中没有事件。", "No event of this component in this view."},
	"sec.stored":            {"原始事件", "stored event"},
	"sec.summarised":        {"另有 %d 条评价票或选票未逐条列出，按轮次汇总见上。", "%d votes or ballots are not listed here; they are counted per round above."},
	"sec.summarised.exempt": {"另有 %d 条评价票或选票未逐条列出；该科室免评，均不计分。", "%d votes or ballots are not listed here; the section is exempt, so none of them counts."},
	"sec.pages":             {"评价票和选票分页：", "Votes and ballots, page:"},
	"sec.total":             {"总分 %s，名次 %s", "total %s, rank %s"},

	"dis.title":      {"争议处理", "Disputes"},
	"dis.none":       {"此视图中没有争议。", "No dispute in this view."},
	"dis.open":       {"待裁决", "open"},
	"dis.upheld":     {"维持", "upheld"},
	"dis.overturned": {"撤销扣分", "overturned"},
	"dis.reduced":    {"核减至 %s 分", "reduced to %s"},
	"dis.diff":       {"查看裁决前后对比", "Before and after"},
	"dis.if":         {"假设裁决：", "What if:"},
	"dis.if.upheld":  {"维持", "upheld"},
	"dis.if.over":    {"撤销", "overturned"},
	"dis.if.reduce":  {"核减至", "reduced to"},
	"dis.if.scale":   {"“核减至”按被争议事件本身的分值填写：协办科室的热线判定填减半前的分值（如原判 1 分、科室实扣 0.5 分，填 0.5 则实扣 0.25 分）。", "“Reduced to” is on the contested event's own scale: for an assisting section's hotline verdict, before halving (a verdict of 1 that cost the section 0.5, reduced to 0.5, costs it 0.25)."},
	"dis.count":      {"共 %d 件争议，其中待裁决 %d 件。", "%d disputes, %d open."},

	"wi.title":    {"假设分析结果", "What-if result"},
	"wi.banner":   {"以下为假设结果，未保存、未记入台账，其他人看不到。", "Hypothetical: nothing was stored, and no one else sees it."},
	"wi.event":    {"假设的事件", "The hypothetical event"},
	"wi.back":     {"返回争议列表", "Back to the disputes"},
	"wi.nochange": {"此假设不改变任何科室的得分或名次。", "This changes no section's figures."},

	"cmp.title":        {"视图对比", "Compare two views"},
	"cmp.from":         {"对比前", "From"},
	"cmp.to":           {"对比后", "To"},
	"cmp.run":          {"对比", "Compare"},
	"cmp.summary":      {"%d 个科室有变化，%d 个单位的考绩加减分有变化。", "%d sections changed, %d unit adjustments changed."},
	"cmp.none":         {"两个视图之间没有变化。", "Nothing changed between the two views."},
	"cmp.units":        {"单位考绩加减分的变化", "Unit adjustments that changed"},
	"cmp.events":       {"造成变化的事件", "The events that account for it"},
	"cmp.noevents":     {"本科室无自身事件：名次随其他科室的得分变动。", "No event of its own: it moved with the others."},
	"cmp.added":        {"新增", "added"},
	"cmp.removed":      {"不再可见", "removed"},
	"cmp.changed":      {"状态变化", "changed"},
	"cmp.notvisible":   {"不可见", "not visible"},
	"cmp.hypothetical": {"假设", "hypothetical"},
	"cmp.more":         {"%d 条事件未在此列出。", "%d events are not listed here."},
	"cmp.section":      {"查看科室页", "See the section's page"},
	"cmp.hint":         {"生效日期：事实发生的截止日；知情时点：事实记录的截止时刻。留空取默认值（评议期最后一天；现在）。", "As of: the facts that had occurred; known at: the facts that had been recorded. Empty: the window's last day; now."},

	"ann.title":     {"平阳县2021年度千人评机关中层科室评议结果", "Pingyang County 2021 evaluation of department sections: the outcome"},
	"ann.draft":     {"（拟定，报县委常委会研究确定）", "(proposed, for the county standing committee to decide)"},
	"ann.none":      {"候选名单尚未冻结，或候选科室不足 20 个，暂无评议结果。", "No outcome yet: the candidate list is not frozen, or has fewer than 20 sections."},
	"ann.sat":       {"满意单位（10 个）", "Satisfied (10)"},
	"ann.unsat":     {"不满意单位（10 个）", "Unsatisfied (10)"},
	"ann.most":      {"最不满意单位（3 个）", "Most unsatisfied (3)"},
	"ann.units":     {"所在单位年度考绩加减分", "Unit adjustments"},
	"ann.top3":      {"列满意单位前三名的科室", "The top three satisfied sections"},
	"ann.print":     {"打印", "Print"},
	"ann.rule":      {"满意单位所在单位考绩加 5 分；不满意单位减 5 分；最不满意单位减 10 分。", "+5 per satisfied section, −5 per unsatisfied, −10 per most unsatisfied."},
	"ann.confirmed": {"县委常委会研究确定的结果", "As decided by the county standing committee"},
	"ann.proposal":  {"附：按总成绩排名拟定的结果", "Annex: the proposal by rank"},
	"ann.document":  {"文件", "Document"},
	"ann.deviation": {"与拟定结果的差异", "Differences from the proposal"},
	"ann.dropped":   {"拟定未确定", "proposed, not confirmed"},
	"ann.added":     {"确定未拟定", "confirmed, not proposed"},

	"ver.title":   {"台账核验", "Verification"},
	"ver.head":    {"链头哈希", "Head hash"},
	"ver.count":   {"事件总数", "Events"},
	"ver.run":     {"重新计算全部哈希（检查员）", "Re-derive every hash (inspector)"},
	"ver.ok":      {"核验通过：%d 个事件，链头 %s。", "Verified: %d events, head %s."},
	"ver.bad":     {"核验失败：第 %d 个事件 %s（此前 %d 个事件完好）。", "FAILED at position %d: %s (%d events before it are intact)."},
	"ver.badtree": {"核验失败：第 %d 个事件起 %s（全部 %d 个事件完好，与之并存的默克尔树不符）。", "FAILED at position %d: %s (all %d events are intact; the tree stored beside them is not)."},
	"ver.how":     {"如何自行核验", "How to check the chain yourself"},
	"ver.how1":    {"每个事件的哈希 = sha256(前一事件哈希的 64 位小写十六进制 ‖ 本事件的规范字节)；第一个事件的前一哈希为 64 个 0。", "Each event's hash is sha256(the previous hash as 64 lowercase hex characters || the event's canonical bytes); the first event's previous hash is 64 zeros."},
	"ver.how2":    {"规范字节：存储的事件去掉 prev_hash 和 hash 后，按键名排序的紧凑 JSON（即 jq -cS 'del(.prev_hash, .hash)' 的输出）。", "Canonical bytes: the stored event without prev_hash and hash, as compact JSON with sorted keys (what jq -cS 'del(.prev_hash, .hash)' prints)."},
	"ver.how3":    {"在服务器上运行 ledger verify，或按 README 中的 curl、jq、sha256sum 步骤逐个重算，最后的哈希应与上面的链头一致。", "Run ledger verify on the server, or follow the README's curl, jq and sha256sum recipe: the last hash must equal the head above."},

	"ev.title":    {"原始事件", "Stored event"},
	"ev.redacted": {"（已隐去）", "(hidden)"},

	"in.title":     {"登录", "Sign in"},
	"in.token":     {"令牌", "Token"},
	"in.go":        {"登录", "Sign in"},
	"in.bad":       {"令牌无效。", "Unknown token."},
	"in.notokens":  {"本服务未配置令牌文件：只在本机访问，所有访问者均为查看者，无法登录为检查员。", "This server has no tokens file: it serves loopback only and every visitor is a viewer."},
	"in.hint":      {"令牌保存在仅限本站、脚本无法读取的 Cookie 中；退出即清除。", "The token is kept in an HttpOnly, SameSite=Strict cookie; signing out clears it."},
	"deny.title":   {"需要检查员身份", "An inspector's page"},
	"deny.vtitle":  {"请先登录", "Sign in first"},
	"deny.vsignin": {"本服务设有访问令牌：请以查看者、检查员或录入员的令牌登录。", "This server has access tokens: sign in with a viewer's, an inspector's or a recorder's token."},
	"deny.signin":  {"此页显示事件记录或争议，需以检查员身份登录。", "This page shows events or disputes: sign in as an inspector."},
	"deny.role":    {"您当前的身份无权查看此页：需要检查员身份。", "Your role may not see this page: it needs an inspector."},
	"err.title":    {"请求有误", "Bad request"},
	"notfound":     {"没有找到", "Not found"},

	"comp.service":    {"服务对象满意度", "Service recipients"},
	"comp.hotline":    {"县统一政务咨询投诉举报平台", "County hotline"},
	"comp.qr":         {"网络监督投诉（评议二维码）", "Online complaints (QR)"},
	"comp.supervisor": {"主管单位评价", "Supervising unit"},
	"comp.inspection": {"监督检查评价", "Supervision and inspection"},
	"comp.online":     {"网络评价", "Online evaluation"},
	"comp.bonus":      {"加分项", "Bonus"},
	"comp.roster":     {"参评登记", "Roster"},

	"status.counted":     {"计入", "counted"},
	"status.contested":   {"争议中（仍计入）", "contested (counts)"},
	"status.retracted":   {"已撤回", "retracted"},
	"status.overturned":  {"已撤销", "overturned"},
	"status.reduced":     {"已核减", "reduced"},
	"status.not_counted": {"不计入", "not counted"},
}

// componentMax is each component's maximum (rules.md, the 100 points).
var componentMax = map[string]string{"service": "50", "hotline": "5", "qr": "5", "supervisor": "5", "inspection": "20", "online": "15", "bonus": "5"}

// typeNames are the event types in Chinese.
var typeNames = map[string]string{
	"UnitRegistered": "单位登记", "SectionRegistered": "科室登记", "SectionExempted": "免评",
	"PriorYearUnsatisfiedMarked": "上年度不满意单位", "ServiceVoteRecorded": "服务对象评价票",
	"HotlineVerdict": "热线办理扣分", "OnlineComplaintVerified": "网络监督有效投诉",
	"SupervisorGradesSubmitted": "主管单位评分", "InspectionFinding": "监督检查发现问题",
	"ComplaintSubstantiated": "投诉查实", "DisciplinaryCaseFiled": "立案查处",
	"DiscretionaryDeduction": "评议办酌情扣分", "UnitDeduction": "单位应报未报扣分",
	"OnlineCandidatesFrozen": "网络评价候选名单冻结", "VoterCredentialIssued": "发放投票凭证",
	"BallotCast": "网络评价选票", "CommendationAwarded": "表彰加分", "MediaCoverageRecorded": "媒体报道加分",
	"EventRetracted": "撤回", "DeductionContested": "提出争议", "ContestResolved": "争议裁决",
	"OutcomeConfirmed": "县委常委会确定结果",
}

// clauseRules are the rules in one Chinese sentence each (rules.md).
var clauseRules = map[string]words{
	"R-ROSTER":    {"附件1所列科室参评；名单外应报未报的科室一律列入参评。", "Every registered section is scored; one a unit failed to report is added."},
	"R-EXEMPT":    {"2019、2020年度连续两年被评为满意单位的科室免评，不计分、不排名。", "A section satisfied in both 2019 and 2020 is exempt: no score, no rank."},
	"R-UNREP":     {"单位应报未报科室的，对该单位所有科室在监督检查项中扣分。", "A unit that failed to report a section loses points on every section's inspection."},
	"R-SVC":       {"服务对象评价分上下半年两轮，每轮 (满意×1 + 基本满意×0.6) ÷ 总票数 × 25 分。", "Two rounds of 25: (satisfied + 0.6 × basic) ÷ votes × 25."},
	"R-SVC-SMALL": {"一轮不足 30 票的科室，按全部有票科室平均分×70% + 本科室原始分×30% 计分。", "Fewer than 30 votes in a round: the average of all sections × 0.7 + own raw × 0.3."},
	"R-HOT":       {"热线按百分制扣分（作风投诉 10 分、办理评价 90 分，各自扣完为止），再折算为 5 分；协办科室减半扣分。", "Hotline deductions on 100 (conduct 10, handling 90, each floored), scaled to 5; assisting sections lose half."},
	"R-QR":        {"网络监督投诉平台每件有效投诉直扣 1 分，5 分扣完为止。", "Each verified online complaint takes 1 off 5."},
	"R-SUP":       {"主管单位按优秀、良好、一般分档评分（一位小数），每档约占三分之一。", "The supervising unit grades its sections in three tiers, about a third each."},
	"R-INS-FIND":  {"监督检查发现问题，县级每个扣 1 分、市级扣 2 分，情节严重加倍。", "A finding: county 1, city 2, doubled when serious."},
	"R-INS-CPL":   {"投诉举报经查属实，每件扣 1 分，情节严重加倍。", "A substantiated complaint: 1, doubled when serious."},
	"R-INS-CASE":  {"立案查处按对象和年度扣分，本年度主要负责人扣 20 分。", "A disciplinary case deducts by subject and year; a current-year head, 20."},
	"R-DISC":      {"评议办依据情况酌情扣分，最多 20 分，保留两位小数。", "The office's discretionary deduction, at most 20, two decimals."},
	"R-ONL":       {"网络评价候选科室按选票计分：(满意 + 0.6×基本满意) ÷ 选票数 × 15。", "Online evaluation of candidates: (satisfied + 0.6 × basic) ÷ ballots × 15."},
	"R-BON-COM":   {"主要工作受表彰：国家级 5 分、省级 3 分、市级 1 分，同一事迹按最高级别计一次。", "Commendations: national 5, provincial 3, municipal 1, once per deed."},
	"R-BON-MED":   {"先进做法被媒体报道：中央级 3 分、省级 2 分、市级 0.5 分，同一事项计一次。", "Media reports: central 3, provincial 2, municipal 0.5, once per matter."},
	"R-OUT-CONF":  {"评议结果经县委常委会研究确定；确定的名单与按排名拟定的名单可以不同，差异逐项列明。", "The standing committee decides the lists; where they differ from the ranking's proposal, the differences are listed."},
	"R-FIX":       {"任何记录不修改、不删除：错误记录予以撤回；对扣分有异议的提出争议，由评议办裁决维持、撤销或核减。", "Nothing is edited: a wrong entry is retracted; a contested deduction is upheld, overturned or reduced."},
}

// noteZH words an explain note in Chinese: the notes are made of a fixed
// vocabulary around the ledger's own texts (reasons, grounds, ids), so a
// table of phrases covers them; what it does not know stays as it is.
var noteZH = strings.NewReplacer(
	"role lead, ", "承办，", "role assist, ", "协办，",
	"item conduct", "作风投诉", "item late_feedback", "未按期反馈办理结果", "item contact_outdated", "信息变更未及时告知",
	"item shirking", "推诿扯皮", "item poor_handling", "办理不到位", "item urgent_unhandled", "紧急件未快速落实",
	", conduct pool", "，作风投诉分", ", handling pool", "，办理评价分", ", half of ", "，减半，原 ",
	"verified online complaint", "有效投诉",
	"confirmed at county level", "县级检查发现", "confirmed at city level", "市级检查发现",
	", serious: doubled", "，情节严重，加倍", "complaint substantiated", "投诉举报查实",
	"case filed: subject ", "立案查处：对象 ", ", violation ", "，",
	"current_year", "本年度", "earlier_year", "以前年度", "collective", "集体",
	"retracts event ", "撤回事件 ", "contests event ", "对事件提出争议 ",
	"resolves the contest of event ", "裁决事件争议 ",
	": upheld", "：维持", ": overturned", "：撤销", ": reduced to ", "：核减至 ",
	" (reduced from ", "（由 ",
	"round H1, ", "上半年，", "round H2, ", "下半年，",
	"satisfied", "满意", "basic", "基本满意", "unsatisfied", "不满意",
	"marked ", "评为",
	"grade ", "评分 ", " (excellent)", "（优秀）", " (good)", "（良好）", " (fair)", "（一般）", " from unit ", "，评分单位 ",
	": replaced by a later submission", "：已被后一次评分取代",
	"candidate list frozen with ", "网络评价候选名单冻结，共 ", " sections", " 个科室",
	"registered in unit ", "登记于单位 ", "section ", "科室 ",
	", late reported (应报未报)", "，应报未报", ", law enforcement (管理执法类)", "，管理执法类",
	"commendation, ", "表彰，", "media report, ", "媒体报道，", "national", "国家级", "provincial", "省级",
	"municipal", "市级", "central", "中央级", ", deed ", "，事迹 ", ", matter ", "，事项 ",
	": duplicate deed, counted once at its highest level", "：同一事迹只按最高级别计一次",
	": duplicate matter, counted once at its highest level", "：同一事项只按最高级别计一次",
	": above the bonus cap of 5 (R-BON-CAP)", "：超过加分上限 5 分",
	": not counted: the section is exempt (免评, R-EXEMPT)", "：不计分，该科室免评",
	"not counted: the section is exempt (免评, R-EXEMPT)", "不计分，该科室免评",
	"; a contest of it is open", "；对其的争议尚未裁决",
	" of it within the bonus cap (R-BON-CAP)", " 分在加分上限内",
	"exempt: ", "免评：", "unit ", "单位 ",
	"rated 不满意单位 in 2020: a candidate", "2020 年度不满意单位：直接列为候选",
	"confirmed ", "县委常委会确定为", " by ", "，文件 ", "; proposed: ", "；拟定：", ", as proposed", "，与拟定一致",
	"; no proposal in this view", "；此视图中尚无拟定结果", "none", "无",
	"(contests: ", "（历次争议：", "in force before, from position ", "此前有效，见序号 ",
)

// note is an entry's note in l, with the closing parenthesis of a
// correction's remark matched to the Chinese opening one.
func note(l lang, n string) string {
	if l == en {
		return n
	}
	z := noteZH.Replace(n)
	// A correction's row follows its target's, and links to it: the
	// target's id in the note is noise to a reader.
	z = correctionID.ReplaceAllString(z, "$1：")
	if strings.Contains(z, "（由 ") {
		z = strings.Replace(z, ")", " 核减）", 1)
	}
	return z
}

var correctionID = regexp.MustCompile(`(撤回事件|对事件提出争议|裁决事件争议) [0-9a-f-]{36}(: ?|：)?`)

func f2s(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func numS(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// arithmeticZH is a component's arithmetic in Chinese, from the group's
// numbers (the English lines come from projections).
func arithmeticZH(g projections.Group) []string {
	var out []string
	switch g.Component {
	case "service":
		for _, r := range g.Rounds {
			half := "上半年"
			if r.Round == "H2" {
				half = "下半年"
			}
			line := fmt.Sprintf("%s：满意 %d、基本满意 %d、不满意 %d，共 %d 票", half, r.Satisfied, r.Basic, r.Unsatisfied, r.Votes)
			if r.Retracted > 0 {
				line += fmt.Sprintf("（另有 %d 票已撤回）", r.Retracted)
			}
			switch r.Rule {
			case "pending":
				line += "；本轮尚无任何科室有票，计 0 分"
			case "no_vote":
				line += fmt.Sprintf("；本科室无票，取 %d 个有票科室的平均分 %s", r.AverageOf, f2s(r.Average))
			case "small":
				line += fmt.Sprintf("；原始分 (%d + 0.6×%d) ÷ %d × 25 = %s；不足 30 票：平均分 %s × 70%% + 原始分 %s × 30%% = %s（平均分为 %d 个有票科室原始分的平均）",
					r.Satisfied, r.Basic, r.Votes, f2s(r.Raw), f2s(r.Average), f2s(r.Raw), f2s(r.Part), r.AverageOf)
			default:
				line += fmt.Sprintf("；(%d + 0.6×%d) ÷ %d × 25 = %s（不少于 30 票，取原始分；本轮平均分 %s）",
					r.Satisfied, r.Basic, r.Votes, f2s(r.Part), f2s(r.Average))
			}
			out = append(out, line)
		}
		out = append(out, fmt.Sprintf("合计：上半年 + 下半年 = %s", f2s(g.Score)))
	case "hotline":
		if g.Conduct != nil {
			out = append(out, fmt.Sprintf("作风投诉扣 %s 分、办理评价扣 %s 分（百分制）：(max(0, 10 − %s) + max(0, 90 − %s)) ÷ 100 × 5 = %s",
				numS(*g.Conduct), numS(*g.Handling), numS(*g.Conduct), numS(*g.Handling), f2s(g.Score)))
		}
	case "qr":
		if g.Deducted != nil {
			out = append(out, fmt.Sprintf("有效投诉扣 %s 分：max(0, 5 − %s) = %s", numS(*g.Deducted), numS(*g.Deducted), f2s(g.Score)))
		}
	case "supervisor":
		if g.Score == nil {
			out = append(out, "主管单位尚未评分，计 0 分")
		} else {
			out = append(out, fmt.Sprintf("现行有效的主管单位评分：%s", numS(*g.Score)))
		}
	case "inspection":
		if g.Deducted != nil {
			out = append(out, fmt.Sprintf("max(0, 20 − 本科室扣分 %s − 单位应报未报扣分 %s) = %s", numS(*g.Deducted), numS(*g.UnitDeducted), f2s(g.Score)))
		}
	case "online":
		if b := g.Ballots; b != nil && b.Ballots > 0 {
			out = append(out, fmt.Sprintf("选票 %d 张：评为满意 %d、未选（按基本满意）%d、评为不满意 %d；(%d + 0.6×%d) ÷ %d × 15 = %s",
				b.Ballots, b.Satisfied, b.Basic, b.Unsatisfied, b.Satisfied, b.Basic, b.Ballots, f2s(g.Score)))
		} else {
			out = append(out, "非网络评价候选科室，或尚无选票：不计此项")
		}
	case "bonus":
		if g.BeforeCap != nil {
			out = append(out, fmt.Sprintf("min(5, 加分合计 %s) = %s", numS(*g.BeforeCap), f2s(g.Score)))
		}
	}
	return out
}
