package demo

import (
	"bufio"
	"crypto/ed25519"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/projections"
)

// Options shape a demo year.
type Options struct {
	Seed uint64
	// Historical writes recorded_at on every line (for import --historical),
	// so that known_at replays show facts arriving over the year.
	Historical bool
	// Scale multiplies the votes per section and round (1: up to 500).
	Scale float64
}

// line is one event as written.
type line struct {
	ID         string      `json:"id"`
	Type       string      `json:"type"`
	OccurredAt string      `json:"occurred_at"`
	RecordedAt string      `json:"recorded_at,omitempty"`
	Actor      string      `json:"actor"`
	Ref        string      `json:"ref,omitempty"`
	Data       events.Data `json:"data"`

	occurred, recorded time.Time
	seq                int
	section            string // the section a deduction is about, for disputes
}

type gen struct {
	rng   *rand.Rand
	opt   Options
	lines []*line
	units []Unit
	// per section
	quality map[string]float64 // 0..1, how well a section serves
	exempt  map[string]bool
	unitOf  map[string]string
	ids     map[string]bool // registered section ids, exempt included
	regAt   map[string]time.Time
	silent  map[string]bool // sections whose unit reported no recipients for H2
	// deductions by section, for disputes
	deductions []*line
	votes      []*line
}

func day(m time.Month, d int, y ...int) time.Time {
	yr := 2021
	if m == 12 && len(y) == 0 {
		yr = 2020
	}
	if len(y) > 0 {
		yr = y[0]
	}
	return time.Date(yr, m, d, 9, 0, 0, 0, events.CST)
}

func (g *gen) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return uuid.UUID(b).String()
}

// between returns a random instant in [a, b).
func (g *gen) between(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(g.rng.Int64N(int64(d)))).Truncate(time.Second)
}

// add records an event that occurred at occ and was recorded delay later.
// A fact the generator would date after the window (a second commendation
// of a late deed) is moved to the window's last minute; corrections keep
// their December dates, as the rules allow (rules.md, Time).
func (g *gen) add(occ time.Time, delay time.Duration, actor, ref string, data events.Data) *line {
	spec, _ := events.SpecOf(data.Type())
	if last := events.WindowEnd.Add(-time.Minute).Truncate(time.Second); occ.After(last) && !spec.AfterWindow {
		delay += occ.Sub(last)
		occ = last
	}
	l := &line{ID: g.uuid(), Type: string(data.Type()), OccurredAt: events.FormatCST(occ), Actor: actor, Ref: ref, Data: data,
		occurred: occ, recorded: occ.Add(delay), seq: len(g.lines)}
	g.lines = append(g.lines, l)
	return l
}

func (g *gen) delay(min, max time.Duration) time.Duration {
	return min + time.Duration(g.rng.Int64N(int64(max-min)+1))
}

// Generate writes a demo year as JSON Lines.
func Generate(w io.Writer, opt Options) (int, error) {
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	units, err := Roster()
	if err != nil {
		return 0, err
	}
	g := &gen{rng: rand.New(rand.NewPCG(opt.Seed, 0x70696e67)), opt: opt, units: units,
		quality: map[string]float64{}, exempt: map[string]bool{}, unitOf: map[string]string{}, ids: map[string]bool{}, regAt: map[string]time.Time{}, silent: map[string]bool{}}
	g.registry()
	// Two sections whose unit sent no recipients for the second round: no
	// H2 vote, and the office deducts for it (七(二), R-DISC).
	for _, id := range g.pick(2, func(id string) bool { return !g.exempt[id] }) {
		g.silent[id] = true
		g.add(day(10, 15), 24*time.Hour, office, "七(二)",
			&events.DiscretionaryDeductionData{SectionID: id, Points: 2, Reason: "未按时报送服务对象名单"})
	}
	g.votes2021()
	g.complaints()
	g.inspections()
	g.grades()
	g.bonuses()
	g.disputes()
	if err := g.online(); err != nil {
		return 0, err
	}
	g.appeals()
	if err := g.decide(); err != nil {
		return 0, err
	}
	g.order()
	if _, err := check(g.lines, len(g.lines)); err != nil {
		return 0, fmt.Errorf("demo: generated an invalid year (a bug): %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, l := range g.lines {
		if opt.Historical {
			l.RecordedAt = events.FormatUTC(l.recorded)
		}
		if err := enc.Encode(l); err != nil {
			return 0, fmt.Errorf("demo: write: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("demo: write: %w", err)
	}
	return len(g.lines), nil
}

// order sorts by recording time: the order the office entered the facts.
func (g *gen) order() {
	sort.SliceStable(g.lines, func(i, j int) bool {
		a, b := g.lines[i], g.lines[j]
		if !a.recorded.Equal(b.recorded) {
			return a.recorded.Before(b.recorded)
		}
		return a.seq < b.seq
	})
}

const office = "office:liao"

func (g *gen) registry() {
	start := day(12, 1)
	// Two sections of the roster their units failed to report (应报未报):
	// the last of units 12 and 21, registered in June below. The roster
	// stays its 363 sections.
	lateUnits := []int{11, 20}
	var late []Section
	for _, u := range lateUnits {
		ss := g.units[u].Sections
		late = append(late, ss[len(ss)-1])
		g.units[u].Sections = ss[:len(ss)-1]
	}
	for _, u := range g.units {
		g.add(start, time.Hour, office, "平委办〔2021〕12号", &events.UnitRegisteredData{UnitID: u.ID, Name: u.Name})
		for _, s := range u.Sections {
			g.unitOf[s.ID] = u.ID
			g.ids[s.ID] = true
			// Quality: most sections serve well; a long tail does not.
			q := 1 - math.Pow(g.rng.Float64(), 3)*0.9
			g.quality[s.ID] = q
			g.add(start, time.Hour, office, "附件1",
				&events.SectionRegisteredData{SectionID: s.ID, UnitID: u.ID, Name: s.Name, Enforcement: &s.Enforcement})
		}
	}
	// Satisfied in both 2019 and 2020: exempt (免评).
	for _, id := range g.pick(9, func(string) bool { return true }) {
		g.exempt[id] = true
		g.add(start, 2*time.Hour, office, "2019、2020年度满意单位", &events.SectionExemptedData{SectionID: id, Reason: "2019、2020年度连续两年满意单位"})
	}
	// 2020's ten 不满意单位: straight onto the online list.
	for _, id := range g.pick(10, func(id string) bool { return !g.exempt[id] }) {
		g.quality[id] *= 0.8
		g.add(start, 2*time.Hour, office, "2020年度不满意单位", &events.PriorYearUnsatisfiedMarkedData{SectionID: id})
	}
	// The two sections the units failed to report, found in June:
	// registered late, and every section of their units loses points.
	for k, u := range lateUnits {
		unit, s := g.units[u], late[k]
		found := day(6, 8+k)
		g.unitOf[s.ID] = unit.ID
		g.ids[s.ID] = true
		g.quality[s.ID] = 0.5
		g.regAt[s.ID] = found.Add(25 * time.Hour) // facts about it come after it was entered
		g.add(found, 24*time.Hour, office, "应报未报",
			&events.SectionRegisteredData{SectionID: s.ID, UnitID: unit.ID, Name: s.Name, Enforcement: &s.Enforcement, LateReported: true})
		g.add(found, 48*time.Hour, office, "应报未报",
			&events.UnitDeductionData{UnitID: unit.ID, Points: 2, Reason: "应报未报科室: " + s.Name})
		g.units[u].Sections = append(g.units[u].Sections, s)
	}
}

// pick chooses n distinct sections that pass ok.
func (g *gen) pick(n int, ok func(string) bool) []string {
	var all []string
	for _, u := range g.units {
		for _, s := range u.Sections {
			if ok(s.ID) {
				all = append(all, s.ID)
			}
		}
	}
	g.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	if n > len(all) {
		n = len(all)
	}
	out := append([]string(nil), all[:n]...)
	sort.Strings(out)
	return out
}

func (g *gen) active(f func(u Unit, s Section)) {
	for _, u := range g.units {
		for _, s := range u.Sections {
			if !g.exempt[s.ID] {
				f(u, s)
			}
		}
	}
}

// respondent makes a pseudonym: letters only, so never a phone number.
func (g *gen) respondent() string {
	b := make([]byte, 14)
	b[0], b[1] = 'r', '-'
	for i := 2; i < len(b); i++ {
		b[i] = byte('a' + g.rng.IntN(26))
	}
	return string(b)
}

func (g *gen) votes2021() {
	rounds := []struct {
		name     events.Round
		from, to time.Time
	}{{events.RoundH1, day(5, 17), day(6, 30)}, {events.RoundH2, day(9, 1), day(10, 31)}}
	g.active(func(u Unit, s Section) {
		q := g.quality[s.ID]
		for _, r := range rounds {
			var n int
			switch x := g.rng.Float64(); {
			case x < 0.96:
				n = 490 + g.rng.IntN(11) // most report (nearly) 500 recipients
			case x < 0.985:
				n = 100 + g.rng.IntN(390)
			case x < 0.997:
				n = 30 + g.rng.IntN(70)
			default:
				n = 3 + g.rng.IntN(26) // a small sample (R-SVC-SMALL)
			}
			if r.name == events.RoundH2 && g.silent[s.ID] {
				n = 0 // the unit reported no recipients (R-SVC: the average stands in)
			}
			n = int(float64(n) * g.opt.Scale)
			from := r.from
			if reg := g.registeredAt(s.ID); reg.After(from) {
				from = reg
			}
			penalised := 0
			if s.Enforcement {
				penalised = min(100, n/4) // 本年被处罚的服务对象
			}
			for k := 0; k < n; k++ {
				pq := q
				if k < penalised {
					pq *= 0.75
				}
				rating := events.RatingUnsatisfied
				switch x := g.rng.Float64(); {
				case x < pq*0.85:
					rating = events.RatingSatisfied
				case x < pq*0.85+0.12+0.1*(1-pq):
					rating = events.RatingBasic
				}
				occ := g.between(from, r.to)
				ref := "SMS-2021-" + strconv.Itoa(len(g.lines))
				v := g.add(occ, g.delay(time.Hour, 72*time.Hour), "office:sms-survey", ref,
					&events.ServiceVoteRecordedData{SectionID: s.ID, Round: r.name, Respondent: g.respondent(), Rating: rating})
				if g.rng.IntN(20000) == 0 {
					g.votes = append(g.votes, v)
				}
			}
		}
	})
}

func (g *gen) registeredAt(id string) time.Time {
	if t, ok := g.regAt[id]; ok {
		return t
	}
	return day(12, 1)
}

// count draws how many facts of a kind a section earns over the year: a
// Poisson count whose mean grows as the section serves worse.
func (g *gen) count(id string, mean float64) int {
	lambda := mean * (0.3 + 2.5*(1-g.quality[id]))
	n, p, limit := 0, 1.0, math.Exp(-lambda)
	for {
		p *= g.rng.Float64()
		if p < limit || n > 40 {
			return n
		}
		n++
	}
}

func (g *gen) year() time.Time { return g.between(day(12, 2), day(11, 25)) }

func (g *gen) complaints() {
	g.active(func(u Unit, s Section) {
		for k := g.count(s.ID, 1.2); k > 0; k-- {
			item := events.HotlineItems[g.rng.IntN(len(events.HotlineItems))]
			role := events.RoleLead
			if g.rng.IntN(4) == 0 {
				role = events.RoleAssist
			}
			at := g.later(s.ID)
			// Points within what the R-HOT table allows for the item.
			r := events.HotlineRules[item]
			g.deduction(s.ID, g.add(at, g.delay(24*time.Hour, 20*24*time.Hour), "office:xinfang", "12345-"+strconv.Itoa(len(g.lines)),
				&events.HotlineVerdictData{SectionID: s.ID, Item: item, Points: r.Min + float64(g.rng.IntN(int(r.Max-r.Min)+1)), Role: role}))
		}
		for k := g.count(s.ID, 0.6); k > 0; k-- {
			g.deduction(s.ID, g.add(g.later(s.ID), g.delay(24*time.Hour, 10*24*time.Hour), "office:pingyi", "QR-"+strconv.Itoa(len(g.lines)),
				&events.OnlineComplaintVerifiedData{SectionID: s.ID}))
		}
	})
}

// deduction keeps a deduction about a section, for the disputes.
func (g *gen) deduction(section string, l *line) {
	l.section = section
	g.deductions = append(g.deductions, l)
}

// later is an occurred_at after the section was registered.
func (g *gen) later(id string) time.Time {
	at := g.year()
	if reg := g.registeredAt(id); at.Before(reg) {
		at = g.between(reg, day(11, 25))
	}
	return at
}

func (g *gen) inspections() {
	g.active(func(u Unit, s Section) {
		for k := g.count(s.ID, 0.5); k > 0; k-- {
			level := []events.FindingLevel{events.FindingCounty, events.FindingCounty, events.FindingCity}[g.rng.IntN(3)]
			// Some findings are back-dated: entered months after they happened.
			d := g.delay(2*24*time.Hour, 30*24*time.Hour)
			if g.rng.IntN(5) == 0 {
				d = g.delay(60*24*time.Hour, 150*24*time.Hour)
			}
			g.deduction(s.ID, g.add(g.later(s.ID), d, "office:inspection", "DC-"+strconv.Itoa(len(g.lines)),
				&events.InspectionFindingData{SectionID: s.ID, Level: level, Serious: new(g.rng.IntN(6) == 0)}))
		}
		for k := g.count(s.ID, 0.2); k > 0; k-- {
			g.deduction(s.ID, g.add(g.later(s.ID), g.delay(5*24*time.Hour, 40*24*time.Hour), "office:inspection", "TS-"+strconv.Itoa(len(g.lines)),
				&events.ComplaintSubstantiatedData{SectionID: s.ID, Serious: new(g.rng.IntN(5) == 0)}))
		}
		if g.quality[s.ID] < 0.35 && g.rng.IntN(4) == 0 {
			g.deduction(s.ID, g.add(g.later(s.ID), g.delay(24*time.Hour, 60*24*time.Hour), "office:jiwei", "LA-"+strconv.Itoa(len(g.lines)),
				&events.DisciplinaryCaseFiledData{SectionID: s.ID,
					Subject:   []events.CaseSubject{events.SubjectHead, events.SubjectDeputy, events.SubjectStaff, events.SubjectStaff, events.SubjectCollective}[g.rng.IntN(5)],
					Violation: events.Violations[g.rng.IntN(2)]}))
		}
		if g.quality[s.ID] < 0.5 && g.rng.IntN(12) == 0 {
			d := discretionary[g.rng.IntN(len(discretionary))]
			at := g.later(s.ID)
			if !d.from.IsZero() {
				at = g.between(d.from, d.to)
			}
			var comp *events.Component
			if d.component != "" {
				comp = &d.component
			}
			g.deduction(s.ID, g.add(at, g.delay(24*time.Hour, 20*24*time.Hour), "office:liao", d.clause,
				&events.DiscretionaryDeductionData{SectionID: s.ID, Points: float64(1+g.rng.IntN(8)) / 2,
					Reason: d.reason, Component: comp}))
		}
	})
}

// discretionary are the office's deductions under 七(二)(三), each off the
// component it concerns (R-DISC), dated when such a thing happens: vote
// buying in the online stage, a late grade report after the grades.
var discretionary = []struct {
	reason, clause string
	component      events.Component // "": none named (inspection)
	from, to       time.Time        // zero: any time of the year
}{
	{reason: "服务数据迟报", clause: "七(二)"},
	{reason: "少报服务对象", clause: "七(三)", component: events.ComponentService},
	{reason: "干扰投诉办理", clause: "七(三)", component: events.ComponentHotline},
	{reason: "打击报复投诉人", clause: "七(三)", component: events.ComponentQR},
	{reason: "迟报考评结果", clause: "七(二)", component: events.ComponentSupervisor, from: day(11, 11), to: day(11, 14)},
	{reason: "网络评价环节拉票", clause: "七(三)", component: events.ComponentOnline, from: day(11, 16), to: day(11, 28)},
}

func (g *gen) grades() {
	for _, u := range g.units {
		var secs []string
		for _, s := range u.Sections {
			if !g.exempt[s.ID] {
				secs = append(secs, s.ID)
			}
		}
		if len(secs) == 0 {
			continue
		}
		submit := func(at time.Time, noise float64) {
			order := append([]string(nil), secs...)
			sort.SliceStable(order, func(i, j int) bool {
				return g.quality[order[i]]+noise*g.rng.Float64() > g.quality[order[j]]+noise*g.rng.Float64()
			})
			// Each tier holds a third of the sections, the remainder going to
			// the higher tiers (R-SUP's quota).
			n := len(order)
			lo, _ := events.TierQuota(n)
			var grades []events.Grade
			k := 0
			for tier := range events.GradeTiers {
				size := lo
				if tier < n%events.GradeTiers {
					size++
				}
				// Grades in tenths within the tier; no unit grades below 1.5.
				bounds := [events.GradeTiers][2]int{{int(events.ExcellentFrom * 10), int(events.SupervisorMax * 10)},
					{int(events.GoodFrom * 10), int(events.ExcellentFrom*10) - 1}, {15, int(events.GoodFrom*10) - 1}}[tier]
				for i := 0; i < size; i++ {
					score := float64(bounds[0]+g.rng.IntN(bounds[1]-bounds[0]+1)) / 10
					grades = append(grades, events.Grade{SectionID: order[k], Score: &score})
					k++
				}
			}
			sort.Slice(grades, func(i, j int) bool { return grades[i].SectionID < grades[j].SectionID })
			g.add(at, g.delay(time.Hour, 48*time.Hour), "unit:"+u.ID, "考评-"+u.ID,
				&events.SupervisorGradesSubmittedData{UnitID: u.ID, Grades: grades})
		}
		submit(g.between(day(11, 3), day(11, 10)), 0.3)
		if g.rng.IntN(8) == 0 { // a corrected resubmission replaces the first
			submit(day(11, 11), 0.1)
		}
	}
}

func (g *gen) bonuses() {
	deeds := 0
	g.active(func(u Unit, s Section) {
		if g.quality[s.ID] > 0.8 && g.rng.IntN(9) == 0 {
			deeds++
			deed := fmt.Sprintf("DEED-%03d", deeds)
			at := g.later(s.ID)
			g.add(at, g.delay(24*time.Hour, 30*24*time.Hour), "office:liao", "表彰-"+deed,
				&events.CommendationAwardedData{SectionID: s.ID, Level: []events.CommendationLevel{events.CommendNational,
					events.CommendProvincial, events.CommendMunicipal, events.CommendMunicipal}[g.rng.IntN(4)], DeedID: deed})
			if g.rng.IntN(3) == 0 { // the same deed commended again: counted once
				g.add(at.Add(30*24*time.Hour).Add(-time.Hour), g.delay(24*time.Hour, 10*24*time.Hour), "office:liao", "表彰-"+deed+"-2",
					&events.CommendationAwardedData{SectionID: s.ID, Level: events.CommendMunicipal, DeedID: deed})
			}
		}
		if g.quality[s.ID] > 0.7 && g.rng.IntN(6) == 0 {
			matter := "MATTER-" + s.ID
			for k := 1 + g.rng.IntN(3); k > 0; k-- {
				g.add(g.later(s.ID), g.delay(24*time.Hour, 15*24*time.Hour), "office:liao", "",
					&events.MediaCoverageRecordedData{SectionID: s.ID, Level: []events.MediaLevel{events.MediaCentral,
						events.MediaProvincial, events.MediaMunicipal, events.MediaMunicipal}[g.rng.IntN(4)], MatterID: matter})
			}
		}
	})
}

// disputed is how many deductions disputes() takes (from the shuffled
// list, whose rest appeals() draws on).
const disputed = 24

// disputes contests some deductions and retracts a few wrong entries. Some
// are settled only in December, after the window, and dated so: a known_at
// replay shows the standings before and after.
func (g *gen) disputes() {
	sort.SliceStable(g.deductions, func(i, j int) bool { return g.deductions[i].seq < g.deductions[j].seq })
	g.rng.Shuffle(len(g.deductions), func(i, j int) { g.deductions[i], g.deductions[j] = g.deductions[j], g.deductions[i] })
	n := min(disputed, len(g.deductions))
	for i, d := range g.deductions[:n] {
		sec := d.section
		at := d.recorded.Add(g.delay(24*time.Hour, 10*24*time.Hour))
		if i < 4 {
			g.add(at, 0, "office:liao", "", &events.EventRetractedData{TargetID: d.ID, Reason: "录入错误"})
			continue
		}
		g.add(at, 0, "unit:"+g.unitOf[sec], "",
			&events.DeductionContestedData{TargetID: d.ID, SectionID: sec, Grounds: "扣分依据不足, 申请复核"})
		if i%5 == 4 {
			continue // still open
		}
		res := at.Add(g.delay(5*24*time.Hour, 40*24*time.Hour))
		out := &events.ContestResolvedData{TargetID: d.ID, Outcome: events.ContestOutcomes[i%3]}
		if out.Outcome == events.OutcomeReduced {
			// Half the deduction's points, as the ledger counts them.
			if orig, _ := projections.Points(d.Data); orig <= 1 {
				out.Outcome = events.OutcomeOverturned
			} else {
				out.Points = new(math.Floor(orig / 2))
			}
		}
		g.add(res, 0, "office:pingyi", "", out)
	}
	// A mistyped vote, retracted and entered again.
	for _, v := range g.votes {
		fix := v.recorded.Add(3 * 24 * time.Hour)
		g.add(fix, time.Minute, "office:sms-survey", "", &events.EventRetractedData{TargetID: v.ID, Reason: "评价档次录入错误"})
		again := *v.Data.(*events.ServiceVoteRecordedData)
		again.Rating = events.RatingSatisfied
		g.add(v.occurred, fix.Sub(v.occurred)+time.Hour, "office:sms-survey", v.Ref, &again)
	}
}

// online freezes the candidate list the ledger computes on 2021-11-15,
// issues credentials and casts ballots.
func (g *gen) online() error {
	freezeAt := time.Date(2021, 11, 15, 10, 0, 0, 0, events.CST)
	g.order()
	st, err := check(g.lines, len(g.lines))
	if err != nil {
		return fmt.Errorf("demo: generated an invalid year (a bug): %w", err)
	}
	s := st.Standings(projections.View{AsOf: freezeAt, KnownAt: freezeAt.Add(time.Hour)})
	cands := s.Candidates
	g.add(freezeAt, time.Hour, "office:pingyi", "网络评价名单", &events.OnlineCandidatesFrozenData{SectionIDs: cands})
	type cred struct {
		key   ed25519.PrivateKey
		group events.VoterGroup
	}
	var creds []cred
	for i := 0; i < 20000; i++ {
		group := events.GroupRecipient
		if i%20 >= 13 { // 65% recipients, 35% representatives
			group = events.GroupRepresentative
		}
		var b [20]byte
		for k := range b {
			b[k] = byte(g.rng.Uint32())
		}
		// A code as issue-credentials makes them (lowercase base32), from
		// the seeded generator so that the year is the same for a seed.
		key := events.CodeKey(strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])))
		creds = append(creds, cred{key, group})
		g.add(freezeAt.Add(time.Hour), 2*time.Hour, "office:pingyi", "",
			&events.VoterCredentialIssuedData{CredentialKey: hex.EncodeToString(key.Public().(ed25519.PublicKey)), Group: group})
	}
	daily := map[string]float64{}
	for _, r := range s.Sections {
		if r.DailyTotal != nil {
			daily[r.SectionID] = *r.DailyTotal
		}
	}
	quality := func(id string) float64 { return daily[id] }
	g.rng.Shuffle(len(creds), func(i, j int) { creds[i], creds[j] = creds[j], creds[i] })
	for _, c := range creds[:15000] {
		type scored struct {
			id string
			v  float64
		}
		l := make([]scored, len(cands))
		for i, id := range cands {
			l[i] = scored{id, quality(id) + g.rng.NormFloat64()*8}
		}
		sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
		var sat, unsat []string
		for _, x := range l[:events.BallotSize] {
			sat = append(sat, x.id)
		}
		for _, x := range l[len(l)-events.BallotSize:] {
			unsat = append(unsat, x.id)
		}
		at := g.between(time.Date(2021, 11, 16, 8, 0, 0, 0, events.CST), time.Date(2021, 11, 28, 22, 0, 0, 0, events.CST))
		b := &events.BallotCastData{Satisfied: sat, Unsatisfied: unsat}
		b.Sign(c.key)
		g.add(at, time.Second, "voter:qinglian", "", b)
	}
	return nil
}

// settleFrom is the start of the comprehensive stage (综合评价阶段: 12月上旬).
var settleFrom = time.Date(2021, 12, 1, 9, 0, 0, 0, events.CST)

// appeals: once the scores are out, units appeal in the comprehensive
// stage. A few contests are opened in the first days of December and
// settled over the following days, some before the committee decides and
// some after, each dated the day it happened.
func (g *gen) appeals() {
	n := 0
	for _, d := range g.deductions[min(disputed, len(g.deductions)):] {
		if n == 4 {
			break
		}
		if !d.recorded.Before(settleFrom) {
			continue // entered after the window: not yet known to appeal against
		}
		at := g.between(settleFrom, settleFrom.Add(3*24*time.Hour))
		g.add(at, 0, "unit:"+g.unitOf[d.section], "",
			&events.DeductionContestedData{TargetID: d.ID, SectionID: d.section, Grounds: "对评议结果有异议, 申请复核"})
		out := &events.ContestResolvedData{TargetID: d.ID, Outcome: events.ContestOutcomes[n%3]}
		if orig, _ := projections.Points(d.Data); out.Outcome == events.OutcomeReduced {
			if orig <= 1 {
				out.Outcome = events.OutcomeOverturned
			} else {
				out.Points = new(math.Floor(orig / 2))
			}
		}
		g.add(g.between(at.Add(24*time.Hour), at.Add(12*24*time.Hour)), 0, "office:pingyi", "", out)
		n++
	}
}

// decideAt is when the standing committee decides on the outcome: early
// December, in the comprehensive stage (四(三)).
var decideAt = time.Date(2021, 12, 8, 15, 0, 0, 0, events.CST)

// decide records the committee's decision (R-OUT-CONF): the proposal as
// known that day. Disputes settled later in December may still move the
// ranking, and then the proposal departs from the decision, as it can in
// a real year.
func (g *gen) decide() error {
	g.order()
	st, err := check(g.lines, len(g.lines))
	if err != nil {
		return fmt.Errorf("demo: generated an invalid year (a bug): %w", err)
	}
	o := st.Standings(projections.View{AsOf: events.WindowEnd, KnownAt: decideAt}).Outcome
	if o == nil {
		return nil // too few candidates (a scaled-down year): nothing to decide
	}
	g.add(decideAt, 2*time.Hour, "office:pingyi", "平委〔2021〕45号", &events.OutcomeConfirmedData{
		Satisfied: o.Satisfied, Unsatisfied: o.Unsatisfied, MostUnsatisfied: o.MostUnsatisfied, Document: "平委〔2021〕45号"})
	return nil
}

// check folds the first n lines through the ledger's own validation.
func check(lines []*line, n int) (*projections.State, error) {
	st := projections.New()
	head := events.Head{}
	var buf []byte
	for i, l := range lines[:n] {
		ev, ferr := events.Build(l.occurred, l.Actor, l.Data)
		if ferr != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, ferr)
		}
		ev.ID, ev.Ref = uuid.MustParse(l.ID), l.Ref
		var r *events.Record
		r, buf = events.Seal(head, ev, l.recorded, buf)
		if ferr := st.Add(r, ev.Body, true); ferr != nil {
			return nil, fmt.Errorf("line %d (%s): %v", i+1, l.Type, ferr)
		}
		head = r.Head()
	}
	return st, nil
}
