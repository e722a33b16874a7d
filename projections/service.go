package projections

import (
	"fmt"

	"github.com/pingyang/ledger/events"
)

// Service-recipient satisfaction (R-SVC, R-SVC-SMALL): votes are counted
// per section, round and rating here; compute.go turns the counts into
// each round's part.

var _ = define(events.ServiceVoteRecorded, kindOf[*events.ServiceVoteRecordedData]{
	component: "service", clause: "R-SVC",
	fold: func(s *State, f *Fact, pos int64, d *events.ServiceVoteRecordedData) *events.FieldError {
		var err *events.FieldError
		if f.Sec, err = s.sectionOf("data.section_id", d.SectionID); err != nil {
			return err
		}
		if f.A, err = enumCode("data.round", events.Rounds, d.Round); err != nil {
			return err
		}
		if f.B, err = enumCode("data.rating", events.Ratings, d.Rating); err != nil {
			return err
		}
		f.Target = int64(respondentKey(d.Respondent))
		return nil
	},
	check: func(c *checker, d *events.ServiceVoteRecordedData) *events.FieldError {
		i, err := c.section("data.section_id", d.SectionID, true)
		if err != nil {
			return err
		}
		round, _ := events.Rounds.Code(d.Round)
		if c.x.vote(voteKey{i, round, respondentKey(d.Respondent)}) != 0 {
			return events.Conflict("data.respondent", "this respondent already voted for section %s in round %s", d.SectionID, d.Round)
		}
		return nil
	},
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.secs[f.Sec].votes[f.A][f.B]++ },
	explain: func(x *explainer, e *Entry) {
		f := x.f
		if n := total(x.c.secs[x.si].votes[f.A]); n > 0 && n < events.SmallSample {
			e.Clause = "R-SVC-SMALL"
		}
		e.Note = voteNotes[f.A][f.B]
		e.Points = ratingValue[f.B]
		x.retractedOnly(e)
	},
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Sec >= 0 && has(events.Rounds, f.A) && has(events.Ratings, f.B)
	},
	index: func(s *State, x *index, f *Fact, pos int64) { x.setVote(voteOf(f), pos) },
	unindex: func(s *State, x *index, f *Fact, pos int64) {
		x.dropVote(voteOf(f), pos)
	},
})

// voteNotes is a vote's note by round and rating: a busy section's
// explain words thousands of them.
var voteNotes = func() (n [2][3]string) {
	for r, round := range events.Rounds {
		for k, rating := range events.Ratings {
			n[r][k] = fmt.Sprintf("round %s, %s", round, rating)
		}
	}
	return n
}()

// ratingValue is events.RatingValues by rating code, for the hot loops.
var ratingValue = func() (v [3]float64) {
	for i, r := range events.Ratings {
		v[i] = events.RatingValues[r]
	}
	return v
}()

func total(v [3]int) int { return v[0] + v[1] + v[2] }

// rated is the value of counts by rating code: S·1 + B·0.6 + U·0 (R-SVC,
// R-ONL).
func rated(v [3]int) float64 {
	return float64(v[0])*ratingValue[0] + float64(v[1])*ratingValue[1] + float64(v[2])*ratingValue[2]
}
