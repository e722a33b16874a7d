//go:build benchscan

package projections

// The full fold for cmd/bench's correctness check (`go run -tags benchscan
// ./cmd/bench -scaling ...`). It is built only with the benchscan tag, so it
// never ships in the ledger binary; it has its own name so that `go test
// -tags benchscan ./projections` still compiles beside export_test.go's.

// BenchStandingsByScan answers a view by folding every fact of its prefix,
// one by one, without the views' indexes.
func (s *State) BenchStandingsByScan(v View) *Standings {
	return s.computeByScan(v).standings()
}
