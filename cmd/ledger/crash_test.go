package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary stand in for the ledger binary, so that
// crash tests can run it as a child process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("LEDGER_AS_CHILD") == "1" {
		mm := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
		ctx, stop := signalContext()
		defer stop()
		os.Exit(mm.Run(ctx, os.Args[1:]))
	}
	// One office key for every test of the package: the commands they run
	// (in-process with run, or as children) seal and trust the fold's cache
	// with it, as the office's own commands do.
	dir, err := os.MkdirTemp("", "ledger-test-key")
	if err != nil {
		panic(err)
	}
	if _, err := writeKeyPair(filepath.Join(dir, "office"), "test.example/ledger"); err != nil {
		panic(err)
	}
	officeKey = filepath.Join(dir, "office.key")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// officeKey is the test office's signer key file (LEDGER_KEY).
var officeKey string

func child(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LEDGER_AS_CHILD=1", "LEDGER_KEY="+officeKey)
	return cmd
}

// storeState opens the store in-process, verifies it and returns its ids.
func storeState(t *testing.T, path string) (int64, map[uuid.UUID]bool) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err, "the store must open after a kill")
	defer s.Close()
	n, _, err := events.Verify(context.Background(), s)
	require.NoError(t, err, "the chain must verify after a kill")
	ids := map[uuid.UUID]bool{}
	require.NoError(t, s.Read(context.Background(), 0, 0, func(r *events.Record) error {
		ids[r.ID] = true
		return nil
	}))
	return n, ids
}

func bigImport(t *testing.T, n int) string {
	var b bytes.Buffer
	by := eventstest.WithActor("t")
	fmt.Fprintln(&b, eventstest.Line(events.UnitRegistered, "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithID(uuid.NewString()), by))
	fmt.Fprintln(&b, eventstest.Line(events.SectionRegistered, "2020-12-01T09:00:00+08:00", `{"section_id":"S1","unit_id":"U1","name":"n","enforcement":false}`, eventstest.WithID(uuid.NewString()), by))
	for i := 0; i < n; i++ {
		respondent := "r-" + strings.ReplaceAll(fmt.Sprintf("%x", i), "", "") + "-" + letters(i)
		fmt.Fprintln(&b, eventstest.Line(events.ServiceVoteRecorded, "2021-06-01T09:00:00+08:00",
			`{"section_id":"S1","round":"H1","respondent":"`+respondent+`","rating":"basic"}`, eventstest.WithID(uuid.NewString()), by))
	}
	path := filepath.Join(t.TempDir(), "big.jsonl")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

func letters(i int) string {
	s := []byte{}
	for k := 0; k < 6; k++ {
		s = append(s, byte('a'+i%26))
		i /= 26
	}
	return string(s)
}

// TestCrashSafety kills a child importing a large file, and a child
// serving appends, with SIGKILL at random moments, and checks after each
// kill that the store opens and verifies, that every acknowledged event is
// there and that no batch is half stored.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes for ~20 s")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	const votes = 40000
	file := bigImport(t, votes)
	kills := 0
	imported := false
	// Part one: imports are all or nothing, whenever they are killed.
	for i := 0; i < 60 && kills < 10; i++ {
		cmd := child("--store", "sqlite:"+db, "import", file)
		require.NoError(t, cmd.Start())
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err != nil {
			kills++
		}
		n, _ := storeState(t, db)
		if imported {
			require.Equal(t, int64(votes+2), n)
		} else {
			require.Contains(t, []int64{0, votes + 2}, n, "an import is never half stored")
			imported = n > 0
		}
	}
	// Part two: appends through the API, acknowledged batch by batch.
	tokens := filepath.Join(dir, "tokens")
	require.NoError(t, os.WriteFile(tokens, []byte("recorder crash-test-token-0123456789\n"), 0o600))
	acked := map[uuid.UUID]bool{}
	base, _ := storeState(t, db)
	unit := 0
	for i := 0; i < 12; i++ {
		cmd, addr, _ := startServer(t, db, tokens)
		deadline := time.Now().Add(time.Duration(100+rng.IntN(700)) * time.Millisecond)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			client := &http.Client{Timeout: 5 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				var batch []string
				var ids []uuid.UUID
				for k := 0; k < 10; k++ {
					unit++
					id := uuid.New()
					ids = append(ids, id)
					batch = append(batch, eventstest.Line(events.UnitRegistered, "2021-01-01T00:00:00+08:00", fmt.Sprintf(`{"unit_id":"K%d","name":"n"}`, unit),
						eventstest.WithID(id.String()), eventstest.WithActor("t")))
				}
				req, _ := http.NewRequest("POST", "http://"+addr+"/v1/events", strings.NewReader("["+strings.Join(batch, ",")+"]"))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer crash-test-token-0123456789")
				resp, err := client.Do(req)
				if err != nil {
					return // the server was killed
				}
				var envs []json.RawMessage
				ok := resp.StatusCode == 201 && json.NewDecoder(resp.Body).Decode(&envs) == nil && len(envs) == 10
				resp.Body.Close()
				if ok {
					for _, id := range ids {
						acked[id] = true
					}
				}
			}
		}()
		time.Sleep(time.Until(deadline))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		if cmd.Wait() != nil {
			kills++
		}
		close(stop)
		<-done
		n, ids := storeState(t, db)
		for id := range acked {
			require.True(t, ids[id], "acknowledged event %s lost", id)
		}
		require.Zero(t, (n-base)%10, "a batch of 10 was half stored: %d events after %d", n, base)
	}
	require.GreaterOrEqual(t, kills, 20)
	require.NotEmpty(t, acked)
	t.Logf("%d kills survived, %d acknowledged API events checked", kills, len(acked))
}

// TestGracefulShutdown: on SIGTERM the server finishes, saves its
// checkpoint and exits 0, and what it acknowledged is stored.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child server")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	tokens := filepath.Join(dir, "tokens")
	require.NoError(t, os.WriteFile(tokens, []byte("recorder graceful-token-0123456789\n"), 0o600))
	cmd, addr, lines := startServer(t, db, tokens)
	id := uuid.New()
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/events", strings.NewReader(eventstest.Line(events.UnitRegistered, "2021-01-01T00:00:00+08:00",
		`{"unit_id":"U1","name":"n"}`, eventstest.WithID(id.String()), eventstest.WithActor("t"))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer graceful-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.True(t, lines.Scan())
	require.Equal(t, "ledger: stopped", lines.Text())
	require.NoError(t, cmd.Wait())
	n, ids := storeState(t, db)
	require.Equal(t, int64(1), n)
	require.True(t, ids[id])
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	c, _, err := eventstest.LoadCheckpoint(context.Background(), s)
	require.NoError(t, err)
	require.Equal(t, int64(1), c.Position)
}

// startServer runs `ledger serve` as a child on a free loopback port and
// waits until it says it is serving.
func startServer(t *testing.T, db, tokens string) (*exec.Cmd, string, *bufio.Scanner) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cmd := child("--store", "sqlite:"+db, "serve", "--addr", addr, "--tokens", tokens)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)
	require.True(t, lines.Scan(), "server did not start")
	require.Contains(t, lines.Text(), "serving on")
	return cmd, addr, lines
}
