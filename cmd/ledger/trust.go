package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/spf13/cobra"
)

// The transparency commands (docs/transparency.md): keygen, checkpoint,
// prove and audit. The office's key also seals the fold's cache (the global
// --key), so that a cache edited in the store is never used.

// keyFile is --key, else LEDGER_KEY.
func (c *command) keyFile() string {
	if c.key != "" {
		return c.key
	}
	return c.m.Getenv("LEDGER_KEY")
}

// signer loads the office's key, or nil when none is given.
func (c *command) signer() (*transparency.Signer, error) {
	path := c.keyFile()
	if path == "" {
		return nil, nil
	}
	return loadSigner(path)
}

func loadSigner(path string) (*transparency.Signer, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	s, err := transparency.NewSigner(string(b))
	if err != nil {
		return nil, fmt.Errorf("--key %s: %v", path, err)
	}
	return s, nil
}

// readSmall reads a key or list file, refusing anything over 1 MiB.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 1<<20+1)
	n, err := f.Read(b)
	if err != nil && n == 0 {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("%s: larger than 1 MiB", path)
	}
	return b[:n], nil
}

// writeKeyPair writes PREFIX.key (mode 0600, never over an existing file)
// and PREFIX.pub.
func writeKeyPair(prefix, origin string) (string, error) {
	skey, vkey, err := transparency.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", err
	}
	keyPath, pubPath := prefix+".key", prefix+".pub"
	f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("%s exists already: a key is never overwritten (remove it first if you mean to)", keyPath)
		}
		return "", err
	}
	_, werr := f.WriteString(skey + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(keyPath)
		return "", err
	}
	if err := os.WriteFile(pubPath, []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	return vkey, nil
}

func (c *command) keygenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keygen", Args: noArgs, ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger keygen --origin pingyang.gov.cn/ledger/2021 --out office\n" +
			"  ledger keygen --origin inspector-wang --out wang     (a witness key)"}
	fs := cmd.Flags()
	origin := fs.String("origin", "", "")
	out := fs.String("out", "", "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if *out == "" {
			return usagef("keygen: --out PREFIX is required")
		}
		if err := transparency.CheckOrigin(*origin); err != nil {
			return usagef("keygen: --%v", err)
		}
		vkey, err := writeKeyPair(*out, *origin)
		if err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		fmt.Fprintf(c.m.Stdout, "wrote %s.key (secret, mode 0600) and %s.pub: %s\n", *out, *out, vkey)
		return nil
	})
	return cmd
}

func (c *command) checkpointCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "checkpoint", Args: noArgs, ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger checkpoint --key office.key > checkpoint.txt"}
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if c.keyFile() == "" {
			return usagef("checkpoint: --key FILE is required (the office's signer key, from ledger keygen)")
		}
		s, err := c.signer()
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		// It only reads, but signs: never a checkpoint of a store it
		// would create.
		c.existing = true
		st, _, err := c.openStore(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		// The root signed is the one the events give, re-derived here, and
		// only if the store's own tree and chain agree with it: the office
		// never signs a log it has not checked.
		v, err := events.VerifyLog(ctx, st, events.VerifyOptions{})
		if err != nil {
			var ve *events.VerifyError
			if errors.As(err, &ve) {
				return fmt.Errorf("checkpoint: nothing signed: the store does not verify: FAILED at %s; run `ledger verify`", ve)
			}
			return fmt.Errorf("checkpoint: %w", err)
		}
		note, err := s.Sign(v.Events, v.Root)
		if err != nil {
			return err
		}
		_, err = c.m.Stdout.Write(note)
		return err
	})
	return cmd
}

func (c *command) proveCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "prove", Args: noArgs, ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger prove --position 1234 --size 379903\n  ledger prove --from 300000 --to 379903"}
	fs := cmd.Flags()
	position := fs.Int64("position", 0, "")
	size := fs.Int64("size", 0, "")
	from := fs.Int64("from", 0, "")
	to := fs.Int64("to", 0, "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		inclusion := fs.Changed("position") || fs.Changed("size")
		consistency := fs.Changed("from") || fs.Changed("to")
		switch {
		case inclusion == consistency:
			return usagef("prove: give --position P --size N (inclusion) or --from M --to N (consistency)")
		case inclusion && (!fs.Changed("position") || !fs.Changed("size")):
			return usagef("prove: an inclusion proof needs both --position and --size")
		case consistency && (!fs.Changed("from") || !fs.Changed("to")):
			return usagef("prove: a consistency proof needs both --from and --to")
		case inclusion && (*position < 1 || *size < *position):
			return usagef("prove: want 1 <= --position <= --size")
		case consistency && (*from < 1 || *to < *from):
			return usagef("prove: want 1 <= --from <= --to")
		}
		st, _, err := c.openStore(ctx, true) // it only reads
		if err != nil {
			return err
		}
		defer st.Close()
		head, err := st.Head(ctx)
		if err != nil {
			return fmt.Errorf("prove: %w", err)
		}
		n := max(*size, *to)
		if n > head.Position {
			return fmt.Errorf("prove: size %d is past the log's size %d", n, head.Position)
		}
		var out any
		if inclusion {
			p, err := events.InclusionProof(ctx, st, *position-1, *size)
			if err == nil {
				// The store was not verified: a proof is printed only if it
				// holds against the store's own leaf and root.
				err = events.CheckInclusion(ctx, st, *position-1, *size, p)
			}
			if err != nil {
				return fmt.Errorf("prove: %w", err)
			}
			out = api.InclusionJSON{LeafIndex: *position - 1, TreeSize: *size, Hashes: b64s(p)}
		} else {
			p, err := events.ConsistencyProof(ctx, st, *from, *to)
			if err == nil {
				err = events.CheckConsistency(ctx, st, *from, *to, p)
			}
			if err != nil {
				return fmt.Errorf("prove: %w", err)
			}
			out = api.ConsistencyJSON{From: *from, To: *to, Hashes: b64s(p)}
		}
		b, _ := json.Marshal(out)
		fmt.Fprintf(c.m.Stdout, "%s\n", b)
		return nil
	})
	return cmd
}

func b64s(hs []events.Hash) []string {
	out := make([]string, len(hs))
	for i := range hs {
		out[i] = base64.StdEncoding.EncodeToString(hs[i][:])
	}
	return out
}

func (c *command) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Args: noArgs, ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger audit --url https://ledger.example --pub office.pub --state ~/.ledger-audit\n" +
			"  ledger audit --url http://127.0.0.1:8080 --pub demo.pub --state audit --token $INSPECTOR --event 1b4e28ba-2fa1-11d2-883f-0016d3cca427"}
	fs := cmd.Flags()
	u := fs.String("url", "", "")
	pub := fs.String("pub", "", "")
	state := fs.String("state", "", "")
	token := fs.String("token", "", "")
	event := fs.String("event", "", "")
	full := fs.Bool("full", false, "")
	witness := fs.String("witness-key", "", "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		switch {
		case *u == "":
			return usagef("audit: --url URL is required (the ledger server)")
		case *pub == "":
			return usagef("audit: --pub FILE is required (the office's public key)")
		case *state == "":
			return usagef("audit: --state DIR is required (where the last checkpoint seen is kept)")
		}
		if pu, err := url.Parse(*u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return usagef("audit: --url %q: want http://HOST:PORT or https://HOST", *u)
		}
		b, err := readSmall(*pub)
		if err != nil {
			return fmt.Errorf("audit: --pub: %w", err)
		}
		v, err := transparency.NewVerifier(string(b))
		if err != nil {
			return fmt.Errorf("audit: --pub %s: %v", *pub, err)
		}
		opt := transparency.AuditOptions{URL: *u, Verifier: v, StateDir: filepath.Clean(*state), Token: *token,
			Event: strings.TrimSpace(*event), Full: *full, Now: c.m.Now, Client: &http.Client{Timeout: 120 * time.Second}}
		if *witness != "" {
			wb, err := readSmall(*witness)
			if err != nil {
				return fmt.Errorf("audit: --witness-key: %w", err)
			}
			if opt.Witness, err = transparency.NewCosigner(string(wb), c.m.Now); err != nil {
				return fmt.Errorf("audit: --witness-key %s: %v", *witness, err)
			}
		}
		res, err := transparency.Audit(ctx, opt)
		if err != nil && res.Kept {
			// The checkpoint itself passed and is kept: say so, then what
			// the later step found.
			fmt.Fprintf(c.m.Stdout, "ok size %d root %s\n", res.Checkpoint.Size, res.Checkpoint.RootBase64())
		}
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		fmt.Fprintf(c.m.Stdout, "ok size %d root %s\n", res.Checkpoint.Size, res.Checkpoint.RootBase64())
		if len(res.Cosigned) > 0 {
			fmt.Fprintf(c.m.Stdout, "cosigned by %s\n", strings.Join(res.Cosigned, ", "))
		}
		return nil
	})
	return cmd
}
