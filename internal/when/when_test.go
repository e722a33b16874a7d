package when

import (
	"testing"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/stretchr/testify/require"
)

func TestBoundAcceptsTheFormsPeopleType(t *testing.T) {
	end := time.Date(2021, 6, 30, 23, 59, 59, 999999999, events.CST)
	for _, s := range []string{"2021-06-30", "2021/06/30", "2021-6-30", "2021/6/30", " 2021-06-30 "} {
		got, err := Bound(s)
		require.NoError(t, err, s)
		require.True(t, got.Equal(end), s)
	}
	got, err := Bound("2021-06-30T09:00:00+08:00")
	require.NoError(t, err)
	require.True(t, got.Equal(time.Date(2021, 6, 30, 9, 0, 0, 0, events.CST)))
	got, err = Bound("2021-06-30T01:00:00Z")
	require.NoError(t, err)
	require.True(t, got.Equal(time.Date(2021, 6, 30, 9, 0, 0, 0, events.CST)))
}

func TestBoundSaysWhy(t *testing.T) {
	for s, want := range map[string]string{
		"2021-02-29":          "February has 28 days in 2021",
		"2020/2/30":           "February has 29 days in 2020",
		"2021-13-01":          "there is no month 13",
		"2021-04-31":          "April has 30 days in 2021",
		"2021-06-30T09:00:00": "has no offset: add +08:00",
		"2021-06-30 09:00:00": "has no offset: add +08:00",
		"2021-02-29T09:00:00": "February has 28 days in 2021",
		"June":                "is not a date",
		"":                    "is not a date",
		// RFC 3339 and nothing looser (issue #13, item 8).
		"2021-06-30T09:00:00+24:00":            "(offset +24:00 out of range)",
		"2021-06-30T09:00:00-00:00":            "(-00:00 says the offset is unknown)",
		"2021-06-30T09:00:00,5+08:00":          "is not a date",
		"2021-06-30T09:00:00.1234567891+08:00": "(more than 9 digits of fraction)",
	} {
		_, err := Bound(s)
		require.Error(t, err, s)
		require.Contains(t, err.Error(), want, s)
	}
	_, err := Instant("2021-06-30")
	require.ErrorContains(t, err, "date without a time")
	// The example given is one the ledger takes, whatever form the date
	// came in.
	for in, example := range map[string]string{
		"2021/6/3":          "2021-06-03T09:00:00+08:00",
		"2021/6/3 10:30:00": "2021-06-03T10:30:00+08:00",
		"2021-6-3T10:30:00": "2021-06-03T10:30:00+08:00",
	} {
		_, err := Instant(in)
		require.ErrorContains(t, err, "e.g. "+example, in)
		_, err = Instant(example)
		require.NoError(t, err, example)
	}
}

func TestShow(t *testing.T) {
	require.Equal(t, "2021-11-30 +08:00", Show(events.WindowEnd))
	require.Equal(t, "2021-12-01 08:00:00 +08:00", Show(time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC)))
	// Seconds for people: the JSON keeps the nanoseconds.
	require.Equal(t, "2022-01-01 07:59:59 +08:00", ShowString("2021-12-31T23:59:59.999999999Z"))
	require.Equal(t, "nonsense", ShowString("nonsense"))
}
