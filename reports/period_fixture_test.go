package reports

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/policies"
)

// The period fixture: April 2026 (JST), one run a day at 09:00 JST, the first 20 controls of
// the embedded catalog judged weekly (8 days allowed). Run 12 is unsigned (a problem, its
// verdicts unused); FixtureFailing fails from run 8 to run 13 and is fixed in run 14;
// FixtureGap is not judged from run 15 to run 23 (a gap of 10 days).
const (
	fixtureRuns    = 30
	fixtureUntrust = 12 // 1-based day of the unsigned run
	fixtureFailing = 3  // index of the failing control
	fixtureGap     = 7  // index of the control with a gap
	fixtureNA      = 11 // index of a control that is not applicable throughout
	fixtureAttest  = 15 // index of a control evidenced by attestation
)

var fixtureAllowed = 8 * 24 * time.Hour

func fixtureRunID(day int) string {
	at := fixtureRunAt(day)
	return fmt.Sprintf("%s-%08x", at.UTC().Format("20060102T150405Z"), day*2654435761%(1<<32))
}

func fixtureRunAt(day int) time.Time {
	return time.Date(2026, 4, day, 9, 0, 0, 0, calendar.JST)
}

// extra adds to the fixture: an open error interval on another control (for the looks of the
// executive summary).
type fixtureExtra struct {
	openInterval bool
	// days and controls, when set, make a bigger history: one run a day for days days from
	// 2026-04-01, and that many controls of the catalog.
	days, controls int
}

// periodFixture builds a history.Report as `shoko history` would for the fixture above.
func periodFixture(t testing.TB, extra fixtureExtra) *history.Report {
	t.Helper()
	cat, err := engine.LoadCatalog(engine.CatalogSource{Controls: controls.FS, ControlsName: "controls",
		Policies: policies.FS, PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 4, 1, 0, 0, 0, 0, calendar.JST)
	rep := &history.Report{
		Schema: history.Schema, Store: "s3://usonar-evidence/shoko",
		Period:   history.Period{Start: start.UTC(), End: start.AddDate(0, 1, 0).UTC()},
		KeyID:    "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9011223344556677889900aabbccdd",
		Verified: history.VerifiedRead,
	}
	days := fixtureRuns
	if extra.days > 0 {
		days = extra.days
		rep.Period.End = start.AddDate(0, 0, days).UTC()
	}
	prev := ""
	for day := 1; day <= days; day++ {
		r := history.Run{ID: fixtureRunID(day), StartedAt: fixtureRunAt(day).UTC(), EndedAt: fixtureRunAt(day).Add(4 * time.Minute).UTC(),
			State: "signed", Trusted: true, StatementDigest: fmt.Sprintf("%064x", day), Previous: prev}
		if day == fixtureUntrust {
			r.State, r.Trusted, r.StatementDigest, r.Previous = "complete", false, "", ""
			rep.Problems = append(rep.Problems, history.Problem{RunID: r.ID, Kind: history.ProblemUnsigned,
				Detail: "runs/" + r.ID + "/statement.intoto.json is missing: the run completed but was never signed"})
		} else {
			prev = r.ID
		}
		rep.Runs = append(rep.Runs, r)
	}
	n := 20
	if extra.controls > 0 {
		n = min(extra.controls, len(cat.Controls))
	}
	for i, cc := range cat.Controls[:n] {
		// Titles as results.json carries them: the parameters filled in at evaluation.
		c := history.Control{ID: cc.ID, Title: history.Text{JA: cc.Fill(cc.Title, "ja"), EN: cc.Fill(cc.Title, "en")},
			Section: history.Text{JA: cc.Section.JA, EN: cc.Section.EN}, Severity: cc.Severity,
			Frequency: "weekly", MaxIntervalNS: fixtureAllowed, Counts: map[string]int{}}
		for _, m := range cc.Mappings {
			c.Clauses = append(c.Clauses, m.Framework+" "+m.Ref)
		}
		for day := 1; day <= days; day++ {
			if day == fixtureUntrust || (i == fixtureGap && day >= 15 && day <= 23) {
				continue
			}
			status := engine.StatusPass
			switch {
			case i == fixtureFailing && day >= 8 && day <= 13:
				status = engine.StatusFail
				if day == 10 {
					status = engine.StatusError
				}
			case extra.openInterval && i == fixtureFailing+1 && day >= 27:
				status = engine.StatusError
			case i == fixtureNA:
				status = engine.StatusNotApplicable
			case i == fixtureAttest:
				status = engine.StatusAttested
			}
			c.Timeline = append(c.Timeline, history.Point{RunID: fixtureRunID(day), At: fixtureRunAt(day).UTC(), Status: status})
			c.Counts[status]++
		}
		c.Runs = len(c.Timeline)
		c.LastStatus = c.Timeline[len(c.Timeline)-1].Status
		fixtureDerive(rep, &c)
		rep.Controls = append(rep.Controls, c)
	}
	sort.Slice(rep.Controls, func(i, j int) bool { return rep.Controls[i].ID < rep.Controls[j].ID })
	rep.Summary = history.Summary{Runs: len(rep.Runs), TrustedRuns: len(rep.Runs) - len(rep.Problems), Problems: len(rep.Problems)}
	for _, c := range rep.Controls {
		if len(c.Intervals) > 0 {
			rep.Summary.ControlsWithFailures++
		}
		if len(c.Gaps) > 0 {
			rep.Summary.ControlsWithGaps++
		}
		if _, ok := openInterval(c); ok {
			rep.Summary.OpenIntervals++
		}
	}
	// Each trusted run's summary counts the statuses of the controls it judged.
	for i, r := range rep.Runs {
		if !r.Trusted {
			continue
		}
		rep.Runs[i].Summary = map[string]int{}
		for _, c := range rep.Controls {
			for _, p := range c.Timeline {
				if p.RunID == r.ID {
					rep.Runs[i].Summary[p.Status]++
				}
			}
		}
	}
	return rep
}

// fixtureDerive fills a control's intervals, gaps, passing share and remediation times from its
// timeline, the way the history defines them.
func fixtureDerive(rep *history.Report, c *history.Control) {
	end := rep.Period.End
	var cur *history.Interval
	for _, p := range c.Timeline {
		if isFailing(p.Status) {
			if cur == nil {
				cur = &history.Interval{Status: p.Status, FirstFailing: p.At, FirstFailingIn: p.RunID}
			} else if cur.Status != p.Status {
				cur.Status = "mixed"
			}
			cur.LastFailing, cur.LastFailingIn = p.At, p.RunID
			cur.Runs++
			continue
		}
		if cur != nil {
			at := p.At
			cur.FixedAt, cur.FixedIn = &at, p.RunID
			cur.TimeToRemediateNS = at.Sub(cur.FirstFailing)
			cur.DurationNS = cur.TimeToRemediateNS
			c.Intervals = append(c.Intervals, *cur)
			cur = nil
		}
	}
	if cur != nil {
		cur.DurationNS = end.Sub(cur.FirstFailing)
		c.Intervals = append(c.Intervals, *cur)
	}
	for i := range c.Intervals {
		iv := &c.Intervals[i]
		iv.Findings = []history.IntervalFinding{
			{Resource: "arn:aws:s3:::usonar-backup-tokyo", Code: "bucket_unencrypted",
				Message:  history.Text{JA: "バケットの既定の暗号化が無効です（2026-04-08T00:02:11Z 時点）", EN: "Default encryption is off for the bucket (as of 2026-04-08T00:02:11Z)"},
				FirstRun: iv.FirstFailingIn, LastRun: iv.LastFailingIn,
				EvidenceDigest: "sha256:5d41402abc4b2a76b9719d911017c592ae2f0c7c1e3b8c1d0f1e2d3c4b5a6978",
				EvidencePath:   "evidence/aws/s3/ap-northeast-1/buckets.json", EvidencePointer: "/buckets/3/encryption"},
			{Resource: "arn:aws:s3:::usonar-logs-osaka", Code: "bucket_unencrypted",
				Message:  history.Text{JA: "バケットの既定の暗号化が無効です", EN: "Default encryption is off for the bucket"},
				FirstRun: iv.FirstFailingIn, LastRun: iv.FirstFailingIn,
				EvidenceDigest: "sha256:7c211433f02071597741e6ff5a8ea34789abbf4324b0f1a4e5c6d7e8f9a0b1c2",
				EvidencePath:   "evidence/aws/s3/ap-northeast-3/buckets.json", EvidencePointer: "/buckets/0/encryption"},
		}
	}
	// Gaps and the passing share: each verdict holds until the next, at most the allowed interval.
	prevAt, prevRun := rep.Period.Start, ""
	var verified, longest time.Duration
	for i, p := range append(c.Timeline, history.Point{At: end}) {
		if d := p.At.Sub(prevAt); d > longest {
			longest = d
		}
		if d := p.At.Sub(prevAt); d > c.MaxIntervalNS {
			c.Gaps = append(c.Gaps, history.Gap{From: prevAt, FromRun: prevRun, To: p.At, ToRun: p.RunID, LengthNS: d, AllowedNS: c.MaxIntervalNS})
		}
		if i > 0 {
			q := c.Timeline[i-1]
			if !isFailing(q.Status) {
				verified += min(p.At.Sub(q.At), c.MaxIntervalNS)
			}
		}
		prevAt, prevRun = p.At, p.RunID
	}
	c.LongestWithoutRunNS = longest
	c.PassingShare = float64(verified) / float64(end.Sub(rep.Period.Start))
	var rem []time.Duration
	for _, iv := range c.Intervals {
		if iv.FixedAt != nil {
			rem = append(rem, iv.TimeToRemediateNS)
		}
	}
	if len(rem) > 0 {
		sort.Slice(rem, func(i, j int) bool { return rem[i] < rem[j] })
		c.MedianRemediationNS, c.LongestRemediationNS = rem[len(rem)/2], rem[len(rem)-1]
	}
}
