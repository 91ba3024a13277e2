package history

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// What Report.Verified says was checked of each run.
const (
	VerifiedRead = "read"
	VerifiedAll  = "all"
)

// Option configures Build.
type Option func(*buildConfig)

type buildConfig struct {
	catalog  *engine.Catalog
	scope    *evidence.ControlScope
	log      *slog.Logger
	allFiles bool
}

// WithCatalog names the controls the history must report even when no trusted run of the
// period judged them (the scope nil: every control of the catalog): such a control is one gap
// over the whole period, never left out. Its titles, sections, mappings and frequency are also
// the fallback for a control whose runs' catalog copies do not state them.
func WithCatalog(cat *engine.Catalog, scope *evidence.ControlScope) Option {
	return func(c *buildConfig) { c.catalog, c.scope = cat, scope }
}

// WithLogger logs the progress (one debug line per run, a line per problem) to l.
func WithLogger(l *slog.Logger) Option { return func(c *buildConfig) { c.log = l } }

// WithAllFiles checks every file of each run against its statement (none missing or extra),
// not only the files history reads. It reads each run's every file, one at a time.
func WithAllFiles() Option { return func(c *buildConfig) { c.allFiles = true } }

// Build reads the runs of store that started in period, oldest first and one at a time, checks
// each against its signed statement and the chain, and returns the history of every control.
// Only trusted runs' verdicts are used; every other run is named in Problems. An error is
// returned only when the store itself cannot be read (not for a bad run, which is a Problem).
func Build(ctx context.Context, store evidence.Store, period Period, pub ed25519.PublicKey, opts ...Option) (*Report, error) {
	cfg := buildConfig{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	if !period.End.After(period.Start) {
		return nil, fmt.Errorf("history: period %s..%s: the end is not after the start", period.Start.Format(time.RFC3339), period.End.Format(time.RFC3339))
	}
	period = Period{Start: period.Start.UTC(), End: period.End.UTC()}
	all, err := evidence.ListRuns(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("history: list runs: %w", err)
	}
	rep := &Report{Schema: Schema, Store: store.String(), Period: period, KeyID: evidence.KeyID(pub),
		Verified: VerifiedRead, Runs: []Run{}, Problems: []Problem{}, Controls: []Control{}}
	if cfg.allFiles {
		rep.Verified = VerifiedAll
	}
	r := &reader{ctx: ctx, store: store, pub: pub, cfg: cfg, catalogCache: map[string]*catalogControl{}}
	var runs []*runData
	for i := range all {
		info := all[i]
		if !inPeriod(info, period) {
			continue
		}
		rd, err := r.readRun(info)
		if err != nil {
			return nil, err
		}
		cfg.log.Debug("history: run read", "run", info.ID, "state", info.State, "verified", rd.selfOK)
		runs = append(runs, rd)
	}
	if err := r.checkChain(all, runs); err != nil {
		return nil, err
	}
	for _, rd := range runs {
		rd.run.Trusted = rd.selfOK && rd.linkOK
		if !rd.run.Trusted {
			rd.run.Summary = nil
			rd.verdicts = nil
		}
		rep.Runs = append(rep.Runs, rd.run)
		for _, p := range rd.problems {
			cfg.log.Debug("history: problem", "run", p.RunID, "kind", p.Kind, "detail", p.Detail)
			rep.Problems = append(rep.Problems, p)
		}
	}
	controls, wanted := controlsOf(runs, period, cfg)
	if err := r.readFindings(runs, wanted); err != nil {
		return nil, err
	}
	rep.Controls = controls
	rep.Summary = summarize(rep)
	cfg.log.Info("history read", "store", store.String(), "runs", rep.Summary.Runs, "trusted", rep.Summary.TrustedRuns, "problems", rep.Summary.Problems)
	return rep, nil
}

// inPeriod says whether a run belongs to the period: started in [Start, End). A run whose start
// is unknown (its plan or run.json unreadable) belongs to it when its id's time (NewRunID) does,
// or when the id has no time either: it is named rather than silently left out.
func inPeriod(info evidence.RunInfo, p Period) bool {
	t := info.StartedAt
	if t.IsZero() {
		prefix, _, _ := strings.Cut(info.ID, "-")
		parsed, err := time.Parse("20060102T150405Z", prefix)
		if err != nil {
			return true
		}
		t = parsed
	}
	return !t.Before(p.Start) && t.Before(p.End)
}

// runData is what history keeps of one run while it reads the others: the model's Run, the
// verdicts (small), the chain link and the problems. Never the run's files.
type runData struct {
	run    Run
	selfOK bool // signed, and the statement and every checked file verify
	// signedStatement: its statement verifies and is this run's, whatever its files say.
	signedStatement bool
	linkOK          bool   // its chain link verifies
	resultsDigest   string // the signed sha256 of results.json, checked again when re-read
	link            *evidence.ChainLink
	verdicts        []verdict
	problems        []Problem
}

func (rd *runData) problem(kind, cause, format string, args ...any) {
	rd.problems = append(rd.problems, Problem{RunID: rd.run.ID, Kind: kind, Detail: fmt.Sprintf(format, args...), CauseRun: cause})
}

// verdict is a control's status in one run, with what history reports of it.
type verdict struct {
	id, status, severity string
	title                Text
	control              *catalogControl // the run's catalog copy of the control (nil: none)
}

// catalogControl is what history reads of a control's YAML in a run's catalog copy.
type catalogControl struct {
	ID        string           `yaml:"id"`
	Title     Text             `yaml:"title"`
	Section   Text             `yaml:"section"`
	Severity  string           `yaml:"severity"`
	Frequency string           `yaml:"frequency"`
	Mappings  []engine.Mapping `yaml:"mappings"`
}

type reader struct {
	ctx   context.Context
	store evidence.Store
	pub   ed25519.PublicKey
	cfg   buildConfig
	// catalogCache holds the catalog copies already read and verified, by their signed sha256:
	// runs made with the same catalog share them, so each distinct file is read once.
	catalogCache map[string]*catalogControl
}

// get reads a file of a run; ok is false when it does not exist. Any other error is the
// store's, and stops the history.
func (r *reader) get(id, name string) ([]byte, bool, error) {
	b, err := r.store.Get(r.ctx, evidence.RunPath(id, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("history: run %s: %w", id, err)
	}
	return b, true, nil
}

func hexDigest(b []byte) string { return evidence.DigestSet(b)["sha256"] }

// readRun reads and checks one run. Problems are recorded in the result; only the store's own
// errors are returned.
func (r *reader) readRun(info evidence.RunInfo) (*runData, error) {
	rd := &runData{run: Run{ID: info.ID, StartedAt: info.StartedAt.UTC(), EndedAt: info.EndedAt.UTC(), State: info.State}}
	if info.State == evidence.StateComplete {
		rd.problem(ProblemUnsigned, "", "the run completed but is not signed (no %s): nothing proves its results are the ones it wrote", evidence.StatementFile)
		return rd, nil
	}
	env, signed, err := r.get(info.ID, evidence.StatementFile)
	if err != nil {
		return nil, err
	}
	if info.State == evidence.StateIncomplete {
		// Listed incomplete: its marker is there, or its run.json is missing or unreadable. A
		// run with a marker never completed, whatever else it holds. A run with a statement but
		// an unreadable run.json is checked against its statement below (it was tampered with).
		_, marker, err := r.get(info.ID, evidence.MarkerFile)
		switch {
		case err != nil:
			return nil, err
		case marker:
			rd.problem(ProblemIncomplete, "", "the run never completed: its %s marker is still present (interrupted during collection, evaluation or reporting); it was never signed", evidence.MarkerFile)
			return rd, nil
		case !signed && info.Problem != "":
			rd.problem(ProblemUnreadable, "", "the run is not signed and its %s cannot be read: %s", evidence.RunFile, info.Problem)
			return rd, nil
		case !signed:
			rd.problem(ProblemIncomplete, "", "the run never completed: it has no %s; it was never signed", evidence.RunFile)
			return rd, nil
		}
	}
	if !signed {
		rd.problem(ProblemUnsigned, "", "%s disappeared while the history was read", evidence.StatementFile)
		return rd, nil
	}
	rd.run.StatementDigest = hexDigest(env)
	payload, err := evidence.OpenEnvelope(env, r.pub)
	if err != nil {
		rd.problem(ProblemTampered, "", "%s: %v", evidence.StatementFile, err)
		return rd, nil
	}
	st, err := evidence.ParseStatement(payload)
	if err != nil {
		rd.problem(ProblemUnreadable, "", "%s is signed but not a shoko run statement: %v", evidence.StatementFile, err)
		return rd, nil
	}
	if st.Predicate.RunID != info.ID {
		rd.problem(ProblemUnexpectedID, "", "%s signs run %s, but it is stored as run %s (renamed or moved)", evidence.StatementFile, st.Predicate.RunID, info.ID)
		return rd, nil
	}
	// From here on the run's times are the signed ones, and the chain check sees it as the
	// signed run it is, whatever its other files say.
	rd.signedStatement = true
	rd.run.StartedAt, rd.run.EndedAt = st.Predicate.Run.StartedAt.UTC(), st.Predicate.Run.EndedAt.UTC()
	subjects := make(map[string]string, len(st.Subject))
	for _, s := range st.Subject {
		subjects[s.Name] = s.Digest["sha256"]
	}
	// readSigned reads a file and checks it is the one the statement signs.
	readSigned := func(name string) ([]byte, bool, error) {
		want, listed := subjects[name]
		b, present, err := r.get(info.ID, name)
		switch {
		case err != nil:
			return nil, false, err
		case !listed:
			rd.problem(ProblemTampered, "", "%s is not signed by the statement (added after signing, or the statement is of another run)", name)
			return nil, false, nil
		case !present:
			rd.problem(ProblemTampered, "", "%s is signed (sha256 %s) but missing", name, want)
			return nil, false, nil
		}
		if got := hexDigest(b); got != want {
			rd.problem(ProblemTampered, "", "%s changed after signing: sha256 %s, the statement signs %s", name, got, want)
			return nil, false, nil
		}
		return b, true, nil
	}

	metaBytes, ok, err := readSigned(evidence.RunFile)
	if err != nil || !ok {
		return rd, err
	}
	meta, err := evidence.ParseRunMeta(evidence.RunFile, metaBytes)
	if err != nil {
		rd.problem(ProblemUnreadable, "", "%v", err)
		return rd, nil
	}
	a, _ := json.Marshal(meta)
	p, _ := json.Marshal(st.Predicate.Run)
	if !bytes.Equal(a, p) || meta.RunID != info.ID {
		rd.problem(ProblemTampered, "", "%s differs from the run metadata the statement signs", evidence.RunFile)
		return rd, nil
	}

	resBytes, ok, err := readSigned(evidence.ResultsFile)
	if err != nil || !ok {
		return rd, err
	}
	rd.resultsDigest = subjects[evidence.ResultsFile]
	var verdicts []controlVerdict
	res, err := streamResults(resBytes, func(c *controlVerdict) { verdicts = append(verdicts, *c) })
	if err != nil {
		rd.problem(ProblemUnreadable, "", "%s: %v", evidence.ResultsFile, err)
		return rd, nil
	}
	if res.Schema != engine.ResultsSchema || res.RunID != info.ID {
		rd.problem(ProblemUnreadable, "", "%s: schema %q of run %q, want %q of run %s", evidence.ResultsFile, res.Schema, res.RunID, engine.ResultsSchema, info.ID)
		return rd, nil
	}
	read := map[string]bool{evidence.RunFile: true, evidence.ResultsFile: true}
	for _, c := range verdicts {
		v := verdict{id: c.ID, status: c.Status, severity: c.Severity, title: c.Title}
		name := path.Join(evidence.CatalogDir, "controls", c.ID+".yaml")
		if want, listed := subjects[name]; listed {
			read[name] = true
			cc, cached := r.catalogCache[want]
			if !cached {
				b, ok, err := readSigned(name)
				if err != nil || !ok {
					return rd, err
				}
				cc = &catalogControl{}
				if err := yaml.Unmarshal(b, cc); err != nil {
					rd.problem(ProblemUnreadable, "", "%s: %v", name, err)
					return rd, nil
				}
				r.catalogCache[want] = cc
			}
			v.control = cc
		}
		rd.verdicts = append(rd.verdicts, v)
	}
	if r.cfg.allFiles {
		if err := r.checkOtherFiles(rd, st, read, subjects); err != nil || len(rd.problems) > 0 {
			return rd, err
		}
	}
	rd.run.Summary = res.Summary
	rd.link = st.Predicate.Previous
	if rd.link != nil {
		rd.run.Previous = rd.link.RunID
	}
	rd.selfOK = true
	return rd, nil
}

// readFindings is the second pass: it re-reads, oldest first and one at a time, the results of
// the trusted runs inside a failing interval, checks they are still the bytes verified in the
// first pass, and gathers the interval's failing findings. Only one run's findings are decoded at
// a time, one control at a time: a history of many runs with many findings never holds them all.
func (r *reader) readFindings(runs []*runData, wanted *wantedFindings) error {
	for _, rd := range runs {
		targets := wanted.byRun[rd]
		if len(targets) == 0 {
			continue
		}
		b, ok, err := r.get(rd.run.ID, evidence.ResultsFile)
		if err != nil {
			return err
		}
		if !ok || hexDigest(b) != rd.resultsDigest {
			return fmt.Errorf("history: run %s: %s changed or disappeared while the history was read; read it again", rd.run.ID, evidence.ResultsFile)
		}
		if _, err := streamResults(b, func(c *controlFindings) {
			acc := targets[c.ID]
			if acc == nil {
				return
			}
			for i := range c.Findings {
				if c.Findings[i].Status == engine.StatusFail {
					acc.add(rd.run.ID, &c.Findings[i])
				}
			}
		}); err != nil {
			return fmt.Errorf("history: run %s: %s: %w", rd.run.ID, evidence.ResultsFile, err)
		}
	}
	wanted.finish()
	return nil
}

// checkOtherFiles checks, one file at a time, every file of the run history did not read:
// present with its signed digest, and no file the statement does not list.
func (r *reader) checkOtherFiles(rd *runData, st evidence.Statement, read map[string]bool, signed map[string]string) error {
	id := rd.run.ID
	names, err := r.store.List(r.ctx, path.Join(evidence.RunsDir, id))
	if err != nil {
		return fmt.Errorf("history: run %s: %w", id, err)
	}
	present := map[string]bool{}
	var bad []string
	for _, n := range names {
		rel := strings.TrimPrefix(n, path.Join(evidence.RunsDir, id)+"/")
		present[rel] = true
		if _, ok := signed[rel]; !ok && rel != evidence.StatementFile {
			bad = append(bad, rel+" is not signed (added after signing)")
		}
	}
	for _, s := range st.Subject {
		if read[s.Name] {
			continue
		}
		if !present[s.Name] {
			bad = append(bad, s.Name+" is signed but missing")
			continue
		}
		b, _, err := r.get(id, s.Name)
		if err != nil {
			return err
		}
		if got := hexDigest(b); got != s.Digest["sha256"] {
			bad = append(bad, fmt.Sprintf("%s changed after signing: sha256 %s, the statement signs %s", s.Name, got, s.Digest["sha256"]))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		rd.problem(ProblemTampered, "", "%s", strings.Join(bad, "; "))
	}
	return nil
}

// checkChain checks each verified run's link: it must name the run PreviousSignedRun gives
// (the newest signed run that ended before it started), and carry that run's statement digest.
// A link that fails makes the run untrusted (fail closed). When the link names the right run
// but its digest is not that run's statement now, the previous run's statement was altered
// after this run was signed: the previous run is the cause, named in CauseRun, and is itself
// untrusted (tampered) even if its altered statement verifies (re-signed).
func (r *reader) checkChain(all []evidence.RunInfo, runs []*runData) error {
	byID := map[string]*runData{}
	for _, rd := range runs {
		byID[rd.run.ID] = rd
	}
	// The listing as the signed statements say: a run whose statement verifies is a signed run
	// that ended when its statement says, even when its run.json was altered (it is tampered,
	// and named so; its successor's link to it is still checked as made).
	all = append([]evidence.RunInfo(nil), all...)
	infoOf := map[string]evidence.RunInfo{}
	for i := range all {
		if rd, ok := byID[all[i].ID]; ok && rd.signedStatement {
			all[i].State, all[i].StartedAt, all[i].EndedAt, all[i].Problem = evidence.StateSigned, rd.run.StartedAt, rd.run.EndedAt, ""
		}
		infoOf[all[i].ID] = all[i]
	}
	for _, rd := range runs {
		if !rd.selfOK {
			continue
		}
		expected := evidence.PreviousSignedIn(all, rd.run.ID, rd.run.StartedAt)
		link := rd.link
		newest := "no signed run of the store ended before it started"
		if expected != nil {
			newest = fmt.Sprintf("the newest signed run that ended before it started (%s) is %s, ended %s", rd.run.StartedAt.Format(time.RFC3339Nano), expected.ID, expected.EndedAt.UTC().Format(time.RFC3339Nano))
		}
		switch {
		case link == nil && expected == nil:
			rd.linkOK = true
			continue
		case link == nil:
			rd.problem(ProblemBrokenLink, expected.ID, "the statement links to no previous run, but %s: that run was added, or this one re-signed, after this run was signed", newest)
			continue
		}
		named, inStore := infoOf[link.RunID]
		switch {
		case !inStore:
			rd.problem(ProblemMissingLink, "", "the statement links to run %s, which is not in the store (removed?); %s", link.RunID, newest)
			continue
		case expected == nil || expected.ID != link.RunID:
			state := ""
			switch {
			case named.State == evidence.StateComplete:
				state = fmt.Sprintf(" (run %s is unsigned now: its statement was removed?)", link.RunID)
			case named.State == evidence.StateIncomplete:
				state = fmt.Sprintf(" (run %s is incomplete now)", link.RunID)
			}
			rd.problem(ProblemBrokenLink, link.RunID, "the statement links to run %s%s, but %s", link.RunID, state, newest)
			continue
		}
		// The named run is the expected one: its statement must be the one linked to.
		prevDigest := ""
		prevTampered := false
		if prd, ok := byID[link.RunID]; ok {
			prevDigest = prd.run.StatementDigest
			for _, p := range prd.problems {
				prevTampered = prevTampered || p.Kind == ProblemTampered
			}
		} else {
			b, ok, err := r.get(link.RunID, evidence.StatementFile)
			if err != nil {
				return err
			}
			if ok {
				prevDigest = hexDigest(b)
				_, verr := evidence.OpenEnvelope(b, r.pub)
				prevTampered = verr != nil
			}
		}
		want := link.Digest["sha256"]
		if prevDigest == want {
			rd.linkOK = true
			continue
		}
		if prevDigest == "" {
			rd.problem(ProblemBrokenLink, link.RunID, "the statement links to run %s, whose %s is gone", link.RunID, evidence.StatementFile)
			continue
		}
		why := fmt.Sprintf("run %s's statement is tampered (see its problem)", link.RunID)
		if !prevTampered {
			why = fmt.Sprintf("run %s's statement still verifies: it was re-signed or replaced after this run was signed", link.RunID)
			if prd, ok := byID[link.RunID]; ok && prd.selfOK {
				prd.selfOK = false
				prd.problem(ProblemTampered, rd.run.ID, "its %s (sha256 %s) is not the one run %s linked to when it was signed (sha256 %s): re-signed or replaced afterwards", evidence.StatementFile, prevDigest, rd.run.ID, want)
			}
		}
		rd.problem(ProblemBrokenLink, link.RunID, "the statement links to run %s's statement with sha256 %s, but that statement is now sha256 %s: %s", link.RunID, want, prevDigest, why)
	}
	return nil
}
