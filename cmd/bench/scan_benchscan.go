//go:build benchscan

package main

import "github.com/pingyang/ledger/projections"

// Built with -tags benchscan, -scaling checks the fast standings against
// projections' full fold of every fact.
func init() { scanStandings = (*projections.State).BenchStandingsByScan }
