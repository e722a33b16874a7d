package projections_test

// Data-driven rule tests: events in, standings and explain out, so that a
// new clause's test is data (testdata/rules/*.txt, one file per clause
// family).
//
// Each file is read by github.com/cockroachdb/datadriven and folds into a
// ledger of its own, from the top of the file down. A directive is a line,
// then its input (if any), then "----" and the output it must print, up to
// a blank line. Lines starting with # between directives are comments:
// every expected number has its hand arithmetic in one, above the
// directive that prints it:
//
//	# A: conduct 5 + 4/2 = 7: 10 - 7 = 3; handling 2 + 5/2 + 5 = 9.5: 90 - 9.5 = 80.5
//	#    hotline = (3 + 80.5)/100*5 = 4.175; total = 4.175 + 25 = 29.175
//	standings as_of=2021-11-30 fields=(hotline,daily_total,total,rank)
//	----
//	events=11
//	A hotline=4.175 daily_total=29.175 total=29.175 rank=2
//	B hotline=4.5 daily_total=29.5 total=29.5 rank=1
//	candidates: preview, 2 of 2 scored; left out: none
//	outcome: null
//
// `go test ./projections -run TestRules -update` (or datadriven's own
// -rewrite) writes this run's output into the files: check every changed
// number against its comment before committing.
//
// Directives:
//
//	events
//	    One event per line, appended through projections.State the way the
//	    ledger's writer does (Decode, Seal, Begin, Add, Commit or Rollback):
//	      TYPE DATE {data}   actor "test"; DATE is YYYY-MM-DD (taken as
//	                         12:00 +08:00) or an RFC 3339 time
//	      {"type": …}        a whole event, as `ledger import` reads it
//	      NAME: …            either form, naming the event: the JSON string
//	                         "#NAME" in a later line is its id
//	      Nx …               the line N times, with $n replaced by 1…N
//	    Blank lines and lines starting with # are skipped. Accepted events
//	    are recorded one minute apart, the first at 2021-01-01T00:01:00Z
//	    (position p is recorded p minutes in) until `clock` moves the
//	    clock. A refused
//	    line changes nothing and is reported with its field and reason, so
//	    refusals are expectations too:
//	      refused line 2: data.respondent: this respondent already voted …
//	      appended 1 of 2, 39 events in the ledger
//
//	standings as_of=WHEN [known_at=WHEN] [sections=(ID, …)] [fields=(F, …)]
//	    "events=N" (the events visible in the view), one line per visible
//	    section (only the listed ones with sections=):
//	      ID h1= h2= votes=H1/H2 service= hotline= qr= supervisor=
//	         inspection= daily_total= online= [ballots=] bonus= total=
//	         candidate=yes|no rank=
//	    (only the fields F with fields=; service is the service score) or
//	    "ID exempt"; then the candidates (preview or frozen, how many of the
//	    scored sections, and which scored sections are left out), the
//	    online voters once a list is frozen, and the outcome: null, or its
//	    lists and the units' adjustments; once a list is frozen, the
//	    committee's decision (R-OUT-CONF): null, or its document, lists,
//	    top3, units and its deviations from the proposal per list.
//
//	explain ID as_of=WHEN [known_at=WHEN] [fields=(F, …)]
//	    The section's row as above, then one line per entry of its trail:
//	      POSITION TYPE COMPONENT POINTS CLAUSE STATUS "NOTE"
//	    or "error: …" for a section the view does not have.
//
//	clock at=TIME
//	    The next event is recorded one minute after TIME (RFC 3339), which
//	    must not be before the last recorded_at.
//
//	reset
//	    A new, empty ledger (and clock, and names).
//
// WHEN is YYYY-MM-DD (the end of that day, +08:00), an RFC 3339 time, or
// #NAME[±DURATION]: when the named event was recorded, so a view that knows
// it and everything before it (#NAME-1s: only what came before). known_at
// defaults to the last recorded_at: everything is known.
//
// Numbers are rounded to 6 decimals (19.1666… is 19.166667), a null is
// "null", and event ids are shown as #NAME, or @POSITION when unnamed,
// since events get random ids.

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/rules/*.txt with this run's output (datadriven's -rewrite)")

func TestRules(t *testing.T) {
	if *update {
		require.NoError(t, flag.Set("rewrite", "true"))
	}
	files, err := filepath.Glob("testdata/rules/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			l := newRuleLedger()
			datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
				return l.run(t, d)
			})
		})
	}
}

// ruleStart is where the recording clock starts: the first event is
// recorded a minute later.
var ruleStart = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

type ruleLedger struct {
	st    *projections.State
	head  events.Head
	clock time.Time // recorded_at of the last event, or where `clock` put it
	named map[string]*events.Record
	// label shows an event id as #NAME or @POSITION, so that output does
	// not depend on the random ids events get.
	label map[string]string
}

func newRuleLedger() *ruleLedger {
	return &ruleLedger{st: projections.New(), clock: ruleStart, named: map[string]*events.Record{}, label: map[string]string{}}
}

func (l *ruleLedger) run(t *testing.T, d *datadriven.TestData) string {
	switch d.Cmd {
	case "events":
		return l.events(t, d)
	case "standings":
		return l.standings(t, d)
	case "explain":
		return l.explain(t, d)
	case "clock":
		var at string
		d.ScanArgs(t, "at", &at)
		c, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			d.Fatalf(t, "clock: %v", err)
		}
		if c.Before(l.clock) {
			d.Fatalf(t, "clock: %s is before the last recorded event, %s", at, events.FormatUTC(l.clock))
		}
		l.clock = c
		return "next event recorded at " + events.FormatUTC(c.Add(time.Minute))
	case "reset":
		*l = *newRuleLedger()
		return ""
	}
	d.Fatalf(t, "unknown directive %q", d.Cmd)
	return ""
}

var (
	repeatLine = regexp.MustCompile(`^(\d+)x\s+(.*)$`)
	namedLine  = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):\s+(.*)$`)
	shortLine  = regexp.MustCompile(`^(\S+)\s+(\S+)\s+(\{.*\})$`)
	reference  = regexp.MustCompile(`"#([A-Za-z_][A-Za-z0-9_]*)"`)
)

func (l *ruleLedger) events(t *testing.T, d *datadriven.TestData) string {
	var out strings.Builder
	lines, accepted := 0, 0
	for i, line := range strings.Split(d.Input, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n, name := 1, ""
		if m := repeatLine.FindStringSubmatch(line); m != nil {
			n, _ = strconv.Atoi(m[1])
			line = m[2]
		}
		if m := namedLine.FindStringSubmatch(line); m != nil {
			if n > 1 {
				d.Fatalf(t, "line %d: a repeated line cannot be named", i+1)
			}
			if l.named[m[1]] != nil {
				d.Fatalf(t, "line %d: #%s is already an event", i+1, m[1])
			}
			name, line = m[1], m[2]
		}
		for k := 1; k <= n; k++ {
			lines++
			raw := l.envelope(t, d, i+1, strings.ReplaceAll(line, "$n", strconv.Itoa(k)))
			where := fmt.Sprintf("line %d", i+1)
			if n > 1 {
				where = fmt.Sprintf("line %d (%d of %d)", i+1, k, n)
			}
			r, ferr := l.append(raw)
			if ferr != nil {
				fmt.Fprintf(&out, "refused %s: %s\n", where, ferr.Error())
				continue
			}
			accepted++
			l.label[r.ID.String()] = "@" + strconv.FormatInt(r.Position, 10)
			if name != "" {
				l.named[name] = r
				l.label[r.ID.String()] = "#" + name
			}
		}
	}
	fmt.Fprintf(&out, "appended %d of %d, %d events in the ledger", accepted, lines, l.head.Position)
	return l.relabel(out.String())
}

// envelope is the JSON of one event line, with references to named events
// replaced by their ids.
func (l *ruleLedger) envelope(t *testing.T, d *datadriven.TestData, line int, s string) []byte {
	s = reference.ReplaceAllStringFunc(s, func(ref string) string {
		r := l.named[ref[2:len(ref)-1]]
		if r == nil {
			d.Fatalf(t, "line %d: no event is named %s", line, ref)
			return ref
		}
		return strconv.Quote(r.ID.String())
	})
	if strings.HasPrefix(s, "{") {
		return []byte(s)
	}
	m := shortLine.FindStringSubmatch(s)
	if m == nil {
		d.Fatalf(t, "line %d: want TYPE DATE {data} or a whole event, got %q", line, s)
	}
	occurred := m[2]
	if len(occurred) == len("2006-01-02") {
		occurred += "T12:00:00+08:00"
	}
	typ, _ := json.Marshal(m[1])
	at, _ := json.Marshal(occurred)
	return []byte(fmt.Sprintf(`{"type":%s,"occurred_at":%s,"actor":"test","data":%s}`, typ, at, m[3]))
}

// append folds one event the way the ledger's writer does: all of it, or
// nothing.
func (l *ruleLedger) append(raw []byte) (*events.Record, *events.FieldError) {
	ev, ferr := events.Decode(raw, events.DecodeOptions{})
	if ferr != nil {
		return nil, ferr
	}
	r, _ := events.Seal(l.head, ev, l.clock.Add(time.Minute), nil)
	l.st.Begin()
	if ferr := l.st.Add(r, ev.Body, true); ferr != nil {
		l.st.Rollback()
		return nil, ferr
	}
	l.st.Commit()
	l.head, l.clock = r.Head(), r.RecordedAt
	return r, nil
}

// view reads as_of and known_at.
func (l *ruleLedger) view(t *testing.T, d *datadriven.TestData) projections.View {
	var asOf string
	d.ScanArgs(t, "as_of", &asOf)
	v := projections.View{KnownAt: l.clock}
	var err error
	if v.AsOf, err = events.ParseBound(asOf); err != nil {
		d.Fatalf(t, "as_of: %v", err)
	}
	var known string
	if !d.MaybeScanArgs(t, "known_at", &known) {
		return v
	}
	if !strings.HasPrefix(known, "#") {
		if v.KnownAt, err = events.ParseBound(known); err != nil {
			d.Fatalf(t, "known_at: %v", err)
		}
		return v
	}
	name, offset := known[1:], ""
	if i := strings.IndexAny(name, "+-"); i >= 0 {
		name, offset = name[:i], name[i:]
	}
	r := l.named[name]
	if r == nil {
		d.Fatalf(t, "known_at: no event is named #%s", name)
		return v
	}
	v.KnownAt = r.RecordedAt
	if offset != "" {
		dur, err := time.ParseDuration(offset)
		if err != nil {
			d.Fatalf(t, "known_at: %v", err)
		}
		v.KnownAt = v.KnownAt.Add(dur)
	}
	return v
}

func (l *ruleLedger) standings(t *testing.T, d *datadriven.TestData) string {
	st := l.st.Standings(l.view(t, d))
	var only map[string]bool
	if arg, ok := d.Arg("sections"); ok {
		only = map[string]bool{}
		for _, id := range arg.Vals {
			only[id] = true
		}
	}
	fields := l.fields(t, d)
	var out strings.Builder
	fmt.Fprintf(&out, "events=%d\n", st.Events)
	scored, left := 0, []string{}
	for _, r := range st.Sections {
		if r.Service != nil {
			scored++
			if !r.Candidate {
				left = append(left, r.SectionID)
			}
		}
		if only == nil || only[r.SectionID] {
			out.WriteString(rowLine(r, fields) + "\n")
			delete(only, r.SectionID)
		}
	}
	for id := range only {
		d.Fatalf(t, "sections: %s is not in the view", id)
	}
	kind := "preview"
	if st.CandidatesFrozen {
		kind = "frozen"
	}
	fmt.Fprintf(&out, "candidates: %s, %d of %d scored; left out: %s\n", kind, len(st.Candidates), scored, list(left))
	if st.CandidatesFrozen {
		fmt.Fprintf(&out, "online_voters: recipient=%d representative=%d\n", st.OnlineVoters.Recipient, st.OnlineVoters.Representative)
	}
	if o := st.Outcome; o == nil {
		out.WriteString("outcome: null\n")
	} else {
		fmt.Fprintf(&out, "outcome satisfied: %s\n", list(o.Satisfied))
		fmt.Fprintf(&out, "outcome unsatisfied: %s\n", list(o.Unsatisfied))
		fmt.Fprintf(&out, "outcome most_unsatisfied: %s\n", list(o.MostUnsatisfied))
		fmt.Fprintf(&out, "outcome top3: %s\n", list(o.Top3))
		fmt.Fprintf(&out, "outcome units: %s\n", units(o.Units))
	}
	c := st.Confirmed
	switch {
	case c == nil && st.CandidatesFrozen:
		out.WriteString("confirmed: null\n")
	case c != nil:
		fmt.Fprintf(&out, "confirmed %s: satisfied %s\n", c.Document, list(c.Satisfied))
		fmt.Fprintf(&out, "confirmed unsatisfied: %s\n", list(c.Unsatisfied))
		fmt.Fprintf(&out, "confirmed most_unsatisfied: %s\n", list(c.MostUnsatisfied))
		fmt.Fprintf(&out, "confirmed top3: %s\n", list(c.Top3))
		fmt.Fprintf(&out, "confirmed units: %s\n", units(c.Units))
		for _, d := range []struct {
			name string
			dv   projections.Deviation
		}{{"satisfied", c.Deviations.Satisfied}, {"unsatisfied", c.Deviations.Unsatisfied}, {"most_unsatisfied", c.Deviations.MostUnsatisfied}} {
			fmt.Fprintf(&out, "deviation %s: dropped %s; added %s\n", d.name, list(d.dv.Dropped), list(d.dv.Added))
		}
	}
	return out.String()
}

func units(l []projections.UnitAdjustment) string {
	var out []string
	for _, u := range l {
		out = append(out, fmt.Sprintf("%s=%+d", u.UnitID, u.Adjustment))
	}
	return list(out)
}

func (l *ruleLedger) explain(t *testing.T, d *datadriven.TestData) string {
	if len(d.CmdArgs) == 0 || len(d.CmdArgs[0].Vals) != 0 {
		d.Fatalf(t, "want explain ID as_of=…")
	}
	e, err := l.st.Explain(d.CmdArgs[0].Key, l.view(t, d))
	if err != nil {
		return "error: " + err.Error()
	}
	var out strings.Builder
	out.WriteString(rowLine(e.Row, l.fields(t, d)) + "\n")
	for _, x := range e.Entries {
		fmt.Fprintf(&out, "%d %s %s %s %s %s %s\n", x.Position, x.Type, x.Component, num(x.Points), x.Clause, x.Status, strconv.Quote(x.Note))
	}
	return l.relabel(out.String())
}

// fields reads fields=(…), the row fields to print; nil means all.
func (l *ruleLedger) fields(t *testing.T, d *datadriven.TestData) []string {
	arg, ok := d.Arg("fields")
	if !ok {
		return nil
	}
	for _, k := range arg.Vals {
		if !slices.Contains(rowFields, k) {
			d.Fatalf(t, "fields: no field %q (have %s)", k, strings.Join(rowFields, " "))
		}
	}
	return arg.Vals
}

// relabel replaces event ids with their labels.
func (l *ruleLedger) relabel(s string) string {
	var pairs []string
	for id, label := range l.label {
		pairs = append(pairs, id, label)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// rowFields are the fields of a row line, in order.
var rowFields = []string{"h1", "h2", "votes", "service", "hotline", "qr", "supervisor", "inspection",
	"daily_total", "online", "ballots", "bonus", "total", "candidate", "rank"}

// rowLine is one section's standing: the fields the rules set, or only
// those in only.
func rowLine(r projections.Row, only []string) string {
	if r.Exempt {
		return r.SectionID + " exempt"
	}
	s := r.Service
	f := map[string]string{
		"h1": opt(s.H1), "h2": opt(s.H2), "votes": fmt.Sprintf("%d/%d", s.VotesH1, s.VotesH2), "service": opt(s.Score),
		"hotline": opt(r.Hotline), "qr": opt(r.QR), "supervisor": opt(r.Supervisor), "inspection": opt(r.Inspection),
		"daily_total": opt(r.DailyTotal), "online": opt(r.Online), "bonus": opt(r.Bonus), "total": opt(r.Total),
		"candidate": "no", "rank": "null",
	}
	if r.OnlineBallots != nil {
		f["ballots"] = strconv.Itoa(*r.OnlineBallots)
	}
	if r.Candidate {
		f["candidate"] = "yes"
	}
	if r.Rank != nil {
		f["rank"] = strconv.Itoa(*r.Rank)
	}
	if only == nil {
		only = rowFields
	}
	out := r.SectionID
	for _, k := range only {
		if v, ok := f[k]; ok {
			out += " " + k + "=" + v
		}
	}
	return out
}

// num rounds to 6 decimals, so that float noise in the last digits does
// not show, and drops trailing zeros.
func num(v float64) string {
	v = math.Round(v*1e6) / 1e6
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func opt(v *float64) string {
	if v == nil {
		return "null"
	}
	return num(*v)
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, " ")
}
