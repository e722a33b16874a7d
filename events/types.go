package events

import (
	"math"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Type names an event type of the catalogue (events.md).
type Type string

// The event catalogue, contract v1.
const (
	UnitRegistered             Type = "UnitRegistered"
	SectionRegistered          Type = "SectionRegistered"
	SectionExempted            Type = "SectionExempted"
	PriorYearUnsatisfiedMarked Type = "PriorYearUnsatisfiedMarked"
	ServiceVoteRecorded        Type = "ServiceVoteRecorded"
	HotlineVerdict             Type = "HotlineVerdict"
	OnlineComplaintVerified    Type = "OnlineComplaintVerified"
	SupervisorGradesSubmitted  Type = "SupervisorGradesSubmitted"
	InspectionFinding          Type = "InspectionFinding"
	ComplaintSubstantiated     Type = "ComplaintSubstantiated"
	DisciplinaryCaseFiled      Type = "DisciplinaryCaseFiled"
	DiscretionaryDeduction     Type = "DiscretionaryDeduction"
	UnitDeduction              Type = "UnitDeduction"
	OnlineCandidatesFrozen     Type = "OnlineCandidatesFrozen"
	VoterCredentialIssued      Type = "VoterCredentialIssued"
	BallotCast                 Type = "BallotCast"
	CommendationAwarded        Type = "CommendationAwarded"
	MediaCoverageRecorded      Type = "MediaCoverageRecorded"
	EventRetracted             Type = "EventRetracted"
	DeductionContested         Type = "DeductionContested"
	ContestResolved            Type = "ContestResolved"
)

// Data is the typed body of one event. Its JSON form, with fields in
// alphabetical order, is the canonical form of the event's data.
type Data interface {
	// Type is the event type this body belongs to.
	Type() Type
	// Check validates the body's own fields (stateless rules of events.md).
	// Field paths start with "data.".
	Check() *FieldError
	// Stream is the stream the event belongs to (events.md, Streams).
	Stream() string
}

// newData maps each type to a constructor of its body.
var newData = map[Type]func() Data{
	UnitRegistered:             func() Data { return &UnitRegisteredData{} },
	SectionRegistered:          func() Data { return &SectionRegisteredData{} },
	SectionExempted:            func() Data { return &SectionExemptedData{} },
	PriorYearUnsatisfiedMarked: func() Data { return &PriorYearUnsatisfiedMarkedData{} },
	ServiceVoteRecorded:        func() Data { return &ServiceVoteRecordedData{} },
	HotlineVerdict:             func() Data { return &HotlineVerdictData{} },
	OnlineComplaintVerified:    func() Data { return &OnlineComplaintVerifiedData{} },
	SupervisorGradesSubmitted:  func() Data { return &SupervisorGradesSubmittedData{} },
	InspectionFinding:          func() Data { return &InspectionFindingData{} },
	ComplaintSubstantiated:     func() Data { return &ComplaintSubstantiatedData{} },
	DisciplinaryCaseFiled:      func() Data { return &DisciplinaryCaseFiledData{} },
	DiscretionaryDeduction:     func() Data { return &DiscretionaryDeductionData{} },
	UnitDeduction:              func() Data { return &UnitDeductionData{} },
	OnlineCandidatesFrozen:     func() Data { return &OnlineCandidatesFrozenData{} },
	VoterCredentialIssued:      func() Data { return &VoterCredentialIssuedData{} },
	BallotCast:                 func() Data { return &BallotCastData{} },
	CommendationAwarded:        func() Data { return &CommendationAwardedData{} },
	MediaCoverageRecorded:      func() Data { return &MediaCoverageRecordedData{} },
	EventRetracted:             func() Data { return &EventRetractedData{} },
	DeductionContested:         func() Data { return &DeductionContestedData{} },
	ContestResolved:            func() Data { return &ContestResolvedData{} },
}

// Types lists every type of the catalogue in catalogue order.
var Types = []Type{
	UnitRegistered, SectionRegistered, SectionExempted, PriorYearUnsatisfiedMarked,
	ServiceVoteRecorded, HotlineVerdict, OnlineComplaintVerified, SupervisorGradesSubmitted,
	InspectionFinding, ComplaintSubstantiated, DisciplinaryCaseFiled, DiscretionaryDeduction,
	UnitDeduction, OnlineCandidatesFrozen, VoterCredentialIssued, BallotCast,
	CommendationAwarded, MediaCoverageRecorded, EventRetracted, DeductionContested, ContestResolved,
}

// Known reports whether t is a type of the catalogue.
func (t Type) Known() bool { _, ok := newData[t]; return ok }

// IsRegistry reports whether t is a registry event (events.md, Registry).
func (t Type) IsRegistry() bool {
	switch t {
	case UnitRegistered, SectionRegistered, SectionExempted, PriorYearUnsatisfiedMarked:
		return true
	}
	return false
}

// IsCorrection reports whether t is a correction or dispute event.
func (t Type) IsCorrection() bool {
	switch t {
	case EventRetracted, DeductionContested, ContestResolved:
		return true
	}
	return false
}

// IsDeduction reports whether t is a deduction that may be contested.
func (t Type) IsDeduction() bool {
	switch t {
	case HotlineVerdict, OnlineComplaintVerified, InspectionFinding, ComplaintSubstantiated,
		DisciplinaryCaseFiled, DiscretionaryDeduction, UnitDeduction:
		return true
	}
	return false
}

// Retractable reports whether an event of type t may be the target of an
// EventRetracted: anything but registry events, credentials, candidate lists
// and corrections.
func (t Type) Retractable() bool {
	return !t.IsRegistry() && !t.IsCorrection() && t != VoterCredentialIssued && t != OnlineCandidatesFrozen
}

// ---- registry ----

type UnitRegisteredData struct {
	Name   string `json:"name"`
	UnitID string `json:"unit_id"`
}

func (*UnitRegisteredData) Type() Type       { return UnitRegistered }
func (d *UnitRegisteredData) Stream() string { return "unit-" + d.UnitID }
func (d *UnitRegisteredData) Check() *FieldError {
	return first(checkID("data.unit_id", d.UnitID), checkName("data.name", d.Name))
}

type SectionRegisteredData struct {
	Enforcement  *bool  `json:"enforcement"`
	LateReported bool   `json:"late_reported"`
	Name         string `json:"name"`
	SectionID    string `json:"section_id"`
	UnitID       string `json:"unit_id"`
}

func (*SectionRegisteredData) Type() Type       { return SectionRegistered }
func (d *SectionRegisteredData) Stream() string { return "section-" + d.SectionID }
func (d *SectionRegisteredData) Check() *FieldError {
	if d.Enforcement == nil {
		return invalid("data.enforcement", "required (true or false)")
	}
	return first(checkID("data.section_id", d.SectionID), checkID("data.unit_id", d.UnitID),
		checkName("data.name", d.Name))
}

type SectionExemptedData struct {
	Reason    string `json:"reason"`
	SectionID string `json:"section_id"`
}

func (*SectionExemptedData) Type() Type       { return SectionExempted }
func (d *SectionExemptedData) Stream() string { return "section-" + d.SectionID }
func (d *SectionExemptedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID), checkText("data.reason", d.Reason))
}

type PriorYearUnsatisfiedMarkedData struct {
	SectionID string `json:"section_id"`
}

func (*PriorYearUnsatisfiedMarkedData) Type() Type       { return PriorYearUnsatisfiedMarked }
func (d *PriorYearUnsatisfiedMarkedData) Stream() string { return "section-" + d.SectionID }
func (d *PriorYearUnsatisfiedMarkedData) Check() *FieldError {
	return checkID("data.section_id", d.SectionID)
}

// ---- service-recipient satisfaction ----

type ServiceVoteRecordedData struct {
	Rating     string `json:"rating"`
	Respondent string `json:"respondent"`
	Round      string `json:"round"`
	SectionID  string `json:"section_id"`
}

func (*ServiceVoteRecordedData) Type() Type       { return ServiceVoteRecorded }
func (d *ServiceVoteRecordedData) Stream() string { return "section-" + d.SectionID }
func (d *ServiceVoteRecordedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		checkEnum("data.round", d.Round, "H1", "H2"),
		checkRespondent("data.respondent", d.Respondent),
		checkEnum("data.rating", d.Rating, "satisfied", "basic", "unsatisfied"))
}

// ---- complaint platforms ----

// HotlineItems maps each R-HOT item to its pool and its allowed points
// (min, max; equal when the value is fixed).
var HotlineItems = map[string]struct {
	Pool     string
	Min, Max float64
}{
	"conduct":          {"conduct", 3, 5},
	"late_feedback":    {"handling", 1, 1},
	"contact_outdated": {"handling", 1, 1},
	"shirking":         {"handling", 2, 2},
	"poor_handling":    {"handling", 3, 5},
	"urgent_unhandled": {"handling", 5, 5},
}

type HotlineVerdictData struct {
	Item      string  `json:"item"`
	Points    float64 `json:"points"`
	Role      string  `json:"role"`
	SectionID string  `json:"section_id"`
}

func (*HotlineVerdictData) Type() Type       { return HotlineVerdict }
func (d *HotlineVerdictData) Stream() string { return "section-" + d.SectionID }
func (d *HotlineVerdictData) Check() *FieldError {
	if err := first(checkID("data.section_id", d.SectionID), checkEnum("data.role", d.Role, "lead", "assist")); err != nil {
		return err
	}
	it, ok := HotlineItems[d.Item]
	if !ok {
		return invalid("data.item", "must be one of conduct, late_feedback, contact_outdated, shirking, poor_handling, urgent_unhandled")
	}
	if d.Points != math.Trunc(d.Points) || d.Points < it.Min || d.Points > it.Max {
		if it.Min == it.Max {
			return invalid("data.points", "must be %s for item %s", num(it.Min), d.Item)
		}
		return invalid("data.points", "must be an integer from %s to %s for item %s", num(it.Min), num(it.Max), d.Item)
	}
	return nil
}

type OnlineComplaintVerifiedData struct {
	SectionID string `json:"section_id"`
}

func (*OnlineComplaintVerifiedData) Type() Type       { return OnlineComplaintVerified }
func (d *OnlineComplaintVerifiedData) Stream() string { return "section-" + d.SectionID }
func (d *OnlineComplaintVerifiedData) Check() *FieldError {
	return checkID("data.section_id", d.SectionID)
}

// ---- supervising unit ----

type Grade struct {
	Score     *float64 `json:"score"`
	SectionID string   `json:"section_id"`
}

type SupervisorGradesSubmittedData struct {
	Grades []Grade `json:"grades"`
	UnitID string  `json:"unit_id"`
}

func (*SupervisorGradesSubmittedData) Type() Type       { return SupervisorGradesSubmitted }
func (d *SupervisorGradesSubmittedData) Stream() string { return "unit-" + d.UnitID }
func (d *SupervisorGradesSubmittedData) Check() *FieldError {
	if err := checkID("data.unit_id", d.UnitID); err != nil {
		return err
	}
	if len(d.Grades) == 0 {
		return invalid("data.grades", "required: one grade per non-exempt section of the unit")
	}
	if len(d.Grades) > MaxListLen {
		return invalid("data.grades", "more than %d grades", MaxListLen)
	}
	seen := make(map[string]bool, len(d.Grades))
	for i, g := range d.Grades {
		f := "data.grades[" + strconv.Itoa(i) + "]"
		if err := checkID(f+".section_id", g.SectionID); err != nil {
			return err
		}
		if seen[g.SectionID] {
			return invalid(f+".section_id", "section %s graded twice", g.SectionID)
		}
		seen[g.SectionID] = true
		if g.Score == nil {
			return invalid(f+".score", "required")
		}
		s := *g.Score
		if s < 0 || s > 5 {
			return invalid(f+".score", "must be from 0.0 to 5.0")
		}
		if !decimals(s, 1) {
			return invalid(f+".score", "at most one decimal")
		}
	}
	return nil
}

// ---- supervision and inspection ----

type InspectionFindingData struct {
	Level     string `json:"level"`
	SectionID string `json:"section_id"`
	Serious   *bool  `json:"serious"`
}

func (*InspectionFindingData) Type() Type       { return InspectionFinding }
func (d *InspectionFindingData) Stream() string { return "section-" + d.SectionID }
func (d *InspectionFindingData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		checkEnum("data.level", d.Level, "county", "city"),
		checkBool("data.serious", d.Serious))
}

type ComplaintSubstantiatedData struct {
	SectionID string `json:"section_id"`
	Serious   *bool  `json:"serious"`
}

func (*ComplaintSubstantiatedData) Type() Type       { return ComplaintSubstantiated }
func (d *ComplaintSubstantiatedData) Stream() string { return "section-" + d.SectionID }
func (d *ComplaintSubstantiatedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID), checkBool("data.serious", d.Serious))
}

type DisciplinaryCaseFiledData struct {
	SectionID string `json:"section_id"`
	Subject   string `json:"subject"`
	Violation string `json:"violation"`
}

func (*DisciplinaryCaseFiledData) Type() Type       { return DisciplinaryCaseFiled }
func (d *DisciplinaryCaseFiledData) Stream() string { return "section-" + d.SectionID }
func (d *DisciplinaryCaseFiledData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		checkEnum("data.subject", d.Subject, "head", "deputy", "staff", "collective"),
		checkEnum("data.violation", d.Violation, "current_year", "earlier_year"))
}

type DiscretionaryDeductionData struct {
	Points    float64 `json:"points"`
	Reason    string  `json:"reason"`
	SectionID string  `json:"section_id"`
}

func (*DiscretionaryDeductionData) Type() Type       { return DiscretionaryDeduction }
func (d *DiscretionaryDeductionData) Stream() string { return "section-" + d.SectionID }
func (d *DiscretionaryDeductionData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID), checkDeduction("data.points", d.Points),
		checkText("data.reason", d.Reason))
}

type UnitDeductionData struct {
	Points float64 `json:"points"`
	Reason string  `json:"reason"`
	UnitID string  `json:"unit_id"`
}

func (*UnitDeductionData) Type() Type       { return UnitDeduction }
func (d *UnitDeductionData) Stream() string { return "unit-" + d.UnitID }
func (d *UnitDeductionData) Check() *FieldError {
	if !(d.Points > 0 && d.Points <= 20) {
		return invalid("data.points", "must be more than 0 and at most 20")
	}
	return first(checkID("data.unit_id", d.UnitID), checkText("data.reason", d.Reason))
}

// ---- online evaluation ----

type OnlineCandidatesFrozenData struct {
	SectionIDs []string `json:"section_ids"`
}

func (*OnlineCandidatesFrozenData) Type() Type     { return OnlineCandidatesFrozen }
func (*OnlineCandidatesFrozenData) Stream() string { return "online" }
func (d *OnlineCandidatesFrozenData) Check() *FieldError {
	if len(d.SectionIDs) == 0 {
		return invalid("data.section_ids", "required: the frozen candidate list")
	}
	return checkIDList("data.section_ids", d.SectionIDs)
}

type VoterCredentialIssuedData struct {
	CredentialHash string `json:"credential_hash"`
	Group          string `json:"group"`
}

func (*VoterCredentialIssuedData) Type() Type     { return VoterCredentialIssued }
func (*VoterCredentialIssuedData) Stream() string { return "online" }
func (d *VoterCredentialIssuedData) Check() *FieldError {
	return first(checkHash("data.credential_hash", d.CredentialHash),
		checkEnum("data.group", d.Group, "recipient", "representative"))
}

// BallotSize is how many candidates a ballot marks satisfied, and how many
// unsatisfied (R-ONL).
const BallotSize = 10

type BallotCastData struct {
	CredentialHash string   `json:"credential_hash"`
	Satisfied      []string `json:"satisfied"`
	Unsatisfied    []string `json:"unsatisfied"`
}

func (*BallotCastData) Type() Type     { return BallotCast }
func (*BallotCastData) Stream() string { return "online" }
func (d *BallotCastData) Check() *FieldError {
	if err := checkHash("data.credential_hash", d.CredentialHash); err != nil {
		return err
	}
	return checkBallotLists(d.Satisfied, d.Unsatisfied)
}

// checkBallotLists checks the two lists of a ballot: exactly BallotSize
// valid ids each, no repeats, disjoint.
func checkBallotLists(sat, unsat []string) *FieldError {
	for _, l := range []struct {
		f   string
		ids []string
	}{{"data.satisfied", sat}, {"data.unsatisfied", unsat}} {
		if len(l.ids) != BallotSize {
			return invalid(l.f, "must name exactly %d candidates, not %d", BallotSize, len(l.ids))
		}
		if err := checkIDList(l.f, l.ids); err != nil {
			return err
		}
	}
	in := make(map[string]bool, BallotSize)
	for _, id := range sat {
		in[id] = true
	}
	for i, id := range unsat {
		if in[id] {
			return invalid("data.unsatisfied["+strconv.Itoa(i)+"]", "section %s is also marked satisfied", id)
		}
	}
	return nil
}

// ---- bonus ----

type CommendationAwardedData struct {
	DeedID    string `json:"deed_id"`
	Level     string `json:"level"`
	SectionID string `json:"section_id"`
}

func (*CommendationAwardedData) Type() Type       { return CommendationAwarded }
func (d *CommendationAwardedData) Stream() string { return "section-" + d.SectionID }
func (d *CommendationAwardedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		checkEnum("data.level", d.Level, "national", "provincial", "municipal"),
		checkName("data.deed_id", d.DeedID))
}

type MediaCoverageRecordedData struct {
	Level     string `json:"level"`
	MatterID  string `json:"matter_id"`
	SectionID string `json:"section_id"`
}

func (*MediaCoverageRecordedData) Type() Type       { return MediaCoverageRecorded }
func (d *MediaCoverageRecordedData) Stream() string { return "section-" + d.SectionID }
func (d *MediaCoverageRecordedData) Check() *FieldError {
	return first(checkID("data.section_id", d.SectionID),
		checkEnum("data.level", d.Level, "central", "provincial", "municipal"),
		checkName("data.matter_id", d.MatterID))
}

// ---- corrections and disputes ----

type EventRetractedData struct {
	Reason   string `json:"reason"`
	TargetID string `json:"target_id"`
}

func (*EventRetractedData) Type() Type     { return EventRetracted }
func (*EventRetractedData) Stream() string { return "fix" }
func (d *EventRetractedData) Check() *FieldError {
	return first(checkUUID("data.target_id", d.TargetID), checkText("data.reason", d.Reason))
}

type DeductionContestedData struct {
	Grounds   string `json:"grounds"`
	SectionID string `json:"section_id"`
	TargetID  string `json:"target_id"`
}

func (*DeductionContestedData) Type() Type     { return DeductionContested }
func (*DeductionContestedData) Stream() string { return "fix" }
func (d *DeductionContestedData) Check() *FieldError {
	return first(checkUUID("data.target_id", d.TargetID), checkID("data.section_id", d.SectionID),
		checkText("data.grounds", d.Grounds))
}

type ContestResolvedData struct {
	Outcome  string   `json:"outcome"`
	Points   *float64 `json:"points,omitempty"`
	TargetID string   `json:"target_id"`
}

func (*ContestResolvedData) Type() Type     { return ContestResolved }
func (*ContestResolvedData) Stream() string { return "fix" }
func (d *ContestResolvedData) Check() *FieldError {
	if err := first(checkUUID("data.target_id", d.TargetID),
		checkEnum("data.outcome", d.Outcome, "upheld", "overturned", "reduced")); err != nil {
		return err
	}
	if d.Outcome != "reduced" {
		if d.Points != nil {
			return invalid("data.points", "only allowed when outcome is reduced")
		}
		return nil
	}
	if d.Points == nil {
		return invalid("data.points", "required when outcome is reduced")
	}
	if *d.Points < 0 || !decimals(*d.Points, 2) {
		return invalid("data.points", "must be 0 or more with at most two decimals")
	}
	return nil
}

// ---- field checks ----

// Limits on free text and lists, so that no single event can be huge.
const (
	MaxNameLen = 128
	MaxTextLen = 1024
	MaxListLen = 1000
)

// idChars reports whether every byte of v is A-Z a-z 0-9 - _ and its
// length is within [min, max].
func idChars(v string, min, max int) bool {
	if len(v) < min || len(v) > max {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func first(errs ...*FieldError) *FieldError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func checkID(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !idChars(v, 1, 32) {
		return invalid(field, "must be 1-32 characters of A-Z a-z 0-9 - _")
	}
	return nil
}

func checkIDList(field string, ids []string) *FieldError {
	if len(ids) > MaxListLen {
		return invalid(field, "more than %d ids", MaxListLen)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		f := field + "[" + strconv.Itoa(i) + "]"
		if err := checkID(f, id); err != nil {
			return err
		}
		if seen[id] {
			return invalid(f, "section %s named twice", id)
		}
		seen[id] = true
	}
	return nil
}

func checkString(field, v string, max int) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !utf8.ValidString(v) {
		return invalid(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "at most %d characters, got %d", max, n)
	}
	if hasControl(v) {
		return invalid(field, "must not contain control characters")
	}
	return nil
}

func checkName(field, v string) *FieldError { return checkString(field, v, MaxNameLen) }
func checkText(field, v string) *FieldError { return checkString(field, v, MaxTextLen) }

// hasControl reports C0/C1 controls, DEL and the line and paragraph
// separators. Keeping them out of the ledger makes the canonical JSON of
// every event identical whichever JSON tool an inspector re-derives it with.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	return false
}

func checkEnum(field, v string, allowed ...string) *FieldError {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	if v == "" {
		return invalid(field, "required (one of %s)", joinOr(allowed))
	}
	return invalid(field, "must be one of %s", joinOr(allowed))
}

func joinOr(s []string) string {
	out := ""
	for i, a := range s {
		if i > 0 {
			out += ", "
		}
		out += a
	}
	return out
}

func checkBool(field string, v *bool) *FieldError {
	if v == nil {
		return invalid(field, "required (true or false)")
	}
	return nil
}

func lowerHex(v string, n int) bool {
	if len(v) != n {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func checkHash(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !lowerHex(v, 64) {
		return invalid(field, "must be 64 lowercase hex characters (sha256 of the one-time code)")
	}
	return nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func checkUUID(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !uuidRE.MatchString(v) {
		return invalid(field, "must be a UUID")
	}
	return nil
}

// checkRespondent never echoes the value: a pseudonym must not reach an
// error message or a log line.
func checkRespondent(field, v string) *FieldError {
	if v == "" {
		return invalid(field, "required")
	}
	if !idChars(v, 4, 64) {
		return invalid(field, "must be 4-64 characters of A-Z a-z 0-9 - _")
	}
	if LooksLikePhone(v) {
		return invalid(field, "looks like a phone number (7 or more digits); send a pseudonym")
	}
	return nil
}

// LooksLikePhone reports a run of 7 or more digits, ignoring the separators
// - and _ (so "138-1234-5678" is caught while a hex digest that merely
// contains digits here and there is not).
func LooksLikePhone(v string) bool {
	run := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			run++
			if run >= 7 {
				return true
			}
		case c == '-' || c == '_':
		default:
			run = 0
		}
	}
	return false
}

func checkDeduction(field string, p float64) *FieldError {
	if !(p > 0 && p <= 20) {
		return invalid(field, "must be more than 0 and at most 20")
	}
	if !decimals(p, 2) {
		return invalid(field, "at most two decimals")
	}
	return nil
}

// decimals reports whether v has at most n decimals. JSON numbers arrive as
// binary floats, so 4.1 is 4.0999…; compare within a tolerance far below the
// last allowed decimal.
func decimals(v float64, n int) bool {
	s := math.Pow10(n) * v
	return math.Abs(s-math.Round(s)) < 1e-6
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
