package events

import "strconv"

// The supervising unit's grades (R-SUP).

const SupervisorGradesSubmitted Type = "SupervisorGradesSubmitted"

var _ = register(
	Spec{Type: SupervisorGradesSubmitted, Code: 7, Class: Fact, Retractable: true, New: func() Data { return &SupervisorGradesSubmittedData{} }},
)

type Grade struct {
	Score     *float64 `json:"score"`
	SectionID string   `json:"section_id"`
}

type SupervisorGradesSubmittedData struct {
	Grades []Grade `json:"grades"`
	UnitID string  `json:"unit_id"`
}

func (*SupervisorGradesSubmittedData) Type() Type       { return SupervisorGradesSubmitted }
func (d *SupervisorGradesSubmittedData) Stream() string { return unitStream(d.UnitID) }
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
		if s < 0 || s > SupervisorMax {
			return invalid(f+".score", "must be from 0.0 to %.1f", SupervisorMax)
		}
		if !decimals(s, GradeDecimals) {
			return invalid(f+".score", "at most one decimal")
		}
	}
	return nil
}

// GradeTier is a grade's tier (R-SUP).
type GradeTier uint8

const (
	TierExcellent GradeTier = iota // ExcellentFrom to SupervisorMax
	TierGood                       // GoodFrom to below ExcellentFrom
	TierFair                       // below GoodFrom
)

// GradeTiers counts the tiers.
const GradeTiers = 3

var tierNames = [GradeTiers]string{"excellent", "good", "fair"}

func (t GradeTier) String() string { return tierNames[t] }

// TierOf returns the tier of a grade of at most one decimal.
func TierOf(score float64) GradeTier {
	switch {
	case score >= ExcellentFrom-1e-9:
		return TierExcellent
	case score >= GoodFrom-1e-9:
		return TierGood
	}
	return TierFair
}

// TierQuota is how many of n graded sections a tier may hold: from
// floor(n/3) to ceil(n/3) (R-SUP).
func TierQuota(n int) (lo, hi int) { return n / GradeTiers, (n + GradeTiers - 1) / GradeTiers }
