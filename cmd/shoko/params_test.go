package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// backupEvidence writes, for BAK-01, one customer database selected by a daily backup plan
// (points kept 40 days) with a completed recovery point in each of the last `points` days.
func backupEvidence(t *testing.T, points int, at time.Time) string {
	t.Helper()
	dir := t.TempDir()
	arn := "arn:aws:rds:ap-northeast-1:111111111111:db:db1"
	rps := []any{}
	for d := 0; d < points; d++ {
		rps = append(rps, map[string]any{"ResourceArn": arn, "RecoveryPointArn": fmt.Sprintf("rp-%d", d), "Status": "COMPLETED",
			"CreationDate": at.Add(-time.Duration(24*d+2) * time.Hour).Format(time.RFC3339)})
	}
	data := map[string][]any{
		"aws.rds.DescribeDBInstances": {map[string]any{"DBInstanceArn": arn, "TagList": []any{
			map[string]any{"Key": "DataClass", "Value": "customer"}, map[string]any{"Key": "Name", "Value": "db1"}}}},
		"aws.rds.DescribeDBClusters": {}, "aws.dynamodb.DescribeTable": {}, "aws.ec2.DescribeVolumes": {},
		"aws.s3.GetBucketTagging": {}, "aws.backup.ListProtectedResources": {},
		"aws.backup.GetBackupSelection": {map[string]any{"BackupPlanId": "plan",
			"BackupSelection": map[string]any{"SelectionName": "all", "Resources": []any{"*"}}}},
		"aws.backup.GetBackupPlan": {map[string]any{"BackupPlanId": "plan", "BackupPlan": map[string]any{"BackupPlanName": "plan",
			"Rules": []any{map[string]any{"RuleName": "daily", "ScheduleExpression": "cron(0 5 ? * * *)",
				"Lifecycle": map[string]any{"DeleteAfterDays": 40}}}}}},
		"aws.backup.ListRecoveryPointsByBackupVault": rps,
	}
	for kind, rows := range data {
		b, err := json.Marshal(map[string]any{"kind": kind, "collected_at": at.Format(time.RFC3339), "status": "ok", "error": nil,
			"scope":     map[string]string{"source": "aws", "account": "111111111111", "region": "ap-northeast-1"},
			"collector": map[string]string{"name": "test", "version": "0"}, "request": map[string]any{}, "data": rows})
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, kind+".json", string(b))
	}
	return dir
}

// A number of the claim changed in shoko.yaml (BAK-01: 8 → 7 generations) is what every reader
// sees and what the policy judges: the titles and the claim in both languages, results.json
// (the effective parameters and the overrides, under a catalog digest of its own), `controls
// show`, the customer white paper, and the verdict on a database with 7 daily recovery points.
func TestParameterOverrideIsJudgedAndPrinted(t *testing.T) {
	at := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	evidenceDir := backupEvidence(t, 7, at)
	cases := []struct {
		name        string
		config      string
		status      string
		ja, en      string // in the title
		claim       string // in the Japanese claim and the customer white paper
		whitepaper  string // in the English white paper
		audit       string // in the English audit report
		generations float64
	}{
		{"the catalog's 8 generations: 7 recovery points fail", "organization: Example\n", engine.StatusFail,
			"日次 8 世代", "daily, 8 generations", "8 日分（8 世代）", "the last 8 days (8 generations)", "generations = 8", 8},
		{"overridden to 7 in shoko.yaml: 7 recovery points pass", "organization: Example\nparameters:\n  BAK-01:\n    generations: 7\n",
			engine.StatusPass, "日次 7 世代", "daily, 7 generations", "7 日分（7 世代）", "the last 7 days (7 generations)",
			"generations = 7 (set in shoko.yaml; the catalog's value: 8)", 7},
	}
	var digests []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "shoko.yaml", tc.config)
			out := filepath.Join(dir, "out")
			code, stdout, stderr := shoko(t, "evaluate", "--evidence", evidenceDir, "--out", out, "--config", cfg, "--as-of", at.Format(time.RFC3339))
			if code > exitError {
				t.Fatalf("evaluate: exit %d\n%s\n%s", code, stdout, stderr)
			}
			res := readResults(t, filepath.Join(out, "results.json"))
			digests = append(digests, res.Catalog.Digest)
			var bak *engine.ControlResult
			for i := range res.Controls {
				if res.Controls[i].ID == "BAK-01" {
					bak = &res.Controls[i]
				}
			}
			if bak == nil {
				t.Fatal("no BAK-01 in results.json")
			}
			if bak.Status != tc.status || !strings.Contains(bak.Title.JA, tc.ja) || !strings.Contains(bak.Title.EN, tc.en) {
				t.Errorf("BAK-01: status %s, title %q / %q; want %s, %q / %q (%s)", bak.Status, bak.Title.JA, bak.Title.EN, tc.status, tc.ja, tc.en, bak.Reason.EN)
			}
			if got := bak.Parameters["generations"]; got != tc.generations {
				t.Errorf("results.json BAK-01 parameters.generations = %v, want %v", got, tc.generations)
			}
			if overridden := res.Catalog.Overrides != nil; overridden != (tc.generations == 7) {
				t.Errorf("results.json catalog.overrides = %+v", res.Catalog.Overrides)
			}

			_, show, _ := shoko(t, "controls", "show", "BAK-01", "--config", cfg)
			if !strings.Contains(show, "日次で "+strings.Fields(tc.ja)[1]+" 世代分") {
				t.Errorf("controls show BAK-01 --config: the claim does not say %s:\n%s", tc.ja, show)
			}

			if _, err := exec.LookPath("pdftotext"); err != nil {
				testenv.Missing(t, "pdftotext", err)
				return
			}
			reportsDir := filepath.Join(dir, "reports")
			if code, stdout, stderr := shoko(t, "report", "--results", filepath.Join(out, "results.json"), "--config", cfg,
				"--format", "pdf,whitepaper", "--lang", "ja,en", "--out", reportsDir, "--generated-at", at.Format(time.RFC3339)); code != 0 {
				t.Fatalf("report: exit %d\n%s\n%s", code, stdout, stderr)
			}
			for file, want := range map[string]string{"whitepaper.ja.pdf": tc.claim, "whitepaper.en.pdf": tc.whitepaper, "audit-report.en.pdf": tc.audit} {
				text, err := exec.Command("pdftotext", "-enc", "UTF-8", filepath.Join(reportsDir, file), "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				if flat := strings.Join(strings.Fields(string(text)), " "); !strings.Contains(flat, want) {
					t.Errorf("%s does not say %q", file, want)
				}
			}
		})
	}
	if len(digests) == 2 && digests[0] == digests[1] {
		t.Errorf("the catalog digest is %s with and without the override: an override must change what is signed", digests[0])
	}
}

// An override that does not fit the catalog is refused before anything runs, naming the
// shoko.yaml line, the key path and the fix.
func TestParameterOverrideErrors(t *testing.T) {
	cases := []struct {
		name   string
		config string
		want   string // in stderr; "" for a config that loads
	}{
		{"a value of the declared type loads", "parameters:\n  BAK-01:\n    generations: 7\nservice_name: {ja: カードサービス, en: Card Service}\n", ""},
		{"a value of the wrong type", "parameters:\n  BAK-01:\n    generations: \"seven\"\n",
			`shoko.yaml:3: parameters.BAK-01.generations: want an integer (0 or more), found "seven" (BAK-01 declares generations as integer)`},
		{"a control that does not exist", "parameters:\n  BAK-1:\n    generations: 7\n",
			"shoko.yaml:2: parameters.BAK-1: no control BAK-1 in the catalog (did you mean BAK-01?)"},
		{"a parameter the control does not have", "parameters:\n  BAK-01:\n    generation: 7\n",
			"shoko.yaml:3: parameters.BAK-01.generation: BAK-01 has no parameter generation (did you mean generations?)"},
		{"a region list with a name that is no region", "parameters:\n  GEO-01:\n    allowed_regions: [ap-northeast-1, tokyo]\n",
			`shoko.yaml:3: parameters.GEO-01.allowed_regions: want a list of AWS regions (like ap-northeast-1), found "tokyo" at [1]`},
		{"a service name that is no text", "service_name: 7\n",
			"shoko.yaml:1: service_name: want a string, or {ja: …, en: …}, found 7"},
		{"the service name set per control", "parameters:\n  CRY-01:\n    service_name: X\n",
			"shoko.yaml:3: parameters.CRY-01.service_name: the service's name is set once, at the top level: service_name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, t.TempDir(), "shoko.yaml", tc.config)
			code, _, stderr := shoko(t, "controls", "validate", "--config", cfg)
			if tc.want == "" {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				return
			}
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

// service_name in shoko.yaml names the service wherever the catalog wrote ソナーサービス; without
// it the catalog's own name is printed, as before.
func TestServiceNameFromConfig(t *testing.T) {
	cases := []struct {
		name, config, lang, want, notWant string
	}{
		{"the catalog's name without service_name", "organization: Example\n", "ja", "ソナーサービスは、暗号化", "{service_name}"},
		{"one name for both languages", "service_name: Cardbox\n", "en", "Cardbox is not offered", "Sonar"},
		{"a name per language", "service_name: {ja: カードボックス, en: Cardbox}\n", "ja", "カードボックスは、暗号化", "ソナー"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, t.TempDir(), "shoko.yaml", tc.config)
			code, stdout, stderr := shoko(t, "controls", "show", "CRY-01", "--config", cfg, "--lang", tc.lang)
			claim := ""
			for _, line := range strings.Split(stdout, "\n") {
				if strings.HasPrefix(line, "- Claim:") || strings.HasPrefix(line, "- 主張:") {
					claim = line
				}
			}
			if code != 0 || !strings.Contains(claim, tc.want) || strings.Contains(claim, tc.notWant) {
				t.Fatalf("exit %d, want %q and no %q in the claim:\n%s%s", code, tc.want, tc.notWant, stdout, stderr)
			}
		})
	}
}

// A run evaluated with overrides stores them in its catalog (catalog/parameters.yaml, signed
// with the run), and `shoko verify` replays the run with them: results.json identical.
func TestOverriddenRunIsSignedAndReplayed(t *testing.T) {
	dir := t.TempDir()
	training, err := filepath.Abs("../../testdata/records-demo-src/records/training.csv")
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, dir, "shoko.yaml", "organization: Example\nrecords:\n  training: ["+training+"]\n"+
		"service_name: Cardbox\nparameters:\n  TRN-01:\n    max_months_since_training: 13\n")
	if code, out, errOut := shoko(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	store := filepath.Join(dir, "store")
	if code, out, errOut := shoko(t, "audit", "--config", cfg, "--out", store, "--key", filepath.Join(dir, "keys", "shoko.key"),
		"--reports", "", "--lang", "en"); code != exitError { // records only: the AWS and service controls are error
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	run := onlyRun(t, store)
	stored, err := os.ReadFile(filepath.Join(run, "catalog", "parameters.yaml"))
	if err != nil || !strings.Contains(string(stored), "max_months_since_training: 13") || !strings.Contains(string(stored), "service_name: Cardbox") {
		t.Fatalf("the run's catalog/parameters.yaml: %v\n%s", err, stored)
	}
	if meta, err := os.ReadFile(filepath.Join(run, "run.json")); err != nil || !strings.Contains(string(meta), `"max_months_since_training": 13`) {
		t.Errorf("run.json does not record the override: %v\n%s", err, meta)
	}
	res := readResults(t, filepath.Join(run, "results.json"))
	if res.Catalog.Overrides == nil {
		t.Fatal("results.json has no catalog.overrides")
	}
	code, out, errOut := shoko(t, "verify", run, "--pubkey", filepath.Join(dir, "keys", "shoko.pub"))
	if code != 0 || !strings.Contains(out, "results.json identical") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
}

// shoko.example.yaml's service_name and parameters fit the catalog (config/example_test.go only
// checks the config's own keys).
func TestExampleConfigOverridesFitTheCatalog(t *testing.T) {
	if code, out, errOut := shoko(t, "controls", "validate", "--config", "../../shoko.example.yaml"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
