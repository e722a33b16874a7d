package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/stretchr/testify/require"
)

// ev is the import line of a typ event with data, by office:liao on
// 2021-06-03.
func ev(typ events.Type, data string) string {
	return eventstest.Line(typ, "2021-06-03T10:15:00+08:00", data, eventstest.WithActor("office:liao"))
}

func TestDecodeEveryType(t *testing.T) {
	h := events.CredentialKey("sample-code")
	tenIDs := func(p string) []string {
		var l []string
		for i := 0; i < 10; i++ {
			l = append(l, p+string(rune('0'+i)))
		}
		return l
	}
	// A ballot signed with the sample code's key, with one field then
	// changed after signing by edit (which must break the signature).
	signed := func(sat, unsat []string, edit func(d *events.BallotCastData)) string {
		d := &events.BallotCastData{Satisfied: sat, Unsatisfied: unsat}
		d.Sign(events.CodeKey("sample-code"))
		if edit != nil {
			edit(d)
		}
		b, _ := json.Marshal(d)
		return string(b)
	}
	cases := []struct {
		name, line, field string // field "" means accepted
	}{
		{"unit ok", ev("UnitRegistered", `{"unit_id":"U01","name":"县发改局"}`), ""},
		{"unit bad id", ev("UnitRegistered", `{"unit_id":"U 01","name":"x"}`), "data.unit_id"},
		{"unit long name", ev("UnitRegistered", `{"unit_id":"U01","name":"`+strings.Repeat("科", 129)+`"}`), "data.name"},
		{"section ok", ev("SectionRegistered", `{"section_id":"U01-S01","unit_id":"U01","name":"价格科","enforcement":true}`), ""},
		{"section late", ev("SectionRegistered", `{"section_id":"U01-S01","unit_id":"U01","name":"价格科","enforcement":false,"late_reported":true}`), ""},
		{"section no enforcement", ev("SectionRegistered", `{"section_id":"U01-S01","unit_id":"U01","name":"价格科"}`), "data.enforcement"},
		{"section enforcement string", ev("SectionRegistered", `{"section_id":"U01-S01","unit_id":"U01","name":"价格科","enforcement":"yes"}`), "data.enforcement"},
		{"exempt ok", ev("SectionExempted", `{"section_id":"U01-S01","reason":"满意 2019, 2020"}`), ""},
		{"exempt no reason", ev("SectionExempted", `{"section_id":"U01-S01"}`), "data.reason"},
		{"prior ok", ev("PriorYearUnsatisfiedMarked", `{"section_id":"U01-S01"}`), ""},
		{"prior extra", ev("PriorYearUnsatisfiedMarked", `{"section_id":"U01-S01","x":1}`), "data.x"},
		{"vote ok", ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H1","respondent":"r-9f2c41","rating":"basic"}`), ""},
		{"vote bad round", ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H3","respondent":"r-9f2c41","rating":"basic"}`), "data.round"},
		{"vote bad rating", ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H1","respondent":"r-9f2c41","rating":"good"}`), "data.rating"},
		{"vote phone", ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H1","respondent":"13812345678","rating":"basic"}`), "data.respondent"},
		{"vote phone dashed", ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H1","respondent":"138-1234-5678","rating":"basic"}`), "data.respondent"},
		{"vote short respondent", ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H1","respondent":"r1","rating":"basic"}`), "data.respondent"},
		{"hotline ok", ev("HotlineVerdict", `{"section_id":"U01-S01","item":"conduct","points":4,"role":"lead"}`), ""},
		{"hotline fixed ok", ev("HotlineVerdict", `{"section_id":"U01-S01","item":"shirking","points":2,"role":"assist"}`), ""},
		{"hotline wrong fixed", ev("HotlineVerdict", `{"section_id":"U01-S01","item":"shirking","points":3,"role":"lead"}`), "data.points"},
		{"hotline fraction", ev("HotlineVerdict", `{"section_id":"U01-S01","item":"conduct","points":3.5,"role":"lead"}`), "data.points"},
		{"hotline bad item", ev("HotlineVerdict", `{"section_id":"U01-S01","item":"rude","points":3,"role":"lead"}`), "data.item"},
		{"hotline bad role", ev("HotlineVerdict", `{"section_id":"U01-S01","item":"conduct","points":3,"role":"helper"}`), "data.role"},
		{"qr ok", ev("OnlineComplaintVerified", `{"section_id":"U01-S01"}`), ""},
		{"qr no section", ev("OnlineComplaintVerified", `{}`), "data.section_id"},
		{"grades ok", ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":4.5}]}`), ""},
		{"grades two decimals", ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":4.55}]}`), "data.grades[0].score"},
		{"grades above 5", ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":5.1}]}`), "data.grades[0].score"},
		{"grades repeat", ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S01","score":4},{"section_id":"U01-S01","score":3}]}`), "data.grades[1].section_id"},
		{"grades empty", ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[]}`), "data.grades"},
		{"finding ok", ev("InspectionFinding", `{"section_id":"U01-S01","level":"city","serious":true}`), ""},
		{"finding no serious", ev("InspectionFinding", `{"section_id":"U01-S01","level":"city"}`), "data.serious"},
		{"finding bad level", ev("InspectionFinding", `{"section_id":"U01-S01","level":"province","serious":false}`), "data.level"},
		{"complaint ok", ev("ComplaintSubstantiated", `{"section_id":"U01-S01","serious":false}`), ""},
		{"complaint serious number", ev("ComplaintSubstantiated", `{"section_id":"U01-S01","serious":1}`), "data.serious"},
		{"case ok", ev("DisciplinaryCaseFiled", `{"section_id":"U01-S01","subject":"deputy","violation":"earlier_year"}`), ""},
		{"case bad subject", ev("DisciplinaryCaseFiled", `{"section_id":"U01-S01","subject":"boss","violation":"earlier_year"}`), "data.subject"},
		{"discretionary ok", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"late report"}`), ""},
		{"discretionary off online", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"拉票","component":"online"}`), ""},
		{"discretionary null component", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"x","component":null}`), ""},
		{"discretionary off bonus", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"x","component":"bonus"}`), "data.component"},
		{"discretionary empty component", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"x","component":""}`), "data.component"},
		{"discretionary component a number", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"x","component":4}`), "data.component"},
		{"discretionary negative", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":-1,"reason":"x"}`), "data.points"},
		{"discretionary three decimals", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.125,"reason":"x"}`), "data.points"},
		{"discretionary over 20", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":21,"reason":"x"}`), "data.points"},
		{"unit deduction ok", ev("UnitDeduction", `{"unit_id":"U01","points":2,"reason":"应报未报"}`), ""},
		{"unit deduction zero", ev("UnitDeduction", `{"unit_id":"U01","points":0,"reason":"x"}`), "data.points"},
		{"frozen ok", ev("OnlineCandidatesFrozen", `{"section_ids":["U01-S01","U01-S02"]}`), ""},
		{"frozen repeat", ev("OnlineCandidatesFrozen", `{"section_ids":["U01-S01","U01-S01"]}`), "data.section_ids[1]"},
		{"credential ok", ev("VoterCredentialIssued", `{"credential_key":"`+h+`","group":"recipient"}`), ""},
		{"credential upper hex", ev("VoterCredentialIssued", `{"credential_key":"`+strings.ToUpper(h)+`","group":"recipient"}`), "data.credential_key"},
		{"credential the old hash field", ev("VoterCredentialIssued", `{"credential_hash":"`+h+`","group":"recipient"}`), "data.credential_hash"},
		{"credential bad group", ev("VoterCredentialIssued", `{"credential_key":"`+h+`","group":"public"}`), "data.group"},
		{"ballot ok", ev("BallotCast", signed(tenIDs("A"), tenIDs("B"), nil)), ""},
		{"ballot of 9", ev("BallotCast", signed(tenIDs("A")[1:], tenIDs("B"), nil)), "data.satisfied"},
		{"ballot overlap", ev("BallotCast", signed(tenIDs("A"), append([]string{"A0"}, tenIDs("B")[1:]...), nil)), "data.unsatisfied[0]"},
		{"ballot list changed after signing", ev("BallotCast", signed(tenIDs("A"), tenIDs("B"), func(d *events.BallotCastData) { d.Satisfied[0] = "C0" })), "data.signature"},
		{"ballot signed by another key", ev("BallotCast", signed(tenIDs("A"), tenIDs("B"), func(d *events.BallotCastData) { d.CredentialKey = events.CredentialKey("other") })), "data.signature"},
		{"ballot without signature", ev("BallotCast", signed(tenIDs("A"), tenIDs("B"), func(d *events.BallotCastData) { d.Signature = "" })), "data.signature"},
		{"ballot signature in capitals", ev("BallotCast", signed(tenIDs("A"), tenIDs("B"), func(d *events.BallotCastData) { d.Signature = strings.ToUpper(d.Signature) })), "data.signature"},
		{"commendation ok", ev("CommendationAwarded", `{"section_id":"U01-S01","level":"national","deed_id":"D-1"}`), ""},
		{"commendation bad level", ev("CommendationAwarded", `{"section_id":"U01-S01","level":"county","deed_id":"D-1"}`), "data.level"},
		{"media ok", ev("MediaCoverageRecorded", `{"section_id":"U01-S01","level":"central","matter_id":"M-1"}`), ""},
		{"media no matter", ev("MediaCoverageRecorded", `{"section_id":"U01-S01","level":"central"}`), "data.matter_id"},
		{"retract ok", ev("EventRetracted", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","reason":"wrong entry"}`), ""},
		{"retract bad target", ev("EventRetracted", `{"target_id":"42","reason":"wrong entry"}`), "data.target_id"},
		{"contest ok", ev("DeductionContested", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","section_id":"U01-S01","grounds":"not us"}`), ""},
		{"contest no grounds", ev("DeductionContested", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","section_id":"U01-S01"}`), "data.grounds"},
		{"resolve ok", ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":1}`), ""},
		{"resolve upheld ok", ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"upheld"}`), ""},
		{"resolve reduced without points", ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced"}`), "data.points"},
		{"resolve points when upheld", ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"upheld","points":1}`), "data.points"},
		// envelope
		{"unknown type", eventstest.Line("Bribe", "2021-06-03T10:15:00+08:00", `{}`, eventstest.WithActor("a")), "type"},
		{"no offset", eventstest.Line("UnitRegistered", "2021-06-03T10:15:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("a")), "occurred_at"},
		{"before window", eventstest.Line("UnitRegistered", "2020-11-30T23:59:59+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("a")), "occurred_at"},
		{"after window", eventstest.Line("UnitRegistered", "2021-11-30T16:00:00Z", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("a")), "occurred_at"},
		{"window end in UTC", eventstest.Line("UnitRegistered", "2021-11-30T15:59:59Z", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("a")), ""},
		{"no actor", `{"type":"UnitRegistered","occurred_at":"2021-06-03T10:15:00+08:00","data":{"unit_id":"U1","name":"n"}}`, "actor"},
		{"long actor", eventstest.Line("UnitRegistered", "2021-06-03T10:15:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor(strings.Repeat("a", 65))), "actor"},
		{"long ref", eventstest.Line("UnitRegistered", "2021-06-03T10:15:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithActor("a"), eventstest.WithRef(strings.Repeat("r", 129))), "ref"},
		{"unknown envelope field", `{"type":"UnitRegistered","occurred_at":"2021-06-03T10:15:00+08:00","actor":"a","position":3,"data":{"unit_id":"U1","name":"n"}}`, "position"},
		{"bad id", eventstest.Line("UnitRegistered", "2021-06-03T10:15:00+08:00", `{"unit_id":"U1","name":"n"}`, eventstest.WithID("nope"), eventstest.WithActor("a")), "id"},
		{"duplicate key", `{"type":"UnitRegistered","type":"UnitRegistered","occurred_at":"2021-06-03T10:15:00+08:00","actor":"a","data":{"unit_id":"U1","name":"n"}}`, "type"},
		{"duplicate data key", ev("UnitRegistered", `{"unit_id":"U1","unit_id":"U2","name":"n"}`), "data.unit_id"},
		{"truncated", `{"type":"UnitRegistered","occurred_at":"2021-06`, ""},
		{"data not object", ev("UnitRegistered", `[1]`), "data"},
		{"control char in name", ev("UnitRegistered", `{"unit_id":"U1","name":"a\nb"}`), "data.name"},
		{"huge number", ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1e400,"reason":"x"}`), "data.points"},
		// A wrong JSON type inside an array names the element.
		{"grade score a string", ev("SupervisorGradesSubmitted", `{"unit_id":"U02","grades":[{"section_id":"U02-S01","score":1},{"section_id":"U02-S02","score":"4"}]}`), "data.grades[1].score"},
		{"grade section a number", ev("SupervisorGradesSubmitted", `{"unit_id":"U02","grades":[{"section_id":"U02-S01","score":1}, {"section_id" : 5,"score":4}]}`), "data.grades[1].section_id"},
		{"grade section a list", ev("SupervisorGradesSubmitted", `{"unit_id":"U02","grades":[{"section_id":["U02-S01"],"score":1}]}`), "data.grades[0].section_id"},
		{"grade not an object", ev("SupervisorGradesSubmitted", `{"unit_id":"U02","grades":[{"section_id":"U02-S01","score":1},7]}`), "data.grades[1]"},
		{"frozen id a number", ev("OnlineCandidatesFrozen", `{"section_ids":["U01-S01",7]}`), "data.section_ids[1]"},
		{"frozen ids not a list", ev("OnlineCandidatesFrozen", `{"section_ids":"U01-S01"}`), "data.section_ids"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := events.Decode([]byte(c.line), events.DecodeOptions{})
			if c.name == "truncated" {
				require.NotNil(t, err)
				require.Contains(t, err.Reason, "JSON")
				return
			}
			if c.field == "" {
				require.Nil(t, err, "%v", err)
				require.NotNil(t, e.Body)
				return
			}
			require.NotNil(t, err, "accepted a bad event")
			require.Equal(t, c.field, err.Field, "%v", err)
			require.True(t, errors.Is(err, events.ErrInvalid))
			require.NotEmpty(t, err.Reason)
		})
	}
}

func TestRespondentNeverInErrors(t *testing.T) {
	for _, r := range []string{"13812345678", "x", strings.Repeat("z", 70) + "secret"} {
		_, err := events.Decode([]byte(ev("ServiceVoteRecorded", `{"section_id":"U06-S12","round":"H1","respondent":"`+r+`","rating":"basic"}`)), events.DecodeOptions{})
		require.NotNil(t, err)
		require.NotContains(t, err.Error(), r)
	}
}

func TestCanonicalIsSortedCompactJSON(t *testing.T) {
	e := eventstest.Event(t, eventstest.Line("SectionRegistered", "2021-01-02T03:04:05.5Z", `{"unit_id":"U1","section_id":"S1","name":"价格科 \\ x","enforcement":true}`,
		eventstest.WithActor(`office:"q"`), eventstest.WithRef("<A&B>")))
	e.ID = uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	r, _ := events.Seal(events.Head{Position: 6}, e, time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC), nil)
	canon := string(r.Canonical(nil))
	require.Equal(t, `{"actor":"office:\"q\"","data":{"enforcement":true,"late_reported":false,"name":"价格科 \\ x","section_id":"S1","unit_id":"U1"},"id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","occurred_at":"2021-01-02T11:04:05.5+08:00","position":7,"recorded_at":"2021-01-02T00:00:00Z","ref":"<A&B>","stream":"section-S1","type":"SectionRegistered"}`, canon)

	// The recipe of the docs: a generic JSON tool that sorts keys, applied to
	// the stored envelope minus the two hashes, gives the same bytes.
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.AppendJSON(nil), &m))
	delete(m, "hash")
	delete(m, "prev_hash")
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(m))
	require.Equal(t, canon, strings.TrimSpace(b.String()))
	require.Equal(t, events.ChainHash(events.ZeroHash, []byte(canon)), r.Hash)
}

// TestDiscretionaryWithoutComponentKeepsItsBytes: the optional component
// is written only when sent, so that a deduction recorded before the field
// existed has today the bytes and hash it had then (the hash below was
// computed by the ledger before the field was added).
func TestDiscretionaryWithoutComponentKeepsItsBytes(t *testing.T) {
	for _, fast := range []bool{true, false} {
		events.SetFastPath(fast)
		e := eventstest.Event(t, ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":1.25,"reason":"迟报"}`))
		require.Equal(t, `{"points":1.25,"reason":"迟报","section_id":"U01-S01"}`, string(e.Data))
		e.ID = uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
		r, _ := events.Seal(events.Head{}, e, time.Date(2021, 6, 4, 0, 0, 0, 0, time.UTC), nil)
		require.Equal(t, oldDiscretionaryHash, r.Hash.String())

		e = eventstest.Event(t, ev("DiscretionaryDeduction", `{"component":"online","section_id":"U01-S01","points":1.25,"reason":"迟报"}`))
		require.Equal(t, `{"component":"online","points":1.25,"reason":"迟报","section_id":"U01-S01"}`, string(e.Data))
	}
	events.SetFastPath(true)
}

const oldDiscretionaryHash = "b0fcfbf91d07518eb351ee8b39d6b85847e5f7a6786338ef6d1e34176c06a046"

// TestCanonicalMatchesEncodingJSON holds the hand-rolled canonical encoder
// to encoding/json for every body type.
func TestCanonicalMatchesEncodingJSON(t *testing.T) {
	lines := []string{
		ev("SectionRegistered", `{"section_id":"S1","unit_id":"U1","name":"<价格科> & \"x\" \\ y","enforcement":true}`),
		ev("SupervisorGradesSubmitted", `{"unit_id":"U01","grades":[{"section_id":"U01-S02","score":3.9},{"section_id":"U01-S01","score":0}]}`),
		ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":0.05,"reason":"x"}`),
		ev("DiscretionaryDeduction", `{"section_id":"U01-S01","points":0.05,"reason":"x","component":"supervisor"}`),
		ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"upheld"}`),
		ev("ContestResolved", `{"target_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","outcome":"reduced","points":0}`),
		ev("BallotCast", eventstest.BallotData("c", []string{"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"}, []string{"B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"})),
		ev("HotlineVerdict", `{"section_id":"U01-S01","item":"conduct","points":5e0,"role":"lead"}`),
	}
	for _, l := range lines {
		e := eventstest.Event(t, l)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(e.Body))
		require.Equal(t, strings.TrimSpace(b.String()), string(e.Data))
	}
}

// TestPseudonymsAreAcceptedAndPhonesRefused: the office's pseudonym form
// passes the respondent check whatever digits its base32 holds, and phone
// numbers are still refused, also when dressed up with the prefix.
func TestPseudonymsAreAcceptedAndPhonesRefused(t *testing.T) {
	alphabet := "abcdefghijklmnopqrstuvwxyz234567"
	var b [events.PseudonymChars]byte
	for i := range 20000 {
		for j := range b {
			b[j] = alphabet[(i*7919+j*104729+i*j)%32]
		}
		v := events.PseudonymPrefix + string(b[:])
		require.True(t, events.IsPseudonym(v), v)
		d := &events.ServiceVoteRecordedData{SectionID: "U01-S01", Round: events.RoundH1, Respondent: v, Rating: events.RatingBasic}
		require.Nil(t, d.Check(), v)
	}
	// Seven 2-7 digits in a row: refused by the old rule, accepted in a pseudonym.
	v := events.PseudonymPrefix + "2345672abcdefghijklmnopqrs"
	require.True(t, events.LooksLikePhone(v))
	require.True(t, events.IsPseudonym(v))
	for _, phone := range []string{"13812345678", "138-1234-5678", "r-13812345678abcdefghijklmn", "r-13812345678", "R-2345672abcdefghijklmnopqrs"} {
		d := &events.ServiceVoteRecordedData{SectionID: "U01-S01", Round: events.RoundH1, Respondent: phone, Rating: events.RatingBasic}
		err := d.Check()
		require.NotNil(t, err, phone)
		require.NotContains(t, err.Error(), phone)
	}
}

// A recorded_at outside a historical import is left for the append to
// refuse (unless the event repeats a stored one): the decoder marks it.
func TestRecordedAtOutsideAHistoricalImport(t *testing.T) {
	line := eventstest.Line("UnitRegistered", "2021-06-03T10:15:00+08:00", `{"unit_id":"U1","name":"n"}`,
		eventstest.WithRecordedAt("2021-06-03T10:15:00+08:00"), eventstest.WithActor("a"))
	ev, ferr := events.Decode([]byte(line), events.DecodeOptions{})
	require.Nil(t, ferr)
	require.True(t, ev.ForeignRecordedAt)
	require.True(t, ev.RecordedAt.IsZero(), "not taken")
	ev, ferr = events.Decode([]byte(line), events.DecodeOptions{Historical: true})
	require.Nil(t, ferr)
	require.False(t, ev.ForeignRecordedAt)
	require.False(t, ev.RecordedAt.IsZero())
}
