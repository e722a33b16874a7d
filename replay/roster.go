package replay

import "github.com/pingyang/ledger/projections"

// Roster returns every unit and section registered, in registration order.
func (l *Ledger) Roster() ([]projections.RosterUnit, []projections.RosterSection) {
	return l.view().Roster()
}
