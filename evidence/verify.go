package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// Checks verify runs, in order. Each names a line of the report.
const (
	CheckSignature = "signature"
	CheckStatement = "statement"
	CheckFiles     = "files"
	CheckMetadata  = "metadata"
	CheckChain     = "chain"
	CheckReplay    = "replay"
)

// Failure is one thing verify found wrong: the check, the file, what was expected and found.
type Failure struct {
	Check    string `json:"check"`
	File     string `json:"file,omitempty"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Message  string `json:"message"`
}

// CheckResult is the outcome of one check.
type CheckResult struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, fail, not_run (an earlier check failed) or skipped (replay, on request)
	Detail string `json:"detail"`
}

// Report is what verify found. Verified is true only when every check ran and passed, except
// that with WithoutReplay the replay check is skipped: then Verified means the integrity checks
// passed and Replayed is false, the verdicts in results.json not reproduced.
type Report struct {
	Run      string `json:"run"`
	Verified bool   `json:"verified"`
	// Replayed is true when the replay ran and reproduced results.json.
	Replayed bool          `json:"replayed"`
	KeyID    string        `json:"key_id"`
	Checks   []CheckResult `json:"checks"`
	Failures []Failure     `json:"failures"`
}

// Replayer re-evaluates the evidence of a run with its bundled catalog as run.json describes
// (evaluation time, period, calendar) and returns the results.json bytes it would write.
// It lives with the engine; verify only compares.
type Replayer func(ctx context.Context, files map[string][]byte, meta RunMeta) ([]byte, error)

// VerifyOption configures Verify.
type VerifyOption func(*verifyConfig)

type verifyConfig struct {
	name       string
	previous   map[string][]byte
	prevName   string
	replay     Replayer
	skipReplay bool
	lookup     PreviousLookup
}

// WithRunName is the name the run was found under (its directory or the bundle's top
// directory); it must be the run id the statement signs.
func WithRunName(name string) VerifyOption { return func(c *verifyConfig) { c.name = name } }

// WithPrevious gives the files of the previous run, to check the chain link.
func WithPrevious(name string, files map[string][]byte) VerifyOption {
	return func(c *verifyConfig) { c.prevName, c.previous = name, files }
}

// PreviousLookup finds the previous run that a verified statement links to, by its run id: the
// name it was found under and its files (the link is checked against its statement alone).
// ok is false when the previous run is not present; an error is a chain failure.
type PreviousLookup func(runID string) (name string, files map[string][]byte, ok bool, err error)

// WithPreviousLookup looks the previous run up once the statement has verified, by the run id it
// links to, unless WithPrevious gave it. A link that is not a valid run id is not looked up.
func WithPreviousLookup(f PreviousLookup) VerifyOption { return func(c *verifyConfig) { c.lookup = f } }

// WithReplay sets the evaluator verify replays the run with. Without one, verify fails: a run
// whose verdicts were not reproduced is not verified.
func WithReplay(r Replayer) VerifyOption { return func(c *verifyConfig) { c.replay = r } }

// WithoutReplay skips the replay: an integrity-only check (signature, every digest, no missing
// or extra file, run.json, chain link), for auditors who re-evaluate the run separately. The
// report says the replay was skipped and Replayed is false; results.json is then only known to
// be the signed file, not to follow from the evidence.
func WithoutReplay() VerifyOption { return func(c *verifyConfig) { c.skipReplay = true } }

// Verify checks a run held in memory (names relative to the run directory): the signature,
// every digest, no missing or extra file, run.json against the statement, the chain link to
// the previous run when it is given, and a replay of the evaluation. It fails closed: a check
// that cannot run is a failure.
func Verify(ctx context.Context, files map[string][]byte, pub ed25519.PublicKey, opts ...VerifyOption) *Report {
	cfg := verifyConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	r := &Report{Run: cfg.name, KeyID: KeyID(pub), Failures: []Failure{}}
	fail := func(check, file, expected, actual, format string, args ...any) {
		r.Failures = append(r.Failures, Failure{Check: check, File: file, Expected: expected, Actual: actual, Message: fmt.Sprintf(format, args...)})
	}
	// done records a check: okDetail when it passed, else how many problems it found (each is
	// listed under it).
	done := func(check, okDetail string) {
		n := 0
		for _, f := range r.Failures {
			if f.Check == check {
				n++
			}
		}
		if n == 0 {
			r.Checks = append(r.Checks, CheckResult{Name: check, Status: "ok", Detail: okDetail})
			return
		}
		r.Checks = append(r.Checks, CheckResult{Name: check, Status: "fail", Detail: fmt.Sprintf("%d problem(s)", n)})
	}
	notRun := func(checks ...string) {
		for _, c := range checks {
			r.Checks = append(r.Checks, CheckResult{Name: c, Status: "not_run", Detail: "an earlier check failed"})
		}
	}

	// The digest of every file is computed by a bounded pool of workers while the signature and
	// the statement are checked below (hashing bytes trusts nothing); the files check waits
	// for them. Verify does not return before the workers are done.
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	digests := make([]string, len(names))
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		forEach(len(names), func(i int) { digests[i] = Digest(files[names[i]]) })
	}()
	defer func() { <-hashed }()

	// 1. Signature: nothing in the statement is trusted before it verifies.
	env, ok := files[StatementFile]
	if !ok {
		why := "the run is not signed (no " + StatementFile + ")"
		if _, incomplete := files[MarkerFile]; incomplete {
			why = "the run is incomplete (" + MarkerFile + " marker present) and was never signed"
		}
		fail(CheckSignature, StatementFile, "a DSSE envelope", "missing", "%s", why)
		done(CheckSignature, "")
		notRun(CheckStatement, CheckFiles, CheckMetadata, CheckChain, CheckReplay)
		return r
	}
	payload, err := OpenEnvelope(env, pub)
	if err != nil {
		fail(CheckSignature, StatementFile, "a signature by key "+KeyID(pub), "none verifies", "%v", err)
		done(CheckSignature, "")
		notRun(CheckStatement, CheckFiles, CheckMetadata, CheckChain, CheckReplay)
		return r
	}
	done(CheckSignature, "ed25519 over the DSSE PAE, key "+KeyID(pub))

	// 2. Statement.
	st, err := ParseStatement(payload)
	if err == nil && cfg.name != "" && st.Predicate.RunID != cfg.name {
		fail(CheckStatement, StatementFile, "run "+cfg.name, "run "+st.Predicate.RunID, "the statement signs run %s, but it was found as %s (renamed or moved)", st.Predicate.RunID, cfg.name)
	}
	if err != nil {
		fail(CheckStatement, StatementFile, "an in-toto Statement v1", "", "%v", err)
		done(CheckStatement, "")
		notRun(CheckFiles, CheckMetadata, CheckChain, CheckReplay)
		return r
	}
	if r.Run == "" {
		r.Run = st.Predicate.RunID
	}
	done(CheckStatement, fmt.Sprintf("in-toto Statement v1, predicate %s, %d subjects", st.PredicateType, len(st.Subject)))

	// 3. Every file: present, same digest, nothing extra. Failures are listed in subject order,
	// then the extra files in name order, whatever the scheduling of the digests.
	<-hashed
	digestOf := make(map[string]string, len(names))
	for i, name := range names {
		digestOf[name] = digests[i]
	}
	listed := make(map[string]bool, len(st.Subject))
	for _, s := range st.Subject {
		listed[s.Name] = true
		want := "sha256:" + s.Digest["sha256"]
		got, ok := digestOf[s.Name]
		if !ok {
			fail(CheckFiles, s.Name, want, "missing", "signed but missing")
			continue
		}
		if got != want {
			fail(CheckFiles, s.Name, want, got, "changed after signing")
		}
	}
	for _, name := range names {
		if name != StatementFile && !listed[name] {
			fail(CheckFiles, name, "absent (not in the statement)", digestOf[name], "not signed: added after signing")
		}
	}
	done(CheckFiles, fmt.Sprintf("%d files, every sha256 matches, none missing or extra", len(st.Subject)))
	filesOK := len(r.Failures) == 0

	// 4. run.json is what the statement says.
	var meta RunMeta
	if b, ok := files[RunFile]; !ok {
		fail(CheckMetadata, RunFile, "present", "missing", "no %s", RunFile)
	} else if meta, err = ParseRunMeta(RunFile, b); err != nil {
		fail(CheckMetadata, RunFile, "run metadata", "", "%v", err)
	} else {
		a, _ := json.Marshal(meta)
		p, _ := json.Marshal(st.Predicate.Run)
		if !bytes.Equal(a, p) {
			fail(CheckMetadata, RunFile, "the statement's predicate.run", "different metadata", "%s differs from the signed predicate", RunFile)
		}
		if meta.RunID != st.Predicate.RunID {
			fail(CheckMetadata, RunFile, "run "+st.Predicate.RunID, "run "+meta.RunID, "%s names another run", RunFile)
		}
		if _, ok := files[MarkerFile]; ok {
			fail(CheckMetadata, MarkerFile, "absent", "present", "the run is marked incomplete")
		}
	}
	done(CheckMetadata, fmt.Sprintf("run.json matches the statement; evaluated at %s, period %s .. %s",
		meta.EvaluatedAt.Format("2006-01-02T15:04:05Z07:00"), meta.Period.Start.Format("2006-01-02T15:04:05Z07:00"), meta.Period.End.Format("2006-01-02T15:04:05Z07:00")))

	// 5. Chain link.
	link := st.Predicate.Previous
	if link != nil && cfg.previous == nil && cfg.lookup != nil && CheckRunID(link.RunID) == nil {
		name, pfiles, ok, err := cfg.lookup(link.RunID)
		switch {
		case err != nil:
			fail(CheckChain, link.RunID+"/"+StatementFile, "the previous run "+link.RunID, "unreadable", "cannot read the previous run: %v", err)
		case ok:
			if pfiles == nil {
				pfiles = map[string][]byte{}
			}
			cfg.prevName, cfg.previous = name, pfiles
		}
	}
	switch {
	case link == nil && cfg.previous != nil:
		fail(CheckChain, StatementFile, "a link to "+cfg.prevName, "no previous run", "the statement links to no previous run, but %s was given as previous", cfg.prevName)
		done(CheckChain, "")
	case link == nil:
		done(CheckChain, "first run of its chain (no previous run)")
	case cfg.previous == nil:
		done(CheckChain, fmt.Sprintf("previous run %s not present: link not checked", link.RunID))
	default:
		verifyLink(link, meta, cfg, pub, fail)
		done(CheckChain, fmt.Sprintf("previous run %s: statement sha256 matches, ended before this run started", link.RunID))
	}

	// 6. Replay, only on files that are all as signed: replaying tampered evidence proves nothing.
	switch {
	case !filesOK:
		notRun(CheckReplay)
		return r
	case cfg.skipReplay:
		r.Checks = append(r.Checks, CheckResult{Name: CheckReplay, Status: "skipped",
			Detail: "skipped on request (integrity only): results.json is as signed, but was not re-evaluated"})
		r.Verified = len(r.Failures) == 0
		return r
	case cfg.replay == nil:
		fail(CheckReplay, ResultsFile, "a re-evaluation", "none", "no evaluator to replay the run with")
	default:
		got, err := cfg.replay(ctx, files, meta)
		if err != nil {
			fail(CheckReplay, ResultsFile, "a re-evaluation", "error", "replay: %v", err)
		} else if want := files[ResultsFile]; !bytes.Equal(got, want) {
			fail(CheckReplay, ResultsFile, Digest(want), Digest(got), "re-evaluating the bundled evidence with the bundled catalog gives different results: %s", firstDifference(want, got))
		}
	}
	done(CheckReplay, "re-evaluated the bundled evidence with the bundled catalog: results.json identical")
	r.Replayed = r.Checks[len(r.Checks)-1].Status == "ok"
	r.Verified = len(r.Failures) == 0
	return r
}

func verifyLink(link *ChainLink, meta RunMeta, cfg verifyConfig, pub ed25519.PublicKey, fail func(check, file, expected, actual, format string, args ...any)) {
	prevFile := cfg.prevName + "/" + StatementFile
	pb, ok := cfg.previous[StatementFile]
	if !ok {
		fail(CheckChain, prevFile, "sha256:"+link.Digest["sha256"], "missing", "the previous run %s has no statement", link.RunID)
		return
	}
	if got, want := Digest(pb), "sha256:"+link.Digest["sha256"]; got != want {
		fail(CheckChain, prevFile, want, got, "the previous run's statement is not the one this run links to (replaced, reordered or re-signed)")
		return
	}
	payload, err := OpenEnvelope(pb, pub)
	if err != nil {
		fail(CheckChain, prevFile, "a signature by the same key", "none verifies", "%v", err)
		return
	}
	pst, err := ParseStatement(payload)
	if err != nil {
		fail(CheckChain, prevFile, "an in-toto statement", "", "%v", err)
		return
	}
	if pst.Predicate.RunID != link.RunID {
		fail(CheckChain, prevFile, "run "+link.RunID, "run "+pst.Predicate.RunID, "the previous statement is of another run")
	}
	if pst.Predicate.Run.EndedAt.After(meta.StartedAt) {
		fail(CheckChain, prevFile, "ended before "+meta.StartedAt.Format("2006-01-02T15:04:05Z"), "ended "+pst.Predicate.Run.EndedAt.Format("2006-01-02T15:04:05Z"), "the previous run ended after this run started: the chain is out of order")
	}
}

// firstDifference names the first line where two results files differ, for the report.
func firstDifference(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d stored %q, replayed %q", i+1, strings.TrimSpace(w), strings.TrimSpace(g))
		}
	}
	return "same lines, different bytes"
}

// ReadRunDir reads every file below a run directory, names relative to it. Everything counts,
// hidden and temp files too: a file in a signed run that the statement does not list is an
// extra file. Anything but a regular file or a directory is refused. The directory is walked
// first, then the files are read by a bounded pool of workers, each file through a descriptor
// of its directory; when several files cannot be read, the error is the first in walk (name)
// order, whatever the scheduling.
func ReadRunDir(dir string) (map[string][]byte, error) {
	type file struct {
		dir       int // index in dirs
		base, rel string
	}
	var (
		dirs  []string
		files []file
	)
	dirIndex := map[string]int{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file (%s)", p, d.Type())
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		parent := filepath.Dir(p)
		i, ok := dirIndex[parent]
		if !ok {
			i = len(dirs)
			dirIndex[parent] = i
			dirs = append(dirs, parent)
		}
		files = append(files, file{dir: i, base: filepath.Base(p), rel: filepath.ToSlash(rel)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read run %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read run %s: no files", dir)
	}
	data := make([][]byte, len(files))
	errs := make([]error, len(files))
	// Files are read in batches holding at most maxOpenDirs directories open at once.
	const maxOpenDirs = 256
	for lo := 0; lo < len(files); {
		readers := map[int]*dirReader{}
		hi := lo
		for ; hi < len(files); hi++ {
			di := files[hi].dir
			if _, ok := readers[di]; ok {
				continue
			}
			if len(readers) == maxOpenDirs {
				break
			}
			r, err := openDirReader(dirs[di])
			if err != nil {
				for _, r := range readers {
					r.close()
				}
				return nil, fmt.Errorf("read run %s: %w", dir, err)
			}
			readers[di] = r
		}
		forEach(hi-lo, func(i int) {
			f := files[lo+i]
			data[lo+i], errs[lo+i] = readers[f.dir].readFile(f.base)
		})
		for _, r := range readers {
			r.close()
		}
		lo = hi
	}
	out := make(map[string][]byte, len(files))
	for i, f := range files {
		if errs[i] != nil {
			return nil, fmt.Errorf("read run %s: %w", dir, errs[i])
		}
		out[f.rel] = data[i]
	}
	return out, nil
}

var errNotRegular = errors.New("not a regular file")
