package main

import (
	"os/exec"
	"reflect"
	"testing"

	"github.com/pingyang/ledger/projections"
)

// The correctness check of -scaling reports a field that differs by more
// than the tolerance, a null against a number, and a list of another
// length; it lets a float pass that differs by less.
func TestCompareValuesFindsEveryDifference(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	base := func() *projections.Standings {
		return &projections.Standings{Events: 10, Candidates: []string{"U01-S01"},
			Sections: []projections.Row{{SectionID: "U01-S01", Total: f(90), Service: &projections.Service{Score: f(80), VotesH1: 3}}}}
	}
	for name, c := range map[string]struct {
		change func(*projections.Standings)
		diffs  int
	}{
		"equal":                 {func(*projections.Standings) {}, 0},
		"within 1e-9":           {func(s *projections.Standings) { *s.Sections[0].Total += 1e-12 }, 0},
		"a float off":           {func(s *projections.Standings) { *s.Sections[0].Service.Score += 1e-6 }, 1},
		"an int off":            {func(s *projections.Standings) { s.Sections[0].Service.VotesH1++ }, 1},
		"null against a number": {func(s *projections.Standings) { s.Sections[0].Hotline = f(1) }, 1},
		"another list":          {func(s *projections.Standings) { s.Candidates = nil }, 1},
		"a string":              {func(s *projections.Standings) { s.Sections[0].SectionID = "U01-S02" }, 1},
	} {
		t.Run(name, func(t *testing.T) {
			b := base()
			c.change(b)
			var diffs []string
			var maxd float64
			compareValues("standings", reflect.ValueOf(base()), reflect.ValueOf(b), 1e-9, &diffs, &maxd)
			if len(diffs) != c.diffs {
				t.Fatalf("%d differences, want %d: %q", len(diffs), c.diffs, diffs)
			}
		})
	}
}

// The full fold the -scaling check compares with is built only with the
// benchscan tag (it must not ship in the ledger binary): this keeps it
// compiling as projections changes.
func TestBenchscanBuildStillCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with another tag")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "vet", "-tags", "benchscan", "github.com/pingyang/ledger/projections", "github.com/pingyang/ledger/cmd/bench").CombinedOutput()
	if err != nil {
		t.Fatalf("go vet -tags benchscan: %v\n%s", err, out)
	}
}

func TestCommaGroupsThousands(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 3493012: "3,493,012", -12345: "-12,345"} {
		if got := comma(x); got != want {
			t.Errorf("comma(%v) = %q, want %q", x, got, want)
		}
	}
}
