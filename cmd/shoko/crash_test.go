package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// demoSrc is the records demo's source directory, absolute, for configs written elsewhere.
func demoSrc(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("../../testdata/records-demo-src")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// writeConfig writes a shoko.yaml into dir naming the given records sources (absolute paths).
func writeConfig(t *testing.T, dir, name string, sources map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("organization: test\ncalendar:\n  closures: [\"12-29..01-03\"]\n")
	var recs []string
	for _, k := range []string{"training", "internal_audits", "vulnerability_assessments", "certificates"} {
		if p, ok := sources[k]; ok {
			recs = append(recs, fmt.Sprintf("  %s: [%q]\n", k, p))
		}
	}
	if len(recs) > 0 {
		b.WriteString("records:\n" + strings.Join(recs, ""))
	}
	for _, k := range []string{"attestations", "exceptions"} {
		if p, ok := sources[k]; ok {
			fmt.Fprintf(&b, "%s: %q\n", k, p)
		}
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func demoSources(t *testing.T) map[string]string {
	src := demoSrc(t)
	return map[string]string{
		"training":                  filepath.Join(src, "records", "training.csv"),
		"internal_audits":           filepath.Join(src, "records", "internal_audits.csv"),
		"vulnerability_assessments": filepath.Join(src, "records", "vulnerability_assessments.csv"),
		"certificates":              filepath.Join(src, "records", "certificates.csv"),
		"attestations":              filepath.Join(src, "attestations"),
		"exceptions":                filepath.Join(src, "exceptions.yaml"),
	}
}

func listRuns(t *testing.T, store string) map[string]evidence.RunInfo {
	t.Helper()
	code, out, errOut := shoko(t, "runs", "list", "--store", store, "--format", "json")
	if code != 0 {
		t.Fatalf("runs list: exit %d\n%s%s", code, out, errOut)
	}
	var runs []evidence.RunInfo
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatalf("runs list --format json: %v\n%s", err, out)
	}
	m := map[string]evidence.RunInfo{}
	for _, r := range runs {
		m[r.ID] = r
	}
	return m
}

// TestKilledInCollectionLeavesAnIncompleteRun kills `shoko audit` with SIGKILL while it is
// blocked reading a source (a FIFO nobody writes): the earlier run still verifies, the partial
// run is listed incomplete, and evaluate, bundle and verify refuse it.
func TestKilledInCollectionLeavesAnIncompleteRun(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	first := auditDemo(t, store, priv)

	dir := t.TempDir()
	sources := demoSources(t)
	sources["training"] = filepath.Join(dir, "training.csv")
	if err := syscall.Mkfifo(sources["training"], 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "shoko.yaml", sources)
	// --no-preflight: the preflight reads the records too, and would block on the FIFO before
	// the run exists; what is tested is a kill during collection.
	cmd := cli(t, "audit", "--no-preflight", "--config", cfg, "--out", store, "--key", priv, "--run-id", "partial")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Collection has begun once the marker and the catalog are written.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err1 := os.Stat(filepath.Join(store, "runs", "partial", evidence.MarkerFile))
		_, err2 := os.Stat(filepath.Join(store, "runs", "partial", "catalog", "policies"))
		if err1 == nil && err2 == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the audit did not start its run within 20s\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	runs := listRuns(t, store)
	if runs[filepath.Base(first)].State != evidence.StateSigned || runs["partial"].State != evidence.StateIncomplete {
		t.Fatalf("runs after the kill: %+v", runs)
	}
	if code, out, _ := shoko(t, "verify", first, "--pubkey", pub); code != 0 {
		t.Fatalf("the earlier run no longer verifies: exit %d\n%s", code, out)
	}
	partial := filepath.Join(store, "runs", "partial")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"verify fails", []string{"verify", partial, "--pubkey", pub}, exitFail, "the run is incomplete (INCOMPLETE marker present) and was never signed"},
		{"evaluate refuses", []string{"evaluate", "--run", partial}, exitError, "shard main: no manifest"},
		{"bundle refuses", []string{"bundle", partial, "-o", filepath.Join(t.TempDir(), "b.tar.gz")}, exitUsage, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := shoko(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d, want %d with %q\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
	t.Run("the next run links past the partial one", func(t *testing.T) {
		next := auditDemo(t, store, priv)
		code, out, _ := shoko(t, "verify", next, "--pubkey", pub)
		if code != 0 || !strings.Contains(out, "previous run "+filepath.Base(first)) {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
}

// TestKilledAtAnyPointNeverLeavesAHalfRun kills `shoko audit` at spread-out moments of its run
// (collection, evaluation, signing): every run left is either signed and verifies, or incomplete
// and fails verify.
func TestKilledAtAnyPointNeverLeavesAHalfRun(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	start := time.Now()
	if out, err := cli(t, "audit", "--config", demoConfig, "--out", store, "--key", priv).CombinedOutput(); err != nil && !strings.Contains(err.Error(), "exit status 2") {
		t.Fatalf("audit: %v\n%s", err, out)
	}
	full := time.Since(start)
	const kills = 8
	for k := 1; k <= kills; k++ {
		cmd := cli(t, "audit", "--config", demoConfig, "--out", store, "--key", priv)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full * time.Duration(k) / kills)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	states := map[string]int{}
	for id, r := range listRuns(t, store) {
		states[r.State]++
		code, out, _ := shoko(t, "verify", filepath.Join(store, "runs", id), "--pubkey", pub)
		switch r.State {
		case evidence.StateSigned:
			if code != 0 {
				t.Errorf("signed run %s does not verify:\n%s", id, out)
			}
		case evidence.StateIncomplete:
			if code != exitFail {
				t.Errorf("incomplete run %s: verify exit %d, want %d\n%s", id, code, exitFail, out)
			}
		default:
			t.Errorf("run %s is %s: a keyed audit leaves only signed or incomplete runs", id, r.State)
		}
	}
	t.Logf("after %d kills over a %v run: %v", kills, full, states)
}

// TestShardsByTwoProcessesEqualOneCollection collects the demo once in one shard, and again as
// two shards by two concurrent processes: the results are byte-identical. A run missing a
// planned shard does not evaluate.
func TestShardsByTwoProcessesEqualOneCollection(t *testing.T) {
	dir := t.TempDir()
	all := demoSources(t)
	hr := map[string]string{"training": all["training"], "internal_audits": all["internal_audits"]}
	rest := map[string]string{"vulnerability_assessments": all["vulnerability_assessments"],
		"certificates": all["certificates"], "attestations": all["attestations"], "exceptions": all["exceptions"]}
	allCfg := writeConfig(t, dir, "all.yaml", all)
	hrCfg := writeConfig(t, dir, "hr.yaml", hr)
	restCfg := writeConfig(t, dir, "rest.yaml", rest)
	const at = "2026-11-27T00:00:00Z"
	store := t.TempDir()
	startRun := func(shards ...string) string {
		args := []string{"runs", "start", "--store", store, "--config", allCfg}
		for _, s := range shards {
			args = append(args, "--shard", s)
		}
		code, out, errOut := shoko(t, args...)
		if code != 0 {
			t.Fatalf("runs start: exit %d\n%s%s", code, out, errOut)
		}
		return strings.TrimSpace(out)
	}
	evaluate := func(id string) (int, string) {
		code, out, errOut := shoko(t, "evaluate", "--store", store, "--run", id, "--config", allCfg, "--as-of", at)
		return code, out + errOut
	}

	one := startRun("main")
	if code, out, errOut := shoko(t, "collect", "--store", store, "--run", one, "--shard", "main", "--config", allCfg, "--collected-at", at); code != 0 {
		t.Fatalf("collect: exit %d\n%s%s", code, out, errOut)
	}
	if code, out := evaluate(one); code != exitError {
		t.Fatalf("evaluate one shard: exit %d\n%s", code, out)
	}

	two := startRun("hr", "rest")
	procs := []*bytes.Buffer{}
	var cmds []*testCmd
	for shard, cfg := range map[string]string{"hr": hrCfg, "rest": restCfg} {
		c := cli(t, "collect", "--store", store, "--run", two, "--shard", shard, "--config", cfg, "--collected-at", at)
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, &out)
		cmds = append(cmds, &testCmd{c, shard, &out})
	}
	for _, c := range cmds {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("collect shard %s: %v\n%s", c.shard, err, c.out)
		}
	}
	if code, out := evaluate(two); code != exitError {
		t.Fatalf("evaluate two shards: exit %d\n%s", code, out)
	}
	r1, _ := os.ReadFile(filepath.Join(store, "runs", one, evidence.ResultsFile))
	r2, _ := os.ReadFile(filepath.Join(store, "runs", two, evidence.ResultsFile))
	// Each run's results carry its own id; all else is the same.
	if !bytes.Contains(r1, []byte(`"run_id": "`+one+`"`)) || !bytes.Contains(r2, []byte(`"run_id": "`+two+`"`)) {
		t.Fatalf("the results do not carry their runs' ids %s, %s", one, two)
	}
	r1, r2 = bytes.ReplaceAll(r1, []byte(one), []byte("RUN")), bytes.ReplaceAll(r2, []byte(two), []byte("RUN"))
	if len(r1) == 0 || !bytes.Equal(r1, r2) {
		t.Fatalf("two shards gave other results than one collection:\n%s", firstDiff(r1, r2))
	}

	t.Run("a missing shard is an error, not a smaller audit", func(t *testing.T) {
		id := startRun("hr", "rest")
		if code, out, errOut := shoko(t, "collect", "--store", store, "--run", id, "--shard", "hr", "--config", hrCfg); code != 0 {
			t.Fatalf("collect: exit %d\n%s%s", code, out, errOut)
		}
		code, out := evaluate(id)
		if code != exitError || !strings.Contains(out, "shard rest: no manifest") {
			t.Fatalf("exit %d, want %d naming shard rest\n%s", code, exitError, out)
		}
		if r := listRuns(t, store)[id]; r.State != evidence.StateIncomplete {
			t.Fatalf("run %s is %s, want incomplete", id, r.State)
		}
	})
	t.Run("a shard the run does not plan is refused", func(t *testing.T) {
		id := startRun("hr")
		code, out, errOut := shoko(t, "collect", "--store", store, "--run", id, "--shard", "other", "--config", hrCfg)
		if code == 0 || !strings.Contains(out+errOut, `not "other"`) {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
}

type testCmd struct {
	cmd   interface{ Wait() error }
	shard string
	out   *bytes.Buffer
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: %q vs %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

// TestStaleEvidenceIsErrorAndReplaysAsSuch: evidence older than a control's max_evidence_age
// at the run's evaluation time makes the control error (stale); verify replays at the recorded
// evaluation time, not at its own, so the run still verifies later.
func TestStaleEvidenceIsErrorAndReplaysAsSuch(t *testing.T) {
	priv, pub := keyPair(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "all.yaml", demoSources(t))
	store := t.TempDir()
	code, out, errOut := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--shard", "main")
	if code != 0 {
		t.Fatalf("runs start: %s%s", out, errOut)
	}
	id := strings.TrimSpace(out)
	if code, out, errOut := shoko(t, "collect", "--store", store, "--run", id, "--shard", "main", "--config", cfg, "--collected-at", "2024-01-01T00:00:00Z"); code != 0 {
		t.Fatalf("collect: %s%s", out, errOut)
	}
	code, out, errOut = shoko(t, "evaluate", "--store", store, "--run", id, "--config", cfg, "--key", priv, "--as-of", "2026-11-27T00:00:00Z", "--lang", "en")
	if code != exitError || !strings.Contains(out, "(stale)") {
		t.Fatalf("evaluate: exit %d, want stale controls in error\n%s%s", code, out, errOut)
	}
	runDir := filepath.Join(store, "runs", id)
	meta, err := evidence.ReadRunMeta(context.Background(), evidence.NewDirStore(store), id)
	if err != nil || meta.EvaluatedAt.Format(time.RFC3339) != "2026-11-27T00:00:00Z" {
		t.Fatalf("run.json evaluated_at %v: %v", meta.EvaluatedAt, err)
	}
	if code, out, _ := shoko(t, "verify", runDir, "--pubkey", pub); code != 0 {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
}

// TestDiffNamesChangedControlsAndFindings compares a run with a later evaluation of the same
// evidence (now stale): controls that changed status and findings that were resolved.
func TestDiffNamesChangedControlsAndFindings(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "all.yaml", demoSources(t))
	store := t.TempDir()
	mk := func(asOf string) string {
		_, out, _ := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--shard", "main")
		id := strings.TrimSpace(out)
		shoko(t, "collect", "--store", store, "--run", id, "--shard", "main", "--config", cfg, "--collected-at", "2026-11-27T00:00:00Z")
		shoko(t, "evaluate", "--store", store, "--run", id, "--config", cfg, "--as-of", asOf)
		return filepath.Join(store, "runs", id)
	}
	a, b := mk("2026-11-27T00:00:00Z"), mk("2028-06-01T00:00:00Z")

	code, out, errOut := shoko(t, "diff", a, b, "--format", "json")
	if code != 0 {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	var d diffResult
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Changed) == 0 || len(d.Resolved) == 0 {
		t.Fatalf("want changed controls and resolved findings: %+v", d)
	}
	for _, c := range d.Changed {
		if c.To != "error" {
			t.Fatalf("a control changed to %s, want error (stale): %+v", c.To, c)
		}
	}
	code, out, _ = shoko(t, "diff", a, a)
	if code != 0 || !strings.Contains(out, "controls whose status changed: 0") || !strings.Contains(out, "new findings: 0") {
		t.Fatalf("diff of a run with itself: exit %d\n%s", code, out)
	}
	t.Run("an incomplete run has no results to compare", func(t *testing.T) {
		_, out, _ := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--shard", "main")
		partial := filepath.Join(store, "runs", strings.TrimSpace(out))
		code, out, errOut := shoko(t, "diff", a, partial)
		if code != exitUsage || !strings.Contains(errOut, "no results.json") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
}

// TestVerifyJSONReport: --format json carries the same verdict and named failures.
func TestVerifyJSONReport(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	runDir := auditDemo(t, store, priv)
	for _, tc := range []struct {
		name     string
		tamper   bool
		code     int
		verified bool
	}{{"untouched", false, 0, true}, {"results.json edited", true, exitFail, false}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tamper {
				p := filepath.Join(runDir, evidence.ResultsFile)
				b, _ := os.ReadFile(p)
				_ = os.WriteFile(p, append(b, ' '), 0o644)
			}
			code, out, _ := shoko(t, "verify", runDir, "--pubkey", pub, "--format", "json")
			var rep evidence.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if code != tc.code || rep.Verified != tc.verified {
				t.Fatalf("exit %d verified %v\n%s", code, rep.Verified, out)
			}
			if tc.tamper && (len(rep.Failures) != 1 || rep.Failures[0].File != evidence.ResultsFile || !strings.HasPrefix(rep.Failures[0].Actual, "sha256:")) {
				t.Fatalf("failures %+v", rep.Failures)
			}
		})
	}
}

// slowCatalog copies the catalog and adds to one policy a rule that keeps evaluation busy for
// seconds (and never yields a finding), so a test can kill shoko while it evaluates.
func slowCatalog(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"controls", "policies"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join(testenv.RepoRoot(), sub))); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "policies", "aud_01.rego")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, "\nfindings contains f if {\n\tsome i in numbers.range(1, 3000)\n\tsome j in numbers.range(1, 3000)\n\ti * j == -1\n\tf := {}\n}\n"...)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "controls"), filepath.Join(dir, "policies")
}

// TestKilledInEvaluationLeavesAnIncompleteRun kills `shoko audit` with SIGKILL after its
// collection finished (the shard manifest is written), while the engine evaluates: the run stays
// incomplete and unsigned, and the earlier run still verifies.
func TestKilledInEvaluationLeavesAnIncompleteRun(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	first := auditDemo(t, store, priv)
	ctlDir, polDir := slowCatalog(t)
	cmd := cli(t, "--controls", ctlDir, "--policies", polDir, "audit", "--config", demoConfig, "--out", store, "--key", priv, "--run-id", "evaluating")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(store, "runs", "evaluating", "shards", "main.json")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(manifest); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("collection did not finish within 20s\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	runDir := filepath.Join(store, "runs", "evaluating")
	for _, f := range []string{evidence.ResultsFile, evidence.RunFile, evidence.StatementFile} {
		if _, err := os.Stat(filepath.Join(runDir, f)); err == nil {
			t.Fatalf("%s exists: the process was not killed during evaluation\n%s", f, stderr.String())
		}
	}
	if r := listRuns(t, store)["evaluating"]; r.State != evidence.StateIncomplete {
		t.Fatalf("the killed run is %q, want incomplete", r.State)
	}
	if code, out, _ := shoko(t, "verify", runDir, "--pubkey", pub); code != exitFail || !strings.Contains(out, "incomplete") {
		t.Fatalf("verify of the killed run: exit %d\n%s", code, out)
	}
	if code, out, _ := shoko(t, "verify", first, "--pubkey", pub); code != 0 {
		t.Fatalf("the earlier run no longer verifies: exit %d\n%s", code, out)
	}
}
