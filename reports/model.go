package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// item is one control as the reports show it: its verdict joined with its catalog entry.
type item struct {
	Result  engine.ControlResult
	Control *engine.Control
}

// items joins every control result with its catalog entry, in results order (by id).
// Input.Check has made sure every result has one.
func (in *Input) items() []item {
	out := make([]item, 0, len(in.Results.Controls))
	for _, r := range in.Results.Controls {
		c, _ := in.Catalog.Control(r.ID)
		out = append(out, item{Result: r, Control: c})
	}
	return out
}

// fillClaim puts the control's parameters into its claim in lang: "{max_days}" becomes "365",
// a list becomes "a、b、c" in Japanese and "a, b, c" in English.
func fillClaim(c *engine.Control, lang string) string { return c.Fill(c.Claim, lang) }

// titleOf is a control's title as the reports print it: the result's title with the control's
// parameters in. Results written before titles were filled at evaluation still carry
// "{generations}"; filling here prints the number for those too.
func titleOf(it item, lang string) string {
	return it.Control.Fill(it.Result.Title, lang)
}

// title is a result's title with its control's parameters in (see titleOf), for code that walks
// the results rather than the items.
func (in *Input) title(r engine.ControlResult, lang string) string {
	if c, ok := in.Catalog.Control(r.ID); ok {
		return c.Fill(r.Title, lang)
	}
	return r.Title.Lang(lang)
}

// formatValue writes a parameter value for a reader.
func formatValue(v any, lang string) string { return engine.FormatValue(v, lang) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// statusLabel is a status in words.
func statusLabel(status, lang string) string {
	t := tr(lang)
	switch status {
	case engine.StatusPass:
		return t("適合", "Pass")
	case engine.StatusFail:
		return t("不適合", "Fail")
	case engine.StatusError:
		return t("判定不能", "Error")
	case engine.StatusAttested:
		return t("表明済み", "Attested")
	case engine.StatusWaived:
		return t("例外承認", "Waived")
	case engine.StatusNotApplicable:
		return t("適用外", "N/A")
	case engine.StatusNotInScope:
		return t("監査対象外", "Not in scope")
	}
	return status
}

// shownStatuses are the statuses the reports count: all of them, less not_in_scope for a run
// that audited every control (a column of zeros would suggest a scope there was not).
func shownStatuses(res *engine.Results) []string {
	if res.Scope != nil || res.Summary[engine.StatusNotInScope] > 0 {
		return engine.AllStatuses
	}
	var out []string
	for _, s := range engine.AllStatuses {
		if s != engine.StatusNotInScope {
			out = append(out, s)
		}
	}
	return out
}

// inScope are the items of controls in the run's scope, and the ids of the others.
func inScope(items []item) (in []item, outIDs []string) {
	for _, it := range items {
		if it.Result.Status == engine.StatusNotInScope {
			outIDs = append(outIDs, it.Result.ID)
			continue
		}
		in = append(in, it)
	}
	return in, outIDs
}

// controlScopeLine says which controls the run audited, for the covers: every control of the
// catalog, or the configured include/exclude with how many that leaves.
func controlScopeLine(res *engine.Results, lang string) string {
	t := tr(lang)
	total := len(res.Controls)
	if res.Scope == nil {
		return fmt.Sprintf(t("カタログの全統制（%d 件）", "every control of the catalog (%d)"), total)
	}
	audited := total - res.Summary[engine.StatusNotInScope]
	line := fmt.Sprintf(t("%d 件中 %d 件", "%d of %d controls"), total, audited)
	if lang == "en" {
		line = fmt.Sprintf("%d of %d controls", audited, total)
	}
	if len(res.Scope.Include) > 0 {
		line += t("　対象: ", "; included: ") + strings.Join(res.Scope.Include, ", ")
	}
	if len(res.Scope.Exclude) > 0 {
		line += t("　除外: ", "; excluded: ") + strings.Join(res.Scope.Exclude, ", ")
	}
	return line + t("（他の統制は「監査対象外」で、評価しておらず適合とはみなしません）", " (the others are \"not in scope\": not evaluated, never counted as passing)")
}

// statusColor is the RGB a status is drawn in, the same in every PDF.
func statusColor(status string) [3]int {
	switch status {
	case engine.StatusPass:
		return [3]int{46, 125, 50}
	case engine.StatusFail:
		return [3]int{198, 40, 40}
	case engine.StatusError:
		return [3]int{230, 81, 0}
	case engine.StatusAttested:
		return [3]int{21, 101, 192}
	case engine.StatusWaived:
		return [3]int{142, 36, 170}
	}
	return [3]int{117, 117, 117}
}

// formatTime writes a time in JST, the company's time zone, to the minute.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(calendar.JST).Format("2006-01-02 15:04") + " JST"
}

// formatDate writes the JST date of a time.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(calendar.JST).Format("2006-01-02")
}

// parseTime reads an RFC 3339 time or a YYYY-MM-DD date (as written in records and exceptions).
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", s, calendar.JST); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// resultsNow is the evaluation time of the results (checked by Input.Check).
func (in *Input) resultsNow() time.Time {
	t, _ := time.Parse(time.RFC3339, in.Results.Now)
	return t
}

// ScopeOf derives a run's scope from the scopes of its evidence: the values of the "account",
// "region", "endpoint"/"host"/"url", "database" and "file"/"dir" scope keys, sorted and without
// repeats.
func ScopeOf(res *engine.Results) Scope {
	acc, reg, end, db, rec := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range res.Evidence {
		for k, v := range e.Scope {
			switch k {
			case "account", "account_id":
				acc[v] = true
			case "region":
				reg[v] = true
			case "endpoint", "host", "url", "base_url":
				end[v] = true
			case "database":
				db[v] = true
			case "file", "dir":
				rec[v] = true
			}
		}
	}
	return Scope{Accounts: sortedKeys(acc), Regions: sortedKeys(reg), Endpoints: sortedKeys(end),
		Databases: sortedKeys(db), RecordFiles: sortedKeys(rec)}
}

// scope is the run's scope as given, or as derived from the evidence.
func (in *Input) scope() Scope {
	if !in.Run.Scope.Empty() {
		return in.Run.Scope
	}
	return ScopeOf(in.Results)
}

// shortDigest is the first 12 hex digits of a "sha256:…" digest: enough to find the item, short
// enough for a stamp.
func shortDigest(d string) string {
	h := strings.TrimPrefix(d, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// scopeString writes an evidence scope as "key=value, …" in key order.
func scopeString(s map[string]string) string {
	keys := sortedKeys(s)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + s[k]
	}
	return strings.Join(parts, ", ")
}

// digestOf is "sha256:<hex>" of b, as evidence digests are written.
func digestOf(b []byte) string { return evidence.Digest(b) }
