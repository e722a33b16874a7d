package events_test

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

// enumValues lists every enumerated field type's values, so that the
// catalogue's page can be held to them.
var enumValues = map[reflect.Type][]string{
	reflect.TypeFor[events.Round]():             names(events.Rounds),
	reflect.TypeFor[events.Rating]():            names(events.Ratings),
	reflect.TypeFor[events.HotlineItem]():       names(events.HotlineItems),
	reflect.TypeFor[events.HotlineRole]():       names(events.HotlineRoles),
	reflect.TypeFor[events.FindingLevel]():      names(events.FindingLevels),
	reflect.TypeFor[events.CaseSubject]():       names(events.CaseSubjects),
	reflect.TypeFor[events.Violation]():         names(events.Violations),
	reflect.TypeFor[events.CommendationLevel](): names(events.CommendationLevels),
	reflect.TypeFor[events.MediaLevel]():        names(events.MediaLevels),
	reflect.TypeFor[events.VoterGroup]():        names(events.VoterGroups),
	reflect.TypeFor[events.ContestOutcome]():    names(events.ContestOutcomes),
	reflect.TypeFor[events.Component]():         names(events.Components),
}

func names[T ~string](e events.Enum[T]) []string {
	out := make([]string, len(e))
	for i, v := range e {
		out[i] = string(v)
	}
	return out
}

// TestEveryTypeIsDocumented holds docs/events.md to the catalogue: every
// type has a "### `Type`" section with a table row for each of its fields
// (naming every value of an enumerated one) and an example that decodes.
func TestEveryTypeIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/events.md")
	require.NoError(t, err)
	doc := string(b)
	example := regexp.MustCompile("(?s)```json\n(.*?)\n```")
	for _, typ := range events.Types {
		head := "### `" + string(typ) + "`"
		i := strings.Index(doc, head)
		require.GreaterOrEqual(t, i, 0, "docs/events.md has no section %s", head)
		section := doc[i+len(head):]
		if j := strings.Index(section, "\n##"); j >= 0 {
			section = section[:j]
		}
		spec, _ := events.SpecOf(typ)
		body := reflect.TypeOf(spec.New()).Elem()
		for k := 0; k < body.NumField(); k++ {
			f := body.Field(k)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			row := regexp.MustCompile("(?m)^\\| `" + name + "` \\|.*$").FindString(section)
			require.NotEmpty(t, row, "%s: no table row for field %s", typ, name)
			ft := f.Type
			if ft.Kind() == reflect.Pointer { // an optional field
				ft = ft.Elem()
			}
			for _, v := range enumValues[ft] {
				require.Contains(t, row, "`"+v+"`", "%s.%s: the value %s is not named", typ, name, v)
			}
		}
		m := example.FindStringSubmatch(section)
		require.NotNil(t, m, "%s: no example", typ)
		line := `{"type":"` + string(typ) + `","occurred_at":"2021-06-01T09:00:00+08:00","actor":"t","data":` + m[1] + `}`
		_, ferr := events.Decode([]byte(line), events.DecodeOptions{})
		require.Nil(t, ferr, "%s: the example does not decode: %v", typ, ferr)
	}
}
