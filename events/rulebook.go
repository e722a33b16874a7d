package events

import "time"

// The rulebook: every number of the 2021 rules that moves a score, a rank,
// a quota or a consequence, once, beside its clause id (docs/rules.md has
// the clauses in words, with their source in the county's rules). Both
// validation (this package) and scoring (package projections) read them
// from here; explain's arithmetic is written with them.

// Rulebook names the rules below.
const Rulebook = "pingyang-2021"

// Time: the evaluation window, bounds included.
var (
	WindowStart = time.Date(2020, 12, 1, 0, 0, 0, 0, CST)
	WindowEnd   = time.Date(2021, 11, 30, 23, 59, 59, 999999999, CST)
)

// R-SVC: service-recipient satisfaction, 50 points in two rounds of 25.
const ServiceRoundMax = 25.0

// RatingValues is what a vote (R-SVC) or a ballot mark (R-ONL) is worth.
var RatingValues = map[Rating]float64{RatingSatisfied: 1, RatingBasic: 0.6, RatingUnsatisfied: 0}

// R-SVC-SMALL: a round with fewer than SmallSample votes blends the
// average of all sections' raw scores with the section's own.
const (
	SmallSample        = 30
	SmallAverageWeight = 0.7
	SmallRawWeight     = 0.3
)

// R-HOT: the county hotline platform, 5 points, scored on a base of
// ConductPool + HandlingPool = 100 and scaled.
const (
	HotlineMax   = 5.0
	ConductPool  = 10.0
	HandlingPool = 90.0
	// AssistShare is the share of the points an assisting section loses.
	AssistShare = 0.5
)

// HotlinePool names the pool an item's points come off.
type HotlinePool string

const (
	ConductPoolName  HotlinePool = "conduct"
	HandlingPoolName HotlinePool = "handling"
)

// HotlineRule is one row of the R-HOT table: the pool and the points a
// verdict may carry (Min = Max when the value is fixed).
type HotlineRule struct {
	Pool     HotlinePool
	Min, Max float64
}

var HotlineRules = map[HotlineItem]HotlineRule{
	ItemConduct:         {ConductPoolName, 3, 5},
	ItemLateFeedback:    {HandlingPoolName, 1, 1},
	ItemContactOutdated: {HandlingPoolName, 1, 1},
	ItemShirking:        {HandlingPoolName, 2, 2},
	ItemPoorHandling:    {HandlingPoolName, 3, 5},
	ItemUrgentUnhandled: {HandlingPoolName, 5, 5},
}

// R-QR: online supervision complaints, 5 points, 1 off per verified one.
const (
	QRMax          = 5.0
	QRPerComplaint = 1.0
)

// R-SUP: the supervising unit's grade, 0.0 to 5.0 with one decimal, in
// three tiers that each hold a third of the unit's sections.
const (
	SupervisorMax = 5.0
	GradeDecimals = 1
	ExcellentFrom = 4.0 // excellent: 4.0-5.0
	GoodFrom      = 3.0 // good: 3.0-3.9; fair: 0.0-2.9
)

// R-INS: supervision and inspection, 20 points.
const InspectionMax = 20.0

// R-INS-FIND and R-INS-CPL: the points of a finding by level, and of a
// substantiated complaint; a serious one counts SeriousFactor times.
var FindingPoints = map[FindingLevel]float64{FindingCounty: 1, FindingCity: 2}

const (
	ComplaintPoints = 1.0
	SeriousFactor   = 2.0
)

// R-INS-CASE: a disciplinary case filed in the window, by the year of the
// violation and the person it concerns.
var CasePoints = map[Violation]map[CaseSubject]float64{
	ViolationCurrentYear: {SubjectHead: 20, SubjectDeputy: 10, SubjectStaff: 5, SubjectCollective: 20},
	ViolationEarlierYear: {SubjectHead: 6, SubjectDeputy: 4, SubjectStaff: 2, SubjectCollective: 10},
}

// R-DISC and R-UNREP: a deduction the office records carries its own
// points, more than 0 and at most DeductionMax, with at most
// DeductionDecimals decimals.
const (
	DeductionMax      = 20.0
	DeductionDecimals = 2
)

// R-DISC: a discretionary deduction comes off the component it names, and
// off inspection (the office's own findings) when it names none.
const DiscretionaryDefault = ComponentInspection

// R-ONL: online evaluation, 15 points, for the candidates only.
const (
	OnlineMax        = 15.0
	PriorYearMax     = 10 // 2020's 不满意单位, candidates first
	CandidatesTop    = 50 // then the top 50 by daily total
	CandidatesBottom = 50 // and the bottom 50 of the rest
	BallotSize       = 10 // a ballot marks 10 satisfied and 10 unsatisfied
)

// R-BON: the bonus, outside the 100, capped at BonusCap.
const BonusCap = 5.0

var (
	CommendationPoints = map[CommendationLevel]float64{CommendNational: 5, CommendProvincial: 3, CommendMunicipal: 1} // R-BON-COM
	MediaPoints        = map[MediaLevel]float64{MediaCentral: 3, MediaProvincial: 2, MediaMunicipal: 0.5}             // R-BON-MED
)

// R-OUT: the outcome once a list is frozen, and each unit's consequence
// per section it has in the outcome.
const (
	OutcomeSize           = 10 // satisfied, and unsatisfied
	MostUnsatisfiedSize   = 3  // the lowest of the unsatisfied
	Top3Size              = 3  // the highest of the satisfied (top3)
	AdjustSatisfied       = 5
	AdjustUnsatisfied     = -5
	AdjustMostUnsatisfied = -10 // instead of AdjustUnsatisfied
)

// R-FIX: a reduced deduction keeps at most two decimals.
const ReducedDecimals = 2
