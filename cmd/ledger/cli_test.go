package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// runEnv runs one command line in-process with the given environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) }}
	code := m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// tree is the command tree as a run makes it, in English.
func tree(t *testing.T) *cobra.Command {
	t.Helper()
	c := &command{m: &Main{Getenv: func(string) string { return "" }}}
	return c.root()
}

// commands are every command a person can ask for help on, as paths below
// the root.
func commands(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	var walk func(cmd *cobra.Command, path []string)
	walk = func(cmd *cobra.Command, path []string) {
		out = append(out, path)
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				walk(sub, append(append([]string{}, path...), sub.Name()))
			}
		}
	}
	walk(tree(t), nil)
	require.Greater(t, len(out), 10)
	return out
}

func TestHelpForEveryCommand(t *testing.T) {
	root := tree(t)
	for _, path := range commands(t) {
		name := strings.Join(append([]string{"ledger"}, path...), " ")
		cmd, _, err := root.Find(path)
		require.NoError(t, err)
		var first string
		for _, args := range [][]string{
			append([]string{"help"}, path...),
			append(append([]string{}, path...), "-h"),
			append(append([]string{}, path...), "--help"),
		} {
			code, out, errs := runEnv(t, nil, args...)
			require.Equal(t, 0, code, "%v: %s", args, errs)
			require.Empty(t, errs, args)
			require.Contains(t, out, "Usage:\n  "+name, args)
			if cmd.Long != "" {
				require.Contains(t, out, cmd.Long, args)
			} else {
				require.Contains(t, out, cmd.Short, args)
			}
			// Every flag is in the help: it is made from them.
			cmd.InitDefaultHelpFlag()
			cmd.Flags().VisitAll(func(f *pflag.Flag) {
				require.Contains(t, out, "--"+f.Name+" ", "%v: --%s", args, f.Name)
			})
			if first == "" {
				first = out
			}
			require.Equal(t, first, out, "help COMMAND and COMMAND --help say the same")
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, errs := runEnv(t, nil, "--version")
	require.Equal(t, 0, code, errs)
	require.Regexp(t, `^ledger version \S+`, out)
	require.Empty(t, errs)
}

// requireUsageError checks a usage error's stderr: one line naming what was
// wrong and where to read more.
func requireUsageError(t *testing.T, code int, errs, want, hint string) {
	t.Helper()
	require.Equal(t, 2, code, errs)
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	require.Len(t, lines, 1, errs)
	require.True(t, strings.HasPrefix(lines[0], "ledger: "), lines[0])
	require.Contains(t, lines[0], want)
	require.True(t, strings.HasSuffix(lines[0], " (see '"+hint+" --help')"), lines[0])
}

func TestSuggestions(t *testing.T) {
	code, out, errs := runEnv(t, nil, "standing")
	require.Empty(t, out)
	requireUsageError(t, code, errs, `unknown command "standing"; did you mean standings?`, "ledger")

	// Within an edit distance of two, not only prefixes.
	code, _, errs = runEnv(t, nil, "verfy")
	requireUsageError(t, code, errs, `unknown command "verfy"; did you mean verify?`, "ledger")

	code, _, errs = runEnv(t, nil, "help", "standing")
	requireUsageError(t, code, errs, "did you mean standings?", "ledger")

	code, _, errs = runEnv(t, nil, "standings", "--formt", "json")
	requireUsageError(t, code, errs, "standings: unknown flag --formt; did you mean --format?", "ledger standings")

	// A long flag with one dash, as Go's flag package took it.
	code, _, errs = runEnv(t, nil, "-store", "sqlite:x.db", "verify")
	requireUsageError(t, code, errs, "did you mean --store?", "ledger")
}

func TestUsageErrorsAreOneLineAndAHint(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LEDGER_STORE": "sqlite:" + filepath.Join(dir, "ledger.db")}
	for _, c := range []struct {
		args       []string
		want, hint string
	}{
		{nil, "no command given", "ledger"},
		{[]string{"standings", "--frob"}, "unknown flag --frob", "ledger standings"},
		{[]string{"--frob", "standings"}, "unknown flag --frob", "ledger"},
		{[]string{"verify", "extra"}, `verify takes no arguments, got "extra"`, "ledger verify"},
		{[]string{"explain"}, "want exactly one SECTION_ID", "ledger explain"},
		{[]string{"recipients", "check"}, "recipients check: want one or more FILE.xlsx", "ledger recipients check"},
		{[]string{"explain", "U01-S01", "U01-S02"}, "want exactly one SECTION_ID", "ledger explain"},
		{[]string{"import"}, "want exactly one FILE", "ledger import"},
		{[]string{"issue-credentials", "--count", "many"}, `--count: "many" is not a whole number`, "ledger issue-credentials"},
		{[]string{"standings", "--as-of"}, "flag needs an argument: --as-of", "ledger standings"},
		{[]string{"standings", "--format", "xml"}, "--format must be one of table, json, csv", "ledger standings"},
		{[]string{"standings", "--lang", "fr"}, `--lang "fr": want zh or en`, "ledger standings"},
		{[]string{"freeze-candidates"}, "--at is required", "ledger freeze-candidates"},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`, "ledger"},
		{[]string{"completion"}, "name a shell", "ledger completion"},
		{[]string{"completion", "tcsh"}, `unknown shell "tcsh"`, "ledger completion"},
		{[]string{"export", "standing", "--xlsx", "x.xlsx"}, `export: unknown export "standing"; did you mean standings?`, "ledger export"},
		{[]string{"export", "standings", "--frob"}, "export standings: unknown flag --frob", "ledger export standings"},
	} {
		code, out, errs := runEnv(t, env, c.args...)
		require.Empty(t, out, c.args)
		requireUsageError(t, code, errs, c.want, c.hint)
	}
}

func TestCompletionScripts(t *testing.T) {
	code, out, errs := runEnv(t, nil, "completion", "bash")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "# bash completion V2 for ledger")
	require.Contains(t, out, "__start_ledger")
	for _, sh := range []string{"zsh", "fish", "powershell"} {
		code, out, errs := runEnv(t, nil, "completion", sh)
		require.Equal(t, 0, code, errs)
		require.Contains(t, out, "ledger", sh)
	}
	// What the script asks the binary: commands, then a flag's values.
	code, out, _ = runEnv(t, nil, cobra.ShellCompRequestCmd, "stan")
	require.Equal(t, 0, code)
	require.Contains(t, out, "standings\t")
	code, out, _ = runEnv(t, nil, cobra.ShellCompRequestCmd, "standings", "--format", "")
	require.Equal(t, 0, code)
	require.Equal(t, "table\njson\ncsv\n:4\n", out)
}

func TestHelpInChinese(t *testing.T) {
	zh := map[string]string{"LANG": "zh_CN.UTF-8"}
	code, out, errs := runEnv(t, zh, "standings", "--help")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "排名：各科室得分、候选名单和评议结果")
	require.Contains(t, out, "用法：\n  ledger standings [flags]")
	require.Contains(t, out, "--format table|json|csv   输出格式：table|json|csv（默认 table）")
	require.Contains(t, out, "全局选项：")

	code, out, _ = runEnv(t, zh, "help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "命令：")
	require.Contains(t, out, "standings           排名")

	// --lang wins over the environment, either way.
	_, out, _ = runEnv(t, zh, "--lang", "en", "standings", "-h")
	require.Contains(t, out, "Usage:")
	require.NotContains(t, out, "排名")
	_, out, _ = runEnv(t, nil, "help", "standings", "--lang", "zh")
	require.Contains(t, out, "用法：")
	// LC_ALL comes before LANG.
	_, out, _ = runEnv(t, map[string]string{"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "-h")
	require.Contains(t, out, "用法：")
	_, out, _ = runEnv(t, map[string]string{"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "-h")
	require.Contains(t, out, "Usage:")
	_, out, _ = runEnv(t, map[string]string{"LANG": "zh_TW.UTF-8"}, "-h")
	require.Contains(t, out, "Usage:")

	// Outputs and errors stay English.
	code, _, errs = runEnv(t, zh, "standing")
	require.Equal(t, 2, code)
	require.Contains(t, errs, "did you mean standings?")
}

// TestMessagesComplete: every command and flag a person sees has its
// description in both languages, and the table holds nothing stale.
func TestMessagesComplete(t *testing.T) {
	root := tree(t)
	used := map[string]bool{"ledger long": true}
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		key := commandKey(cmd)
		require.Contains(t, messages, key, "command %q", key)
		used[key] = true
		cmd.InitDefaultHelpFlag()
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			k := key + " --" + f.Name
			if _, ok := messages[k]; !ok {
				k = "--" + f.Name
			}
			require.Contains(t, messages, k, "flag --%s of %q", f.Name, key)
			used[k] = true
		})
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				walk(sub)
			}
		}
	}
	walk(root)
	for k, m := range messages {
		require.NotEmpty(t, m.en, k)
		require.NotEmpty(t, m.zh, k)
		require.Equal(t, strings.Count(m.en, "`"), strings.Count(m.zh, "`"), "%s: the value's name in both", k)
		require.Equal(t, strings.Count(m.en, "%s"), strings.Count(m.zh, "%s"), k)
		if !strings.HasPrefix(k, "help.") {
			require.True(t, used[k], "message %q is used by no command or flag", k)
		}
	}
}

// TestFlagsAnywhere: flags before or after the command and its argument.
func TestFlagsAnywhere(t *testing.T) {
	store := "sqlite:" + filepath.Join(t.TempDir(), "l.db")
	code, _, errs := runEnv(t, nil, "import", scenario, "--store", store, "--historical")
	require.Equal(t, 0, code, errs)
	code, out, errs := runEnv(t, nil, "explain", "--format", "json", "U01-S03", "--store", store, "--known-at", "2022-01-01T00:00:00Z")
	require.Equal(t, 0, code, errs)
	_, again, _ := runEnv(t, nil, "--store", store, "explain", "U01-S03", "--known-at=2022-01-01T00:00:00Z", "--format=json")
	require.Equal(t, out, again)
	require.Contains(t, out, `"section_id":"U01-S03"`)
}

// TestShownStoreHidesCredentials: a message names the store without the
// user and password of an EventStoreDB connection string.
func TestShownStoreHidesCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"sqlite:ledger.db":                               "sqlite:ledger.db",
		"sqlite:///var/lib/ledger/2021.db":               "sqlite:///var/lib/ledger/2021.db",
		"esdb://localhost:2113?tls=false":                "esdb://localhost:2113?tls=false",
		"esdb://admin:changeit@db.example:2113?tls=true": "esdb://db.example:2113?tls=true",
		"kurrentdb+discover://ops:s3cret@cluster:2113":   "kurrentdb+discover://cluster:2113",
	} {
		c := &command{store: in}
		require.Equal(t, want, c.shownStore(), in)
	}
}

// A directory given for a file of events is named as one, before any store
// is opened or created.
func TestImportADirectory(t *testing.T) {
	dir := t.TempDir()
	for _, cmd := range []string{"import", "whatif"} {
		code, out, errs := run(t, dir, "", cmd, dir)
		require.Equal(t, 1, code, out)
		require.Equal(t, "ledger: "+cmd+": "+dir+" is a directory, not a file of events\n", errs)
	}
	_, err := os.Stat(filepath.Join(dir, "ledger.db"))
	require.ErrorIs(t, err, os.ErrNotExist, "no store made")
}

// A store URL that does not parse is named where it came from.
func TestBadStoreURLNamesItsSource(t *testing.T) {
	var errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "LEDGER_STORE" {
				return "bogus"
			}
			return ""
		},
		Now: time.Now}
	require.Equal(t, 2, m.Run(context.Background(), []string{"verify"}))
	require.Equal(t, "ledger: LEDGER_STORE \"bogus\": want sqlite:PATH or esdb://HOST:PORT (see 'ledger verify --help')\n", errb.String())
	errb.Reset()
	require.Equal(t, 2, m.Run(context.Background(), []string{"--store", "bogus", "verify"}))
	require.Equal(t, "ledger: --store \"bogus\": want sqlite:PATH or esdb://HOST:PORT (see 'ledger verify --help')\n", errb.String())
}

// 101 bad lines: 100 named, then the one more, in the singular.
func TestOneMoreBadLine(t *testing.T) {
	code, _, errs := run(t, t.TempDir(), strings.Repeat("x\n", 101), "import", "-")
	require.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	require.Equal(t, "... and 1 more bad line; nothing was appended", lines[100], errs)
}
