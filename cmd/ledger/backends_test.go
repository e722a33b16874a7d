package main

import (
	"fmt"
	"testing"

	"github.com/pingyang/ledger/events/esdb/esdbfake"
	"github.com/stretchr/testify/require"
)

// TestBackendsAgree imports the same file through SQLite and through the
// EventStoreDB backend (on the protocol fake) and expects byte-identical
// verify, standings and explain output.
func TestBackendsAgree(t *testing.T) {
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	stores := []string{"sqlite:" + t.TempDir() + "/l.db", f.URL() + "&stream=e2e"}
	var outs [][]string
	for _, st := range stores {
		code, out, errs := run(t, t.TempDir(), "", "--store", st, "import", "--historical", scenario)
		require.Equal(t, 0, code, errs)
		require.Equal(t, fmt.Sprintf("appended %d, unchanged 0\n", scenarioEvents), out)
		var got []string
		for _, args := range [][]string{
			{"verify"},
			{"standings", "--format", "json", "--known-at", "2022-01-01T00:00:00Z"},
			{"standings", "--format", "json", "--as-of", "2021-07-01", "--known-at", "2021-12-01"},
			{"explain", "U01-S03", "--format", "json", "--known-at", "2022-01-01T00:00:00Z"},
		} {
			code, out, errs := run(t, t.TempDir(), "", append([]string{"--store", st}, args...)...)
			require.Equal(t, 0, code, errs)
			got = append(got, out)
		}
		outs = append(outs, got)
	}
	for i := range outs[0] {
		require.Equal(t, outs[0][i], outs[1][i])
	}
}

// TestBackendsAgreeOnADemoYear: a larger import, so that the EventStoreDB
// backend writes many chunks and link batches.
func TestBackendsAgreeOnADemoYear(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a demo year twice")
	}
	f, err := esdbfake.Start()
	require.NoError(t, err)
	defer f.Stop()
	dir := t.TempDir()
	code, _, errs := run(t, dir, "", "demo", "--seed", "3", "--scale", "0.05", "--historical", "--out", dir+"/d.jsonl")
	require.Equal(t, 0, code, errs)
	var outs []string
	for _, st := range []string{"sqlite:" + dir + "/l.db", f.URL() + "&stream=demo"} {
		code, out, errs := run(t, dir, "", "--store", st, "import", "--historical", dir+"/d.jsonl")
		require.Equal(t, 0, code, errs)
		require.Contains(t, out, "unchanged 0")
		code, out, errs = run(t, dir, "", "--store", st, "standings", "--format", "json", "--known-at", "2023-01-01T00:00:00Z")
		require.Equal(t, 0, code, errs)
		outs = append(outs, out)
		// --deep also re-derives the checkpoint the import saved (on
		// EventStoreDB: several chunk events in a stream of its own).
		code, out, errs = run(t, dir, "", "--store", st, "verify", "--deep")
		require.Equal(t, 0, code, errs)
		require.Contains(t, out, "ok checkpoint at position")
		outs = append(outs, out)
	}
	require.Equal(t, outs[0], outs[2])
	require.Equal(t, outs[1], outs[3])
	require.Greater(t, f.Events("demo-checkpoint"), 2, "a checkpoint of several chunks")
	require.Greater(t, f.Events("online-demo"), 30000, "records are linked into their streams, under the ledger stream's name")
}
