package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pingyang/ledger/api"
	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/eventstest"
	"github.com/pingyang/ledger/internal/demo"
	"github.com/pingyang/ledger/projections"
	"github.com/pingyang/ledger/replay"
	"github.com/pingyang/ledger/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// The desk in a real browser: headless Chromium driven through the
// DevTools protocol (github.com/chromedp/chromedp), on a small demo year.
// The screenshots are kept in the test's temporary directory; with
// LEDGER_DESK_SHOTS=DIR they are also copied there (docs/desk holds the
// ones worth showing).

// findBrowser is the Chromium to drive, or why there is none.
func findBrowser() (string, string) {
	if p := os.Getenv("LEDGER_CHROMIUM"); p != "" {
		return p, ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "no Chromium found (looked for chromium, chromium-browser, google-chrome, headless-shell on PATH, and LEDGER_CHROMIUM); .ci/run installs Debian's chromium"
}

// deskBrowser starts a fresh headless Chromium with nothing that reaches
// the network, and returns a context for one tab.
func deskBrowser(t *testing.T) context.Context {
	path, why := findBrowser()
	if path == "" {
		t.Skip(why)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	require.NoError(t, chromedp.Do(ctx), "starting %s", path)
	return ctx
}

// deskYear serves a small demo year (every vote count scaled down; the
// disputes, the frozen list and the ballots as in the full year) with
// tokens for each role.
func deskYear(t *testing.T) (*replay.Ledger, string) {
	ctx := context.Background()
	l, _ := replaytest.OpenSQLite(t, replay.Options{})
	pr, pw := io.Pipe()
	go func() {
		_, err := demo.Generate(pw, demo.Options{Seed: 2021, Historical: true, Scale: 0.05})
		pw.CloseWithError(err)
	}()
	seq, readErr := events.ReadLines(pr, events.DecodeOptions{Historical: true})
	_, err := l.Append(ctx, seq, replay.AppendOptions{Historical: true})
	require.NoError(t, err)
	require.NoError(t, readErr())
	toks, err := api.ParseTokens(strings.NewReader("inspector " + inspectorTok + "\nviewer " + viewerTok + "\n"))
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(api.Config{Ledger: l, Tokens: toks}).Handler())
	t.Cleanup(srv.Close)
	return l, srv.URL
}

// contestACandidate opens a contest of a counted deduction of a candidate
// ranked below the top, so that overturning it moves the rank: an
// inspection deduction larger than the gap to the candidate ranked above,
// of a section whose inspection score is not at its floor (where one
// deduction fewer would change nothing).
func contestACandidate(t *testing.T, l *replay.Ledger) (section string, rank int) {
	v := projections.View{AsOf: events.WindowEnd, KnownAt: time.Now()}
	s, err := l.Standings(context.Background(), v)
	require.NoError(t, err)
	totals := map[int]float64{}
	for _, r := range s.Sections {
		if r.Rank != nil {
			totals[*r.Rank] = *r.Total
		}
	}
	for _, r := range s.Sections {
		if r.Rank == nil || *r.Rank < 20 {
			continue
		}
		gap := totals[*r.Rank-1] - *r.Total
		e, err := l.Explain(context.Background(), r.SectionID, v)
		require.NoError(t, err)
		for _, x := range e.Entries {
			if x.IsDeduction() && x.Status == "counted" && -x.Points > gap && x.Type != "UnitDeduction" &&
				x.Component == "inspection" && e.Inspection != nil && *e.Inspection > 0 {
				replaytest.AppendLines(t, l, eventstest.Line(events.DeductionContested, x.OccurredAt,
					fmt.Sprintf(`{"target_id":%q,"section_id":%q,"grounds":"扣分依据不足，申请复核"}`, x.EventID, r.SectionID)))
				return r.SectionID, *r.Rank
			}
		}
	}
	t.Fatal("no candidate with a deduction to contest")
	return "", 0
}

type shots struct {
	t   *testing.T
	dir string
}

func (s shots) take(name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		b, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, s.save(name+".png", b)
	}
}

func (s shots) save(name string, b []byte) error {
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	s.t.Logf("saved %s (%d KB)", p, len(b)/1024)
	if out := os.Getenv("LEDGER_DESK_SHOTS"); out != "" {
		return os.WriteFile(filepath.Join(out, name), b, 0o644)
	}
	return nil
}

func TestDeskInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser and a demo year: not in -short")
	}
	ctx := deskBrowser(t)
	l, base := deskYear(t)
	section, rank := contestACandidate(t, l)
	sh := shots{t, t.TempDir()}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, actions...), what)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, "text of %s", sel)
		return s
	}

	// Sign in as an inspector; the standings come back.
	run("sign in",
		chromedp.Navigate(base+"/signin?next=/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), inspectorTok),
		chromedp.Click(chromedp.CSS("#signin-go")),
		chromedp.WaitVisible(chromedp.CSS("#standings")),
	)
	require.Contains(t, text(".who .role"), "检查员")
	require.Contains(t, text("#standings tbody tr:first-child"), "满意")
	run("shoot the standings", sh.take("standings"))

	// Filter a unit: every row left is that unit's.
	run("filter U09", chromedp.SetValue(chromedp.CSS("#unit"), "U09"), chromedp.Submit(chromedp.CSS("#unit")),
		chromedp.WaitVisible(chromedp.CSS(`#standings tbody tr[data-unit="U09"]`)))
	units, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#standings tbody tr")).map(r => r.dataset.unit)`))
	require.NoError(t, err)
	require.NotEmpty(t, units)
	for _, u := range units {
		require.Equal(t, "U09", u)
	}
	run("shoot the filter", sh.take("standings-unit"))

	// The disputes; the contested section's page and its trail.
	run("disputes", chromedp.Navigate(base+"/disputes"), chromedp.WaitVisible(chromedp.CSS("#disputes")))
	run("shoot the disputes", sh.take("disputes"))
	run("open the section", chromedp.Click(chromedp.CSS(`tr.dispute.open[data-section="`+section+`"] a[href^="/sections/"]`)),
		chromedp.WaitVisible(chromedp.CSS("#group-hotline, #group-qr, #group-inspection")))
	trail := text("main")
	require.Contains(t, trail, "争议中（仍计入）", "the contested deduction's status")
	require.Contains(t, trail, "R-FIX")
	require.Contains(t, trail, "提出争议")
	require.Contains(t, trail, "原始分", "the service arithmetic")
	require.Equal(t, fmt.Sprint(rank), text("#rank"))
	run("shoot the section", sh.take("section"))

	// A resolved dispute's diff: before and after its decision.
	run("a resolved dispute's diff", chromedp.Navigate(base+"/disputes"), chromedp.WaitVisible(chromedp.CSS("#disputes")),
		chromedp.Click(chromedp.CSS("a.diff-link")), chromedp.WaitVisible(chromedp.CSS(".compare-form")))
	cmp := text("main")
	require.Contains(t, cmp, "争议裁决", "the resolution accounts for the change")
	run("shoot the diff", sh.take("dispute-diff"))

	// What if the open contest is overturned: the rank moves, nothing is stored.
	n := l.Len()
	run("what-if overturned", chromedp.Navigate(base+"/disputes"), chromedp.WaitVisible(chromedp.CSS("#disputes")),
		chromedp.Click(chromedp.CSS(`tr.dispute.open[data-section="`+section+`"] button.whatif-overturned`)),
		chromedp.WaitVisible(chromedp.CSS("#hypothetical")))
	move := text(`#diff tr.focus td.rankmove`)
	require.Regexp(t, fmt.Sprintf(`^%d → \d+$`, rank), strings.TrimSpace(move))
	require.NotEqual(t, fmt.Sprintf("%d → %d", rank, rank), strings.TrimSpace(move))
	require.Equal(t, n, l.Len(), "a what-if stores nothing")
	run("shoot the what-if", sh.take("whatif"))

	// The announcement, printed to an A4 PDF.
	run("the announcement", chromedp.Navigate(base+"/announcement"), chromedp.WaitVisible(chromedp.CSS(".doc-title")),
		sh.take("announcement"))
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground()))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(pdf), "%PDF-"))
	require.NoError(t, sh.save("announcement.pdf", pdf))

	// The verification page and the English switch.
	run("verification", chromedp.Navigate(base+"/verification?lang=en"), chromedp.WaitVisible(chromedp.CSS("#head")))
	require.Equal(t, l.Head().Hash.String(), text("#head"))
	require.Contains(t, text("h1"), "Verification")
	run("back to Chinese", chromedp.Navigate(base+"/verification?lang=zh"), chromedp.WaitVisible(chromedp.CSS("#head")))

	// A viewer is refused the inspector's pages.
	// Signed out, the standings need a sign-in too (the server has tokens).
	run("sign out", chromedp.Click(chromedp.CSS(".who button")), chromedp.WaitVisible(chromedp.CSS(`main a.button[href^="/signin"]`)))
	require.Contains(t, text("main"), "请先登录")
	run("sign in as a viewer", chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), viewerTok), chromedp.Click(chromedp.CSS("#signin-go")),
		chromedp.WaitVisible(chromedp.CSS("#standings")))
	for _, p := range []string{"/sections/" + section, "/disputes", "/compare"} {
		run("as a viewer "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("h1")))
		require.Contains(t, text("main"), "需要检查员身份", p)
	}
	run("shoot the refusal", sh.take("viewer-refused"))
	// No page showed a token.
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	require.NoError(t, err)
	require.NotContains(t, html, viewerTok)
	require.NotContains(t, html, inspectorTok)
}
