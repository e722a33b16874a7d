package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/internal/memlimit"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/internal/when"
	"github.com/pingyang/ledger/replay"
	"github.com/spf13/cobra"
)

func (c *command) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "serve",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger serve --demo\n" +
			"  ledger --store sqlite:ledger.db serve --addr 0.0.0.0:8080 --tokens tokens.txt",
	}
	fs := cmd.Flags()
	addr := fs.String("addr", "127.0.0.1:8080", "")
	tokensPath := fs.String("tokens", "", "")
	clock := fs.String("clock", "", "")
	withDemo := fs.Bool("demo", false, "")
	witnessesPath := fs.String("witnesses", "", "")
	fs.BoolVar(&c.allowBroken, "allow-broken-chain", false, "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if err := checkAddr(*addr); err != nil {
			return err
		}
		if *withDemo && c.store == "" && c.m.Getenv("LEDGER_STORE") == "" {
			c.store = "sqlite:demo.db"
		}
		var demoSignIn string
		if *withDemo && *tokensPath == "" {
			// A newcomer should see every page: the demo has tokens of
			// its own, kept beside its database.
			path, inspector, err := demoTokens(c.storeURL())
			if err != nil {
				return fmt.Errorf("serve --demo: %w", err)
			}
			*tokensPath, demoSignIn = path, inspector
		}
		var tokens map[[32]byte]api.Role
		if *tokensPath != "" {
			f, err := os.Open(*tokensPath)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			tf, err := api.ReadTokens(f)
			st, serr := f.Stat()
			f.Close()
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			if serr == nil && st.Mode().Perm()&0o077 != 0 {
				fmt.Fprintf(c.m.Stderr, "ledger: warning: %s can be read by other users (mode %04o): chmod 600 %s\n",
					*tokensPath, st.Mode().Perm(), *tokensPath)
			}
			tokens = tf.Roles
			for _, line := range tf.Short {
				fmt.Fprintf(c.m.Stderr, "ledger: warning: %s line %d: the token is shorter than %d characters, and easy to guess\n",
					*tokensPath, line, api.MinTokenLength)
			}
		} else if !loopback(*addr) {
			return usagef("serve: without --tokens the server only listens on loopback, not %s", *addr)
		}
		var ballotClock func() time.Time
		if *clock != "" {
			t0, err := when.Bound(*clock)
			if err != nil {
				return usagef("serve: --clock: %v", err)
			}
			start := c.m.Now()
			ballotClock = func() time.Time { return t0.Add(c.m.Now().Sub(start)) }
		}
		var witnesses *transparency.Witnesses
		if *witnessesPath != "" {
			b, err := readSmall(*witnessesPath)
			if err != nil {
				return fmt.Errorf("serve: --witnesses: %w", err)
			}
			if witnesses, err = transparency.ParseWitnesses(string(b)); err != nil {
				return fmt.Errorf("serve: --witnesses %s: %w", *witnessesPath, err)
			}
		}
		c.create = true
		signer, err := c.signer()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		if signer == nil && *withDemo {
			prefix := demoKeyPrefix(c.storeURL())
			if signer, err = demoKey(prefix); err != nil {
				return fmt.Errorf("serve --demo: %w", err)
			}
			fmt.Fprintf(c.m.Stdout, "ledger: checkpoints are signed with the demo key %s.key; inspectors check them with %s.pub\n", prefix, prefix)
		}
		// The whole chain and the tree are checked while the state loads,
		// before the server answers anything.
		l, closeFn, err := c.openWith(ctx, replay.Options{Clock: c.m.Now, AllowBroken: c.allowBroken, CheckChain: true}, signer, false)
		if err != nil {
			return err
		}
		defer closeFn()
		memCtx, stopMem := context.WithCancel(ctx)
		defer stopMem()
		go memlimit.Serve(memCtx)
		if l.Broken != nil {
			fmt.Fprintf(c.m.Stderr, "ledger: WARNING: serving a broken chain for inspection, read-only (appends and ballots answer 503): %v\n", l.Broken)
		}
		if l.CacheRefused != "" {
			fmt.Fprintf(c.m.Stderr, "ledger: %s\n", l.CacheRefused)
		}
		if *withDemo && l.Len() == 0 {
			if err := c.loadDemo(ctx, l); err != nil {
				return err
			}
		}
		log := slog.New(slog.NewJSONHandler(c.m.Stderr, nil))
		// Keep the checkpoint near the head while serving (every 50,000
		// appended events), off the request path and one save at a time, so a
		// restart after a crash folds only a short tail.
		var saving atomic.Bool
		l.OnAppend(func(int) {
			if l.CheckpointDue() && saving.CompareAndSwap(false, true) {
				go func() {
					defer saving.Store(false)
					if err := l.SaveCheckpoint(context.WithoutCancel(ctx)); err != nil {
						log.Warn("checkpoint not saved", "err", err.Error())
					}
				}()
			}
		})
		srv := api.New(api.Config{Ledger: l, Tokens: tokens, BallotClock: ballotClock, Now: c.m.Now, Logger: log,
			Signer: signer, Witnesses: witnesses, Store: c.shownStore()})
		if err := srv.SignCheckpoint(ctx); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		ln, err := net.Listen("tcp", *addr)
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("serve: %s is in use (another ledger serve?): give another with --addr, e.g. --addr 127.0.0.1:8081", *addr)
		}
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		hs := &http.Server{
			Handler:           srv.Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second, // a slow client cannot hold a request open
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		}
		fmt.Fprintf(c.m.Stdout, "ledger: %d events, serving on http://%s\n", l.Len(), ln.Addr())
		if demoSignIn != "" {
			fmt.Fprintf(c.m.Stdout, "ledger: the desk is at http://%s/ ; sign in as an inspector with the token %s (demo tokens in %s)\n",
				ln.Addr(), demoSignIn, *tokensPath)
		}
		followCtx, stopFollow := context.WithCancel(ctx)
		defer stopFollow()
		go replay.Follow(followCtx, l, time.Second)
		// A fresh checkpoint at most half a second after the head moves:
		// appends in between share one signature.
		go srv.KeepSigning(followCtx, 500*time.Millisecond)
		errc := make(chan error, 1)
		go func() { errc <- hs.Serve(ln) }()
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-ctx.Done():
		}
		// In-flight requests finish; an append that was acknowledged is
		// already durable, so closing the store loses nothing.
		shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("shutdown", "err", err.Error())
		}
		stopFollow()
		if err := l.SaveCheckpoint(context.Background()); err != nil {
			log.Warn("checkpoint not saved", "err", err.Error())
		}
		fmt.Fprintln(c.m.Stdout, "ledger: stopped")
		return nil
	})
	return cmd
}

// checkAddr says what is missing from a listen address: "8081" is a port
// without a host, which net.Listen would refuse as "missing port".
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	switch {
	case err != nil && !strings.Contains(addr, ":"):
		if _, perr := strconv.Atoi(addr); perr == nil {
			return usagef("serve: --addr %q: the host is missing: write 127.0.0.1:%s (this machine only) or 0.0.0.0:%s (every interface, with --tokens)", addr, addr, addr)
		}
		return usagef("serve: --addr %q: the port is missing: write %s:8080", addr, addr)
	case err != nil:
		return usagef("serve: --addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", addr)
	case host == "":
		return usagef("serve: --addr %q: the host is missing: write 127.0.0.1%s (this machine only) or 0.0.0.0%s (every interface, with --tokens)", addr, addr, addr)
	case port == "":
		return usagef("serve: --addr %q: the port is missing: write %s8080", addr, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usagef("serve: --addr %q: the port must be a number from 0 to 65535", addr)
	}
	return nil
}

// demoTokens returns the demo's tokens file, beside the SQLite database
// (else in the working directory), made with random tokens on first use,
// and the inspector's token in it.
func demoTokens(store string) (path, inspector string, err error) {
	dir := "."
	if db, ok := strings.CutPrefix(store, "sqlite:"); ok {
		db, _ = strings.CutPrefix(db, "//")
		if db == "" {
			db = "ledger.db"
		}
		dir = filepath.Dir(db)
	}
	path = filepath.Join(dir, "demo-tokens.txt")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		var buf strings.Builder
		buf.WriteString("# the demo's tokens (ledger serve --demo): ROLE TOKEN\n")
		for _, role := range []string{"recorder", "inspector", "viewer"} {
			fmt.Fprintf(&buf, "%s %s-%s\n", role, role[:3], events.NewCode())
		}
		if err := os.WriteFile(path, []byte(buf.String()), 0o600); err != nil {
			return "", "", err
		}
		b = []byte(buf.String())
	} else if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "inspector" {
			return path, f[1], nil
		}
	}
	return "", "", fmt.Errorf("%s has no inspector token", path)
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loadDemo imports the demo year, as historical facts, into an empty store.
func (c *command) loadDemo(ctx context.Context, l *replay.Ledger) error {
	fmt.Fprintln(c.m.Stderr, "ledger: the store is empty; generating and importing the demo year")
	pr, pw := io.Pipe()
	go func() {
		_, err := demo.Generate(pw, demo.Options{Seed: 2021, Historical: true})
		pw.CloseWithError(err)
	}()
	seq, readErr := events.ReadLines(pr, events.DecodeOptions{Historical: true})
	res, err := l.Append(ctx, withProgress(seq, c.m.Stderr, true), replay.AppendOptions{Historical: true})
	pr.Close()
	if err == nil {
		err = readErr()
	}
	if err != nil {
		return fmt.Errorf("serve --demo: %w", err)
	}
	fmt.Fprintf(c.m.Stderr, "ledger: imported %d demo events\n", res.Appended)
	c.saveCheckpoint(ctx, l)
	return nil
}

// demoKeyPrefix is where serve --demo keeps its key: beside a SQLite
// database (demo.db: demo.key and demo.pub), else in the working directory.
func demoKeyPrefix(storeURL string) string {
	if path, ok := strings.CutPrefix(storeURL, "sqlite:"); ok {
		path, _ = strings.CutPrefix(path, "//")
		if path == "" {
			path = "ledger.db"
		}
		return strings.TrimSuffix(path, filepath.Ext(path))
	}
	return "demo"
}

// demoKey loads the demo key at prefix, making it the first time.
func demoKey(prefix string) (*transparency.Signer, error) {
	if _, err := os.Stat(prefix + ".key"); errors.Is(err, os.ErrNotExist) {
		if _, err := writeKeyPair(prefix, "pingyang-ledger/demo"); err != nil {
			return nil, err
		}
	}
	return loadSigner(prefix + ".key")
}
