package projections

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
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
			switch rng.IntN(4) {
			case 3: // file k unless it is filed: find, then fill
				i, had := tab.find(hash(k), match, hashAt)
				require.Equal(t, want[k], had, "spread %d step %d key %d", spread, step, k)
				if had == 0 {
					keyAt = append(keyAt, k)
					pos := int64(len(keyAt) - 1)
					tab.fill(i, pos)
					want[k] = pos
				}
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

// TestClaimedIDSlots: check claims the slot where a record's id goes and
// Add fills it; a claim left by a refused record is never filled for
// another record, whether at the same position or after the table grew.
func TestClaimedIDSlots(t *testing.T) {
	st := New()
	unit := func(id uuid.UUID, u string) *events.Event {
		ev, ferr := events.Build(time.Date(2020, 12, 1, 9, 0, 0, 0, events.CST), "t", &events.UnitRegisteredData{UnitID: u, Name: "n"})
		require.Nil(t, ferr)
		ev.ID = id
		return ev
	}
	section := func(id uuid.UUID, s, u string) *events.Event {
		ev, ferr := events.Build(time.Date(2020, 12, 1, 9, 0, 0, 0, events.CST), "t", &events.SectionRegisteredData{SectionID: s, UnitID: u, Name: "n", Enforcement: new(bool)})
		require.Nil(t, ferr)
		ev.ID = id
		return ev
	}
	at := time.Date(2020, 12, 1, 2, 0, 0, 0, time.UTC)
	add := func(ev *events.Event, check bool) *events.FieldError {
		r, _ := events.Seal(st.Head, ev, at, nil)
		return st.Add(r, ev.Body, check)
	}
	ids := map[uuid.UUID]int64{}
	u1 := uuid.New()
	require.Nil(t, add(unit(u1, "U1"), true))
	ids[u1] = 1
	// Refused after its id was claimed at position 2 (no unit U9)...
	refused := uuid.New()
	require.NotNil(t, add(section(refused, "U9-S01", "U9"), true))
	// ... then another record at 2, checked, and one at 3 not checked.
	b := uuid.New()
	require.Nil(t, add(section(b, "U1-S01", "U1"), true))
	ids[b] = 2
	require.NotNil(t, add(section(uuid.New(), "U9-S02", "U9"), true))
	d := uuid.New()
	require.Nil(t, add(unit(d, "U2"), false))
	ids[d] = 3
	lookups := func() {
		t.Helper()
		for id, pos := range ids {
			got, ok := st.Lookup(id)
			require.True(t, ok, id)
			require.Equal(t, pos, got, id)
		}
	}
	lookups() // before the table grows, which files every entry again
	// A refused claim, then enough records to grow the table.
	require.NotNil(t, add(section(uuid.New(), "U9-S03", "U9"), true))
	for i := 0; i < 200; i++ {
		id := uuid.New()
		require.Nil(t, add(unit(id, fmt.Sprintf("V%03d", i)), i%2 == 0))
		ids[id] = int64(4 + i)
	}
	lookups()
	_, ok := st.Lookup(refused)
	require.False(t, ok)
	// A repeated id is refused by check, naming where it is.
	ferr := add(unit(b, "U3"), true)
	require.NotNil(t, ferr)
	require.Equal(t, fmt.Sprintf("id: event %s is already stored (position 2)", b), ferr.Error())
}
