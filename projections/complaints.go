package projections

import (
	"fmt"

	"github.com/pingyang/ledger/events"
)

// The complaint platforms: the county hotline (R-HOT), whose verdicts come
// off a conduct pool and a handling pool, and the online supervision QR
// platform (R-QR).

var _ = define(events.HotlineVerdict, kindOf[*events.HotlineVerdictData]{
	component: "hotline", clause: "R-HOT",
	fold: func(s *State, f *Fact, pos int64, d *events.HotlineVerdictData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.item", events.HotlineItems, d.Item); err != nil {
			return err
		}
		if f.B, err = enumCode("data.role", events.HotlineRoles, d.Role); err != nil {
			return err
		}
		return nil
	},
	points: func(d *events.HotlineVerdictData) float64 { return d.Points },
	check: func(c *checker, d *events.HotlineVerdictData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: func(c *calc, f *Fact, pos int64, pts float64) {
		pts *= hotlineShare(f)
		if conductItem[f.A] {
			c.secs[f.Sec].conduct += pts
		} else {
			c.secs[f.Sec].handling += pts
		}
	},
	explain: func(x *explainer, e *Entry) {
		f := x.f
		pool := events.HandlingPoolName
		if conductItem[f.A] {
			pool = events.ConductPoolName
		}
		e.Note = fmt.Sprintf("role %s, item %s, %s pool", events.HotlineRoles[f.B], events.HotlineItems[f.A], pool)
		share := hotlineShare(f)
		if share < 1 {
			// Half of the points in force; a withdrawn verdict has none, so
			// say what it had.
			of := x.pts
			if !x.st.live() {
				of = f.Pts
			}
			e.Note += fmt.Sprintf(", half of %s", num(of))
		}
		x.points(e, f.Pts, -share)
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Sec >= 0 && has(events.HotlineItems, f.A) && has(events.HotlineRoles, f.B)
	},
})

// conductItem tells, by item code, the items that come off the conduct
// pool (events.HotlineRules).
var conductItem = func() (v [8]bool) {
	for i, it := range events.HotlineItems {
		v[i] = events.HotlineRules[it].Pool == events.ConductPoolName
	}
	return v
}()

// hotlineShare is the share of a verdict's points its section loses.
func hotlineShare(f *Fact) float64 {
	if events.HotlineRoles[f.B] == events.RoleAssist {
		return events.AssistShare
	}
	return 1
}

var _ = define(events.OnlineComplaintVerified, kindOf[*events.OnlineComplaintVerifiedData]{
	component: "qr", clause: "R-QR",
	fold: func(s *State, f *Fact, pos int64, d *events.OnlineComplaintVerifiedData) *events.FieldError {
		var err *events.FieldError
		f.Sec, err = s.sectionOf("data.section_id", d.SectionID)
		return err
	},
	points: func(*events.OnlineComplaintVerifiedData) float64 { return events.QRPerComplaint },
	check: func(c *checker, d *events.OnlineComplaintVerifiedData) *events.FieldError {
		return c.active("data.section_id", d.SectionID)
	},
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].qr += pts },
	explain: func(x *explainer, e *Entry) {
		e.Note = "verified online complaint"
		x.points(e, x.f.Pts, -1)
	},
	valid: func(s *State, f *Fact, pos int64) bool { return f.Sec >= 0 },
})
