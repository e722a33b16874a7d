package projections

import "time"

// The answers: what standings and explain return (interface.md's JSON).

// View is a replay point: the effective time as_of and the knowledge time
// known_at.
type View struct {
	AsOf    time.Time
	KnownAt time.Time
	// upto, when not 0, caps the records the view knows at upto-1,
	// whatever KnownAt says: a what-if compares the log without the
	// hypothetical records it has just folded, which share KnownAt.
	upto int64
}

// Upto is v knowing at most the first n records.
func (v View) Upto(n int64) View {
	v.upto = n + 1
	return v
}

// Service is the R-SVC component of a row.
type Service struct {
	H1      *float64 `json:"h1"`
	H2      *float64 `json:"h2"`
	VotesH1 int      `json:"votes_h1"`
	VotesH2 int      `json:"votes_h2"`
	Score   *float64 `json:"score"` // never null for a scored section
}

// Row is one section's standing.
type Row struct {
	SectionID     string   `json:"section_id"`
	UnitID        string   `json:"unit_id"`
	Name          string   `json:"name"`
	Exempt        bool     `json:"exempt"`
	Service       *Service `json:"service"`
	Hotline       *float64 `json:"hotline"`
	QR            *float64 `json:"qr"`
	Supervisor    *float64 `json:"supervisor"`
	Inspection    *float64 `json:"inspection"`
	DailyTotal    *float64 `json:"daily_total"`
	Online        *float64 `json:"online"`
	OnlineBallots *int     `json:"online_ballots"`
	Bonus         *float64 `json:"bonus"`
	Total         *float64 `json:"total"`
	Candidate     bool     `json:"candidate"`
	Rank          *int     `json:"rank"`
}

// UnitAdjustment is a unit's consequence (R-OUT).
type UnitAdjustment struct {
	UnitID     string `json:"unit_id"`
	Adjustment int    `json:"adjustment"`
}

// Outcome is R-OUT for a frozen list.
type Outcome struct {
	Satisfied       []string         `json:"satisfied"`
	Unsatisfied     []string         `json:"unsatisfied"`
	MostUnsatisfied []string         `json:"most_unsatisfied"`
	Top3            []string         `json:"top3"`
	Units           []UnitAdjustment `json:"units"`
}

// Confirmed is the standing committee's decision in force (R-OUT-CONF),
// beside the proposal of R-OUT.
type Confirmed struct {
	Outcome               // the decision's lists, top3 and units, as R-OUT's
	Document   string     `json:"document"`
	Deviations Deviations `json:"deviations"`
}

// Deviations is, per list, how the decision departs from the proposal.
type Deviations struct {
	Satisfied       Deviation `json:"satisfied"`
	Unsatisfied     Deviation `json:"unsatisfied"`
	MostUnsatisfied Deviation `json:"most_unsatisfied"`
}

// Deviation: the ids proposed but not confirmed, and confirmed but not
// proposed.
type Deviation struct {
	Dropped []string `json:"dropped"`
	Added   []string `json:"added"`
}

// Voters reports the online voters' mix (R-ONL: reported, not enforced).
type Voters struct {
	Recipient      int `json:"recipient"`
	Representative int `json:"representative"`
}

// Standings is the answer of `ledger standings` and GET /v1/standings.
type Standings struct {
	// Hypothetical marks a what-if's standings: events not stored are
	// folded in. Real standings leave it out.
	Hypothetical     bool       `json:"hypothetical,omitempty"`
	Rulebook         string     `json:"rulebook"`
	AsOf             string     `json:"as_of"`
	KnownAt          string     `json:"known_at"`
	Events           int64      `json:"events"`
	Sections         []Row      `json:"sections"`
	Candidates       []string   `json:"candidates"`
	CandidatesFrozen bool       `json:"candidates_frozen"`
	Outcome          *Outcome   `json:"outcome"`
	Confirmed        *Confirmed `json:"confirmed"`
	OnlineVoters     Voters     `json:"online_voters"`
}

// Entry is one event in a section's explain trail.
type Entry struct {
	Position   int64   `json:"position"`
	EventID    string  `json:"event_id"`
	Type       string  `json:"type"`
	OccurredAt string  `json:"occurred_at"`
	RecordedAt string  `json:"recorded_at"`
	Component  string  `json:"component"`
	Points     float64 `json:"points"`
	Clause     string  `json:"clause"`
	Status     string  `json:"status"`
	Note       string  `json:"note"`

	// For grouping and filters (trail.go), not in the JSON.
	target    int64 // a correction's target position
	deduction bool  // the event is a contestable deduction
	bonus     bool  // the event is a bonus
	summed    bool  // a vote or a ballot: summarised per round unless asked for
}

// Explanation is a section's row plus every event that touched it.
type Explanation struct {
	Row
	UnitName string `json:"unit_name"`
	// Outcome is the section's R-OUT list ("satisfied", "unsatisfied",
	// "most_unsatisfied", or null), Top3 whether it is among the first three.
	Outcome *string `json:"outcome"`
	Top3    bool    `json:"top3"`
	Entries []Entry `json:"entries"`
	// Arithmetic is each component's formula with this view's numbers, one
	// line each, in English; Groups has the same numbers one by one.
	Arithmetic []string `json:"arithmetic"`
	// Groups is the trail by component (trail.go): the numbers each figure
	// is made of and the entries that made them.
	Groups []Group `json:"groups"`

	decision *Confirmed // the view's decision in force, for Decision
}

// Decision is the standing committee's decision in force in the
// explanation's view (as Standings.Confirmed), or nil: folded with the
// explanation, so a reader needs no second fold of the view for it.
func (e *Explanation) Decision() *Confirmed { return e.decision }
