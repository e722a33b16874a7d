// Command ledger is the Pingyang 2021 evaluation ledger: import, verify,
// standings, explain, candidate lists, credentials, the HTTP API and a demo
// year. It only parses flags and wires packages together; see
// ../../shared/spec/interface.md for the contract it implements.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pingyang/ledger/events"
)

// Exit statuses (interface.md).
const (
	exitOK      = 0
	exitRefused = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main holds what a command run needs from its process, so tests can run
// commands in-process with their own streams, environment and clock.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
}

// usageError is a command line that does not parse (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage: ledger [--store URL] COMMAND [flags]

commands:
  import [--historical] FILE|-   append JSON Lines events, all or nothing
  standings [--as-of DATE] [--known-at TIME] [--format table|json|csv]
  explain SECTION_ID [--as-of DATE] [--known-at TIME] [--format table|json]
  verify [--deep]                 re-derive every hash of the chain (--deep: and the checkpoint)
  freeze-candidates --at TIME     append the candidate list computed as of TIME
  issue-credentials --group recipient|representative --count N --at TIME
  serve [--addr 127.0.0.1:8080] [--tokens FILE] [--clock TIME] [--demo] [--allow-broken-chain]
  demo [--seed N] [--out FILE] [--historical] [--scale X]   write a realistic year of events

--store URL (or LEDGER_STORE): sqlite:PATH (default sqlite:ledger.db) or esdb://HOST:PORT?tls=false
`

// Run runs one command line and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	err := m.run(ctx, args)
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(m.Stderr, "ledger: %s\n", ue.msg)
		if !strings.Contains(ue.msg, "\n") {
			fmt.Fprint(m.Stderr, usage)
		}
		return exitUsage
	}
	var reported reportedError
	if !errors.As(err, &reported) {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(m.Stderr, "ledger: %s\n", line)
		}
	}
	return exitRefused
}

// reportedError has already been written to stderr in its own format.
type reportedError struct{ error }

func (m *Main) run(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("ledger", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	storeURL := global.String("store", "", "store URL")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(m.Stdout, usage)
			return nil
		}
		return usagef("%v", err)
	}
	rest := global.Args()
	if len(rest) == 0 {
		return usagef("no command given")
	}
	cmd, cargs := rest[0], rest[1:]
	c := &command{m: m, store: *storeURL}
	switch cmd {
	case "import":
		return c.importCmd(ctx, cargs)
	case "standings":
		return c.standingsCmd(ctx, cargs)
	case "explain":
		return c.explainCmd(ctx, cargs)
	case "verify":
		return c.verifyCmd(ctx, cargs)
	case "freeze-candidates":
		return c.freezeCmd(ctx, cargs)
	case "issue-credentials":
		return c.credentialsCmd(ctx, cargs)
	case "serve":
		return c.serveCmd(ctx, cargs)
	case "demo":
		return c.demoCmd(ctx, cargs)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	return usagef("unknown command %q", cmd)
}

// command is one invocation: the global flags plus helpers.
type command struct {
	m           *Main
	store       string
	allowBroken bool // serve --allow-broken-chain: open a tampered store for inspection
}

// flags makes a subcommand's flag set; every command also takes --store.
func (c *command) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.store, "store", c.store, "store URL")
	return fs
}

// parse parses flags and positionals in any order ("explain X --as-of D").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// storeURL resolves --store, then LEDGER_STORE, then the default.
func (c *command) storeURL() string {
	if c.store != "" {
		return c.store
	}
	if v := c.m.Getenv("LEDGER_STORE"); v != "" {
		return v
	}
	return "sqlite:ledger.db"
}

func parseBoundFlag(name, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := events.ParseBound(v)
	if err != nil {
		return nil, usagef("--%s: %v", name, err)
	}
	return &t, nil
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
