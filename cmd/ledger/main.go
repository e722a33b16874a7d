// Command ledger is the Pingyang 2021 evaluation ledger: import, verify,
// standings, explain, candidate lists, credentials, the HTTP API and a demo
// year. It only parses flags (github.com/spf13/cobra, cli.go) and wires
// packages together; see docs/interface.md for the contract it implements.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pingyang/ledger/internal/when"
	"github.com/spf13/cobra"
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

// Run runs one command line and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	c := &command{m: m, completing: len(args) > 0 && strings.HasPrefix(args[0], cobra.ShellCompRequestCmd)}
	root := c.root()
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) || !c.started {
		// Anything before the command started (an unknown command or
		// flag, a flag value or an argument count that does not do) is a
		// usage error too: one line (the interface's "one line each")
		// naming what was wrong and where to read more.
		if cmd == nil || cmd.Name() == "help" {
			cmd = root
		}
		fmt.Fprintf(m.Stderr, "ledger: %s (see '%s --help')\n", strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; "), cmd.CommandPath())
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

// command is one invocation: the global flags plus helpers.
type command struct {
	m           *Main
	store       string
	lang        lang   // --lang, else the environment's
	allowBroken bool   // serve --allow-broken-chain: open a tampered store for inspection
	init        bool   // --init: create the store if it does not exist, without a note
	create      bool   // the command creates its store (import, serve)
	fresh       bool   // a read command created the store: openStore noted it
	existing    bool   // the command appends to or signs an existing ledger: it never creates one
	started     bool   // flags and arguments parsed, a command body runs (c.run)
	completing  bool   // the shell asks for completions (cobra's __complete)
	key         string // --key: the office's signer key (checkpoints, the fold's cache seal)
}

// run makes a command body a cobra RunE: ctx is the run's context, pos the
// positional arguments. Once a body runs, its usage errors say so
// themselves (usageError) and any other error is a refusal; every error
// before it is cobra's parsing, a usage error.
func (c *command) run(body func(ctx context.Context, pos []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, pos []string) error {
		c.started = true
		return body(cmd.Context(), pos)
	}
}

// shownStore is the store's URL as a message may show it: without the
// user and password an EventStoreDB connection string may carry.
func (c *command) shownStore() string {
	raw := c.storeURL()
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
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
	t, err := when.Bound(v)
	if err != nil {
		return nil, usagef("--%s: %v", name, err)
	}
	return &t, nil
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
