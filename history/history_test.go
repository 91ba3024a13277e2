package history_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/internal/synthruns"
)

var start = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// The 400-run history: one run every 6 hours for 100 days, four controls. Its known events:
const (
	every         = 6 * time.Hour
	nRuns         = 400
	unsignedRun   = 50
	incompleteRun = 51
	failFrom      = 100 // DLY-01 fails in runs 100..119, passes again in 120
	failTo        = 119
	gapAfter      = 200 // runs 201..211 never happened: 72 hours from run 200 to run 212
	gapResume     = 212
	tamperedRun   = 300 // one byte of its results.json altered after signing
	errorFrom     = 390 // DLY-02 is error from run 390 to the end: an open interval
)

var controls = []synthruns.HistoryControl{{ID: "DLY-01", Frequency: "daily"}, {ID: "DLY-02", Frequency: "daily"},
	{ID: "MON-01", Frequency: "monthly"}, {ID: "WKL-01", Frequency: "weekly"}}

func at(i int) time.Time { return start.Add(time.Duration(i) * every) }

func id(i int) string { return synthruns.HistoryRunID(at(i), i) }

var period = history.Period{Start: start, End: at(nRuns)}

// fourHundredRuns writes the 400-run history into a new directory store and returns its root.
func fourHundredRuns(t testing.TB, priv ed25519.PrivateKey) string {
	t.Helper()
	root := t.TempDir()
	_, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: every, Runs: nRuns, Controls: controls,
		Status: func(i int, c string) string {
			switch {
			case c == "DLY-01" && i >= failFrom && i <= failTo:
				return engine.StatusFail
			case c == "DLY-02" && i >= errorFrom:
				return engine.StatusError
			}
			return engine.StatusPass
		},
		Skip:       func(i int) bool { return i > gapAfter && i < gapResume },
		Unsigned:   func(i int) bool { return i == unsignedRun },
		Incomplete: func(i int) bool { return i == incompleteRun },
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// alterByte changes one byte of a file in the middle, as a tamperer would.
func alterByte(t testing.TB, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runFile(root string, i int, name string) string {
	return filepath.Join(root, "runs", id(i), filepath.FromSlash(name))
}

func build(t testing.TB, root string, pub ed25519.PublicKey, opts ...history.Option) *history.Report {
	t.Helper()
	rep, err := history.Build(context.Background(), evidence.NewDirStore(root), period, pub, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func control(t testing.TB, rep *history.Report, id string) history.Control {
	t.Helper()
	for _, c := range rep.Controls {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no control %s in the history", id)
	return history.Control{}
}

func TestHistoryOf400RunsNamesTheIntervalTheGapAndTheTamperedRun(t *testing.T) {
	priv := testKey(1)
	pub := priv.Public().(ed25519.PublicKey)
	root := fourHundredRuns(t, priv)
	results := runFile(root, tamperedRun, evidence.ResultsFile)
	signedDigest := evidence.DigestSet(mustRead(t, results))["sha256"]
	alterByte(t, results)
	alteredDigest := evidence.DigestSet(mustRead(t, results))["sha256"]

	rep := build(t, root, pub)

	wantProblems := []history.Problem{
		{RunID: id(unsignedRun), Kind: history.ProblemUnsigned, Detail: "the run completed but is not signed (no statement.intoto.json): nothing proves its results are the ones it wrote"},
		{RunID: id(incompleteRun), Kind: history.ProblemIncomplete, Detail: "the run never completed: its INCOMPLETE marker is still present (interrupted during collection, evaluation or reporting); it was never signed"},
		{RunID: id(tamperedRun), Kind: history.ProblemTampered, Detail: "results.json changed after signing: sha256 " + alteredDigest + ", the statement signs " + signedDigest},
	}
	if !reflect.DeepEqual(rep.Problems, wantProblems) {
		t.Errorf("problems:\n got %+v\nwant %+v", rep.Problems, wantProblems)
	}
	ran := nRuns - (gapResume - gapAfter - 1)
	want := history.Summary{Runs: ran, TrustedRuns: ran - 3, Problems: 3, ControlsWithFailures: 2, ControlsWithGaps: 2, OpenIntervals: 1}
	if rep.Summary != want {
		t.Errorf("summary %+v, want %+v", rep.Summary, want)
	}
	for _, r := range rep.Runs {
		if untrusted := r.ID == id(unsignedRun) || r.ID == id(incompleteRun) || r.ID == id(tamperedRun); r.Trusted == untrusted {
			t.Errorf("run %s: trusted %v", r.ID, r.Trusted)
		}
	}

	dly := control(t, rep, "DLY-01")
	fixed := at(failTo + 1)
	firstDigest := evidenceDigest(t, root, failFrom)
	wantInterval := history.Interval{Status: "fail", FirstFailing: at(failFrom), FirstFailingIn: id(failFrom),
		LastFailing: at(failTo), LastFailingIn: id(failTo), FixedAt: &fixed, FixedIn: id(failTo + 1),
		TimeToRemediateNS: 20 * every, DurationNS: 20 * every, Runs: 20,
		Findings: []history.IntervalFinding{{Resource: "res-DLY-01", Code: "synthetic_failure",
			Message: history.Text{JA: "res-DLY-01 が不適合", EN: "res-DLY-01 fails"}, FirstRun: id(failFrom), LastRun: id(failTo),
			EvidenceDigest: firstDigest, EvidencePath: "synthetic.resources/synth.json", EvidencePointer: "/data/0"}}}
	if len(dly.Intervals) != 1 || !reflect.DeepEqual(dly.Intervals[0], wantInterval) {
		t.Errorf("DLY-01 intervals:\n got %+v\nwant [%+v]", dly.Intervals, wantInterval)
	}
	wantGap := history.Gap{From: at(gapAfter), FromRun: id(gapAfter), To: at(gapResume), ToRun: id(gapResume),
		LengthNS: 72 * time.Hour, AllowedNS: 24 * time.Hour}
	if !reflect.DeepEqual(dly.Gaps, []history.Gap{wantGap}) {
		t.Errorf("DLY-01 gaps:\n got %+v\nwant [%+v]", dly.Gaps, wantGap)
	}
	if dly.LongestWithoutRunNS != 72*time.Hour {
		t.Errorf("DLY-01 longest without a run %s, want 72h", dly.LongestWithoutRunNS)
	}
	// Verified passing: the whole period but the failing interval (120h) and the gap beyond
	// the 24h a daily run covers (48h). The untrusted runs' 6h each are covered by the run
	// before them (under 24h).
	if wantShare := float64(2400*time.Hour-120*time.Hour-48*time.Hour) / float64(2400*time.Hour); dly.PassingShare != wantShare {
		t.Errorf("DLY-01 passing share %v, want %v", dly.PassingShare, wantShare)
	}
	if !reflect.DeepEqual(dly.RemediationNS, []time.Duration{120 * time.Hour}) || dly.MedianRemediationNS != 120*time.Hour || dly.LongestRemediationNS != 120*time.Hour {
		t.Errorf("DLY-01 remediation %v median %s longest %s, want [120h] 120h 120h", dly.RemediationNS, dly.MedianRemediationNS, dly.LongestRemediationNS)
	}
	if dly.Frequency != "daily" || dly.MaxIntervalNS != 24*time.Hour || dly.Runs != ran-3 || dly.Counts["fail"] != 20 || dly.LastStatus != "pass" {
		t.Errorf("DLY-01: frequency %s max %s runs %d counts %v last %s", dly.Frequency, dly.MaxIntervalNS, dly.Runs, dly.Counts, dly.LastStatus)
	}
	if got := strings.Join(dly.Clauses, ","); got != "ISO/IEC 27017:2015 12.3.1" || dly.Section.EN != "Synthetic" || dly.Title.EN != "Control DLY-01" {
		t.Errorf("DLY-01: clauses %q section %+v title %+v", got, dly.Section, dly.Title)
	}

	// Open at the end: it lasts until the newest run's end (the last run starts 9 runs after the
	// first failing one and takes a minute), not the period's end 6h later, which the history
	// did not see.
	open := control(t, rep, "DLY-02")
	if len(open.Intervals) != 1 || open.Intervals[0].FixedAt != nil || open.Intervals[0].Status != "error" ||
		open.Intervals[0].FirstFailingIn != id(errorFrom) || open.Intervals[0].DurationNS != 9*every+time.Minute || open.LastStatus != "error" {
		t.Errorf("DLY-02 open interval: %+v", open.Intervals)
	}
	for _, c := range []string{"WKL-01", "MON-01"} {
		if g := control(t, rep, c).Gaps; len(g) != 0 {
			t.Errorf("%s: gaps %+v, want none (72h is within its frequency)", c, g)
		}
	}

	// The same store, period and key give the same bytes.
	a, _ := rep.Marshal()
	b, _ := build(t, root, pub).Marshal()
	if !bytes.Equal(a, b) {
		t.Error("two histories of the same store differ")
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// evidenceDigest is the digest of run i's one evidence item, as its shard manifest lists it.
func evidenceDigest(t testing.TB, root string, i int) string {
	t.Helper()
	var m evidence.ShardManifest
	if err := json.Unmarshal(mustRead(t, runFile(root, i, "shards/main.json")), &m); err != nil {
		t.Fatal(err)
	}
	return m.Items[0].Digest
}

// TestGapsAreExactAtTheLimit: runs exactly the allowed interval apart leave no gap; one
// nanosecond more is a gap, for each frequency.
func TestGapsAreExactAtTheLimit(t *testing.T) {
	priv := testKey(2)
	pub := priv.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		frequency string
		every     time.Duration
		wantGaps  int
	}{
		{"daily", 24 * time.Hour, 0},
		{"daily", 24*time.Hour + 1, 2},
		{"weekly", 7 * 24 * time.Hour, 0},
		{"weekly", 7*24*time.Hour + 1, 2},
		{"monthly", 31 * 24 * time.Hour, 0},
		{"monthly", 31*24*time.Hour + 1, 2},
	} {
		t.Run(tc.frequency+"/"+tc.every.String(), func(t *testing.T) {
			root := t.TempDir()
			if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
				Start: start, Every: tc.every, Runs: 3, Controls: []synthruns.HistoryControl{{ID: "X-01", Frequency: tc.frequency}}}); err != nil {
				t.Fatal(err)
			}
			allowed, _ := history.MaxInterval(tc.frequency)
			// The period ends exactly the allowed interval after the last run: never a gap.
			p := history.Period{Start: start, End: start.Add(2*tc.every + allowed)}
			rep, err := history.Build(context.Background(), evidence.NewDirStore(root), p, pub)
			if err != nil {
				t.Fatal(err)
			}
			c := control(t, rep, "X-01")
			if len(c.Gaps) != tc.wantGaps {
				t.Fatalf("%d gaps %+v, want %d", len(c.Gaps), c.Gaps, tc.wantGaps)
			}
			for _, g := range c.Gaps {
				if g.LengthNS != tc.every || g.AllowedNS != allowed {
					t.Errorf("gap of %s allowed %s, want %s allowed %s", g.LengthNS, g.AllowedNS, tc.every, allowed)
				}
			}
			// Each passing run covers at most the allowed interval.
			if c.PassingShare != 1 && tc.wantGaps == 0 {
				t.Errorf("passing share %v, want 1", c.PassingShare)
			}
		})
	}
}

// TestChainProblemsNameTheRunAtFault builds a short history and breaks it in one way each.
func TestChainProblemsNameTheRunAtFault(t *testing.T) {
	priv := testKey(3)
	pub := priv.Public().(ed25519.PublicKey)
	const n = 6
	p := history.Period{Start: start, End: at(n)}
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, root string)
		want   []history.Problem // Detail: a substring
	}{
		{"untouched", func(*testing.T, string) {}, nil},
		{"statement signed by another key", func(t *testing.T, root string) {
			resign(t, root, 2, testKey(9), nil)
		}, []history.Problem{
			{RunID: id(2), Kind: history.ProblemTampered, Detail: "statement.intoto.json: no signature verifies with the public key"},
			{RunID: id(3), Kind: history.ProblemBrokenLink, CauseRun: id(2), Detail: "is tampered (see its problem)"},
		}},
		{"results altered and re-signed with the key", func(t *testing.T, root string) {
			resign(t, root, 2, priv, func(files map[string][]byte) {
				files[evidence.ResultsFile] = bytes.Replace(files[evidence.ResultsFile], []byte(`"pass"`), []byte(`"fail"`), 1)
			})
		}, []history.Problem{
			{RunID: id(2), Kind: history.ProblemTampered, CauseRun: id(3), Detail: "is not the one run " + id(3) + " linked to when it was signed"},
			{RunID: id(3), Kind: history.ProblemBrokenLink, CauseRun: id(2), Detail: "still verifies: it was re-signed or replaced after this run was signed"},
		}},
		{"a run removed", func(t *testing.T, root string) {
			if err := os.RemoveAll(filepath.Join(root, "runs", id(2))); err != nil {
				t.Fatal(err)
			}
		}, []history.Problem{
			{RunID: id(3), Kind: history.ProblemMissingLink, Detail: "links to run " + id(2) + ", which is not in the store (removed?); the newest signed run that ended before it started"},
		}},
		{"a run's statement removed", func(t *testing.T, root string) {
			if err := os.Remove(runFile(root, 2, evidence.StatementFile)); err != nil {
				t.Fatal(err)
			}
		}, []history.Problem{
			{RunID: id(2), Kind: history.ProblemUnsigned, Detail: "not signed"},
			{RunID: id(3), Kind: history.ProblemBrokenLink, CauseRun: id(2), Detail: "(run " + id(2) + " is unsigned now: its statement was removed?)"},
		}},
		{"run.json altered", func(t *testing.T, root string) {
			alterByte(t, runFile(root, 4, evidence.RunFile))
		}, []history.Problem{
			{RunID: id(4), Kind: history.ProblemTampered, Detail: "run.json changed after signing: sha256 "},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
				Start: start, Every: every, Runs: n, Controls: controls[:1]}); err != nil {
				t.Fatal(err)
			}
			tc.break_(t, root)
			rep, err := history.Build(context.Background(), evidence.NewDirStore(root), p, pub)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != len(tc.want) {
				t.Fatalf("problems %+v, want %d like %+v", rep.Problems, len(tc.want), tc.want)
			}
			untrusted := map[string]bool{}
			for i, w := range tc.want {
				g := rep.Problems[i]
				if g.RunID != w.RunID || g.Kind != w.Kind || g.CauseRun != w.CauseRun || !strings.Contains(g.Detail, w.Detail) {
					t.Errorf("problem %d: got %+v\nwant %+v", i, g, w)
				}
				untrusted[g.RunID] = true
			}
			for _, r := range rep.Runs {
				if r.Trusted == untrusted[r.ID] {
					t.Errorf("run %s trusted %v", r.ID, r.Trusted)
				}
			}
		})
	}
}

// resign rewrites run i's statement: over its files changed by change (nil: unchanged), signed
// with key, with the link it had.
func resign(t *testing.T, root string, i int, key ed25519.PrivateKey, change func(map[string][]byte)) {
	t.Helper()
	dir := filepath.Join(root, "runs", id(i))
	files, err := evidence.ReadRunDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	link := &evidence.ChainLink{RunID: id(i - 1), Digest: evidence.DigestSet(mustRead(t, runFile(root, i-1, evidence.StatementFile)))}
	delete(files, evidence.StatementFile)
	if change != nil {
		change(files)
		for n, b := range files {
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(n)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	env, err := evidence.BuildStatement(id(i), files, link, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, evidence.StatementFile), env, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAllFilesChecksTheEvidenceToo: an evidence file altered after signing does not change the
// signed verdicts (the default trusts the run), but --all-files names it.
func TestAllFilesChecksTheEvidenceToo(t *testing.T) {
	priv := testKey(4)
	pub := priv.Public().(ed25519.PublicKey)
	root := t.TempDir()
	if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: every, Runs: 3, Controls: controls[:1]}); err != nil {
		t.Fatal(err)
	}
	alterByte(t, runFile(root, 1, "evidence/main/synthetic.resources/synth.json"))
	p := history.Period{Start: start, End: at(3)}
	for _, tc := range []struct {
		opts     []history.Option
		problems int
	}{{nil, 0}, {[]history.Option{history.WithAllFiles()}, 1}} {
		rep, err := history.Build(context.Background(), evidence.NewDirStore(root), p, pub, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != tc.problems {
			t.Fatalf("verified %s: problems %+v, want %d", rep.Verified, rep.Problems, tc.problems)
		}
		if tc.problems == 1 && (rep.Problems[0].RunID != id(1) || !strings.Contains(rep.Problems[0].Detail, "evidence/main/synthetic.resources/synth.json changed after signing")) {
			t.Errorf("problem %+v, want run %s's evidence file named", rep.Problems[0], id(1))
		}
	}
}

// TestCatalogControlsNeverJudgedAreOneGap: a control of the catalog no trusted run judged is
// reported with one gap over the whole period, not left out.
func TestCatalogControlsNeverJudgedAreOneGap(t *testing.T) {
	priv := testKey(5)
	pub := priv.Public().(ed25519.PublicKey)
	root := t.TempDir()
	if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: every, Runs: 2, Controls: controls[:1]}); err != nil {
		t.Fatal(err)
	}
	cat := &engine.Catalog{Controls: []*engine.Control{{ID: "DLY-01", Frequency: "daily"}, {ID: "ZZZ-09", Frequency: "weekly", Title: engine.Text{EN: "Never run"}}}}
	p := history.Period{Start: start, End: start.Add(10 * 24 * time.Hour)}
	for _, tc := range []struct {
		scope    *evidence.ControlScope
		controls int
	}{{nil, 2}, {&evidence.ControlScope{Exclude: []string{"ZZZ-09"}}, 1}} {
		rep, err := history.Build(context.Background(), evidence.NewDirStore(root), p, pub, history.WithCatalog(cat, tc.scope))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Controls) != tc.controls {
			t.Fatalf("scope %+v: %d controls, want %d", tc.scope, len(rep.Controls), tc.controls)
		}
		if tc.controls == 2 {
			z := rep.Controls[1]
			want := []history.Gap{{From: p.Start, To: p.End, LengthNS: 10 * 24 * time.Hour, AllowedNS: 7 * 24 * time.Hour}}
			if z.ID != "ZZZ-09" || z.Runs != 0 || !reflect.DeepEqual(z.Gaps, want) || z.Title.EN != "Never run" || z.PassingShare != 0 {
				t.Errorf("never-run control: %+v", z)
			}
		}
	}
}

// TestIntervalFindingsNameTheirFirstAndLastRun: each failing resource of an interval is named
// once, with the runs it was first and last seen failing in and the evidence of the first.
func TestIntervalFindingsNameTheirFirstAndLastRun(t *testing.T) {
	priv := testKey(10)
	pub := priv.Public().(ed25519.PublicKey)
	root := t.TempDir()
	failing := map[int][]string{1: {"a"}, 2: {"a", "b"}, 3: {"b"}}
	if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: every, Runs: 5, Controls: controls[:1],
		Status: func(i int, _ string) string {
			if failing[i] != nil {
				return engine.StatusFail
			}
			return ""
		},
		Resources: func(i int, _ string) []string { return failing[i] },
	}); err != nil {
		t.Fatal(err)
	}
	c := control(t, build(t, root, pub), "DLY-01")
	if len(c.Intervals) != 1 {
		t.Fatalf("intervals %+v, want one", c.Intervals)
	}
	got := c.Intervals[0].Findings
	want := []history.IntervalFinding{
		{Resource: "a", Code: "synthetic_failure", Message: history.Text{JA: "a が不適合", EN: "a fails"}, FirstRun: id(1), LastRun: id(2),
			EvidenceDigest: evidenceDigest(t, root, 1), EvidencePath: "synthetic.resources/synth.json", EvidencePointer: "/data/0"},
		{Resource: "b", Code: "synthetic_failure", Message: history.Text{JA: "b が不適合", EN: "b fails"}, FirstRun: id(2), LastRun: id(3),
			EvidenceDigest: evidenceDigest(t, root, 2), EvidencePath: "synthetic.resources/synth.json", EvidencePointer: "/data/1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %+v\nwant %+v", got, want)
	}
}

// TestSignedButUnparsableResultsAreUnreadable: a results.json the statement signs but that is
// not results (truncated, trailing data) makes the run unreadable, named, never a pass.
func TestSignedButUnparsableResultsAreUnreadable(t *testing.T) {
	priv := testKey(11)
	pub := priv.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name   string
		change func([]byte) []byte
		detail string
	}{
		{"untouched", func(b []byte) []byte { return b }, ""},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "results.json: "},
		{"trailing data", func(b []byte) []byte { return append(b, []byte("{}")...) }, "results.json: trailing data"},
		{"another run's", func(b []byte) []byte { return bytes.Replace(b, []byte(id(2)), []byte(id(1)), 1) }, "results.json: schema \"shoko.results/v1\" of run \"" + id(1) + "\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
				Start: start, Every: every, Runs: 3, Controls: controls[:1]}); err != nil {
				t.Fatal(err)
			}
			if tc.detail != "" {
				// The newest run, re-signed over its changed results: no successor's link to break.
				resign(t, root, 2, priv, func(files map[string][]byte) { files[evidence.ResultsFile] = tc.change(files[evidence.ResultsFile]) })
			}
			rep, err := history.Build(context.Background(), evidence.NewDirStore(root), history.Period{Start: start, End: at(3)}, pub)
			if err != nil {
				t.Fatal(err)
			}
			if tc.detail == "" {
				if len(rep.Problems) != 0 {
					t.Fatalf("problems %+v, want none", rep.Problems)
				}
				return
			}
			if len(rep.Problems) != 1 || rep.Problems[0].RunID != id(2) || rep.Problems[0].Kind != history.ProblemUnreadable || !strings.Contains(rep.Problems[0].Detail, tc.detail) {
				t.Errorf("problems %+v, want run %s unreadable saying %q", rep.Problems, id(2), tc.detail)
			}
		})
	}
}

// TestUntrustedRunsTimeCountsTowardGaps: the verdicts of a tampered run are not used, so a daily
// control run daily has a gap where it was, and the gap names it.
func TestUntrustedRunsTimeCountsTowardGaps(t *testing.T) {
	priv := testKey(12)
	pub := priv.Public().(ed25519.PublicKey)
	root := t.TempDir()
	const daily = 24 * time.Hour
	if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: daily, Runs: 5, Controls: controls[:1]}); err != nil {
		t.Fatal(err)
	}
	p := history.Period{Start: start, End: start.Add(5 * daily)}
	runID := func(i int) string { return synthruns.HistoryRunID(start.Add(time.Duration(i)*daily), i) }
	for _, tc := range []struct {
		name   string
		tamper bool
		gaps   []history.Gap
	}{
		{"untouched", false, []history.Gap{}},
		{"run 2 tampered", true, []history.Gap{{From: start.Add(daily), FromRun: runID(1), To: start.Add(3 * daily), ToRun: runID(3),
			LengthNS: 2 * daily, AllowedNS: daily, UntrustedRuns: []string{runID(2)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tamper {
				alterByte(t, filepath.Join(root, "runs", runID(2), evidence.ResultsFile))
			}
			rep, err := history.Build(context.Background(), evidence.NewDirStore(root), p, pub)
			if err != nil {
				t.Fatal(err)
			}
			if c := control(t, rep, "DLY-01"); !reflect.DeepEqual(c.Gaps, tc.gaps) {
				t.Errorf("gaps:\n got %+v\nwant %+v", c.Gaps, tc.gaps)
			}
		})
	}
}
