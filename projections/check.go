package projections

import (
	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
)

// checker applies the stateful rules of the catalogue to one record about
// to be appended; the kinds' check hooks use its helpers. Nothing it says
// ever echoes a respondent or a credential.
type checker struct {
	s  *State
	x  *index
	r  *events.Record
	at int64 // the record's occurred_at
}

func (s *State) check(r *events.Record, k *kind, body events.Data) *events.FieldError {
	c := &checker{s: s, x: s.index(), r: r, at: r.OccurredAt.UnixNano()}
	if pos := c.x.claimID(r.ID, r.Position); pos != 0 {
		return events.Conflict("id", "event %s is already stored (position %d)", r.ID, pos)
	}
	if k.check == nil {
		return nil
	}
	return k.check(c, body)
}

// section returns a section registered by an earlier event not dated
// later; active also requires it not to be exempt.
func (c *checker) section(field, id string, active bool) (int32, *events.FieldError) {
	i, ok := c.s.secIdx[id]
	if !ok {
		return -1, events.Invalid(field, "section %s is not registered", id)
	}
	sec := &c.s.sections[i]
	if sec.Occurred > c.at {
		return -1, events.Invalid(field, "section %s is registered only from %s, after this event's occurred_at",
			id, events.FormatCST(unixTime(sec.Occurred)))
	}
	if active && sec.ExemptPos != 0 {
		return -1, events.Invalid(field, "section %s is exempt (R-EXEMPT)", id)
	}
	return i, nil
}

// active is section for a fact about a scored section.
func (c *checker) active(field, id string) *events.FieldError {
	_, err := c.section(field, id, true)
	return err
}

// unit returns a unit registered by an earlier event not dated later.
func (c *checker) unit(field, id string) (int32, *events.FieldError) {
	i, ok := c.s.unitIdx[id]
	if !ok {
		return -1, events.Invalid(field, "unit %s is not registered", id)
	}
	if reg := c.s.fact(c.s.units[i].Pos).Occurred; reg > c.at {
		return -1, events.Invalid(field, "unit %s is registered only from %s, after this event's occurred_at",
			id, events.FormatCST(unixTime(reg)))
	}
	return i, nil
}

// target finds the stored event a correction names.
func (c *checker) target(id string) (int64, *Fact, *events.FieldError) {
	u, err := uuid.Parse(id)
	if err != nil {
		return 0, nil, events.Invalid("data.target_id", "must be a UUID")
	}
	pos := c.x.id(u)
	ok := pos != 0
	if !ok {
		return 0, nil, events.Invalid("data.target_id", "no stored event has id %s", id)
	}
	return pos, c.s.fact(pos), nil
}

// notBefore refuses an event dated before the stored fact it acts on. A
// correction may come after the window (events.CheckOccurred), but never
// before what it corrects: a retraction dated before its target would say
// the office knew better before the fact. what says what f is about:
// "its target occurred".
func (c *checker) notBefore(f *Fact, what string) *events.FieldError {
	if c.at < f.Occurred {
		return events.Invalid("occurred_at", "before %s (%s)", what, events.FormatCST(unixTime(f.Occurred)))
	}
	return nil
}
