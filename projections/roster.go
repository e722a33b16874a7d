package projections

// The registry as people read it: names for ids. The standings JSON keeps
// ids only (its shape is the contract); tables and workbooks for people put
// the unit's and the section's names beside them.

// RosterUnit is a registered unit.
type RosterUnit struct {
	ID, Name string
}

// RosterSection is a registered section.
type RosterSection struct {
	ID, UnitID, Name string
	Enforcement      bool // 管理执法类 (R-ROSTER)
}

// Roster returns every unit and section registered in the log, in the
// order they were registered, whatever the view: a name does not change
// with as_of.
func (s *State) Roster() ([]RosterUnit, []RosterSection) {
	units := make([]RosterUnit, len(s.units))
	for i, u := range s.units {
		units[i] = RosterUnit{ID: u.ID, Name: u.Name}
	}
	secs := make([]RosterSection, len(s.sections))
	for i, sec := range s.sections {
		secs[i] = RosterSection{ID: sec.ID, UnitID: s.units[sec.Unit].ID, Name: sec.Name, Enforcement: sec.Enforcement}
	}
	return units, secs
}
