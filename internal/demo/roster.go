// Package demo makes a realistic, deterministic evaluation year: the 2021
// roster of Attachment 1 (44 units, 363 sections) and a year of facts about
// it, validated by the ledger's own rules as it is made, so that it always
// imports cleanly.
package demo

import (
	_ "embed"
	"fmt"
	"strings"
)

// rosterTSV is Attachment 1 of the seed, one section a line, names exactly
// as printed (typos kept: see README). testdata/roster_2021.tsv links here.
//
//go:embed roster_2021.tsv
var rosterTSV string

// Section of the 2021 roster.
type Section struct {
	ID, Name    string
	Enforcement bool // 管理执法类 (our reading: the seed does not mark them)
}

// Unit of the 2021 roster.
type Unit struct {
	ID, Name string
	Sections []Section
}

// Roster returns the 2021 roster in the seed's order.
func Roster() ([]Unit, error) {
	var units []Unit
	for n, line := range strings.Split(strings.TrimSpace(rosterTSV), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("demo: roster line %d: want 5 fields, got %d", n+2, len(f))
		}
		if len(units) == 0 || units[len(units)-1].ID != f[0] {
			units = append(units, Unit{ID: f[0], Name: f[1]})
		}
		u := &units[len(units)-1]
		u.Sections = append(u.Sections, Section{ID: f[2], Name: f[3], Enforcement: f[4] == "true"})
	}
	return units, nil
}
