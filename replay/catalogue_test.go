package replay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// base is a registry with targets for corrections, a frozen list and
// credentials; ids are fixed so that bad inputs can name them.
var base = []string{
	line("UnitRegistered", "2020-12-01T09:00:00+08:00", `{"unit_id":"U1","name":"县发改局"}`),
	line("UnitRegistered", "2020-12-01T09:00:00+08:00", `{"unit_id":"U2","name":"县经信局"}`),
	line("UnitRegistered", "2021-03-01T09:00:00+08:00", `{"unit_id":"U3","name":"late unit"}`),
}

const (
	voteID  = "11111111-1111-4111-8111-111111111111"
	findID  = "22222222-2222-4222-8222-222222222222"
	regID   = "33333333-3333-4333-8333-333333333333"
	credID  = "44444444-4444-4444-8444-444444444444"
	frozeID = "55555555-5555-4555-8555-555555555555"
	// contID is a finding under an open contest, opened in December.
	contID = "66666666-6666-4666-8666-666666666666"
	// redID (2 points) was reduced to 1 and is contested again; overID was
	// overturned and is contested again.
	redID  = "77777777-7777-4777-8777-777777777777"
	overID = "88888888-8888-4888-8888-888888888888"
)

func init() {
	for k := 0; k < 22; k++ {
		u := "U1"
		if k >= 11 {
			u = "U2"
		}
		var id []eventstest.LineOption
		if k == 0 {
			id = append(id, eventstest.WithID(regID))
		}
		base = append(base, line("SectionRegistered", "2020-12-01T09:00:00+08:00", fmt.Sprintf(`{"section_id":"S%02d","unit_id":%q,"name":"n","enforcement":false}`, k, u), id...))
	}
	base = append(base,
		line("SectionExempted", "2020-12-01T09:00:00+08:00", `{"section_id":"S21","reason":"x"}`),
		line("ServiceVoteRecorded", "2021-06-01T09:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-used","rating":"basic"}`, eventstest.WithID(voteID)),
		line("InspectionFinding", "2021-06-01T09:00:00+08:00", `{"section_id":"S01","level":"county","serious":false}`, eventstest.WithID(findID)),
		line("InspectionFinding", "2021-06-01T09:00:00+08:00", `{"section_id":"S02","level":"city","serious":false}`, eventstest.WithID(contID)),
		line("DeductionContested", "2021-12-06T09:00:00+08:00", `{"target_id":"`+contID+`","section_id":"S02","grounds":"g"}`),
		line("InspectionFinding", "2021-06-01T09:00:00+08:00", `{"section_id":"S03","level":"city","serious":false}`, eventstest.WithID(redID)),
		line("DeductionContested", "2021-12-06T09:00:00+08:00", `{"target_id":"`+redID+`","section_id":"S03","grounds":"g"}`),
		line("ContestResolved", "2021-12-07T09:00:00+08:00", `{"target_id":"`+redID+`","outcome":"reduced","points":1}`),
		line("DeductionContested", "2021-12-08T09:00:00+08:00", `{"target_id":"`+redID+`","section_id":"S03","grounds":"again"}`),
		line("InspectionFinding", "2021-06-01T09:00:00+08:00", `{"section_id":"S04","level":"county","serious":false}`, eventstest.WithID(overID)),
		line("DeductionContested", "2021-12-06T09:00:00+08:00", `{"target_id":"`+overID+`","section_id":"S04","grounds":"g"}`),
		line("ContestResolved", "2021-12-07T09:00:00+08:00", `{"target_id":"`+overID+`","outcome":"overturned"}`),
		line("DeductionContested", "2021-12-08T09:00:00+08:00", `{"target_id":"`+overID+`","section_id":"S04","grounds":"again"}`),
		line("OnlineCandidatesFrozen", "2021-11-15T09:00:00+08:00", `{"section_ids":[`+ids(0, 21)+`]}`, eventstest.WithID(frozeID)),
		line("VoterCredentialIssued", "2021-11-15T10:00:00+08:00", eventstest.CredentialData("used-code", "recipient"), eventstest.WithID(credID)),
		line("VoterCredentialIssued", "2021-11-15T10:00:00+08:00", eventstest.CredentialData("fresh-code", "recipient")),
		line("BallotCast", "2021-11-16T10:00:00+08:00", ballotData("used-code", ids(0, 10), ids(10, 20))),
		decision("2021-12-08T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(17, 20), "平委〔2021〕30号"),
	)
}

func decision(occurred, sat, unsat, most, doc string) string {
	return line("OutcomeConfirmed", occurred, `{"satisfied":[`+sat+`],"unsatisfied":[`+unsat+`],"most_unsatisfied":[`+most+`],"document":"`+doc+`"}`)
}

func ids(from, to int) string {
	var l []string
	for k := from; k < to; k++ {
		l = append(l, fmt.Sprintf(`"S%02d"`, k))
	}
	return strings.Join(l, ",")
}

// line is the line of a catalogue input: by actor "t" unless opts say
// otherwise.
func line(typ events.Type, occurred, data string, opts ...eventstest.LineOption) string {
	return eventstest.Line(typ, occurred, data, append([]eventstest.LineOption{eventstest.WithActor("t")}, opts...)...)
}

const at = "2021-06-02T09:00:00+08:00"

func ballot(code string, sat, unsat string) string {
	return line("BallotCast", "2021-11-20T09:00:00+08:00", ballotData(code, sat, unsat))
}

// ballotData is a BallotCast's data signed with code's key; sat and unsat
// are lists as ids writes them.
func ballotData(code string, sat, unsat string) string {
	var s, u []string
	if err := json.Unmarshal([]byte("["+sat+"]"), &s); err != nil {
		panic(err)
	}
	if err := json.Unmarshal([]byte("["+unsat+"]"), &u); err != nil {
		panic(err)
	}
	return eventstest.BallotData(code, s, u)
}

// forged is a ballot for code's credential signed with another key: what
// a recorder who saw the credential_key could send.
func forged(code string) string {
	d := ballotData("someone-else", ids(0, 10), ids(10, 20))
	return line("BallotCast", "2021-11-20T09:00:00+08:00",
		strings.Replace(d, events.CredentialKey("someone-else"), events.CredentialKey(code), 1))
}

// TestBadInputCatalogue feeds named bad inputs, one at a time, to a ledger
// over a real SQLite file and expects for each its exact field and reason,
// its kind (invalid or conflict), and nothing appended.
func TestBadInputCatalogue(t *testing.T) {
	catalogue := []struct {
		name, input, field, reason string
		conflict                   bool
		historical                 bool // decoded and appended as by import --historical
	}{
		{"truncated JSON", `{"type":"UnitRegistered","occurred_at":"2021`, "event", "malformed JSON", false, false},
		{"not an object", `[1,2,3]`, "event", "must be a JSON object", false, false},
		{"bare string", `"hello"`, "event", "must be a JSON object", false, false},
		{"trailing garbage", base[0] + ` x`, "event", "invalid character", false, false},
		{"invalid UTF-8", "{\"type\":\"UnitRegistered\",\"occurred_at\":\"2021-01-01T00:00:00+08:00\",\"actor\":\"\xff\",\"data\":{}}", "event", "not valid UTF-8", false, false},
		{"duplicate key", `{"type":"UnitRegistered","actor":"a","actor":"b","occurred_at":"2021-01-01T00:00:00+08:00","data":{"unit_id":"U9","name":"n"}}`, "actor", "duplicate key", false, false},
		{"duplicate data key", line("UnitRegistered", at, `{"unit_id":"U9","unit_id":"U8","name":"n"}`), "data.unit_id", "duplicate key", false, false},
		{"deep nesting", line("UnitRegistered", at, `{"unit_id":"U9","name":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}`), "data.name", "nested deeper", false, false},
		{"unknown type", line("Bribe", at, `{}`), "type", "unknown event type", false, false},
		{"missing type", `{"occurred_at":"2021-01-01T00:00:00+08:00","actor":"a","data":{}}`, "type", "required", false, false},
		{"type not a string", `{"type":7,"occurred_at":"2021-01-01T00:00:00+08:00","actor":"a","data":{}}`, "type", "must be a string", false, false},
		{"unknown envelope field", `{"type":"UnitRegistered","hash":"x","occurred_at":"2021-01-01T00:00:00+08:00","actor":"a","data":{"unit_id":"U9","name":"n"}}`, "hash", "unknown field", false, false},
		{"unknown data field", line("UnitRegistered", at, `{"unit_id":"U9","name":"n","boss":"x"}`), "data.boss", "unknown field", false, false},
		{"missing data", `{"type":"UnitRegistered","occurred_at":"2021-01-01T00:00:00+08:00","actor":"a"}`, "data", "required", false, false},
		{"null data", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `null`, eventstest.WithActor("a")), "data", "required", false, false},
		{"data an array", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `[]`, eventstest.WithActor("a")), "data", "must be an object", false, false},
		{"missing occurred_at", `{"type":"UnitRegistered","actor":"a","data":{"unit_id":"U9","name":"n"}}`, "occurred_at", "required", false, false},
		{"time without offset", line("UnitRegistered", "2021-06-02T09:00:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "with offset", false, false},
		{"bare date", line("UnitRegistered", "2021-06-02", `{"unit_id":"U9","name":"n"}`), "occurred_at", "with offset", false, false},
		{"before the window", line("UnitRegistered", "2020-11-30T23:59:59.999+08:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "outside the evaluation window", false, false},
		{"after the window", line("UnitRegistered", "2021-12-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "outside the evaluation window", false, false},
		{"recorded_at supplied", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`, eventstest.WithRecordedAt("2021-01-01T00:00:00Z"), eventstest.WithActor("a")), "recorded_at", "only a historical import", false, false},
		{"empty actor", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`, eventstest.WithActor("")), "actor", "required", false, false},
		{"actor of 65", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`, eventstest.WithActor(strings.Repeat("a", 65))), "actor", "at most 64", false, false},
		{"ref of 129", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`, eventstest.WithActor("a"), eventstest.WithRef(strings.Repeat("r", 129))), "ref", "at most 128", false, false},
		{"bad uuid", line("UnitRegistered", "2021-01-01T00:00:00+08:00", `{"unit_id":"U9","name":"n"}`, eventstest.WithID("123"), eventstest.WithActor("a")), "id", "must be a UUID", false, false},
		{"10 MB string", line("UnitRegistered", at, `{"unit_id":"U9","name":"`+strings.Repeat("x", 10<<20)+`"}`), "event", "larger than", false, false},
		{"id with a space", line("UnitRegistered", at, `{"unit_id":"U 9","name":"n"}`), "data.unit_id", "A-Z a-z 0-9", false, false},
		{"id of 33", line("UnitRegistered", at, `{"unit_id":"`+strings.Repeat("U", 33)+`","name":"n"}`), "data.unit_id", "1-32", false, false},
		{"empty name", line("UnitRegistered", at, `{"unit_id":"U9","name":""}`), "data.name", "required", false, false},
		{"name with newline", line("UnitRegistered", at, `{"unit_id":"U9","name":"a\nb"}`), "data.name", "control characters", false, false},
		{"unit registered twice", line("UnitRegistered", at, `{"unit_id":"U1","name":"n"}`), "data.unit_id", "already registered", true, false},
		{"section of an unknown unit", line("SectionRegistered", at, `{"section_id":"S99","unit_id":"U9","name":"n","enforcement":false}`), "data.unit_id", "not registered", false, false},
		{"section before its unit", line("SectionRegistered", "2021-02-01T00:00:00+08:00", `{"section_id":"S99","unit_id":"U3","name":"n","enforcement":false}`), "data.unit_id", "registered only from", false, false},
		{"section registered twice", line("SectionRegistered", at, `{"section_id":"S01","unit_id":"U1","name":"n","enforcement":false}`), "data.section_id", "already registered", true, false},
		{"enforcement missing", line("SectionRegistered", at, `{"section_id":"S99","unit_id":"U1","name":"n"}`), "data.enforcement", "required", false, false},
		{"exempted twice", line("SectionExempted", at, `{"section_id":"S21","reason":"x"}`), "data.section_id", "already exempt", true, false},
		{"vote for an exempt section", line("ServiceVoteRecorded", at, `{"section_id":"S21","round":"H1","respondent":"r-abcd","rating":"basic"}`), "data.section_id", "exempt", false, false},
		{"vote for an unknown section", line("ServiceVoteRecorded", at, `{"section_id":"S99","round":"H1","respondent":"r-abcd","rating":"basic"}`), "data.section_id", "not registered", false, false},
		{"second vote of a respondent", line("ServiceVoteRecorded", at, `{"section_id":"S01","round":"H1","respondent":"r-used","rating":"satisfied"}`), "data.respondent", "already voted", true, false},
		{"phone number as respondent", line("ServiceVoteRecorded", at, `{"section_id":"S01","round":"H1","respondent":"13912345678","rating":"basic"}`), "data.respondent", "phone number", false, false},
		{"round H3", line("ServiceVoteRecorded", at, `{"section_id":"S01","round":"H3","respondent":"r-abcd","rating":"basic"}`), "data.round", "H1, H2", false, false},
		{"rating good", line("ServiceVoteRecorded", at, `{"section_id":"S01","round":"H1","respondent":"r-abcd","rating":"good"}`), "data.rating", "satisfied, basic, unsatisfied", false, false},
		{"hotline 6 points for conduct", line("HotlineVerdict", at, `{"section_id":"S01","item":"conduct","points":6,"role":"lead"}`), "data.points", "from 3 to 5", false, false},
		{"hotline negative points", line("HotlineVerdict", at, `{"section_id":"S01","item":"conduct","points":-3,"role":"lead"}`), "data.points", "from 3 to 5", false, false},
		{"hotline NaN", line("HotlineVerdict", at, `{"section_id":"S01","item":"conduct","points":NaN,"role":"lead"}`), "event", "invalid character", false, false},
		{"hotline points as a string", line("HotlineVerdict", at, `{"section_id":"S01","item":"conduct","points":"4","role":"lead"}`), "data.points", "must be a number", false, false},
		{"hotline huge number", line("HotlineVerdict", at, `{"section_id":"S01","item":"conduct","points":1e999,"role":"lead"}`), "data.points", "", false, false},
		{"shirking at 1 point", line("HotlineVerdict", at, `{"section_id":"S01","item":"shirking","points":1,"role":"lead"}`), "data.points", "must be 2", false, false},
		{"discretionary negative", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":-2,"reason":"x"}`), "data.points", "more than 0", false, false},
		{"discretionary 20.5", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":20.5,"reason":"x"}`), "data.points", "at most 20", false, false},
		{"discretionary off the bonus", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":1,"reason":"x","component":"bonus"}`), "data.component", "must be one of service, hotline, qr, supervisor, inspection, online, or absent", false, false},
		{"discretionary with an empty component", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":1,"reason":"x","component":""}`), "data.component", "must be one of", false, false},
		{"discretionary 0.125", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":0.125,"reason":"x"}`), "data.points", "two decimals", false, false},
		{"unit deduction of an unknown unit", line("UnitDeduction", at, `{"unit_id":"U9","points":1,"reason":"x"}`), "data.unit_id", "not registered", false, false},
		{"grades of another unit's section", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[`+grades(0, 11)[:len(grades(0, 11))-1]+`,{"section_id":"S11","score":3.5}]}`), "data.grades[11].section_id", "belongs to unit U2", false, false},
		{"grades skipping a section", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[`+grades(0, 10)[:len(grades(0, 10))-1]+`]}`), "data.grades", "is not graded", false, false},
		{"grades breaking the quota", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[`+allExcellent(0, 11)+`]}`), "data.grades", "tier excellent", false, false},
		{"grade with two decimals", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[{"section_id":"S00","score":4.25}]}`), "data.grades[0].score", "one decimal", false, false},
		{"grade of 5.5", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[{"section_id":"S00","score":5.5}]}`), "data.grades[0].score", "0.0 to 5.0", false, false},
		{"a second candidate list", line("OnlineCandidatesFrozen", at, `{"section_ids":["S01"]}`), "type", "already frozen", true, false},
		{"credential issued twice", line("VoterCredentialIssued", at, eventstest.CredentialData("fresh-code", "recipient")), "data.credential_key", "already issued", true, false},
		{"credential key in capitals", line("VoterCredentialIssued", at, `{"credential_key":"`+strings.ToUpper(events.CredentialKey("x"))+`","group":"recipient"}`), "data.credential_key", "64 lowercase hex", false, false},
		{"credential by the old hash", line("VoterCredentialIssued", at, `{"credential_hash":"`+events.CredentialKey("x")+`","group":"recipient"}`), "data.credential_hash", "unknown field", false, false},
		{"a credential reused", ballot("used-code", ids(0, 10), ids(10, 20)), "data.credential_key", "already voted", true, false},
		{"an unknown credential", ballot("never-issued", ids(0, 10), ids(10, 20)), "data.credential_key", "unknown credential", false, false},
		{"a forged ballot (another key's signature)", forged("fresh-code"), "data.signature", "does not verify", false, false},
		{"a ballot without signature", line("BallotCast", "2021-11-20T09:00:00+08:00", `{"credential_key":"`+events.CredentialKey("fresh-code")+`","satisfied":[`+ids(0, 10)+`],"unsatisfied":[`+ids(10, 20)+`]}`), "data.signature", "required", false, false},
		{"ballot of 9", ballot("fresh-code", ids(0, 9), ids(10, 20)), "data.satisfied", "exactly 10", false, false},
		{"ballot of 11", ballot("fresh-code", ids(0, 10), ids(9, 20)), "data.unsatisfied", "exactly 10", false, false},
		{"ballot marking one section twice", ballot("fresh-code", ids(0, 10), ids(10, 19)+`,"S00"`), "data.unsatisfied[9]", "also marked satisfied", false, false},
		{"ballot off the list", ballot("fresh-code", ids(0, 10), ids(12, 21)+`,"S99"`), "data.unsatisfied[9]", "not on the frozen candidate list", false, false},
		{"ballot before the freeze", line("BallotCast", "2021-11-01T00:00:00+08:00", ballotData("fresh-code", ids(0, 10), ids(10, 20))), "occurred_at", "before the candidate list", false, false},
		{"a contest of a vote", line("DeductionContested", at, `{"target_id":"`+voteID+`","section_id":"S01","grounds":"g"}`), "data.target_id", "not a deduction", false, false},
		{"a contest for another section", line("DeductionContested", at, `{"target_id":"`+findID+`","section_id":"S02","grounds":"g"}`), "data.section_id", "does not affect", false, false},
		{"a contest of nothing", line("DeductionContested", at, `{"target_id":"99999999-9999-4999-8999-999999999999","section_id":"S01","grounds":"g"}`), "data.target_id", "no stored event", false, false},
		{"a resolution without a contest", line("ContestResolved", at, `{"target_id":"`+findID+`","outcome":"upheld"}`), "data.target_id", "no open contest", false, false},
		{"a retraction of a registration", line("EventRetracted", at, `{"target_id":"`+regID+`","reason":"x"}`), "data.target_id", "cannot be retracted", false, false},
		{"a retraction of a credential", line("EventRetracted", at, `{"target_id":"`+credID+`","reason":"x"}`), "data.target_id", "cannot be retracted", false, false},
		{"a retraction of the list", line("EventRetracted", at, `{"target_id":"`+frozeID+`","reason":"x"}`), "data.target_id", "cannot be retracted", false, false},
		{"an id reused with other content", line("ServiceVoteRecorded", "2021-06-01T09:00:00+08:00", `{"section_id":"S01","round":"H1","respondent":"r-used","rating":"satisfied"}`, eventstest.WithID(voteID)), "id", "other content", true, false},
		{"a correction before the window", line("EventRetracted", "2020-11-30T23:59:59+08:00", `{"target_id":"`+findID+`","reason":"x"}`), "occurred_at", "before the evaluation window's start", false, false},
		{"a retraction before its target", line("EventRetracted", "2021-05-31T09:00:00+08:00", `{"target_id":"`+findID+`","reason":"x"}`), "occurred_at", "before its target occurred (2021-06-01T09:00:00+08:00)", false, false},
		{"a contest before its target", line("DeductionContested", "2021-05-31T09:00:00+08:00", `{"target_id":"`+findID+`","section_id":"S01","grounds":"g"}`), "occurred_at", "before its target occurred", false, false},
		{"a resolution before its target", line("ContestResolved", "2021-05-31T09:00:00+08:00", `{"target_id":"`+contID+`","outcome":"upheld"}`), "occurred_at", "before its target occurred", false, false},
		{"a vote after the window", line("ServiceVoteRecorded", "2021-12-01T00:00:00+08:00", `{"section_id":"S01","round":"H2","respondent":"r-late","rating":"basic"}`), "occurred_at", "outside the evaluation window", false, false},
		{"a reduction not below the points in force", line("ContestResolved", "2021-12-09T09:00:00+08:00", `{"target_id":"`+redID+`","outcome":"reduced","points":1.5}`), "data.points", "fewer than the 1 points in force (reduced at position", false, false},
		{"a reduction of an overturned deduction", line("ContestResolved", "2021-12-09T09:00:00+08:00", `{"target_id":"`+overID+`","outcome":"reduced","points":0}`), "data.points", "overturned", false, false},
		{"a reduction not below the original", line("ContestResolved", "2021-12-09T09:00:00+08:00", `{"target_id":"`+contID+`","outcome":"reduced","points":2}`), "data.points", "fewer than the 2 points in force (the original)", false, false},
		{"a second decision in force", decision("2021-12-09T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(10, 13), "平委〔2021〕31号"), "type", "an outcome is already confirmed (position", true, false},
		{"a decision before the list", decision("2021-11-14T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(10, 13), "d"), "occurred_at", "before the candidate list was frozen", false, false},
		{"a decision before the window", decision("2020-11-30T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(10, 13), "d"), "occurred_at", "before the evaluation window's start", false, false},
		{"a decision off the list", decision("2021-12-09T10:00:00+08:00", ids(0, 9)+`,"S21"`, ids(10, 20), ids(10, 13), "d"), "data.satisfied[9]", "not on the frozen candidate list", false, false},
		{"a decision of 9 satisfied", decision("2021-12-09T10:00:00+08:00", ids(0, 9), ids(10, 20), ids(10, 13), "d"), "data.satisfied", "exactly 10", false, false},
		{"a decision of 4 most unsatisfied", decision("2021-12-09T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(10, 14), "d"), "data.most_unsatisfied", "exactly 3", false, false},
		{"a decision satisfied and unsatisfied", decision("2021-12-09T10:00:00+08:00", ids(0, 10), ids(9, 19), ids(10, 13), "d"), "data.unsatisfied[0]", "also confirmed satisfied", false, false},
		{"a most unsatisfied not unsatisfied", decision("2021-12-09T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(8, 11), "d"), "data.most_unsatisfied[0]", "not among the unsatisfied", false, false},
		{"a decision without a document", decision("2021-12-09T10:00:00+08:00", ids(0, 10), ids(10, 20), ids(10, 13), ""), "data.document", "required", false, false},
		{"reduced with points", line("ContestResolved", at, `{"target_id":"`+findID+`","outcome":"upheld","points":1}`), "data.points", "only allowed", false, false},
		{"commendation at county level", line("CommendationAwarded", at, `{"section_id":"S01","level":"county","deed_id":"D"}`), "data.level", "national, provincial, municipal", false, false},
		{"media for an exempt section", line("MediaCoverageRecorded", at, `{"section_id":"S21","level":"central","matter_id":"M"}`), "data.section_id", "exempt", false, false},

		// Issue #13, item 5: exact decimals, for every points field; no -0;
		// no number the ledger cannot keep exactly.
		{"discretionary 1e-9", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":1e-9,"reason":"x"}`), "data.points", "two decimals", false, false},
		{"discretionary 2.000000001", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":2.000000001,"reason":"x"}`), "data.points", "two decimals", false, false},
		{"unit deduction 0.125", line("UnitDeduction", at, `{"unit_id":"U1","points":0.125,"reason":"x"}`), "data.points", "two decimals", false, false},
		{"unit deduction 0.00001", line("UnitDeduction", at, `{"unit_id":"U1","points":0.00001,"reason":"x"}`), "data.points", "two decimals", false, false},
		{"grade 4.10000001", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[{"section_id":"S00","score":4.10000001}]}`), "data.grades[0].score", "one decimal", false, false},
		{"grade of -0", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[{"section_id":"S00","score":-0}]}`), "data.grades[0].score", "-0 is not allowed", false, false},
		{"reduction to -0", line("ContestResolved", at, `{"target_id":"`+findID+`","outcome":"reduced","points":-0.0}`), "data.points", "-0 is not allowed", false, false},
		{"a grade with more digits than a float", line("SupervisorGradesSubmitted", at, `{"unit_id":"U1","grades":[{"section_id":"S00","score":4.1000000000000000001}]}`), "data.grades[0].score", "it would store 4.1", false, false},
		{"points of 1e-400", line("DiscretionaryDeduction", at, `{"section_id":"S01","points":1e-400,"reason":"x"}`), "data.points", "it would store 0", false, false},

		// Item 6: nothing replaced without a word.
		{"the nil UUID as id", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithID("00000000-0000-0000-0000-000000000000")), "id", "nil UUID", false, false},
		{"id null", `{"id":null,"type":"UnitRegistered","occurred_at":"2021-01-01T00:00:00+08:00","actor":"a","data":{"unit_id":"U9","name":"n"}}`, "id", "must not be null", false, false},
		{"ref null", `{"type":"UnitRegistered","occurred_at":"2021-01-01T00:00:00+08:00","actor":"a","ref":null,"data":{"unit_id":"U9","name":"n"}}`, "ref", "must not be null", false, false},
		{"a lone surrogate in a name", line("UnitRegistered", at, `{"unit_id":"U9","name":"县\ud800"}`), "data.name", "lone UTF-16 surrogate", false, false},
		{"a lone surrogate in the actor", `{"type":"UnitRegistered","occurred_at":"2021-01-01T00:00:00+08:00","actor":"\udfff","data":{"unit_id":"U9","name":"n"}}`, "actor", "lone UTF-16 surrogate", false, false},
		{"historical recorded_at of the zero time", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithRecordedAt("0001-01-01T00:00:00Z")), "recorded_at", "not a time the ledger can store", false, true},
		{"historical recorded_at null", `{"type":"UnitRegistered","occurred_at":"2021-01-01T00:00:00+08:00","recorded_at":null,"actor":"a","data":{"unit_id":"U9","name":"n"}}`, "recorded_at", "must not be null", false, true},
		{"historical recorded_at in 2300", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithRecordedAt("2300-01-01T00:00:00Z")), "recorded_at", "not a time the ledger can store", false, true},

		// Item 7: look-alikes and hidden characters.
		{"a zero-width space in a deed", line("CommendationAwarded", at, `{"section_id":"S01","level":"national","deed_id":"deed\u200b-adv-1"}`), "data.deed_id", "invisible or formatting characters (U+200B)", false, false},
		{"a right-to-left override in a name", line("UnitRegistered", at, `{"unit_id":"U9","name":"县\u202e局改发"}`), "data.name", "invisible or formatting characters (U+202E)", false, false},
		{"a bidi isolate in a reason", line("SectionExempted", at, `{"section_id":"S02","reason":"\u2067x"}`), "data.reason", "invisible or formatting characters (U+2067)", false, false},
		{"a zero-width joiner in the actor", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithActor("office:\u200dliao")), "actor", "invisible or formatting characters (U+200D)", false, false},
		{"a byte order mark in the ref", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithRef("\ufeffSMS-1")), "ref", "invisible or formatting characters (U+FEFF)", false, false},
		{"a blank actor", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithActor(" \u3000 ")), "actor", "must not be blank", false, false},
		{"a reserved default-ignorable in a name", line("UnitRegistered", at, `{"unit_id":"U9","name":"县\ufff0局"}`), "data.name", "invisible or formatting characters (U+FFF0)", false, false},
		{"a reserved tag-block code point in a name", line("UnitRegistered", at, `{"unit_id":"U9","name":"县\udb40\udc00局"}`), "data.name", "invisible or formatting characters (U+E0000)", false, false},

		// Item 8: RFC 3339 and nothing looser.
		{"offset +24:00", line("UnitRegistered", "2021-06-02T09:00:00+24:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "offset +24:00 out of range", false, false},
		{"offset -00:00", line("UnitRegistered", "2021-06-02T09:00:00-00:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "offset is unknown", false, false},
		{"a comma before the fraction", line("UnitRegistered", "2021-06-02T09:00:00,5+08:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "not an RFC 3339 time", false, false},
		{"ten digits of fraction", line("UnitRegistered", "2021-06-02T09:00:00.1234567891+08:00", `{"unit_id":"U9","name":"n"}`), "occurred_at", "more than 9 digits", false, false},
		{"historical recorded_at at +24:00", line("UnitRegistered", at, `{"unit_id":"U9","name":"n"}`, eventstest.WithRecordedAt("2021-06-02T09:00:00+24:00")), "recorded_at", "out of range", false, true},
	}
	require.GreaterOrEqual(t, len(catalogue), 100)
	ctx := context.Background()
	l, st := replaytest.OpenSQLite(t, replay.Options{Clock: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	replaytest.AppendLines(t, l, base...)
	head := l.Head()
	for _, c := range catalogue {
		t.Run(c.name, func(t *testing.T) {
			in := replaytest.DecodeLines(c.input)
			if c.historical {
				ev, ferr := events.Decode([]byte(c.input), events.DecodeOptions{Historical: true})
				in = slices.Values([]events.Decoded{{Line: 1, Event: ev, Err: ferr}})
			}
			_, err := l.Append(ctx, in, replay.AppendOptions{Historical: c.historical})
			var be *events.BatchError
			require.ErrorAs(t, err, &be, "accepted a bad input")
			require.Len(t, be.Items, 1)
			fe := be.Items[0].Err
			require.Equal(t, c.field, fe.Field, "%v", fe)
			require.Contains(t, fe.Reason, c.reason)
			if c.conflict {
				require.ErrorIs(t, err, events.ErrConflict)
			} else {
				require.ErrorIs(t, err, events.ErrInvalid)
			}
			require.Equal(t, head, l.Head(), "nothing appended")
			h, err := st.Head(ctx)
			require.NoError(t, err)
			require.Equal(t, head.Position, h.Position)
		})
	}
	// The same bad input inside a good batch: the batch is refused whole.
	_, err := l.Append(ctx, replaytest.DecodeLines(line("UnitRegistered", at, `{"unit_id":"U7","name":"n"}`), catalogue[0].input), replay.AppendOptions{})
	require.Error(t, err)
	require.Equal(t, head, l.Head())

	// One id twice in a batch, with other content: the earlier one is not
	// stored, and the refusal does not say it is.
	const twice = "5d4c3b2a-1f0e-4d9c-8b7a-6a5b4c3d2e1f"
	_, err = l.Append(ctx, replaytest.DecodeLines(
		line("UnitRegistered", at, `{"unit_id":"U7","name":"n"}`, eventstest.WithID(twice)),
		line("UnitRegistered", at, `{"unit_id":"U8","name":"n"}`, eventstest.WithID(twice))), replay.AppendOptions{})
	var be *events.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Items, 1)
	require.Equal(t, 2, be.Items[0].Line)
	require.Equal(t, "id: event "+twice+" appears earlier in this batch with other content", be.Items[0].Err.Error())
	require.Equal(t, head, l.Head())
}

func grades(from, to int) string {
	var l []string
	tiers := []float64{4.5, 3.5, 2.0}
	for k := from; k < to; k++ {
		l = append(l, fmt.Sprintf(`{"section_id":"S%02d","score":%v}`, k, tiers[(k-from)%3]))
	}
	return strings.Join(l, ",") + ","
}

func allExcellent(from, to int) string {
	var l []string
	for k := from; k < to; k++ {
		l = append(l, fmt.Sprintf(`{"section_id":"S%02d","score":4.5}`, k))
	}
	return strings.Join(l, ",")
}
