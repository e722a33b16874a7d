package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/pingyang/ledger/internal/labels"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command tree is github.com/spf13/cobra: the usage is generated from
// the flags themselves, with help per command, suggestions and shell
// completion. This file is the wiring common to every command; each
// command's flags and body are beside the code it calls (commands.go,
// serve.go, demo.go), and every description is in messages.go.

// root builds the command tree for one run.
func (c *command) root() *cobra.Command {
	root := &cobra.Command{
		Use:     "ledger",
		Version: version(),
		// Unknown commands come here (a root without Run would print its
		// help and exit 0), as does a line with no command at all.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("no command given")
			}
			return usagef("unknown command %q%s", args[0], didYouMean(cmd.SuggestionsFor(args[0]), ""))
		},
		SilenceErrors:     true,
		SilenceUsage:      true,
		ValidArgsFunction: cobra.NoFileCompletions,
		// Cobra sets the edit distance only on its own error path, which
		// ours replaces: without it, SuggestionsFor matches prefixes only.
		SuggestionsMinimumDistance: 2,
	}
	root.SetIn(c.m.Stdin)
	root.SetOut(c.m.Stdout)
	root.SetErr(c.m.Stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetHelpFunc(c.help)
	root.SetUsageFunc(func(cmd *cobra.Command) error {
		_, err := fmt.Fprint(cmd.OutOrStderr(), c.usage(cmd))
		return err
	})

	pf := root.PersistentFlags()
	pf.StringVar(&c.store, "store", "", "")
	pf.BoolVar(&c.init, "init", false, "")
	pf.StringVar(&c.key, "key", "", "")
	c.lang = lang(labels.FromLocale(c.m.Getenv))
	pf.Var(&c.lang, "lang", "")
	pf.Lookup("lang").DefValue = "" // the environment's: its description says so
	c.complete(root, "lang", string(english), string(chinese))

	root.AddCommand(
		c.importCmd(),
		c.standingsCmd(),
		c.explainCmd(),
		c.diffCmd(),
		c.whatifCmd(),
		c.verifyCmd(),
		c.freezeCmd(),
		c.credentialsCmd(),
		c.serveCmd(),
		c.demoCmd(),
		c.exportCmd(),
		c.templateCmd(),
		c.recipientsCmd(),
		c.keygenCmd(),
		c.checkpointCmd(),
		c.proveCmd(),
		c.auditCmd(),
	)
	// Made now rather than by Execute, so that they can be adjusted below
	// and described like the others.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, sub := range root.Commands() {
		switch sub.Name() {
		case "help":
			// cobra's own prints "Unknown help topic" and exits 0, or exits
			// the process (CheckErr) when writing fails.
			sub.Long = "" // the short description says it, in c.lang
			sub.Use = "help [COMMAND]"
			sub.Run = nil
			sub.RunE = c.helpCmd
		case "completion":
			// cobra's own prints the help, and exits 0, for a missing or
			// unknown shell. (Each shell's own long help, how to install
			// the script, stays cobra's, in English.)
			sub.Long = ""
			sub.Args = cobra.ArbitraryArgs
			sub.RunE = func(cmd *cobra.Command, args []string) error {
				var shells []string
				for _, s := range cmd.Commands() {
					shells = append(shells, s.Name())
				}
				if len(args) == 0 {
					return usagef("completion: name a shell: %s", strings.Join(shells, ", "))
				}
				return usagef("completion: unknown shell %q; want %s", args[0], strings.Join(shells, ", "))
			}
		}
	}
	c.localize(root)
	return root
}

// helpCmd is `ledger help [COMMAND...]`.
func (c *command) helpCmd(hc *cobra.Command, args []string) error {
	cmd, rest, err := hc.Root().Find(args)
	if err != nil {
		return usagef("help: %v", err)
	}
	if len(rest) > 0 && cmd.HasAvailableSubCommands() {
		return usagef("help: unknown command %q%s", rest[0], didYouMean(cmd.SuggestionsFor(rest[0]), ""))
	}
	cmd.InitDefaultHelpFlag()
	cmd.InitDefaultVersionFlag()
	return cmd.Help()
}

// exactArgs wants n positional arguments; msg is the usage error otherwise.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{msg}
		}
		return nil
	}
}

// someArgs wants at least one positional argument, saying msg if none.
func someArgs(msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError{msg}
		}
		return nil
	}
}

// noArgs wants no positional argument.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.Name(), args[0])
	}
	return nil
}

// flagError makes a flag that does not parse a usage error, with a
// suggestion for a mistyped name.
func flagError(cmd *cobra.Command, err error) error {
	prefix := ""
	if cmd.HasParent() {
		// The whole command below the root: export standings, not standings.
		prefix = strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ") + ": "
	}
	var ne *pflag.NotExistError
	if errors.As(err, &ne) {
		if shorts := ne.GetSpecifiedShortnames(); shorts != "" {
			// -store: a long flag with one dash, as Go's flag package took it.
			if f := cmd.Flags().Lookup(shorts); f != nil && !f.Hidden {
				return usagef("%sunknown flag -%s; did you mean --%s?", prefix, shorts, shorts)
			}
			return usagef("%s%v", prefix, err)
		}
		return usagef("%sunknown flag --%s%s", prefix, ne.GetSpecifiedName(),
			didYouMean(flagSuggestions(cmd.Flags(), ne.GetSpecifiedName()), "--"))
	}
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) {
		name := ive.GetFlag().Name
		switch ive.GetFlag().Value.Type() {
		case "int", "int64", "uint", "uint64":
			return usagef("%s--%s: %q is not a whole number", prefix, name, ive.GetValue())
		case "float64":
			return usagef("%s--%s: %q is not a number", prefix, name, ive.GetValue())
		case "bool":
			return usagef("%s--%s: %q is not true or false", prefix, name, ive.GetValue())
		}
		return usagef("%s--%s %q: %v", prefix, name, ive.GetValue(), ive.Unwrap())
	}
	return usagef("%s%v", prefix, err)
}

// flagSuggestions are the flags whose names are near name: within two
// edits, or starting with it.
func flagSuggestions(fs *pflag.FlagSet, name string) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || len(name) == 0 {
			return
		}
		if editDistance(name, f.Name) <= 2 || strings.HasPrefix(f.Name, name) {
			out = append(out, f.Name)
		}
	})
	return out
}

// didYouMean is "; did you mean X?" for the suggestions, or "".
func didYouMean(suggestions []string, prefix string) string {
	if len(suggestions) == 0 {
		return ""
	}
	for i, s := range suggestions {
		suggestions[i] = prefix + s
	}
	if len(suggestions) == 1 {
		return "; did you mean " + suggestions[0] + "?"
	}
	last := len(suggestions) - 1
	return "; did you mean " + strings.Join(suggestions[:last], ", ") + " or " + suggestions[last] + "?"
}

// editDistance is the Levenshtein distance between a and b, ignoring case.
func editDistance(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// complete offers fixed values for a flag in shell completion. cobra keeps
// these in a map of its own for the life of the process, so they are only
// registered when the shell asks (a test process makes many trees).
func (c *command) complete(cmd *cobra.Command, flag string, values ...string) {
	if !c.completing {
		return
	}
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// version is the module's version from the build, or "devel".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	v = "devel"
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + modified + ")"
	}
	return v
}

// localize sets every command's and flag's description in c.lang. The
// tree is made in the environment's language; help runs it again, once
// --lang has been parsed.
func (c *command) localize(root *cobra.Command) {
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		path := commandKey(cmd)
		if s, ok := msg(c.lang, path); ok {
			cmd.Short = s
		}
		if s, ok := msg(c.lang, path+" long"); ok {
			cmd.Long = s
		}
		cmd.InitDefaultHelpFlag()
		cmd.InitDefaultVersionFlag()
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				h, _ := msg(c.lang, "--help")
				f.Usage = fmt.Sprintf(h, cmd.Name())
				return
			}
			if s, ok := flagMsg(c.lang, cmd, f.Name); ok {
				f.Usage = s
			}
		})
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// commandKey is a command's key in the message table: its path below the
// root, or "ledger" for the root.
func commandKey(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// flagMsg is the description of cmd's flag name: "COMMAND --flag", else
// "--flag".
func flagMsg(l lang, cmd *cobra.Command, name string) (string, bool) {
	if s, ok := msg(l, commandKey(cmd)+" --"+name); ok {
		return s, true
	}
	return msg(l, "--"+name)
}

// help prints a command's description and usage to stdout.
func (c *command) help(cmd *cobra.Command, _ []string) {
	c.localize(cmd.Root())
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	w := cmd.OutOrStdout()
	if desc != "" {
		fmt.Fprintf(w, "%s\n\n", desc)
	}
	fmt.Fprint(w, c.usage(cmd))
}

// usage is a command's usage, generated from its subcommands and flags.
func (c *command) usage(cmd *cobra.Command) string {
	t := func(key string) string { s, _ := msg(c.lang, key); return s }
	var b strings.Builder
	b.WriteString(t("help.usage") + "\n")
	switch {
	case cmd.HasAvailableSubCommands():
		fmt.Fprintf(&b, "  %s COMMAND [flags]\n", cmd.CommandPath())
	default:
		fmt.Fprintf(&b, "  %s\n", cmd.UseLine())
	}
	if cmd.HasExample() {
		fmt.Fprintf(&b, "\n%s\n%s\n", t("help.examples"), cmd.Example)
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n%s\n", t("help.commands"))
		width := 0
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				width = max(width, len(sub.Name()))
			}
		}
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "  %-*s   %s\n", width, sub.Name(), sub.Short)
			}
		}
	}
	if fs := cmd.LocalFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(&b, "\n%s\n%s", t("help.flags"), c.flagUsages(fs))
	}
	if fs := cmd.InheritedFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(&b, "\n%s\n%s", t("help.global"), c.flagUsages(fs))
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n"+t("help.more")+"\n", cmd.CommandPath())
	}
	return b.String()
}

// flagUsages lists flags as pflag does (one a line, sorted, the value's
// name from the description's `word`), with the default in c.lang.
func (c *command) flagUsages(fs *pflag.FlagSet) string {
	type row struct{ name, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "    "
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "-" + f.Shorthand + ", "
		}
		varname, usage := pflag.UnquoteUsage(f)
		name += "--" + f.Name
		if varname != "" {
			name += " " + varname
		}
		switch f.DefValue {
		case "", "0", "false", "[]":
		default:
			d, _ := msg(c.lang, "help.default")
			usage += fmt.Sprintf(d, f.DefValue)
		}
		width = max(width, len(name))
		rows = append(rows, row{name, usage})
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s   %s\n", width, r.name, r.usage)
	}
	return b.String()
}
