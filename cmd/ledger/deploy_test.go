package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSystemdUnit checks ledger.service with systemd-analyze verify where
// the machine has it. The unit names /usr/local/bin/ledger, which a test
// machine has not installed: the copy verified names this test's own binary
// instead, so that every other line is checked as written.
func TestSystemdUnit(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit cannot be verified on this machine")
	}
	unit, err := os.ReadFile("../../ledger.service")
	require.NoError(t, err)
	self, err := os.Executable()
	require.NoError(t, err)
	require.Contains(t, string(unit), "ExecStart=/usr/local/bin/ledger serve ")
	path := filepath.Join(t.TempDir(), "ledger.service")
	require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/local/bin/ledger", self)), 0o644))
	out, err := exec.Command(sa, "verify", path).CombinedOutput()
	if err != nil && strings.Contains(string(out), "Failed to") && strings.Contains(string(out), "bus") {
		t.Skipf("systemd-analyze cannot run here: %s", out)
	}
	require.NoError(t, err, string(out))
	require.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze has remarks")
}

// TestDockerfile builds the image where a Docker daemon answers; the
// machine this was written on has the client only.
func TestDockerfile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an image")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("docker is not installed: the image cannot be built on this machine")
	}
	if out, err := exec.Command(docker, "info").CombinedOutput(); err != nil {
		t.Skipf("no Docker daemon answers, so the image cannot be built here: %s", firstLine(string(out)))
	}
	out, err := exec.Command(docker, "build", "-t", "pingyang-ledger:test", "../..").CombinedOutput()
	require.NoError(t, err, string(out))
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "rror") || strings.Contains(l, "annot") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(s)
}
