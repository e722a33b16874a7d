package main

// lang is the language of the texts meant for people: for now the help
// (commands' and flags' descriptions and the help's headings). Outputs
// (tables, JSON, CSV) and error messages stay English.
type lang string

const english lang = "en"

// text is one message in each language (for now English only).
type text struct{ en string }

// in returns the message in l.
func (t text) in(lang) string { return t.en }

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
// every text a person reads.
var messages = map[string]text{
	"ledger": {
		"the Pingyang 2021 evaluation ledger",
	},
	"ledger long": {
		"The Pingyang 2021 evaluation ledger: every fact that affects a section's score is appended\n" +
			"as an immutable, hash-chained event; the standings, the candidates and the outcome are\n" +
			"folded from them for any effective date (--as-of) and state of knowledge (--known-at).\n\n" +
			"Exit status: 0 success, 1 refused (bad input, failed verification), 2 usage error.",
	},

	// Commands.
	"import": {
		"append JSON Lines events, all or nothing",
	},
	"standings": {
		"the standings: every section's score, the candidates and the outcome",
	},
	"explain": {
		"why a section has its score: every event that touched it",
	},
	"verify": {
		"re-derive every hash of the chain (--deep: and the checkpoint)",
	},
	"freeze-candidates": {
		"append the candidate list computed as of --at",
	},
	"issue-credentials": {
		"append N voter credentials and print their one-time codes",
	},
	"serve": {
		"serve the HTTP API",
	},
	"demo": {
		"write a realistic year of events, the same for the same seed",
	},
	"help": {
		"help about a command",
	},
	"completion": {
		"write the shell completion script for bash, zsh, fish or powershell",
	},
	"completion bash":       {"write the completion script for bash"},
	"completion zsh":        {"write the completion script for zsh"},
	"completion fish":       {"write the completion script for fish"},
	"completion powershell": {"write the completion script for powershell"},

	// Flags of every command.
	"--store": {
		"store `URL`: sqlite:PATH or esdb://HOST:PORT?tls=false (default: $LEDGER_STORE, else sqlite:ledger.db)",
	},
	"--help":    {"help for %s"},
	"--version": {"print the version"},

	// Flags of one command or a few.
	"import --historical": {
		"accept recorded_at from the file (facts recorded earlier)",
	},
	"--as-of": {
		"effective `DATE`: YYYY-MM-DD (end of that day, +08:00) or RFC 3339 (default: the window's last day)",
	},
	"--known-at": {
		"knowledge `TIME`: only what was recorded by then; RFC 3339 or a date (default: now)",
	},
	"standings --format": {"output format: `table|json|csv`"},
	"explain --format":   {"output format: `table|json`"},
	"verify --deep": {
		"also re-derive the saved checkpoint from the log and compare",
	},
	"freeze-candidates --at": {
		"effective `TIME` of the list (required)",
	},
	"issue-credentials --at": {
		"effective `TIME` of the credentials (required)",
	},
	"--actor": {"the events' `ACTOR`: who records them"},
	"issue-credentials --group": {
		"voter group: `recipient|representative` (required)",
	},
	"issue-credentials --count": {
		"how many codes: `N`, 1 to 1000000 (required)",
	},
	"serve --addr": {"listen address `HOST:PORT`"},
	"serve --tokens": {
		"`FILE` of ROLE TOKEN lines (recorder, inspector, viewer); without it: loopback only, every request a viewer",
	},
	"serve --clock": {
		"drill clock: a ballot occurs at `TIME` plus the time since start",
	},
	"serve --demo": {
		"serve the demo year (creates demo.db from it when absent)",
	},
	"serve --allow-broken-chain": {
		"serve a store whose hash chain no longer holds, for inspection",
	},
	"demo --seed": {
		"random seed `N`: the same seed gives the same year",
	},
	"demo --out": {"output `FILE` (- for stdout)"},
	"demo --historical": {
		"write recorded_at on every line (import with --historical)",
	},
	"demo --scale": {
		"multiply the votes per section by `X` and round (benchmarks)",
	},
	"--no-descriptions": {"leave the descriptions out of the completions"},

	// The help's own words.
	"help.usage":    {"Usage:"},
	"help.examples": {"Examples:"},
	"help.commands": {"Commands:"},
	"help.flags":    {"Flags:"},
	"help.global":   {"Global flags:"},
	"help.default":  {" (default %s)"},
	"help.more": {
		`Run "%s COMMAND --help" for more about a command.`,
	},
}

// msg returns the message for key in l, and whether there is one.
func msg(l lang, key string) (string, bool) {
	t, ok := messages[key]
	return t.in(l), ok
}
