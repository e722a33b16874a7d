package projections

import "time"

// The answers: what standings and explain return (interface.md's JSON).

// View is a replay point: the effective time as_of and the knowledge time
// known_at.
type View struct {
	AsOf    time.Time
	KnownAt time.Time
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
	Satisfied       []string         `json:"satisfied"`
	Unsatisfied     []string         `json:"unsatisfied"`
	MostUnsatisfied []string         `json:"most_unsatisfied"`
	Top3            []string         `json:"top3"`
	Units           []UnitAdjustment `json:"units"`
	Document        string           `json:"document"`
	Deviations      Deviations       `json:"deviations"`
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
}

// Explanation is a section's row plus every event that touched it.
type Explanation struct {
	Row
	Entries []Entry `json:"entries"`
	// Work is the arithmetic of each component with this view's numbers,
	// for people (the table format); JSON readers have the entries.
	Work []string `json:"-"`
}
