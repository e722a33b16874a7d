package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/sqlite"
	"github.com/pingyang/ledger/internal/memlimit"
	"github.com/pingyang/ledger/internal/present"
	"github.com/pingyang/ledger/internal/transparency"
	"github.com/pingyang/ledger/internal/when"
	"github.com/pingyang/ledger/internal/xlsx"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/spf13/cobra"
)

// openStore opens the store a URL names. A SQLite file that does not exist
// is created when create is set, as the interface has it ("created on
// first use"), and created is told its path, so that a read command on a
// mistyped path says what happened rather than answering quietly from a
// new empty store. Without create it is refused. A command that only reads
// (verify, standings, explain) opens a SQLite file it may not write
// read-only (readOnly), so that an inspector can read a copy on read-only
// media.
func openStore(ctx context.Context, url string, reading, create bool, created func(path string)) (st events.Store, readOnly bool, err error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path, _ := strings.CutPrefix(url, "sqlite:")
		path, _ = strings.CutPrefix(path, "//")
		if path == "" {
			path = "ledger.db"
		}
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if !create {
				return nil, false, fmt.Errorf("no store at %s: import events into it first, or give --init to create an empty one", path)
			}
			st, err := sqlite.Open(ctx, path)
			if err != nil {
				return nil, false, fmt.Errorf("no store at %s, and none could be created there: %w", path, err)
			}
			if created != nil {
				created(path)
			}
			return st, false, nil
		}
		if reading {
			return sqlite.OpenForReading(ctx, path)
		}
		st, err := sqlite.Open(ctx, path)
		return st, false, err
	case strings.HasPrefix(url, "esdb://"), strings.HasPrefix(url, "esdb+discover://"),
		strings.HasPrefix(url, "kurrentdb://"), strings.HasPrefix(url, "kurrentdb+discover://"):
		st, err := openESDB(ctx, url)
		return st, false, err
	}
	return nil, false, unknownStore{url}
}

// unknownStore is a store URL of no kind the ledger knows. It is a usage
// error, which the command words naming where the URL came from.
type unknownStore struct{ url string }

func (e unknownStore) Error() string {
	return fmt.Sprintf("%q: want sqlite:PATH or esdb://HOST:PORT", e.url)
}

// openStore opens the command's store. A read command that had to create
// it says so in a note, which stands for the empty ledger's (noteEmpty);
// import, serve and --init create a store on purpose, silently. A command
// that appends to or signs an existing ledger (c.existing) never creates
// one: one-time codes issued into a new file on a mistyped path, or a
// checkpoint of nothing signed with the office's key, would be worse than
// a refusal.
func (c *command) openStore(ctx context.Context, reading bool) (events.Store, bool, error) {
	create := c.create || c.init || !c.existing
	st, ro, err := openStore(ctx, c.storeURL(), reading, create, func(path string) {
		if !c.create && !c.init {
			c.fresh = true
			fmt.Fprintf(c.m.Stderr, "ledger: note: there was no store at %s: created an empty one; import events into it\n", path)
		}
	})
	if us := (unknownStore{}); errors.As(err, &us) {
		from := "--store"
		if c.store == "" {
			from = "LEDGER_STORE" // the default is a sqlite: URL
		}
		return nil, false, usagef("%s %v", from, us)
	}
	return st, ro, err
}

// open opens the store and folds it into a ledger; reading says the
// command only reads (openStore). With the office's key (--key), the
// fold's saved checkpoint is trusted when the key sealed it; without, the
// whole log is folded.
func (c *command) open(ctx context.Context, reading bool) (*replay.Ledger, func(), error) {
	s, err := c.signer()
	if err != nil {
		return nil, nil, err
	}
	return c.openWith(ctx, replay.Options{Clock: c.m.Now, AllowBroken: c.allowBroken}, s, reading)
}

func (c *command) openWith(ctx context.Context, opt replay.Options, s *transparency.Signer, reading bool) (*replay.Ledger, func(), error) {
	if s != nil {
		opt.Sealer = s
	}
	st, readOnly, err := c.openStore(ctx, reading)
	if err != nil {
		return nil, nil, err
	}
	l, err := replay.Open(ctx, st, opt)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	closeFn := func() {
		if l.CheckpointDue() && !readOnly {
			c.saveCheckpoint(ctx, l)
		}
		st.Close()
	}
	return l, closeFn, nil
}

// openLines opens a file of JSON Lines events and returns its size. A
// directory opens, and only its reading fails: it is named here instead.
func openLines(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory, not a file of events", path)
	}
	return f, fi.Size(), nil
}

// saveCheckpoint saves the fold's checkpoint and says so on stderr when it
// could not (a full disk, a read-only file). A checkpoint is derived data:
// failing to save one costs the next start time, never an event, so it is
// a warning, not an error of the command; but an operator must learn that
// the disk is full before an append finds out.
func (c *command) saveCheckpoint(ctx context.Context, l *replay.Ledger) {
	if err := l.SaveCheckpoint(context.WithoutCancel(ctx)); err != nil {
		fmt.Fprintf(c.m.Stderr, "ledger: warning: the checkpoint was not saved, so the next start folds more of the log "+
			"(every event is stored): %v\n", err)
	}
}

func (c *command) importCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:  "import FILE|-",
		Args: exactArgs(1, "import: want exactly one FILE (or - for stdin)"),
		Example: "  ledger import --historical testdata/scenario.jsonl\n" +
			"  ledger demo | ledger import -\n" +
			"  ledger import --xlsx facts.xlsx",
	}
	fs := cmd.Flags()
	historical := fs.Bool("historical", false, "")
	isXLSX := fs.Bool("xlsx", false, "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		var seq iter.Seq[events.Decoded]
		expect := 0
		where := func(it events.ItemError) string { return it.Error() }
		opt := events.DecodeOptions{Historical: *historical}
		switch {
		case *isXLSX:
			if pos[0] == "-" {
				return usagef("import: --xlsx reads a file, not stdin")
			}
			wb, err := xlsx.Open(pos[0])
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			defer wb.Close()
			seq, where = wb.Events(opt), wb.Error
		default:
			var in io.Reader = c.m.Stdin
			if pos[0] != "-" {
				f, size, err := openLines(pos[0])
				if err != nil {
					return fmt.Errorf("import: %w", err)
				}
				defer f.Close()
				in = f
				// About how many events the file holds: a year's lines are
				// some 300 bytes each. The state makes room for them once.
				expect = int(size / 280)
			}
			seq, _ = events.ReadLines(in, opt)
		}
		// An import allocates per event while the state it folds grows to
		// hundreds of megabytes: collect garbage when the heap is a little
		// above what it holds live (at least 128 MiB), rather than at a
		// fixed limit (which the live heap outgrows, and then the collector
		// never stops) or at five times it (GOGC 400 alone).
		debug.SetGCPercent(400)
		memCtx, stopMem := context.WithCancel(ctx)
		defer stopMem()
		go memlimit.Import(memCtx)
		c.create = true
		l, closeFn, err := c.open(ctx, false)
		if err != nil {
			return err
		}
		defer closeFn()
		res, err := l.Append(ctx, withProgress(seq, c.m.Stderr, false), replay.AppendOptions{Historical: *historical, Expect: expect})
		if err != nil {
			var be *events.BatchError
			if errors.As(err, &be) {
				writeItems(c.m.Stderr, be, where, *isXLSX, false)
				return reportedError{err}
			}
			return fmt.Errorf("import: nothing appended: %w", err)
		}
		fmt.Fprintf(c.m.Stdout, "appended %d, unchanged %d\n", res.Appended, res.Unchanged)
		if res.Appended > 0 {
			// The heap may be up to the limit above what the state holds:
			// hand the garbage back before the checkpoint's buffers are
			// added to it, so the two peaks do not add up.
			debug.FreeOSMemory()
			c.saveCheckpoint(ctx, l)
		}
		return nil
	})
	return cmd
}

// writeItems reports the bad events of a refused batch as the interface
// has it: each on a line, at most events.MaxReported (a refused batch keeps
// only those), then a count of the rest. When lines were refused for
// carrying recorded_at, one note after them says what to do: an import
// keeps it with --historical; a what-if never does (its events are
// recorded now).
func writeItems(w io.Writer, be *events.BatchError, where func(events.ItemError) string, sheets, whatif bool) {
	noun := "line"
	if sheets {
		noun = "row"
	}
	historical := false
	for i, it := range be.Items {
		if i == events.MaxReported {
			break
		}
		fmt.Fprintln(w, where(it))
		historical = historical || *it.Err == *events.RecordedAtNotHistorical()
	}
	if more := be.Len() - min(len(be.Items), events.MaxReported); more > 0 {
		if more == 1 {
			fmt.Fprintf(w, "... and 1 more bad %s; nothing was appended\n", noun)
		} else {
			fmt.Fprintf(w, "... and %d more bad %ss; nothing was appended\n", more, noun)
		}
	}
	switch {
	case historical && whatif:
		fmt.Fprintf(w, "ledger: note: hypothetical events are recorded now: drop recorded_at from the %ss\n", noun)
	case historical:
		fmt.Fprintf(w, "ledger: note: %ss that carry recorded_at (facts recorded earlier) keep it only with import --historical\n", noun)
	}
}

// withProgress passes the sequence through; progress is drawn by
// progress.go when stderr is a terminal.
func withProgress(seq iter.Seq[events.Decoded], w io.Writer, plain bool) iter.Seq[events.Decoded] {
	p := newProgress(w, plain)
	if p == nil {
		return seq
	}
	return func(yield func(events.Decoded) bool) {
		defer p.done()
		for d := range seq {
			p.tick(d.Line)
			if !yield(d) {
				return
			}
		}
	}
}

func (c *command) verifyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "verify", Args: noArgs, ValidArgsFunction: cobra.NoFileCompletions}
	fs := cmd.Flags()
	deep := fs.Bool("deep", false, "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		// Re-validation decodes every event: collect garbage less often, as
		// import does (see there). No soft limit: the ranges read ahead of
		// the fold hold their records (about 100 MB for the demo year), and
		// a limit below that would make the collector run all the time.
		debug.SetGCPercent(400)
		st, _, err := c.openStore(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		v, err := replay.Verify(ctx, st, c.m.Now())
		if err != nil {
			var ve *events.VerifyError
			if errors.As(err, &ve) && ve.Tree {
				return fmt.Errorf("verify: FAILED at %s (all %d events are intact; the tree stored beside them is not)", ve, v.Events)
			}
			if errors.As(err, &ve) {
				return fmt.Errorf("verify: FAILED at %s (%d events before it are intact)", ve, v.Events)
			}
			return err // replay.Verify names itself ("verify: ...")
		}
		if v.Events == 0 {
			// The contract's line for an empty ledger, to the letter: an
			// empty tree's root (the hash of nothing) is not worth a reader
			// tripping over.
			fmt.Fprintf(c.m.Stdout, "ok 0 events, head %s\n", v.Head)
		} else {
			fmt.Fprintf(c.m.Stdout, "ok %d events, head %s, root %s\n", v.Events, v.Head, base64.StdEncoding.EncodeToString(v.Root[:]))
		}
		if *deep {
			if cp, ok := st.(events.Checkpointer); ok {
				if saved, data, err := cp.LoadCheckpoint(ctx); err == nil {
					data.Close()
					if saved.Format == projections.CheckpointFormat {
						fmt.Fprintf(c.m.Stdout, "ok checkpoint at position %d matches the log\n", saved.Position)
					}
				}
			}
		}
		return nil
	})
	return cmd
}

// viewFlags are the replay flags of standings, explain and export.
type viewFlags struct {
	asOf, knownAt, format *string
	formats               []string
}

func (c *command) addViewFlags(cmd *cobra.Command, formats ...string) viewFlags {
	fs := cmd.Flags()
	v := viewFlags{
		asOf:    fs.String("as-of", "", ""),
		knownAt: fs.String("known-at", "", ""),
		formats: formats,
	}
	if len(formats) > 0 {
		v.format = fs.String("format", formats[0], "")
		c.complete(cmd, "format", formats...)
	}
	return v
}

// bounds checks the format and parses the bounds, before any store is
// opened, so that a usage error (exit 2) touches nothing.
func (v viewFlags) bounds(cmd string) (asOf, knownAt *time.Time, err error) {
	if v.format != nil && !slices.Contains(v.formats, *v.format) {
		return nil, nil, usagef("%s: --format must be one of %s", cmd, strings.Join(v.formats, ", "))
	}
	if asOf, err = parseBoundFlag("as-of", *v.asOf); err != nil {
		return nil, nil, err
	}
	if asOf != nil && !events.InWindow(*asOf) {
		// Said before any store is opened: the answer is the same for all.
		return nil, nil, events.Invalid("as_of", "outside the evaluation window %s", events.WindowText)
	}
	knownAt, err = parseBoundFlag("known-at", *v.knownAt)
	return asOf, knownAt, err
}

// filterFlags are --unit and --candidates.
type filterFlags struct {
	unit       *string
	candidates *bool
}

func addFilterFlags(cmd *cobra.Command) filterFlags {
	fs := cmd.Flags()
	return filterFlags{unit: fs.String("unit", "", ""), candidates: fs.Bool("candidates", false, "")}
}

// filter checks --unit against the roster.
func (f filterFlags) filter(l *replay.Ledger) (present.Filter, error) {
	if *f.unit != "" {
		units, _ := l.Roster()
		if !slices.ContainsFunc(units, func(u projections.RosterUnit) bool { return u.ID == *f.unit }) {
			return present.Filter{}, fmt.Errorf("--unit: unit %s is not registered", *f.unit)
		}
	}
	return present.Filter{Unit: *f.unit, Candidates: *f.candidates}, nil
}

func (c *command) standingsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "standings",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example: "  ledger standings --as-of 2021-06-30\n" +
			"  ledger standings --unit U06 --wide\n" +
			"  ledger standings --known-at 2021-12-01 --format json",
	}
	vf := c.addViewFlags(cmd, "table", "json", "csv")
	ff := addFilterFlags(cmd)
	wide := cmd.Flags().Bool("wide", false, "")
	withBOM := cmd.Flags().Bool("bom", false, "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		return c.inView(ctx, vf, "standings", func(l *replay.Ledger, v projections.View) error {
			f, err := ff.filter(l)
			if err != nil {
				return err
			}
			if *vf.format == "json" {
				if f != (present.Filter{}) {
					return usagef("standings: --unit and --candidates are for the table and csv; the JSON is the whole standings")
				}
				b, err := l.StandingsJSON(ctx, v)
				if err != nil {
					return err
				}
				_, err = c.m.Stdout.Write(append(b, '\n'))
				return err
			}
			s, err := l.Standings(ctx, v)
			if err != nil {
				return err
			}
			if *vf.format == "csv" {
				// The mark is for Excel on a Chinese Windows, which reads
				// a CSV without it in the local code page: on by default
				// for the office (a Chinese locale or --lang zh), off for
				// programs, which would read it as part of the first
				// column's name.
				mark := c.lang == chinese
				if cmd.Flags().Changed("bom") {
					mark = *withBOM
				}
				return writeStandingsCSV(c.m.Stdout, s, f, mark)
			}
			units, _ := l.Roster()
			return writeStandingsTable(c.m.Stdout, s, tableOpts{lang: c.lang.out(), names: present.NamesOf(units), filter: f, wide: *wide})
		})
	})
	return cmd
}

// inView parses a command's view flags (a usage error touches no store),
// opens the ledger and runs fn on the view. A view that can see nothing
// (an empty ledger, a known_at before the first event) is answered all the
// same, with a note on stderr saying why it is empty.
func (c *command) inView(ctx context.Context, vf viewFlags, name string, fn func(*replay.Ledger, projections.View) error) error {
	asOf, knownAt, err := vf.bounds(name)
	if err != nil {
		return err
	}
	l, closeFn, err := c.open(ctx, true)
	if err != nil {
		return err
	}
	defer closeFn()
	v, err := l.View(asOf, knownAt)
	if err != nil {
		return err
	}
	c.noteEmpty(ctx, l, v)
	return fn(l, v)
}

// noteEmpty prints one line when the view cannot see any event.
func (c *command) noteEmpty(ctx context.Context, l *replay.Ledger, v projections.View) {
	if l.Len() == 0 {
		if c.fresh {
			return // openStore said so
		}
		fmt.Fprintf(c.m.Stderr, "ledger: note: the ledger is empty (%s); import events first\n", c.shownStore())
		return
	}
	var first time.Time
	_ = l.Store().Read(ctx, 0, 1, func(r *events.Record) error { first = r.RecordedAt; return nil })
	if !first.IsZero() && v.KnownAt.Before(first) {
		fmt.Fprintf(c.m.Stderr, "ledger: note: known_at %s is before the first event (recorded %s): the view sees nothing\n",
			when.Show(v.KnownAt), when.Show(first))
	}
}

func (c *command) explainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "explain SECTION_ID",
		Args:              exactArgs(1, "explain: want exactly one SECTION_ID"),
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger explain U06-S12 --as-of 2021-06-30 --known-at 2021-12-01",
	}
	vf := c.addViewFlags(cmd, "table", "json", "csv")
	fs := cmd.Flags()
	component := fs.String("component", "", "")
	deductions := fs.Bool("deductions", false, "")
	votes := fs.Bool("votes", false, "")
	c.complete(cmd, "component", projections.Components...)
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		o := explainOptions{filter: projections.ExplainFilter{Component: *component, Deductions: *deductions}, votes: *votes}
		if ferr := o.filter.Check(); ferr != nil {
			return usagef("explain: --component must be one of %s", strings.Join(projections.Components, ", "))
		}
		return c.inView(ctx, vf, "explain", func(l *replay.Ledger, v projections.View) error {
			e, err := l.Explain(ctx, pos[0], v)
			if err != nil {
				return err
			}
			e = e.Filtered(o.filter)
			switch *vf.format {
			case "json":
				return writeJSON(c.m.Stdout, e)
			case "csv":
				return writeExplainCSV(c.m.Stdout, e, o)
			}
			return writeExplainGrouped(c.m.Stdout, e, o, c.lang.out())
		})
	})
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// appendEvents appends events the CLI built itself, in one batch.
func appendEvents(ctx context.Context, l *replay.Ledger, evs []events.Decoded) (replay.Result, error) {
	return l.Append(ctx, slices.Values(evs), replay.AppendOptions{Keep: true, Replayable: true})
}

func parseAt(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, usagef("--at is required")
	}
	t, err := when.Bound(v)
	if err != nil {
		return time.Time{}, usagef("--at: %v", err)
	}
	if !events.InWindow(t) {
		return time.Time{}, fmt.Errorf("--at: outside the evaluation window %s", events.WindowText)
	}
	return t, nil
}

func (c *command) freezeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "freeze-candidates --at TIME",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger freeze-candidates --at 2021-11-15T10:00:00+08:00",
	}
	fs := cmd.Flags()
	at := fs.String("at", "", "")
	actor := fs.String("actor", "office:freeze-candidates", "")
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		when, err := parseAt(*at)
		if err != nil {
			return err
		}
		c.existing = true // it appends: never to a store it would create
		l, closeFn, err := c.open(ctx, false)
		if err != nil {
			return err
		}
		defer closeFn()
		v, err := l.View(&when, nil) // known now (and at least all that is stored)
		if err != nil {
			return err
		}
		s, err := l.Standings(ctx, v)
		if err != nil {
			return err
		}
		if s.CandidatesFrozen {
			return fmt.Errorf("freeze-candidates: a candidate list is already frozen")
		}
		if len(s.Candidates) == 0 {
			return fmt.Errorf("freeze-candidates: no scored section as of %s", events.FormatCST(when))
		}
		ev, ferr := events.Build(when, *actor, &events.OnlineCandidatesFrozenData{SectionIDs: s.Candidates})
		if ferr != nil {
			return fmt.Errorf("freeze-candidates: %w", ferr)
		}
		res, err := appendEvents(ctx, l, []events.Decoded{{Event: ev}})
		if err != nil {
			return fmt.Errorf("freeze-candidates: %w", err)
		}
		fmt.Fprintf(c.m.Stdout, "frozen %d candidates at position %d\n", len(s.Candidates), res.Head.Position)
		return nil
	})
	return cmd
}

// MaxCredentials bounds one issue-credentials run.
const maxCredentials = 1_000_000

func (c *command) credentialsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "issue-credentials --group recipient|representative --count N --at TIME",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  ledger issue-credentials --group recipient --count 100 --at 2021-11-15T11:00:00+08:00 > codes.txt",
	}
	fs := cmd.Flags()
	group := fs.String("group", "", "")
	count := fs.Int("count", 0, "")
	at := fs.String("at", "", "")
	actor := fs.String("actor", "office:issue-credentials", "")
	c.complete(cmd, "group", string(events.GroupRecipient), string(events.GroupRepresentative))
	cmd.RunE = c.run(func(ctx context.Context, pos []string) error {
		if !events.VoterGroups.Has(events.VoterGroup(*group)) {
			return usagef("issue-credentials: --group must be one of %s", events.VoterGroups)
		}
		if *count <= 0 || *count > maxCredentials {
			return usagef("issue-credentials: --count must be 1 to %d", maxCredentials)
		}
		when, err := parseAt(*at)
		if err != nil {
			return err
		}
		c.existing = true // it appends: never to a store it would create
		l, closeFn, err := c.open(ctx, false)
		if err != nil {
			return err
		}
		defer closeFn()
		codes := make([]string, *count)
		evs := make([]events.Decoded, *count)
		for i := range codes {
			codes[i] = events.NewCode()
			ev, ferr := events.Build(when, *actor,
				&events.VoterCredentialIssuedData{CredentialKey: events.CredentialKey(codes[i]), Group: events.VoterGroup(*group)})
			if ferr != nil {
				return fmt.Errorf("issue-credentials: %w", ferr)
			}
			evs[i] = events.Decoded{Event: ev}
		}
		if _, err := appendEvents(ctx, l, evs); err != nil {
			return fmt.Errorf("issue-credentials: nothing issued: %w", err)
		}
		var b strings.Builder
		for _, code := range codes {
			b.WriteString(code)
			b.WriteByte('\n')
		}
		_, err = io.WriteString(c.m.Stdout, b.String())
		return err
	})
	return cmd
}
