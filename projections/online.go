package projections

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/pingyang/ledger/events"
)

// The online evaluation (R-ONL): the frozen candidate list, the voters'
// credentials, and their ballots. A ballot's lists are kept as section
// indexes, BallotSize satisfied then BallotSize unsatisfied.

var _ = define(events.OnlineCandidatesFrozen, kindOf[*events.OnlineCandidatesFrozenData]{
	component: "online", clause: "R-ONL",
	fold: func(s *State, f *Fact, pos int64, d *events.OnlineCandidatesFrozenData) *events.FieldError {
		if s.frozenPos != 0 {
			return events.Conflict("type", "a candidate list is already frozen (position %d); there is at most one", s.frozenPos)
		}
		list := make([]int32, len(d.SectionIDs))
		for k, id := range d.SectionIDs {
			i, err := s.sectionOf("data.section_ids["+strconv.Itoa(k)+"]", id)
			if err != nil {
				return err
			}
			list[k] = i
		}
		s.frozen, s.frozenPos = list, pos
		return nil
	},
	check: func(c *checker, d *events.OnlineCandidatesFrozenData) *events.FieldError {
		if c.s.frozenPos != 0 {
			return events.Conflict("type", "a candidate list is already frozen (position %d); there is at most one", c.s.frozenPos)
		}
		for k, id := range d.SectionIDs {
			if err := c.active("data.section_ids["+strconv.Itoa(k)+"]", id); err != nil {
				return err
			}
		}
		return nil
	},
	score: func(c *calc, f *Fact, pos int64, pts float64) { c.frozen = true },
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("candidate list frozen with %d sections", len(x.s.frozen))
	},
	names: func(s *State, f *Fact) []int32 { return s.frozen },
})

var _ = define(events.VoterCredentialIssued, kindOf[*events.VoterCredentialIssuedData]{
	component: "online", clause: "R-ONL",
	fold: func(s *State, f *Fact, pos int64, d *events.VoterCredentialIssuedData) *events.FieldError {
		h, err := events.ParseHash(d.CredentialKey)
		if err != nil {
			return events.Invalid("data.credential_key", "must be 64 lowercase hex characters")
		}
		if _, dup := s.credPos[h]; dup {
			return events.Conflict("data.credential_key", "this credential is already issued")
		}
		var ferr *events.FieldError
		if f.B, ferr = enumCode("data.group", events.VoterGroups, d.Group); ferr != nil {
			return ferr
		}
		f.Aux = int32(len(s.creds))
		s.creds = append(s.creds, h)
		s.credPos[h] = pos // undone by Rollback's scan
		return nil
	},
	check: func(c *checker, d *events.VoterCredentialIssuedData) *events.FieldError {
		h, _ := events.ParseHash(d.CredentialKey)
		if _, dup := c.s.credPos[h]; dup {
			return events.Conflict("data.credential_key", "this credential is already issued")
		}
		return nil
	},
	unscored: "a credential counts through the ballot cast with it",
	explain: func(x *explainer, e *Entry) {
		e.Note = fmt.Sprintf("voting credential issued to a %s", events.VoterGroups[x.f.B])
	},
	// A credential is not about any section (nor may it say whose it is).
	names: func(*State, *Fact) []int32 { return nil },
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Aux >= 0 && int(f.Aux) < len(s.creds) && has(events.VoterGroups, f.B)
	},
	unindex: func(s *State, x *index, f *Fact, pos int64) {
		if h := s.creds[f.Aux]; s.credPos[h] == pos {
			delete(s.credPos, h)
		}
	},
	relink: func(s *State, f *Fact, pos int64) {
		if _, dup := s.credPos[s.creds[f.Aux]]; !dup {
			s.credPos[s.creds[f.Aux]] = pos
		}
	},
})

var _ = define(events.BallotCast, kindOf[*events.BallotCastData]{
	component: "online", clause: "R-ONL",
	fold: func(s *State, f *Fact, pos int64, d *events.BallotCastData) *events.FieldError {
		h, _ := events.ParseHash(d.CredentialKey)
		cp := s.credPos[h]
		if cp == 0 {
			return events.Invalid("data.credential_key", "unknown credential")
		}
		marks := make([]int32, 0, 2*events.BallotSize)
		for _, l := range []struct {
			f   string
			ids []string
		}{{"data.satisfied", d.Satisfied}, {"data.unsatisfied", d.Unsatisfied}} {
			if len(l.ids) != events.BallotSize {
				return events.Invalid(l.f, "must name exactly %d candidates, not %d", events.BallotSize, len(l.ids))
			}
			for k, id := range l.ids {
				i, err := s.sectionOf(l.f+"["+strconv.Itoa(k)+"]", id)
				if err != nil {
					return err
				}
				marks = append(marks, i)
			}
		}
		f.Target, f.B = cp, s.fact(cp).B
		f.Aux = int32(len(s.ballots) / (2 * events.BallotSize))
		s.ballots = append(s.ballots, marks...)
		return nil
	},
	check: checkBallot,
	score: func(c *calc, f *Fact, pos int64, pts float64) {
		c.ballots++
		if events.VoterGroups[f.B] == events.GroupRepresentative {
			c.voters.Representative++
		} else {
			c.voters.Recipient++
		}
		for k, sec := range c.s.ballot(f) {
			if k < events.BallotSize {
				c.secs[sec].sat++
			} else {
				c.secs[sec].unsat++
			}
		}
	},
	explain: func(x *explainer, e *Entry) {
		// A ballot names a section once (its lists are disjoint).
		if k := slices.Index(x.s.ballot(x.f), x.si); k < events.BallotSize {
			e.Points, e.Note = events.RatingValues[events.RatingSatisfied], "marked satisfied"
		} else {
			e.Points, e.Note = events.RatingValues[events.RatingUnsatisfied], "marked unsatisfied"
		}
		x.retractedOnly(e)
	},
	names: func(s *State, f *Fact) []int32 { return s.ballot(f) },
	valid: func(s *State, f *Fact, pos int64) bool {
		return f.Aux >= 0 && (int(f.Aux)+1)*2*events.BallotSize <= len(s.ballots) &&
			f.Target >= 1 && f.Target < pos && s.fact(f.Target).Type == credCode && has(events.VoterGroups, f.B)
	},
	index: func(s *State, x *index, f *Fact, pos int64) { x.used[f.Target] = pos },
	unindex: func(s *State, x *index, f *Fact, pos int64) {
		if x.used[f.Target] == pos {
			delete(x.used, f.Target)
		}
	},
})

var (
	credCode, _   = events.VoterCredentialIssued.Code()
	ballotCode, _ = events.BallotCast.Code()
)

// ballot is a ballot fact's marks: BallotSize satisfied, then BallotSize
// unsatisfied section indexes.
func (s *State) ballot(f *Fact) []int32 {
	return s.ballots[int(f.Aux)*2*events.BallotSize:][:2*events.BallotSize]
}

func checkBallot(c *checker, d *events.BallotCastData) *events.FieldError {
	s := c.s
	if s.frozenPos == 0 {
		return events.Invalid("type", "no candidate list is frozen yet")
	}
	if s.fact(s.frozenPos).Occurred > c.at {
		return events.Invalid("occurred_at", "before the candidate list was frozen")
	}
	h, _ := events.ParseHash(d.CredentialKey)
	cp, ok := s.credPos[h]
	if !ok || s.fact(cp).Occurred > c.at {
		return events.Invalid("data.credential_key", "unknown credential")
	}
	if c.x.used[cp] != 0 {
		return events.Conflict("data.credential_key", "this credential has already voted")
	}
	for _, l := range []struct {
		f   string
		ids []string
	}{{"data.satisfied", d.Satisfied}, {"data.unsatisfied", d.Unsatisfied}} {
		for k, id := range l.ids {
			i, ok := s.secIdx[id]
			if !ok || !slices.Contains(s.frozen, i) {
				return events.Invalid(l.f+"["+strconv.Itoa(k)+"]", "section %s is not on the frozen candidate list", id)
			}
			if s.sections[i].ExemptPos != 0 {
				return events.Invalid(l.f+"["+strconv.Itoa(k)+"]", "section %s is exempt (R-EXEMPT)", id)
			}
		}
	}
	return nil
}
