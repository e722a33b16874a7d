package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// recipe is the README's hash recipe: the sh block under "Verifying the
// hash chain by hand", exactly as printed.
func recipe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	s := string(b)
	i := strings.Index(s, "## Verifying the hash chain by hand")
	require.GreaterOrEqual(t, i, 0, "README has lost its recipe")
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(s[i:])
	require.NotNil(t, m, "README's recipe is not a sh block")
	return m[1]
}

// TestREADMEHashRecipe runs the README's recipe verbatim against a served
// ledger, paging three events at a time, and then against a tampered copy.
func TestREADMEHashRecipe(t *testing.T) {
	for _, tool := range []string{"jq", "curl", "sha256sum", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the README's recipe needs it (apt-get install %s)", tool, tool)
		}
	}
	f := newFixture(t, true)
	script := recipe(t)
	runRecipe := func(url string) (string, error) {
		dir := t.TempDir()
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LEDGER="+url, "INSPECTOR="+inspectorTok, "LIMIT=3")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	out, err := runRecipe(f.url)
	require.NoError(t, err, out)
	require.Equal(t, "ok "+strconv.FormatInt(f.ledger.Len(), 10)+" events, head "+f.ledger.Head().Hash.String(), out)

	// A changed event is caught at its position: a server in between
	// changes the actor of event 5 as it passes.
	tamper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest("GET", f.url+r.URL.RequestURI(), nil)
		req.Header = r.Header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(502)
			return
		}
		defer resp.Body.Close()
		var evs []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&evs); err != nil {
			w.WriteHeader(502)
			return
		}
		for _, e := range evs {
			if e["position"] == float64(5) {
				e["actor"] = "mallory"
			}
		}
		_ = json.NewEncoder(w).Encode(evs)
	}))
	defer tamper.Close()
	out, err = runRecipe(tamper.URL)
	require.Error(t, err)
	require.Equal(t, "bad at position 5", out)
}
