package api

import "testing"

// TestNoteInChinese: the notes explain writes read in Chinese on the desk,
// without an English phrase left over.
func TestNoteInChinese(t *testing.T) {
	for _, c := range []struct{ en, zh string }{
		{"role lead, item conduct, conduct pool", "承办，作风投诉，作风投诉分"},
		{"role lead, item conduct, conduct pool: not counted: the section is exempt (免评, R-EXEMPT)",
			"承办，作风投诉，作风投诉分：不计分，该科室免评"},
		{"not counted: the section is exempt (免评, R-EXEMPT)", "不计分，该科室免评"},
		{"role lead, item conduct, conduct pool: not counted: the section is exempt (免评, R-EXEMPT); a contest of it is open",
			"承办，作风投诉，作风投诉分：不计分，该科室免评；对其的争议尚未裁决"},
		{"grade 4.5 (excellent) from unit U02: replaced by a later submission", "评分 4.5（优秀），评分单位 U02：已被后一次评分取代"},
		{"commendation, national, deed D1: duplicate deed, counted once at its highest level", "表彰，国家级，事迹 D1：同一事迹只按最高级别计一次"},
	} {
		if got := note(zh, c.en); got != c.zh {
			t.Errorf("note(%q) = %q, want %q", c.en, got, c.zh)
		}
		if got := note(en, c.en); got != c.en {
			t.Errorf("note in English changed %q to %q", c.en, got)
		}
	}
}
