package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadOnlyStoreStillAnswers: a ledger file that may not be written, in
// a directory that may not be written either (an inspector's copy on
// read-only media), still answers verify, verify --deep, standings and
// explain, the same as when it is writable; an import says it cannot
// write (issue #13, item 12: every command tried to bring the schema up to
// date first, and failed).
//
// Permissions do not bind root, so as root the commands run as nobody,
// from a copy of the test binary that nobody may run.
func TestReadOnlyStoreStillAnswers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("runs the ledger as another user, which this test does on Linux only")
	}
	top, err := os.MkdirTemp("", "ledger-readonly")
	require.NoError(t, err)
	t.Cleanup(func() {
		filepath.Walk(top, func(p string, info os.FileInfo, err error) error {
			if err == nil {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(top)
	})
	dir := filepath.Join(top, "store")
	require.NoError(t, os.Mkdir(dir, 0o755))
	code, _, errs := run(t, dir, "", "import", "--historical", scenario)
	require.Equal(t, 0, code, errs)
	commands := [][]string{
		{"verify"},
		{"verify", "--deep"},
		{"standings", "--known-at", "2022-01-01", "--format", "json"},
		{"explain", "U01-S01", "--known-at", "2022-01-01", "--format", "json"},
	}
	var want []string
	for _, args := range commands {
		code, out, errs := run(t, dir, "", args...)
		require.Equal(t, 0, code, errs)
		want = append(want, out)
	}
	bin := os.Args[0]
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		bin = filepath.Join(top, "ledger.test")
		copyFile(t, os.Args[0], bin)
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	require.NoError(t, os.Chmod(filepath.Join(dir, "ledger.db"), 0o444))
	require.NoError(t, os.Chmod(dir, 0o555))
	require.NoError(t, os.Chmod(top, 0o755))
	as := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "LEDGER_AS_CHILD=1", "LEDGER_STORE=sqlite:"+filepath.Join(dir, "ledger.db"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil {
			require.ErrorAs(t, err, &ee, errb.String())
			return ee.ExitCode(), out.String(), errb.String()
		}
		return 0, out.String(), errb.String()
	}
	for i, args := range commands {
		code, out, errs := as(args...)
		require.Equal(t, 0, code, "%v: %s", args, errs)
		require.Equal(t, want[i], out, "%v", args)
		require.Empty(t, errs, "%v", args)
	}
	code, _, errs = as("import", "--historical", scenario)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "readonly database")
	_, err = os.Stat(filepath.Join(dir, "ledger.db-wal"))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing was written beside the file")
}

func copyFile(t *testing.T, from, to string) {
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}
