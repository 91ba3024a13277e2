package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// In-toto statement constants.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateType names shoko's predicate: run metadata and the link to the previous run.
	PredicateType = "https://shoko.dev/run/v1"
)

// Statement is an in-toto Statement v1 over every file of a run.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject is one file of the run: its path relative to the run directory and its digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Predicate is shoko's predicate: the run's metadata (the same as run.json) and the link to
// the previous signed run of the store, which makes the runs of a store a hash chain: removing,
// replacing or reordering a run breaks the link of the one after it.
type Predicate struct {
	RunID    string     `json:"run_id"`
	Run      RunMeta    `json:"run"`
	Previous *ChainLink `json:"previous"`
}

// ChainLink names the previous run and the digest of its statement.intoto.json file.
type ChainLink struct {
	RunID  string            `json:"run_id"`
	Digest map[string]string `json:"digest"`
}

// DigestSet is an in-toto digest set {"sha256": hex}.
func DigestSet(b []byte) map[string]string {
	sum := sha256.Sum256(b)
	return map[string]string{"sha256": hex.EncodeToString(sum[:])}
}

// signedFile reports whether a run file is a subject of the statement: all but the statement
// itself. The INCOMPLETE marker is never in a complete run; if it were, it would be a subject
// here and an error in verify.
func signedFile(name string) bool { return name != StatementFile }

// BuildStatement builds the statement over files (names relative to the run directory),
// and signs it. The payload is compact JSON with subjects in name order, so the same files,
// link and key always give the same bytes.
func BuildStatement(id string, files map[string][]byte, prev *ChainLink, priv ed25519.PrivateKey) ([]byte, error) {
	if _, ok := files[MarkerFile]; ok {
		return nil, fmt.Errorf("run %s is incomplete (%s present); an incomplete run is never signed", id, MarkerFile)
	}
	metaBytes, ok := files[RunFile]
	if !ok {
		return nil, fmt.Errorf("run %s has no %s; an incomplete run is never signed", id, RunFile)
	}
	meta, err := ParseRunMeta(RunFile, metaBytes)
	if err != nil {
		return nil, err
	}
	if meta.RunID != id {
		return nil, fmt.Errorf("%s names run %q, but the run is %q", RunFile, meta.RunID, id)
	}
	st := Statement{Type: StatementType, PredicateType: PredicateType,
		Predicate: Predicate{RunID: id, Run: meta, Previous: prev}}
	names := make([]string, 0, len(files))
	for n := range files {
		if signedFile(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		st.Subject = append(st.Subject, Subject{Name: n, Digest: DigestSet(files[n])})
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode statement: %w", err)
	}
	return MarshalEnvelope(SignEnvelope(priv, payload))
}

// ParseStatement decodes a statement payload strictly and checks its types.
func ParseStatement(payload []byte) (Statement, error) {
	var st Statement
	if err := decodeStrict("statement", payload, &st); err != nil {
		return st, err
	}
	switch {
	case st.Type != StatementType:
		return st, fmt.Errorf("statement _type %q, want %q", st.Type, StatementType)
	case st.PredicateType != PredicateType:
		return st, fmt.Errorf("statement predicateType %q, want %q", st.PredicateType, PredicateType)
	case len(st.Subject) == 0:
		return st, fmt.Errorf("statement has no subjects")
	}
	seen := map[string]bool{}
	for _, s := range st.Subject {
		if seen[s.Name] {
			return st, fmt.Errorf("statement lists subject %s twice", s.Name)
		}
		seen[s.Name] = true
		if err := checkName(s.Name); err != nil || strings.HasPrefix(s.Name, "../") {
			return st, fmt.Errorf("statement subject %q: not a path inside the run", s.Name)
		}
		if h := s.Digest["sha256"]; len(h) != 64 {
			return st, fmt.Errorf("statement subject %s: no sha256 digest", s.Name)
		}
	}
	return st, nil
}

// PeekPrevious reads, WITHOUT verifying, the previous run id a run's statement links to. It only
// says where to look for the previous run; Verify checks the link against the signed statement.
// Only the fields it needs are decoded: the subjects (one per file of the run) are skipped
// rather than built, which on a large run is most of the statement.
func PeekPrevious(files map[string][]byte) string {
	var env struct {
		Payload string `json:"payload"`
	}
	if json.Unmarshal(files[StatementFile], &env) != nil {
		return ""
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return ""
	}
	var st struct {
		Predicate struct {
			Previous *struct {
				RunID string `json:"run_id"`
			} `json:"previous"`
		} `json:"predicate"`
	}
	if json.Unmarshal(payload, &st) != nil || st.Predicate.Previous == nil || CheckRunID(st.Predicate.Previous.RunID) != nil {
		return ""
	}
	return st.Predicate.Previous.RunID
}
