package projections

import "github.com/pingyang/ledger/events"

// Add folds one record. With check, it first validates the record against
// the state (the catalogue's stateful rules) and, if that fails, returns
// the error and changes nothing. Without check (catching up on records
// already stored) it still refuses a record it cannot place (a section or
// target that does not exist): the log it comes from is not one the ledger
// wrote.
func (s *State) Add(r *events.Record, body events.Data, check bool) *events.FieldError {
	if s.readOnly {
		return events.Invalid("position", "%v", errReadOnly)
	}
	if r.Position != int64(s.facts.len())+1 {
		return events.Invalid("position", "record %d folded after %d", r.Position, s.facts.len())
	}
	spec, ok := events.SpecOf(r.Type)
	if !ok || kinds[spec.Code] == nil {
		return events.Invalid("type", "unknown event type %q", r.Type)
	}
	k := kinds[spec.Code]
	if spec.Class == events.Registry {
		s.regGen++ // snapshots copy units and sections again
	}
	if check {
		if err := s.check(r, k, body); err != nil {
			return err
		}
	}
	f := Fact{
		Occurred: r.OccurredAt.UnixNano(), Recorded: r.RecordedAt.UnixNano(), ID: r.ID,
		Sec: -1, Unit: -1, Aux: -1, Type: spec.Code,
	}
	pos := r.Position
	if err := k.fold(s, &f, pos, body); err != nil {
		return err
	}
	if k.points != nil {
		f.Pts = k.points(body)
	}
	s.facts.add(f)
	s.addToStreams(pos, s.fact(pos))
	if x := s.idx; x != nil {
		x.addID(r.ID, pos) // undone by Rollback's scan
		if k.index != nil {
			k.index(s, x, s.fact(pos), pos)
		}
	}
	s.Head = r.Head()
	return nil
}
