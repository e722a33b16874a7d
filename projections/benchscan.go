//go:build benchscan

package projections

import "github.com/pingyang/ledger/events"

// The full fold for cmd/bench's correctness check (`go run -tags benchscan
// ./cmd/bench -scaling ...`): the same fold as StandingsByScan in
// export_test.go, which tests alone can reach. It is built only with the
// benchscan tag, so it never ships in the ledger binary; it has its own name
// so that `go test -tags benchscan ./projections` still compiles.

// BenchStandingsByScan answers a view by folding every fact of its prefix,
// one by one, without the views' indexes.
func (s *State) BenchStandingsByScan(v View) *Standings {
	c := s.newCalc(v)
	a := events.Nanos(v.AsOf)
	for pos := int64(1); pos <= c.n; pos++ {
		c.fold(pos, a)
	}
	c.finish()
	return c.standings()
}
