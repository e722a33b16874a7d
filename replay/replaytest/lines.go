package replaytest

import (
	"context"
	"iter"
	"testing"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/replay"
	"github.com/stretchr/testify/require"
)

// DecodeLines is lines as a batch for Ledger.Append, as an import of a
// file of them hands it over: each line decoded as a client event (not a
// historical import's), numbered from 1, and a line that does not decode
// kept in its place with its error, for the ledger to report.
func DecodeLines(lines ...string) iter.Seq[events.Decoded] {
	return func(yield func(events.Decoded) bool) {
		for i, l := range lines {
			ev, ferr := events.Decode([]byte(l), events.DecodeOptions{})
			if !yield(events.Decoded{Line: i + 1, Event: ev, Err: ferr}) {
				return
			}
		}
	}
}

// AppendLines appends lines to l as one batch (DecodeLines) and fails t
// unless the ledger accepts all of it.
func AppendLines(t testing.TB, l *replay.Ledger, lines ...string) replay.Result {
	t.Helper()
	res, err := l.Append(context.Background(), DecodeLines(lines...), replay.AppendOptions{})
	require.NoError(t, err)
	return res
}
