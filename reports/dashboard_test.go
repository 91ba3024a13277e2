package reports

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/internal/testenv"
)

// sectionRE finds each control's section in the DOM Chromium dumps (after the page's script ran:
// a filtered-out section carries the hidden attribute).
var sectionRE = regexp.MustCompile(`<section class="control[^"]*" id="control-([^"]+)"[^>]*>`)

// shownControls are the ids of the control sections the page shows, and of those it hides.
func shownControls(dom string) (shown, hidden []string) {
	for _, m := range sectionRE.FindAllStringSubmatch(dom, -1) {
		if strings.Contains(m[0], " hidden") {
			hidden = append(hidden, m[1])
		} else {
			shown = append(shown, m[1])
		}
	}
	return shown, hidden
}

// controlSection is the markup of one control's section in the DOM.
func controlSection(t *testing.T, dom, id string) string {
	t.Helper()
	start := strings.Index(dom, `id="control-`+id+`"`)
	if start < 0 {
		t.Fatalf("no section for control %s", id)
	}
	end := strings.Index(dom[start:], "</section>")
	return dom[start : start+end]
}

func fileURL(path, fragment string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), Fragment: fragment}
	return u.String()
}

// TestDashboardInChromium opens the dashboard of the fixture from disk in real headless Chromium:
// no console message, every control of the report on the page, each filter (in the URL's
// fragment, as the page's selects write it) showing exactly the controls it should, and the
// failing interval and the coverage gap drawn on their controls' strips.
func TestDashboardInChromium(t *testing.T) {
	chromium := testenv.NeedChromium(t)
	rep := periodFixture(t, fixtureExtra{})
	dir := t.TempDir()
	if err := WriteDashboard(dir, rep); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, DashboardFileName)
	var all []string
	for _, c := range rep.Controls {
		all = append(all, c.ID)
	}
	failing, gap, na := rep.Controls[0].ID, "", ""
	for _, c := range rep.Controls {
		switch {
		case len(c.Intervals) > 0:
			failing = c.ID
		case len(c.Gaps) > 0:
			gap = c.ID
		case c.LastStatus == "not_applicable":
			na = c.ID
		}
	}
	chapterKey, _ := chapterOf(rep.Controls[0].Section)
	var inChapter []string
	clauseKeys, _ := clauseGroupsOf(rep.Controls[0], "ja")
	var inClause []string
	for _, c := range rep.Controls {
		if k, _ := chapterOf(c.Section); k == chapterKey {
			inChapter = append(inChapter, c.ID)
		}
		if ks, _ := clauseGroupsOf(c, "ja"); slices.Contains(ks, clauseKeys[0]) {
			inClause = append(inClause, c.ID)
		}
	}
	if len(inChapter) == len(all) || len(inClause) == len(all) {
		t.Fatalf("the fixture's first chapter (%d) or clause (%d) holds every control: the filter would prove nothing", len(inChapter), len(inClause))
	}

	tests := []struct {
		name     string
		fragment string
		want     []string
	}{
		{"no filter shows every control", "", all},
		{"a failing interval", "status=interval", []string{failing}},
		{"a coverage gap", "status=gap", []string{gap}},
		{"a status seen in some run", "status=not_applicable", []string{na}},
		{"a chapter", "chapter=" + chapterKey, inChapter},
		{"an ISO clause", "clause=" + clauseKeys[0], inClause},
		{"status and chapter together", "status=interval&chapter=nochapter", nil},
		{"English keeps the filter", "status=gap&lang=en", []string{gap}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := testenv.LoadInChromium(t, chromium, fileURL(page, tc.fragment))
			if len(got.Console) > 0 {
				t.Errorf("console messages:\n%s", strings.Join(got.Console, "\n"))
			}
			wantLang := "ja"
			if strings.Contains(tc.fragment, "lang=en") {
				wantLang = "en"
			}
			if !strings.Contains(got.DOM, `data-lang="`+wantLang+`"`) {
				t.Errorf("#%s: the page is not in %s", tc.fragment, wantLang)
			}
			shown, hidden := shownControls(got.DOM)
			if len(shown)+len(hidden) != len(all) {
				t.Fatalf("the page has %d control sections, the report %d controls", len(shown)+len(hidden), len(all))
			}
			slices.Sort(shown)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(shown, want) {
				t.Errorf("#%s shows %v, want %v", tc.fragment, shown, want)
			}
		})
	}

	t.Run("the failing interval and the gap are drawn", func(t *testing.T) {
		got := testenv.LoadInChromium(t, chromium, fileURL(page, ""))
		for _, id := range all {
			if !strings.Contains(got.DOM, `id="control-`+id+`"`) {
				t.Errorf("control %s is not on the page", id)
			}
		}
		f := controlSection(t, got.DOM, failing)
		if n := strings.Count(f, `class="interval"`); n != 1 {
			t.Errorf("control %s: %d failing-interval bars drawn, want 1", failing, n)
		}
		if !strings.Contains(f, `class="finding"`) || !strings.Contains(f, "/buckets/3/encryption") {
			t.Errorf("control %s: the interval's findings with their evidence pointer are not listed", failing)
		}
		if n := strings.Count(controlSection(t, got.DOM, gap), `class="gap"`); n != 1 {
			t.Errorf("control %s: %d gaps drawn, want 1", gap, n)
		}
		if n := strings.Count(controlSection(t, got.DOM, na), `class="interval"`) + strings.Count(controlSection(t, got.DOM, na), `class="gap"`); n != 0 {
			t.Errorf("control %s (no interval, no gap): %d interval or gap marks drawn", na, n)
		}
		if !strings.Contains(got.DOM, `id="run-`+rep.Problems[0].RunID+`"`) {
			t.Errorf("the untrusted run %s is not in the list of runs", rep.Problems[0].RunID)
		}
	})
}

// TestChromiumCatchesConsoleErrors proves the console check above can fail: a page whose script
// throws is reported.
func TestChromiumCatchesConsoleErrors(t *testing.T) {
	chromium := testenv.NeedChromium(t)
	tests := []struct {
		name    string
		script  string
		wantErr bool
	}{
		{"a quiet script", `document.body.setAttribute("data-ok", "1");`, false},
		{"an uncaught exception", `notDefinedAnywhere();`, true},
		{"console.error", `console.error("broken");`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "index.html")
			html := "<!DOCTYPE html><html><body><p>x</p><script>" + tc.script + "</script></body></html>"
			if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
				t.Fatal(err)
			}
			got := testenv.LoadInChromium(t, chromium, fileURL(page, ""))
			if (len(got.Console) > 0) != tc.wantErr {
				t.Errorf("console %q, want an error: %v", got.Console, tc.wantErr)
			}
		})
	}
}
