package history

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/shoko-audit/shoko/evidence"
)

// PeriodPredicateType names the predicate of a period statement: the history of an audit period
// and the runs it rests on. `shoko verify` tells a period directory from a run by it.
const PeriodPredicateType = "https://shoko.dev/history/v1"

// PeriodStatement is the in-toto Statement v1 of a period directory. Its subjects are every
// output file of the directory (history.json and the period reports, by their names in it) and
// the statement of every run the history covers, named runs/<id>/statement.intoto.json as in
// the store: a covered run removed or altered afterwards no longer has the digest signed here.
type PeriodStatement struct {
	Type          string             `json:"_type"`
	Subject       []evidence.Subject `json:"subject"`
	PredicateType string             `json:"predicateType"`
	Predicate     PeriodPredicate    `json:"predicate"`
}

// PeriodPredicate says what the period directory is about (copied from history.json).
type PeriodPredicate struct {
	Schema string `json:"schema"`
	Store  string `json:"store"`
	Period Period `json:"period"`
	// KeyID is the key the runs' statements were checked with.
	KeyID       string `json:"key_id"`
	Runs        int    `json:"runs"`
	TrustedRuns int    `json:"trusted_runs"`
}

// runSubjectPrefix starts the subject names of covered runs' statements.
const runSubjectPrefix = evidence.RunsDir + "/"

// SignPeriod signs a period directory: files are its output files by name (history.json, which
// must be there, and whatever the period reports add), covered the runs of the history (those
// with a statement are subjects). It returns statement.intoto.json's bytes, a DSSE envelope as a
// run's. The same files, runs and key give the same bytes.
func SignPeriod(files map[string][]byte, covered []Run, priv ed25519.PrivateKey) ([]byte, error) {
	hb, ok := files[FileName]
	if !ok {
		return nil, fmt.Errorf("sign period: no %s among the files", FileName)
	}
	rep, err := Parse(FileName, hb)
	if err != nil {
		return nil, fmt.Errorf("sign period: %w", err)
	}
	st := PeriodStatement{Type: evidence.StatementType, PredicateType: PeriodPredicateType,
		Predicate: PeriodPredicate{Schema: Schema, Store: rep.Store, Period: rep.Period, KeyID: rep.KeyID,
			Runs: rep.Summary.Runs, TrustedRuns: rep.Summary.TrustedRuns}}
	for name, b := range files {
		if err := checkOutputName(name); err != nil {
			return nil, fmt.Errorf("sign period: %w", err)
		}
		st.Subject = append(st.Subject, evidence.Subject{Name: name, Digest: evidence.DigestSet(b)})
	}
	seen := map[string]bool{}
	for _, r := range covered {
		if r.StatementDigest == "" {
			continue
		}
		name := evidence.RunPath(r.ID, evidence.StatementFile)
		if seen[name] {
			return nil, fmt.Errorf("sign period: run %s covered twice", r.ID)
		}
		seen[name] = true
		st.Subject = append(st.Subject, evidence.Subject{Name: name, Digest: map[string]string{"sha256": r.StatementDigest}})
	}
	sort.Slice(st.Subject, func(i, j int) bool { return st.Subject[i].Name < st.Subject[j].Name })
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("sign period: encode statement: %w", err)
	}
	return evidence.MarshalEnvelope(evidence.SignEnvelope(priv, payload))
}

// checkOutputName refuses an output file name that is not a plain relative path of the period
// directory, or that would be taken for a covered run's statement or the period's own.
func checkOutputName(name string) error {
	switch {
	case name == "" || !fs.ValidPath(name) || strings.Contains(name, `\`):
		return fmt.Errorf("output file %q: want a relative slash path without ..", name)
	case name == evidence.StatementFile:
		return fmt.Errorf("output file %q: the statement is not its own subject", name)
	case strings.HasPrefix(name, runSubjectPrefix):
		return fmt.Errorf("output file %q: %s is reserved for the covered runs' statements", name, runSubjectPrefix)
	}
	return nil
}

// Checks of a period directory, in order.
const (
	CheckSignature = evidence.CheckSignature
	CheckStatement = evidence.CheckStatement
	CheckFiles     = evidence.CheckFiles
	CheckRuns      = "runs"
)

// PeriodVerification is what VerifyPeriod found. Verified only when every check ran and passed.
type PeriodVerification struct {
	Verified bool                   `json:"verified"`
	KeyID    string                 `json:"key_id"`
	Period   Period                 `json:"period"`
	Store    string                 `json:"store"`
	Files    int                    `json:"files"`
	Runs     int                    `json:"runs"`
	Checks   []evidence.CheckResult `json:"checks"`
	Failures []evidence.Failure     `json:"failures"`
}

// IsPeriodDir says whether the files of a directory are a period directory (history.json and no
// run.json) rather than a run.
func IsPeriodDir(files map[string][]byte) bool {
	_, h := files[FileName]
	_, r := files[evidence.RunFile]
	return h && !r
}

// VerifyPeriod checks a period directory (files by name, statement.intoto.json among them)
// against pub and the store the covered runs are in: the signature, the statement, every output
// file's digest (none missing, none added), and that each covered run's statement is still in
// the store with the digest signed. It fails closed: a check that cannot run is a failure.
func VerifyPeriod(ctx context.Context, files map[string][]byte, store evidence.Store, pub ed25519.PublicKey) (*PeriodVerification, error) {
	v := &PeriodVerification{KeyID: evidence.KeyID(pub), Checks: []evidence.CheckResult{}, Failures: []evidence.Failure{}}
	if store != nil {
		v.Store = store.String()
	}
	fail := func(check, file, expected, actual, format string, args ...any) {
		v.Failures = append(v.Failures, evidence.Failure{Check: check, File: file, Expected: expected, Actual: actual, Message: fmt.Sprintf(format, args...)})
	}
	done := func(check, okDetail string) {
		n := 0
		for _, f := range v.Failures {
			if f.Check == check {
				n++
			}
		}
		if n == 0 {
			v.Checks = append(v.Checks, evidence.CheckResult{Name: check, Status: "ok", Detail: okDetail})
			return
		}
		v.Checks = append(v.Checks, evidence.CheckResult{Name: check, Status: "fail", Detail: fmt.Sprintf("%d problem(s)", n)})
	}
	notRun := func(checks ...string) {
		for _, c := range checks {
			v.Checks = append(v.Checks, evidence.CheckResult{Name: c, Status: "not_run", Detail: "an earlier check failed"})
		}
	}

	env, ok := files[evidence.StatementFile]
	if !ok {
		fail(CheckSignature, evidence.StatementFile, "a DSSE envelope", "missing", "the period directory is not signed (no %s)", evidence.StatementFile)
		done(CheckSignature, "")
		notRun(CheckStatement, CheckFiles, CheckRuns)
		return v, nil
	}
	payload, err := evidence.OpenEnvelope(env, pub)
	if err != nil {
		fail(CheckSignature, evidence.StatementFile, "a signature by key "+v.KeyID, "none verifies", "%v", err)
		done(CheckSignature, "")
		notRun(CheckStatement, CheckFiles, CheckRuns)
		return v, nil
	}
	done(CheckSignature, "ed25519 over the DSSE PAE, key "+v.KeyID)

	st, err := parsePeriodStatement(payload)
	if err != nil {
		fail(CheckStatement, evidence.StatementFile, "an in-toto Statement v1 of a period", "", "%v", err)
		done(CheckStatement, "")
		notRun(CheckFiles, CheckRuns)
		return v, nil
	}
	v.Period = st.Predicate.Period
	if v.Store == "" {
		v.Store = st.Predicate.Store
	}
	var outputs, runs []evidence.Subject
	for _, s := range st.Subject {
		if strings.HasPrefix(s.Name, runSubjectPrefix) {
			runs = append(runs, s)
		} else {
			outputs = append(outputs, s)
		}
	}
	v.Files, v.Runs = len(outputs), len(runs)
	done(CheckStatement, fmt.Sprintf("in-toto Statement v1, predicate %s, %d output files, %d covered runs, period %s .. %s",
		st.PredicateType, len(outputs), len(runs), st.Predicate.Period.Start.Format("2006-01-02T15:04:05Z07:00"), st.Predicate.Period.End.Format("2006-01-02T15:04:05Z07:00")))

	listed := map[string]bool{}
	for _, s := range outputs {
		listed[s.Name] = true
		want := "sha256:" + s.Digest["sha256"]
		b, ok := files[s.Name]
		if !ok {
			fail(CheckFiles, s.Name, want, "missing", "signed but missing")
			continue
		}
		if got := evidence.Digest(b); got != want {
			fail(CheckFiles, s.Name, want, got, "changed after signing")
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n != evidence.StatementFile && !listed[n] {
			fail(CheckFiles, n, "absent (not in the statement)", evidence.Digest(files[n]), "not signed: added after signing")
		}
	}
	done(CheckFiles, fmt.Sprintf("%d files, every sha256 matches, none missing or extra", len(outputs)))

	if store == nil {
		fail(CheckRuns, "", "a store holding the covered runs", "none", "no store given: the covered runs cannot be checked")
		done(CheckRuns, "")
		return v, nil
	}
	for _, s := range runs {
		id := strings.TrimSuffix(strings.TrimPrefix(s.Name, runSubjectPrefix), "/"+evidence.StatementFile)
		want := "sha256:" + s.Digest["sha256"]
		b, err := store.Get(ctx, s.Name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fail(CheckRuns, s.Name, want, "missing", "run %s is covered by the period but its statement is not in the store %s (removed?)", id, store)
		case err != nil:
			return nil, fmt.Errorf("verify period: %w", err)
		default:
			if got := evidence.Digest(b); got != want {
				fail(CheckRuns, s.Name, want, got, "run %s's statement changed after the period was signed", id)
			}
		}
	}
	done(CheckRuns, fmt.Sprintf("%d covered runs' statements in %s, every sha256 matches", len(runs), v.Store))
	v.Verified = len(v.Failures) == 0
	return v, nil
}

// parsePeriodStatement decodes a period statement strictly and checks its types and subjects.
func parsePeriodStatement(payload []byte) (*PeriodStatement, error) {
	var st PeriodStatement
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	switch {
	case st.Type != evidence.StatementType:
		return nil, fmt.Errorf("statement _type %q, want %q", st.Type, evidence.StatementType)
	case st.PredicateType != PeriodPredicateType:
		return nil, fmt.Errorf("statement predicateType %q, want %q (a run's statement? verify the run directory instead)", st.PredicateType, PeriodPredicateType)
	}
	seen := map[string]bool{}
	for _, s := range st.Subject {
		if seen[s.Name] {
			return nil, fmt.Errorf("statement lists subject %s twice", s.Name)
		}
		seen[s.Name] = true
		if len(s.Digest["sha256"]) != 64 {
			return nil, fmt.Errorf("statement subject %s: no sha256 digest", s.Name)
		}
		if rest, ok := strings.CutPrefix(s.Name, runSubjectPrefix); ok {
			id, file, _ := strings.Cut(rest, "/")
			if evidence.CheckRunID(id) != nil || file != evidence.StatementFile {
				return nil, fmt.Errorf("statement subject %q: want runs/<id>/%s", s.Name, evidence.StatementFile)
			}
		} else if err := checkOutputName(s.Name); err != nil {
			return nil, fmt.Errorf("statement subject: %w", err)
		}
	}
	return &st, nil
}
