package history

import (
	"slices"
	"sort"
	"time"

	"github.com/shoko-audit/shoko/engine"
)

const day = 24 * time.Hour

// maxIntervals is the longest time allowed between two runs judging a control, by its declared
// frequency: the longest such period of the calendar, so that a control run on the same day of
// every month (or quarter, or year) never shows a gap because one month is longer than another.
var maxIntervals = map[string]time.Duration{
	"daily":     day,
	"weekly":    7 * day,
	"monthly":   31 * day,
	"quarterly": 92 * day,
	"yearly":    366 * day,
}

// MaxInterval is the longest time allowed between two runs judging a control of the given
// frequency. An unknown or missing frequency is held to a day, the strictest: not knowing how
// often a control must run never hides a gap.
func MaxInterval(frequency string) (time.Duration, bool) {
	d, ok := maxIntervals[frequency]
	if !ok {
		return day, false
	}
	return d, true
}

// passing statuses: the control was verified operating (or rightly not judged as failing).
func passing(status string) bool {
	switch status {
	case engine.StatusPass, engine.StatusAttested, engine.StatusWaived, engine.StatusNotApplicable:
		return true
	}
	return false
}

// judged says whether a status is a judgement of the control (not_in_scope is not: the run was
// not asked about it).
func judged(status string) bool { return status != engine.StatusNotInScope }

// point is a control's verdict in one trusted run, with the interval its frequency allows after it.
type point struct {
	run     *runData
	v       *verdict
	allowed time.Duration
}

// intervalFindings gathers the failing findings of one interval while the second pass re-reads
// its runs, oldest first.
type intervalFindings struct {
	iv    *Interval
	byKey map[string]*IntervalFinding
}

// wantedFindings says which trusted runs' findings the intervals need: by run, by control.
type wantedFindings struct {
	byRun map[*runData]map[string]*intervalFindings
	all   []*intervalFindings
}

// add records one failing finding of run id (runs come oldest first).
func (a *intervalFindings) add(runID string, f *engine.Finding) {
	k := f.Resource + "\x00" + f.Code
	if e, ok := a.byKey[k]; ok {
		e.LastRun = runID
		return
	}
	e := &IntervalFinding{Resource: f.Resource, Code: f.Code, Message: Text(f.Message), FirstRun: runID, LastRun: runID}
	if f.Evidence != nil {
		e.EvidenceDigest, e.EvidencePath, e.EvidencePointer = f.Evidence.Digest, f.Evidence.Path, f.Evidence.Pointer
	}
	a.byKey[k] = e
}

// finish writes the gathered findings into the intervals, by resource and code.
func (w *wantedFindings) finish() {
	for _, a := range w.all {
		keys := make([]string, 0, len(a.byKey))
		for k := range a.byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			a.iv.Findings = append(a.iv.Findings, *a.byKey[k])
		}
	}
}

// controlsOf computes the history of every control judged by a trusted run, and of every
// control of the catalog option in its scope. The intervals' findings are left to the second
// pass, which re-reads the runs wanted says.
func controlsOf(runs []*runData, period Period, cfg buildConfig) ([]Control, *wantedFindings) {
	pts := map[string][]point{}
	for _, rd := range runs {
		if !rd.run.Trusted {
			continue
		}
		for i := range rd.verdicts {
			v := &rd.verdicts[i]
			pts[v.id] = append(pts[v.id], point{run: rd, v: v})
		}
	}
	if cfg.catalog != nil {
		for _, c := range cfg.catalog.Controls {
			if _, ok := pts[c.ID]; !ok && cfg.scope.InScope(c.ID) {
				pts[c.ID] = nil
			}
		}
	}
	ids := make([]string, 0, len(pts))
	for id := range pts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var untrusted []*runData
	for _, rd := range runs {
		if !rd.run.Trusted {
			untrusted = append(untrusted, rd)
		}
	}
	// An open interval lasts until the end of what the history saw: the period's end, or the
	// newest run's end when the period ends later (a period ending in the future must not count
	// time not yet lived as failing).
	openUntil := period.End
	var newest time.Time
	for _, rd := range runs {
		if rd.run.EndedAt.After(newest) {
			newest = rd.run.EndedAt
		}
	}
	if !newest.IsZero() && newest.Before(openUntil) {
		openUntil = newest
	}
	out := make([]Control, 0, len(ids))
	wanted := &wantedFindings{byRun: map[*runData]map[string]*intervalFindings{}}
	for _, id := range ids {
		out = append(out, controlOf(id, pts[id], untrusted, period, openUntil, cfg, wanted))
	}
	return out, wanted
}

func controlOf(id string, pts []point, untrusted []*runData, period Period, openUntil time.Time, cfg buildConfig, wanted *wantedFindings) Control {
	c := Control{ID: id, Clauses: []string{}, Counts: map[string]int{}, Timeline: []Point{}, Intervals: []Interval{},
		Gaps: []Gap{}, RemediationNS: []time.Duration{}}
	// What the control is: the newest trusted run's results and catalog copy, else the catalog.
	var described bool
	for i := len(pts) - 1; i >= 0; i-- {
		v := pts[i].v
		if c.Title == (Text{}) {
			c.Title, c.Severity = v.title, v.severity
		}
		if v.control != nil && !described {
			described = true
			c.Section, c.Frequency = v.control.Section, v.control.Frequency
			for _, m := range v.control.Mappings {
				c.Clauses = append(c.Clauses, m.Framework+" "+m.Ref)
			}
		}
	}
	if cfg.catalog != nil {
		if cc, ok := cfg.catalog.Control(id); ok {
			if c.Title == (Text{}) {
				c.Title, c.Severity = Text(cc.FilledTitle()), cc.Severity
			}
			if !described {
				c.Section, c.Frequency = Text(cc.Section), cc.Frequency
				for _, m := range cc.Mappings {
					c.Clauses = append(c.Clauses, m.Framework+" "+m.Ref)
				}
			}
		}
	}
	c.MaxIntervalNS, _ = MaxInterval(c.Frequency)
	// Each run's allowed interval is its own catalog copy's frequency (the frequency in force
	// when it ran), else the control's.
	for i := range pts {
		pts[i].allowed = c.MaxIntervalNS
		if cc := pts[i].v.control; cc != nil && cc.Frequency != "" {
			pts[i].allowed, _ = MaxInterval(cc.Frequency)
		}
	}

	var judging []point
	for _, p := range pts {
		c.Timeline = append(c.Timeline, Point{RunID: p.run.run.ID, At: p.run.run.StartedAt, Status: p.v.status})
		c.Counts[p.v.status]++
		c.LastStatus = p.v.status
		if judged(p.v.status) {
			judging = append(judging, p)
		}
	}
	c.Runs = len(judging)

	// Stretches without a judging run: from the period's start to the first, between two, from
	// the last to the period's end. A stretch is a gap when strictly longer than allowed.
	from, fromRun, allowed := period.Start, "", c.MaxIntervalNS
	if len(judging) > 0 {
		allowed = judging[0].allowed
	}
	stretch := func(to time.Time, toRun string) {
		length := to.Sub(from)
		c.LongestWithoutRunNS = max(c.LongestWithoutRunNS, length)
		if length > allowed {
			g := Gap{From: from, FromRun: fromRun, To: to, ToRun: toRun, LengthNS: length, AllowedNS: allowed}
			for _, u := range untrusted {
				if t := u.run.StartedAt; !t.Before(from) && t.Before(to) {
					g.UntrustedRuns = append(g.UntrustedRuns, u.run.ID)
				}
			}
			c.Gaps = append(c.Gaps, g)
		}
	}
	for _, p := range judging {
		stretch(p.run.run.StartedAt, p.run.run.ID)
		from, fromRun, allowed = p.run.run.StartedAt, p.run.run.ID, p.allowed
	}
	stretch(period.End, "")

	// Verified passing: from each passing run to the next judging run, at most its allowed
	// interval, within the period.
	var passingNS time.Duration
	for i, p := range judging {
		if !passing(p.v.status) {
			continue
		}
		end := period.End
		if i+1 < len(judging) {
			end = judging[i+1].run.run.StartedAt
		}
		if limit := p.run.run.StartedAt.Add(p.allowed); limit.Before(end) {
			end = limit
		}
		passingNS += end.Sub(p.run.run.StartedAt)
	}
	c.PassingShare = float64(passingNS) / float64(period.End.Sub(period.Start))

	var failingRuns [][]*runData
	c.Intervals, failingRuns = intervalsOf(judging, openUntil)
	for k := range c.Intervals {
		acc := &intervalFindings{iv: &c.Intervals[k], byKey: map[string]*IntervalFinding{}}
		wanted.all = append(wanted.all, acc)
		for _, rd := range failingRuns[k] {
			if wanted.byRun[rd] == nil {
				wanted.byRun[rd] = map[string]*intervalFindings{}
			}
			wanted.byRun[rd][id] = acc
		}
	}
	for _, iv := range c.Intervals {
		if iv.FixedAt != nil {
			c.RemediationNS = append(c.RemediationNS, iv.TimeToRemediateNS)
		}
	}
	if n := len(c.RemediationNS); n > 0 {
		sorted := slices.Clone(c.RemediationNS)
		slices.Sort(sorted)
		c.LongestRemediationNS = sorted[n-1]
		if n%2 == 1 {
			c.MedianRemediationNS = sorted[n/2]
		} else {
			c.MedianRemediationNS = (sorted[n/2-1] + sorted[n/2]) / 2
		}
	}
	return c
}

// intervalsOf finds the failing intervals: consecutive judging runs not passing, closed by the
// first passing run after them. It returns each interval's failing runs beside it.
func intervalsOf(judging []point, openUntil time.Time) ([]Interval, [][]*runData) {
	out := []Interval{}
	var runs [][]*runData
	var cur *Interval
	var curRuns []*runData
	closeAt := func(fixed *point) {
		if fixed != nil {
			at := fixed.run.run.StartedAt
			cur.FixedAt, cur.FixedIn = &at, fixed.run.run.ID
			cur.TimeToRemediateNS = at.Sub(cur.FirstFailing)
			cur.DurationNS = cur.TimeToRemediateNS
		} else {
			cur.DurationNS = openUntil.Sub(cur.FirstFailing)
		}
		out = append(out, *cur)
		runs = append(runs, curRuns)
		cur, curRuns = nil, nil
	}
	for i := range judging {
		p := &judging[i]
		if passing(p.v.status) {
			if cur != nil {
				closeAt(p)
			}
			continue
		}
		status := p.v.status
		if status != engine.StatusFail {
			status = engine.StatusError // error, or a status history does not know: never a pass
		}
		id, at := p.run.run.ID, p.run.run.StartedAt
		if cur == nil {
			cur = &Interval{Status: status, FirstFailing: at, FirstFailingIn: id, Findings: []IntervalFinding{}}
		} else if cur.Status != status {
			cur.Status = "mixed"
		}
		cur.LastFailing, cur.LastFailingIn = at, id
		cur.Runs++
		curRuns = append(curRuns, p.run)
	}
	if cur != nil {
		closeAt(nil)
	}
	return out, runs
}

func summarize(rep *Report) Summary {
	s := Summary{Runs: len(rep.Runs), Problems: len(rep.Problems)}
	for _, r := range rep.Runs {
		if r.Trusted {
			s.TrustedRuns++
		}
	}
	for _, c := range rep.Controls {
		if len(c.Intervals) > 0 {
			s.ControlsWithFailures++
		}
		if len(c.Gaps) > 0 {
			s.ControlsWithGaps++
		}
		for _, iv := range c.Intervals {
			if iv.FixedAt == nil {
				s.OpenIntervals++
			}
		}
	}
	return s
}
