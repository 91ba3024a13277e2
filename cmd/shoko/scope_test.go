package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// scopedDemoConfig writes the records demo's config with extra keys (controls, period) into a
// temporary directory, its files named by absolute path.
func scopedDemoConfig(t *testing.T, extra string) string {
	t.Helper()
	src, err := filepath.Abs("../../testdata/records-demo-src")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(src, "shoko.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer("[records/", "["+src+"/records/", "attestations: attestations", "attestations: "+src+"/attestations",
		"exceptions: exceptions.yaml", "exceptions: "+src+"/exceptions.yaml").Replace(string(b))
	return writeFile(t, t.TempDir(), "shoko.yaml", cfg+extra)
}

// controls.include/exclude: the records demo (exit 2 unscoped: the AWS and service controls have
// no evidence) audits only what is in scope; the others are not_in_scope, never pass or error.
func TestScopeOfControlsInTheConfig(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		code    int
		judged  map[string]string // statuses of controls in scope
		out     []string          // some controls out of scope
		wantErr string
	}{
		{"include: only the two listed are judged, exit 0", "controls:\n  include: [TRN-01, AUD-01]\n", exitOK,
			map[string]string{"TRN-01": "waived", "AUD-01": "pass"}, []string{"CERT-01", "VUL-01", "GEO-01", "TLS-02"}, ""},
		{"exclude: the listed are left out, the rest judged", "controls:\n  exclude: [CERT-01, VUL-01]\n", exitError,
			map[string]string{"TRN-01": "waived", "AUD-01": "pass", "GEO-01": "error"}, []string{"CERT-01", "VUL-01"}, ""},
		{"an unknown id is a usage error naming key, line and nearest id", "controls:\n  include:\n    - TRN-01\n    - AUD-1\n", exitUsage,
			nil, nil, `controls.include[1]: "AUD-1" is not a control of the catalog (did you mean AUD-01?)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := scopedDemoConfig(t, tc.extra)
			out := t.TempDir()
			code, stdout, stderr := shoko(t, "evaluate", "--evidence", "../../testdata/records-demo", "--config", cfg, "--out", out)
			if code != tc.code || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("evaluate: exit %d, want %d (stderr should contain %q)\n%s\n%s", code, tc.code, tc.wantErr, stdout, stderr)
			}
			if tc.wantErr != "" {
				// audit refuses it too, before any run is started.
				store := t.TempDir()
				code, _, stderr := shoko(t, "audit", "--config", cfg, "--out", store, "--reports", "")
				runs, _ := filepath.Glob(filepath.Join(store, "runs", "*"))
				if code != tc.code || !strings.Contains(stderr, tc.wantErr) || len(runs) != 0 {
					t.Fatalf("audit: exit %d, runs %v\n%s", code, runs, stderr)
				}
				return
			}
			res := readResults(t, filepath.Join(out, "results.json"))
			checkScoped(t, res, tc.judged, tc.out)
		})
	}
}

func checkScoped(t *testing.T, res engine.Results, judged map[string]string, out []string) {
	t.Helper()
	got := map[string]string{}
	for _, c := range res.Controls {
		got[c.ID] = c.Status
	}
	for id, want := range judged {
		if got[id] != want {
			t.Errorf("%s: %s, want %s", id, got[id], want)
		}
	}
	for _, id := range out {
		if got[id] != engine.StatusNotInScope {
			t.Errorf("%s: %s, want not_in_scope", id, got[id])
		}
	}
	if res.Scope == nil || res.Summary[engine.StatusNotInScope] != len(res.Controls)-countNot(got, engine.StatusNotInScope) {
		t.Errorf("results.json records no scope, or the summary miscounts: %v", res.Summary)
	}
}

func countNot(m map[string]string, status string) int {
	n := 0
	for _, s := range m {
		if s != status {
			n++
		}
	}
	return n
}

// audit records the scope in run.json, judges only it, and verify replays it.
func TestAuditOfAScopeIsRecordedAndReplayed(t *testing.T) {
	cfg := scopedDemoConfig(t, "controls:\n  include: [TRN-01, AUD-01]\nperiod: {fiscal_year_start: \"04-01\"}\n")
	out, keys := t.TempDir(), t.TempDir()
	if code, _, stderr := shoko(t, "keygen", "--out", keys); code != exitOK {
		t.Fatal(stderr)
	}
	code, stdout, stderr := shoko(t, "audit", "--config", cfg, "--out", out, "--lang", "en", "--key", filepath.Join(keys, "shoko.key"))
	if code != exitOK {
		t.Fatalf("audit: exit %d, want 0\n%s\n%s", code, stdout, stderr)
	}
	dir := onlyRun(t, out)
	res := readResults(t, filepath.Join(dir, "results.json"))
	checkScoped(t, res, map[string]string{"TRN-01": "waived", "AUD-01": "pass"}, []string{"CERT-01", "GEO-01"})
	if res.Summary[engine.StatusNotInScope] != len(res.Controls)-2 {
		t.Fatalf("summary %v: every other control is not_in_scope", res.Summary)
	}
	b, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta evidence.RunMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if c := meta.Scope.Controls; c == nil || strings.Join(c.Include, ",") != "TRN-01,AUD-01" {
		t.Fatalf("run.json scope.controls = %+v", c)
	}
	// The period is the fiscal year (April–March, JST) containing the evaluation time.
	now := meta.EvaluatedAt.In(time.FixedZone("JST", 9*3600))
	fy := now.Year()
	if now.Month() < time.April {
		fy--
	}
	wantStart := time.Date(fy, time.April, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	if !meta.Period.Start.Equal(wantStart) || !meta.Period.End.Equal(wantStart.AddDate(1, 0, 0)) {
		t.Fatalf("period %v..%v, want the fiscal year from %v", meta.Period.Start, meta.Period.End, wantStart)
	}
	// No AWS or service source was configured, and none was needed: nothing but records evidence.
	if !strings.Contains(stdout, "evidence items written") {
		t.Fatalf("no collection summary:\n%s", stdout)
	}
	if code, vout, verr := shoko(t, "verify", dir, "--pubkey", filepath.Join(keys, "shoko.pub")); code != exitOK {
		t.Fatalf("verify (replaying the scoped evaluation): exit %d\n%s\n%s", code, vout, verr)
	}
}

// --period overrides the config's period; without it the config's applies.
func TestPeriodFromTheConfig(t *testing.T) {
	tests := []struct {
		name, extra, flag, start, end string
	}{
		{"the fiscal year containing the evaluation time", "period: {fiscal_year_start: \"04-01\"}\n", "", "2026-03-31T15:00:00Z", "2027-03-31T15:00:00Z"},
		{"an explicit period", "period: {start: 2026-01-01, end: 2026-12-31}\n", "", "2025-12-31T15:00:00Z", "2026-12-31T15:00:00Z"},
		{"--period overrides it", "period: {fiscal_year_start: \"04-01\"}\n", "2025-04-01..2026-03-31", "2025-03-31T15:00:00Z", "2026-03-31T15:00:00Z"},
		{"no period: the year before the evaluation time", "", "", "2025-11-27T00:00:00Z", "2026-11-27T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"evaluate", "--evidence", "../../testdata/records-demo", "--config", scopedDemoConfig(t, tc.extra), "--out", out}
			if tc.flag != "" {
				args = append(args, "--period", tc.flag)
			}
			if code, stdout, stderr := shoko(t, args...); code == exitUsage {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			res := readResults(t, filepath.Join(out, "results.json"))
			if got := res.Period.Start.Format(time.RFC3339) + ".." + res.Period.End.Format(time.RFC3339); got != tc.start+".."+tc.end {
				t.Fatalf("period %s, want %s..%s", got, tc.start, tc.end)
			}
		})
	}
}

// Only the sources the controls in scope read are collected: a records scope with an aws
// section configured makes no AWS call and writes no AWS item (it would need credentials).
func TestCollectionFollowsTheScope(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, tc := range []struct {
		name, scope string
		aws         bool
	}{
		{"a records scope collects no AWS evidence", "controls:\n  include: [TRN-01, AUD-01]\n", false},
		{"a scope with an AWS control collects it", "controls:\n  include: [TRN-01, GEO-01]\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := scopedDemoConfig(t, "aws:\n  home_region: ap-northeast-1\n  regions: [ap-northeast-1]\n  call_timeout: 2s\n"+tc.scope)
			out := t.TempDir()
			if code, stdout, stderr := shoko(t, "collect", "--config", cfg, "--out", out); code != exitOK {
				t.Fatalf("collect: exit %d\n%s\n%s", code, stdout, stderr)
			}
			awsItems, _ := filepath.Glob(filepath.Join(out, "aws.*"))
			records, _ := filepath.Glob(filepath.Join(out, "records.training"))
			if (len(awsItems) > 0) != tc.aws || len(records) == 0 {
				t.Fatalf("aws items %v (want some: %v), records %v", awsItems, tc.aws, records)
			}
		})
	}
}

// A sharded run keeps the scope it started with: every shard collects for it, and evaluating
// with a config that says otherwise is refused rather than followed or ignored.
func TestShardedRunKeepsItsScope(t *testing.T) {
	scoped := scopedDemoConfig(t, "controls:\n  include: [TRN-01, AUD-01]\n")
	unscoped := scopedDemoConfig(t, "")
	store := t.TempDir()
	code, stdout, stderr := shoko(t, "runs", "start", "--store", store, "--config", scoped, "--shard", "hr")
	if code != exitOK {
		t.Fatalf("runs start: exit %d\n%s", code, stderr)
	}
	id := strings.TrimSpace(stdout)
	if code, _, stderr := shoko(t, "collect", "--store", store, "--run", id, "--shard", "hr", "--config", unscoped); code != exitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	for _, tc := range []struct {
		name, config string
		code         int
		msg          string
	}{
		{"a config with another scope is refused", unscoped, exitUsage, "differ from the scope the run was started with"},
		{"the run's own scope is judged", scoped, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := shoko(t, "evaluate", "--store", store, "--run", id, "--config", tc.config, "--reports", "")
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Fatalf("evaluate: exit %d, want %d with %q\n%s\n%s", code, tc.code, tc.msg, stdout, stderr)
			}
		})
	}
	res := readResults(t, filepath.Join(store, "runs", id, "results.json"))
	checkScoped(t, res, map[string]string{"TRN-01": "waived", "AUD-01": "pass"}, []string{"CERT-01", "GEO-01"})
}
