package projections

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPosTableAgainstAMap drives the positions table with random sets,
// replacements and drops, under a hash that collides a lot (so that probes
// run long and wrap around), and compares it with a map after every step.
func TestPosTableAgainstAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, spread := range []uint64{3, 17, 1 << 40} {
		keyAt := []uint64{0} // position -> key; position 0 is never used
		hash := func(k uint64) uint64 { return k % spread * 0x9e3779b97f4a7c15 }
		hashAt := func(p uint32) uint64 { return hash(keyAt[p]) }
		var tab posTable
		want := map[uint64]int64{}
		for step := 0; step < 20000; step++ {
			k := uint64(rng.IntN(500))
			match := func(p uint32) bool { return keyAt[p] == k }
			switch rng.IntN(3) {
			case 0, 1: // file k at a new position
				keyAt = append(keyAt, k)
				pos := int64(len(keyAt) - 1)
				tab.set(hash(k), pos, match, hashAt)
				want[k] = pos
			case 2:
				if pos, ok := want[k]; ok {
					tab.drop(hash(k), pos, hashAt)
					delete(want, k)
				}
			}
			if step%97 == 0 || step > 19900 {
				for kk := uint64(0); kk < 500; kk++ {
					got := tab.get(hash(kk), func(p uint32) bool { return keyAt[p] == kk })
					require.Equal(t, want[kk], got, "spread %d step %d key %d", spread, step, kk)
				}
				require.Equal(t, len(want), tab.n)
			}
		}
	}
}

// TestFactTableAcrossChunks cuts and regrows the chunked fact table across
// chunk boundaries and compares it with a plain slice.
func TestFactTableAcrossChunks(t *testing.T) {
	var tab factTable
	var want []Fact
	rng := rand.New(rand.NewPCG(5, 6))
	next := int64(0)
	for step := 0; step < 40; step++ {
		if rng.IntN(3) == 0 && len(want) > 0 {
			n := rng.IntN(len(want) + 1)
			tab.cut(n)
			want = want[:n]
		} else {
			for k := rng.IntN(3 * factChunk / 2); k > 0; k-- {
				next++
				tab.add(Fact{Target: next})
				want = append(want, Fact{Target: next})
			}
		}
		require.Equal(t, len(want), tab.len())
		for _, i := range []int{0, len(want) / 2, len(want) - 1, rng.IntN(max(len(want), 1))} {
			if i >= 0 && i < len(want) {
				require.Equal(t, want[i].Target, tab.at(int64(i)).Target)
			}
		}
	}
	snap := tab.shared()
	tab.add(Fact{Target: -1})
	require.Equal(t, len(want), snap.len())
}
