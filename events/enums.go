package events

import (
	"slices"
	"strings"
)

// Enum is a closed set of names, in a fixed order: a value's code is its
// place in the set, which is how the fold stores it. Codes of an enum never
// change once given; a new value goes at the end.
type Enum[T ~string] []T

// Code returns v's code; ok is false for a value outside the set, which
// callers must treat as an error (never as code 0).
func (e Enum[T]) Code(v T) (code uint8, ok bool) {
	i := slices.Index(e, v)
	return uint8(i), i >= 0
}

// Name returns the value with the given code; ok is false for a code
// outside the set.
func (e Enum[T]) Name(code uint8) (T, bool) {
	if int(code) >= len(e) {
		var zero T
		return zero, false
	}
	return e[code], true
}

// Has reports whether v is in the set.
func (e Enum[T]) Has(v T) bool { return slices.Contains(e, v) }

// String lists the set: "H1, H2".
func (e Enum[T]) String() string {
	s := make([]string, len(e))
	for i, v := range e {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// check refuses a value outside the set, naming the set.
func (e Enum[T]) check(field string, v T) *FieldError {
	if e.Has(v) {
		return nil
	}
	if v == "" {
		return invalid(field, "required (one of %s)", e)
	}
	return invalid(field, "must be one of %s", e)
}

// The enumerated fields of the catalogue.

// Round is a round of the service-recipient survey (R-SVC).
type Round string

const (
	RoundH1 Round = "H1"
	RoundH2 Round = "H2"
)

var Rounds = Enum[Round]{RoundH1, RoundH2}

// Rating is a service recipient's vote (R-SVC).
type Rating string

const (
	RatingSatisfied   Rating = "satisfied"
	RatingBasic       Rating = "basic"
	RatingUnsatisfied Rating = "unsatisfied"
)

var Ratings = Enum[Rating]{RatingSatisfied, RatingBasic, RatingUnsatisfied}

// HotlineItem is an item of the county hotline table (R-HOT).
type HotlineItem string

const (
	ItemConduct         HotlineItem = "conduct"
	ItemLateFeedback    HotlineItem = "late_feedback"
	ItemContactOutdated HotlineItem = "contact_outdated"
	ItemShirking        HotlineItem = "shirking"
	ItemPoorHandling    HotlineItem = "poor_handling"
	ItemUrgentUnhandled HotlineItem = "urgent_unhandled"
)

var HotlineItems = Enum[HotlineItem]{ItemConduct, ItemLateFeedback, ItemContactOutdated, ItemShirking, ItemPoorHandling, ItemUrgentUnhandled}

// HotlineRole is a section's part in a hotline case (R-HOT).
type HotlineRole string

const (
	RoleLead   HotlineRole = "lead"
	RoleAssist HotlineRole = "assist"
)

var HotlineRoles = Enum[HotlineRole]{RoleLead, RoleAssist}

// FindingLevel is where an inspection finding was confirmed (R-INS-FIND).
type FindingLevel string

const (
	FindingCounty FindingLevel = "county"
	FindingCity   FindingLevel = "city"
)

var FindingLevels = Enum[FindingLevel]{FindingCounty, FindingCity}

// CaseSubject is who a disciplinary case concerns (R-INS-CASE).
type CaseSubject string

const (
	SubjectHead       CaseSubject = "head"
	SubjectDeputy     CaseSubject = "deputy"
	SubjectStaff      CaseSubject = "staff"
	SubjectCollective CaseSubject = "collective"
)

var CaseSubjects = Enum[CaseSubject]{SubjectHead, SubjectDeputy, SubjectStaff, SubjectCollective}

// Violation is the year of a case's violation (R-INS-CASE).
type Violation string

const (
	ViolationCurrentYear Violation = "current_year"
	ViolationEarlierYear Violation = "earlier_year"
)

var Violations = Enum[Violation]{ViolationCurrentYear, ViolationEarlierYear}

// CommendationLevel is who commended a section (R-BON-COM).
type CommendationLevel string

const (
	CommendNational   CommendationLevel = "national"
	CommendProvincial CommendationLevel = "provincial"
	CommendMunicipal  CommendationLevel = "municipal"
)

var CommendationLevels = Enum[CommendationLevel]{CommendNational, CommendProvincial, CommendMunicipal}

// MediaLevel is the reach of a media report (R-BON-MED).
type MediaLevel string

const (
	MediaCentral    MediaLevel = "central"
	MediaProvincial MediaLevel = "provincial"
	MediaMunicipal  MediaLevel = "municipal"
)

var MediaLevels = Enum[MediaLevel]{MediaCentral, MediaProvincial, MediaMunicipal}

// VoterGroup is who holds an online voting credential (R-ONL).
type VoterGroup string

const (
	GroupRecipient      VoterGroup = "recipient"
	GroupRepresentative VoterGroup = "representative"
)

var VoterGroups = Enum[VoterGroup]{GroupRecipient, GroupRepresentative}

// ContestOutcome is how a contested deduction was settled (R-FIX).
type ContestOutcome string

const (
	OutcomeUpheld     ContestOutcome = "upheld"
	OutcomeOverturned ContestOutcome = "overturned"
	OutcomeReduced    ContestOutcome = "reduced"
)

var ContestOutcomes = Enum[ContestOutcome]{OutcomeUpheld, OutcomeOverturned, OutcomeReduced}

// Component is a part of a section's score, as a discretionary deduction
// names the one it comes off (R-DISC).
type Component string

const (
	ComponentService    Component = "service"
	ComponentHotline    Component = "hotline"
	ComponentQR         Component = "qr"
	ComponentSupervisor Component = "supervisor"
	ComponentInspection Component = "inspection"
	ComponentOnline     Component = "online"
)

var Components = Enum[Component]{ComponentService, ComponentHotline, ComponentQR, ComponentSupervisor, ComponentInspection, ComponentOnline}
