package projections

import (
	"github.com/pingyang/ledger/events"
)

// Disputes lists the contests a view knows (R-FIX), for the desk's dispute
// page: each contest with its section, the deduction, the grounds and the
// decision, if there is one yet.

// Dispute is one DeductionContested and what became of it.
type Dispute struct {
	Position   int64  `json:"position"`
	EventID    string `json:"event_id"`
	OccurredAt string `json:"occurred_at"`
	RecordedAt string `json:"recorded_at"`
	SectionID  string `json:"section_id"`
	UnitID     string `json:"unit_id"`
	Name       string `json:"name"`
	Grounds    string `json:"grounds"`
	// Status is "open", or the resolution's outcome: "upheld",
	// "overturned" or "reduced".
	Status     string      `json:"status"`
	Deduction  Deduction   `json:"deduction"`
	Resolution *Resolution `json:"resolution"`
}

// Deduction is the contested event.
type Deduction struct {
	Position   int64  `json:"position"`
	EventID    string `json:"event_id"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
	Component  string `json:"component"`
	Clause     string `json:"clause"`
	// Points are the deduction's own, signed, on its component's scale (an
	// assisting section's hotline verdict: half).
	Points float64 `json:"points"`
	Note   string  `json:"note"`
}

// Resolution is the ContestResolved that settled a contest.
type Resolution struct {
	Position   int64    `json:"position"`
	EventID    string   `json:"event_id"`
	OccurredAt string   `json:"occurred_at"`
	RecordedAt string   `json:"recorded_at"`
	Outcome    string   `json:"outcome"`
	Points     *float64 `json:"points"` // the reduced points, for "reduced"
	// RecordedNS is recorded_at in Unix nanoseconds: the diff of the
	// decision runs from one nanosecond before it to it.
	RecordedNS int64 `json:"-"`
}

var contestCode, _ = events.DeductionContested.Code()
var resolvedCode, _ = events.ContestResolved.Code()

// Disputes lists the contests known in view v, oldest first. The deduction
// is worded as of the view, but a dispute is listed whatever as_of says:
// disputes are about what was known.
func (s *State) Disputes(v View) []Dispute {
	c := s.compute(View{AsOf: events.WindowEnd, KnownAt: v.KnownAt, upto: v.upto})
	out := []Dispute{}
	for _, p := range upTo(s.others, c.n) {
		pos := int64(p)
		f := s.fact(pos)
		if f.Type != contestCode {
			continue
		}
		tf := s.fact(f.Target)
		tk := kindAt(tf)
		sec := &s.sections[f.Sec]
		d := Dispute{
			Position: pos, EventID: f.ID.String(), OccurredAt: events.FormatCST(unixTime(f.Occurred)),
			RecordedAt: events.FormatUTC(unixTime(f.Recorded)), SectionID: sec.ID, UnitID: s.units[sec.Unit].ID,
			Name: sec.Name, Grounds: s.textAt(f.Aux), Status: "open",
			Deduction: Deduction{Position: f.Target, EventID: tf.ID.String(), Type: string(tk.spec.Type),
				OccurredAt: events.FormatCST(unixTime(tf.Occurred)), Component: tk.component, Clause: tk.clause},
		}
		share := 1.0
		if tf.Type == hotlineCode {
			share = hotlineShare(tf)
		}
		d.Deduction.Points = -tf.Pts * share
		if e, ok := c.explainer(f.Sec).entry(f.Target - 1); ok {
			d.Deduction.Note = e.Note
		}
		for _, p := range s.corr[f.Target] {
			if p <= pos || p > c.n {
				continue
			}
			rf := s.fact(p)
			if rf.Type == contestCode {
				break // contested again: this contest was settled before
			}
			if rf.Type != resolvedCode {
				continue
			}
			r := &Resolution{Position: p, EventID: rf.ID.String(), OccurredAt: events.FormatCST(unixTime(rf.Occurred)),
				RecordedAt: events.FormatUTC(unixTime(rf.Recorded)), Outcome: string(events.ContestOutcomes[rf.A]),
				RecordedNS: rf.Recorded}
			if events.ContestOutcomes[rf.A] == events.OutcomeReduced {
				r.Points = fp(rf.Pts)
			}
			d.Resolution, d.Status = r, r.Outcome
			break
		}
		out = append(out, d)
	}
	return out
}

var hotlineCode, _ = events.HotlineVerdict.Code()

// UnitNames maps every registered unit's id to its name.
func (s *State) UnitNames() map[string]string {
	m := make(map[string]string, len(s.units))
	for _, u := range s.units {
		m[u.ID] = u.Name
	}
	return m
}
