package demo_test

import (
	"os"
	"testing"

	"github.com/pingyang/ledger/internal/demo"
	"github.com/stretchr/testify/require"
)

func TestRosterCounts(t *testing.T) {
	units, err := demo.Roster()
	require.NoError(t, err)
	require.Len(t, units, 44)
	n := 0
	for _, u := range units {
		n += len(u.Sections)
	}
	require.Equal(t, 363, n)
	require.Equal(t, "U01", units[0].ID)
	require.Equal(t, "县发改局", units[0].Name)
	require.Equal(t, "U01-S01", units[0].Sections[0].ID)
	require.Equal(t, "发展规划综合科", units[0].Sections[0].Name)
	require.Equal(t, "U44", units[43].ID)
	require.Equal(t, "县滩涂围垦公司", units[43].Name)
	// The seed's typo, kept as printed.
	require.Equal(t, "禁毒工作指中心", units[5].Sections[22].Name)
	require.Len(t, units[5].Sections, 25) // 县公安局
}

func TestTestdataLinksToTheEmbeddedRoster(t *testing.T) {
	a, err := os.ReadFile("../../testdata/roster_2021.tsv")
	require.NoError(t, err)
	b, err := os.ReadFile("roster_2021.tsv")
	require.NoError(t, err)
	require.Equal(t, string(b), string(a))
}
