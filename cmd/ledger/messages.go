package main

import (
	"errors"
	"strings"

	"github.com/pingyang/ledger/internal/labels"
)

// lang is the language of the texts meant for people: for now the help
// (commands' and flags' descriptions and the help's headings). Outputs
// (tables, JSON, CSV) and error messages stay English.
type lang string

const (
	english lang = "en"
	chinese lang = "zh"
)

// String, Set and Type make a lang a flag value (--lang zh|en).
func (l *lang) String() string { return string(*l) }

func (l *lang) Set(s string) error {
	switch v := lang(strings.ToLower(s)); v {
	case english, chinese:
		*l = v
		return nil
	}
	return errors.New("want zh or en")
}

func (l *lang) Type() string { return "lang" }

// out is the language of the outputs (tables, workbooks, notes' labels).
func (l lang) out() labels.Lang { return labels.Lang(l) }

// text is one message in each language.
type text struct{ en, zh string }

// in returns the message in l.
func (t text) in(l lang) string {
	if l == chinese && t.zh != "" {
		return t.zh
	}
	return t.en
}

// messages is the message table, by key:
//
//   - a command's short description: its path below the root ("standings",
//     "completion bash"); the root's is "ledger", its long one "ledger long";
//   - a flag's description: "COMMAND --flag" for one command's flag, else
//     "--flag" for every command's; a `word` in back quotes names the flag's
//     value in the help (--as-of DATE); "--help" has a %s for the command;
//   - the help's own words: "help.*".
//
// Output labels (table headings and the like) are to be added here under
// keys of their own ("standings.*", "explain.*"), so that one table holds
// every text a person reads. TestMessagesComplete checks that every command
// and flag has its message in both languages.
var messages = map[string]text{
	"ledger": {
		"the Pingyang 2021 evaluation ledger",
		"平阳县2021年度机关中层科室评议账本",
	},
	"ledger long": {
		"The Pingyang 2021 evaluation ledger: every fact that affects a section's score is appended\n" +
			"as an immutable, hash-chained event; the standings, the candidates and the outcome are\n" +
			"folded from them for any effective date (--as-of) and state of knowledge (--known-at).\n\n" +
			"Exit status: 0 success, 1 refused (bad input, failed verification), 2 usage error.",
		"平阳县2021年度千人评议机关中层科室的评议账本：每一项影响科室得分的事实都作为不可更改、\n" +
			"以哈希链相连的事件追加记录；排名、候选名单和评议结果可按任一生效日期（--as-of）\n" +
			"和任一知情时点（--known-at）由这些事件推算得出。\n\n" +
			"退出状态：0 成功；1 请求被拒绝（输入有误、校验失败）；2 用法错误。",
	},

	// Commands.
	"import": {
		"append JSON Lines events, all or nothing",
		"追加 JSON Lines 事件：全部追加，或一条也不追加",
	},
	"standings": {
		"the standings: every section's score, the candidates and the outcome",
		"排名：各科室得分、候选名单和评议结果",
	},
	"explain": {
		"why a section has its score: every event that touched it",
		"说明科室得分的由来：逐条列出影响它的事件",
	},
	"diff": {
		"what changed between two views: each changed section's figures before and after, and the events that account for it",
		"比较两个视图：列出得分有变化的科室变化前后的各项分值，以及造成变化的事件",
	},
	"whatif": {
		"the standings with hypothetical events folded in, and what they change; nothing is stored",
		"假设分析：把假设的事件计入后的排名及其带来的变化；不保存任何内容",
	},
	"verify": {
		"re-derive every hash, the Merkle root and the saved checkpoint, and re-validate every event",
		"重新计算每个哈希和默克尔树根、核对已保存的检查点，并按日志顺序重新校验每个事件",
	},
	"keygen": {
		"make a signing key pair: PREFIX.key (secret) and PREFIX.pub",
		"生成签名密钥对：PREFIX.key（私钥）和 PREFIX.pub（公钥）",
	},
	"checkpoint": {
		"print a signed checkpoint of the log's Merkle tree",
		"打印日志默克尔树的签名检查点",
	},
	"prove": {
		"print an inclusion or a consistency proof, as the API's JSON",
		"打印包含证明或一致性证明（与 API 的 JSON 相同）",
	},
	"audit": {
		"check a server's signed checkpoint against the one kept in --state, over HTTP",
		"通过 HTTP 检查服务器的签名检查点与 --state 中保存的检查点是否一致",
	},
	"freeze-candidates": {
		"append the candidate list computed as of --at",
		"按 --at 时点计算并追加网上评议候选名单",
	},
	"issue-credentials": {
		"append N voter credentials and print their one-time codes",
		"发放 N 个投票凭证并打印一次性投票码（只显示这一次，不保存）",
	},
	"serve": {
		"serve the HTTP API",
		"提供 HTTP API 服务",
	},
	"demo": {
		"write a realistic year of events, the same for the same seed",
		"生成一整年逼真的演示事件，同一种子生成结果相同",
	},
	"export": {
		"write an Excel workbook: the standings, the outcome or a section's explain trail",
		"导出 Excel 工作簿：排名总表、评议结果公示或某科室的得分说明",
	},
	"export standings": {
		"the standings workbook: 总表 in rank order with names, 公示 and the unit adjustments",
		"排名工作簿：按排名排列并带名称的总表、公示和单位加减分",
	},
	"export outcome": {
		"the outcome workbook: 公示 (the four lists) and the unit adjustments",
		"评议结果工作簿：公示（四类名单）和单位加减分",
	},
	"export explain": {
		"a section's explain workbook: a summary with the arithmetic, one sheet per component",
		"科室得分说明工作簿：汇总及计算过程，每个评议项目一张表",
	},
	"template": {
		"write a blank workbook of facts: one sheet per event type, drop-down lists for every enumerated field",
		"生成空白的事实录入工作簿：每种事件类型一张表，所有枚举字段带下拉列表",
	},
	"recipients": {
		"the units' service-recipient lists (四(一)1): check them, turn them into the survey sheet",
		"各单位报送的服务对象名单（四(一)1）：检查名单，生成调查表",
	},
	"recipients check": {
		"check the lists against the rules and the roster, section by section",
		"按规则和科室名册逐个科室检查名单",
	},
	"recipients pseudonymize": {
		"write the survey sheet: each recipient with a keyed pseudonym, ready to fill and import",
		"生成调查表：每位服务对象配一个带密钥的化名，填写后可直接导入",
	},
	"help": {
		"help about a command",
		"查看命令的帮助",
	},
	"completion": {
		"write the shell completion script for bash, zsh, fish or powershell",
		"生成 bash、zsh、fish 或 powershell 的命令补全脚本",
	},
	"completion bash":       {"write the completion script for bash", "生成 bash 的命令补全脚本"},
	"completion zsh":        {"write the completion script for zsh", "生成 zsh 的命令补全脚本"},
	"completion fish":       {"write the completion script for fish", "生成 fish 的命令补全脚本"},
	"completion powershell": {"write the completion script for powershell", "生成 powershell 的命令补全脚本"},

	// Flags of every command.
	"--store": {
		"store `URL`: sqlite:PATH or esdb://HOST:PORT?tls=false (default: $LEDGER_STORE, else sqlite:ledger.db)",
		"存储 `URL`：sqlite:路径 或 esdb://主机:端口?tls=false（默认：$LEDGER_STORE，否则 sqlite:ledger.db）",
	},
	"--lang": {
		"language of the help: `zh|en` (default: from LC_ALL, LC_MESSAGES or LANG)",
		"帮助的语言：`zh|en`（默认：依 LC_ALL、LC_MESSAGES 或 LANG 而定）",
	},
	"--help": {"help for %s", "%s 的帮助"},
	"--init": {
		"create the store if it does not exist, silently (a reading command creates it and says so; issue-credentials, freeze-candidates and checkpoint refuse)",
		"存储不存在时直接新建（查询类命令会新建并提示；issue-credentials、freeze-candidates、checkpoint 则拒绝执行）",
	},
	"--key": {
		"the office's signer key `FILE` (ledger keygen): signs checkpoints and seals the fold's cache; without it the cache is not trusted and the log is folded (default: $LEDGER_KEY)",
		"办公室的签名私钥文件 `FILE`（ledger keygen 生成）：签署检查点并封签推算缓存；不给时不信任缓存而重新推算日志（默认：$LEDGER_KEY）",
	},
	"--version": {"print the version", "显示版本"},

	// Flags of one command or a few.
	"import --historical": {
		"accept recorded_at from the file (facts recorded earlier)",
		"采用文件中的 recorded_at（补录以往记录的事实）",
	},
	"import --xlsx": {
		"FILE is an Excel workbook: one sheet per event type, as ledger template writes it",
		"FILE 为 Excel 工作簿：每种事件类型一张表，格式同 ledger template 生成的模板",
	},
	"--xlsx": {"the workbook to write: `FILE`.xlsx (required)", "要写入的工作簿 `FILE`.xlsx（必填）"},
	"recipients pseudonymize --xlsx": {
		"the survey workbook to write: `FILE`.xlsx (required)",
		"要写入的调查表 `FILE`.xlsx（必填）",
	},
	"--unit":       {"only this unit's sections: `UNIT_ID`, e.g. U06", "只列出该单位的科室：`UNIT_ID`，例如 U06"},
	"--candidates": {"only the candidates", "只列出候选科室"},
	"standings --wide": {
		"every component and the names uncut (wider than 100 columns)",
		"显示全部评议项目和完整名称（超过100列宽）",
	},
	"standings --bom": {
		"csv: start with a UTF-8 byte order mark, so that Excel reads the Chinese names (default: on under a Chinese locale or --lang zh; --bom=false drops it)",
		"csv：开头加 UTF-8 字节顺序标记，Excel 才能正确显示中文（中文环境或 --lang zh 时默认加；--bom=false 不加）",
	},
	"recipients pseudonymize --key": {
		"the office's pseudonym key `FILE` (64 hex characters; never printed or stored in the ledger)",
		"评议办的化名密钥文件 `FILE`（64个十六进制字符；不会打印，也不会存入账本）",
	},
	"recipients pseudonymize --new-key": {
		"create the key file first (refused if it exists: a new key changes every pseudonym)",
		"先新建密钥文件（已存在则拒绝：换密钥会改变所有化名）",
	},
	"recipients pseudonymize --round": {
		"fill the round column: `H1|H2`",
		"填写轮次列：`H1|H2`",
	},
	"recipients pseudonymize --actor": {
		"fill the actor column: who records the votes, `ACTOR`",
		"填写记录人列：录入评价的人 `ACTOR`",
	},
	"--as-of": {
		"effective `DATE`: YYYY-MM-DD (end of that day, +08:00) or RFC 3339 (default: the window's last day)",
		"生效日期 `DATE`：YYYY-MM-DD（当日结束，+08:00）或 RFC 3339（默认：评议期最后一天）",
	},
	"--known-at": {
		"knowledge `TIME`: only what was recorded by then; RFC 3339 or a date (default: now)",
		"知情时点 `TIME`：只计入此时已记录的事实；RFC 3339 或日期（默认：现在）",
	},
	"standings --format": {"output format: `table|json|csv`", "输出格式：`table|json|csv`"},
	"explain --format":   {"output format: `table|json|csv`", "输出格式：`table|json|csv`"},
	"explain --component": {
		"only this `COMPONENT`'s entries: hotline, qr, inspection, bonus, supervisor, service, online or roster",
		"只列出该 `COMPONENT` 的事件：hotline、qr、inspection、bonus、supervisor、service、online 或 roster",
	},
	"explain --deductions": {
		"only deductions and the corrections that act on them",
		"只列出扣分事件及作用于它们的更正",
	},
	"explain --votes": {
		"list every vote and ballot (table and csv; by default they are counted per round)",
		"逐条列出每张评价票和选票（表格和 csv；默认按轮次汇总）",
	},
	"diff --from-as-of":    {"the first view's effective `DATE` (default: the window's last day)", "第一个视图的生效日期 `DATE`（默认：评议期最后一天）"},
	"diff --from-known-at": {"the first view's knowledge `TIME` (default: now)", "第一个视图的知情时点 `TIME`（默认：现在）"},
	"diff --to-as-of":      {"the second view's effective `DATE` (default: the window's last day)", "第二个视图的生效日期 `DATE`（默认：评议期最后一天）"},
	"diff --to-known-at":   {"the second view's knowledge `TIME` (default: now)", "第二个视图的知情时点 `TIME`（默认：现在）"},
	"diff --format":        {"output format: `table|json|csv`", "输出格式：`table|json|csv`"},
	"whatif --format":      {"output format: `table|json|csv` (csv: the diff)", "输出格式：`table|json|csv`（csv 为变化部分）"},
	"verify --deep": {
		"also say when the saved checkpoint matched the log (it is always compared)",
		"同时报告已保存的检查点与日志一致（检查点总会被比对）",
	},
	"keygen --origin": {
		"the log's `ORIGIN` (its name in checkpoints), or a witness's name",
		"日志的来源名 `ORIGIN`（检查点中的名称），或见证人的名称",
	},
	"keygen --out":     {"write `PREFIX`.key and `PREFIX`.pub", "写入 `PREFIX`.key 和 `PREFIX`.pub"},
	"prove --position": {"the event's `P`osition (inclusion)", "事件的位置 `P`（包含证明）"},
	"prove --size":     {"the tree's size `N` (inclusion)", "树的大小 `N`（包含证明）"},
	"prove --from":     {"the earlier size `M` (consistency)", "较早的大小 `M`（一致性证明）"},
	"prove --to":       {"the later size `N` (consistency)", "较晚的大小 `N`（一致性证明）"},
	"audit --url":      {"the server's `URL`", "服务器地址 `URL`"},
	"audit --pub":      {"the office's public key `FILE` (PREFIX.pub)", "办公室的公钥文件 `FILE`（PREFIX.pub）"},
	"audit --state": {
		"`DIR` where the last checkpoint seen is kept, one file per origin",
		"保存最近一次所见检查点的目录 `DIR`，每个来源一个文件",
	},
	"audit --token": {"bearer `TOKEN` (inspector, for --event and --full)", "访问令牌 `TOKEN`（--event 和 --full 需要 inspector）"},
	"audit --event": {"also prove the inclusion of the event with this `ID`", "同时证明该 `ID` 的事件已包含在内"},
	"audit --full": {
		"also download every event and recompute the chain and the root",
		"同时下载全部事件并重新计算哈希链和树根",
	},
	"audit --witness-key": {
		"cosign the checkpoint with this witness key `FILE` and send the cosignature",
		"用该见证人私钥文件 `FILE` 联署检查点并提交联署",
	},
	"serve --witnesses": {
		"`FILE` of witness public keys (one a line) whose cosignatures the server takes",
		"见证人公钥文件 `FILE`（每行一个），服务器接受其联署",
	},
	"freeze-candidates --at": {
		"effective `TIME` of the list (required)",
		"名单的生效时间 `TIME`（必填）",
	},
	"issue-credentials --at": {
		"effective `TIME` of the credentials (required)",
		"凭证的生效时间 `TIME`（必填）",
	},
	"--actor": {"the events' `ACTOR`: who records them", "事件的记录人 `ACTOR`"},
	"issue-credentials --group": {
		"voter group: `recipient|representative` (required)",
		"投票群体：`recipient|representative`，即服务对象或代表（必填）",
	},
	"issue-credentials --count": {
		"how many codes: `N`, 1 to 1000000 (required)",
		"投票码个数 `N`：1 至 1000000（必填）",
	},
	"serve --addr": {"listen address `HOST:PORT`", "监听地址 `HOST:PORT`"},
	"serve --tokens": {
		"`FILE` of ROLE TOKEN lines (recorder, inspector, viewer); without it: loopback only, every request a viewer",
		"令牌文件 `FILE`，每行 ROLE TOKEN（recorder、inspector、viewer）；不给时只监听本机，所有请求按 viewer 处理",
	},
	"serve --clock": {
		"drill clock: a ballot occurs at `TIME` plus the time since start",
		"演练时钟：收到选票的发生时间记为 `TIME` 加上启动以来经过的时间",
	},
	"serve --demo": {
		"serve the demo year (creates demo.db from it when absent, and a demo key demo.key beside it)",
		"提供演示年度的数据（没有 demo.db 时先生成，并在旁边生成演示密钥 demo.key）",
	},
	"serve --allow-broken-chain": {
		"serve a store whose hash chain no longer holds, read-only, for inspection",
		"即使哈希链已不成立也以只读方式提供服务，供检查之用",
	},
	"demo --seed": {
		"random seed `N`: the same seed gives the same year",
		"随机种子 `N`：同一种子生成同一年度",
	},
	"demo --out": {"output `FILE` (- for stdout)", "输出文件 `FILE`（- 为标准输出）"},
	"demo --historical": {
		"write recorded_at on every line (import with --historical)",
		"每行写入 recorded_at（用 import --historical 导入）",
	},
	"demo --scale": {
		"multiply the votes per section by `X` and round (benchmarks)",
		"每个科室的票数乘以 `X` 后取整（用于基准测试）",
	},
	"--no-descriptions": {"leave the descriptions out of the completions", "补全时不显示说明"},

	// The help's own words.
	"help.usage":    {"Usage:", "用法："},
	"help.examples": {"Examples:", "示例："},
	"help.commands": {"Commands:", "命令："},
	"help.flags":    {"Flags:", "选项："},
	"help.global":   {"Global flags:", "全局选项："},
	"help.default":  {" (default %s)", "（默认 %s）"},
	"help.more": {
		`Run "%s COMMAND --help" for more about a command.`,
		`运行 "%s COMMAND --help" 查看命令的详细说明。`,
	},
}

// msg returns the message for key in l, and whether there is one.
func msg(l lang, key string) (string, bool) {
	t, ok := messages[key]
	return t.in(l), ok
}
