// Package evidence defines the evidence item — what a source said, as collected — and reads and
// writes items with their SHA-256 digests. Every later stage (engine, reports, bundles) refers to
// an item by the digest of its stored bytes, so the bytes on disk are the evidence.
package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Item statuses. An error item is kept: the failure to look is evidence too.
const (
	StatusOK    = "ok"
	StatusError = "error"
)

// Item is one evidence record as stored in a run. Data holds the source's own objects
// (AWS field names as AWS returns them, CSV rows as decoded), never re-interpreted.
type Item struct {
	Kind        string            `json:"kind"`
	Scope       map[string]string `json:"scope"`
	CollectedAt time.Time         `json:"collected_at"`
	Collector   CollectorInfo     `json:"collector"`
	Request     *Request          `json:"request,omitempty"`
	Status      string            `json:"status"`
	Error       *string           `json:"error"`
	Data        json.RawMessage   `json:"data"`
}

// CollectorInfo names the code that produced an item.
type CollectorInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Request records how the source was asked, without any credential.
type Request struct {
	Operation  string   `json:"operation,omitempty"`
	Pages      int      `json:"pages,omitempty"`
	RequestIDs []string `json:"request_ids,omitempty"`
	URL        string   `json:"url,omitempty"`
	File       string   `json:"file,omitempty"`
	// Attempts is how many passes the collector made over the unit the item came from (an AWS
	// service in one region) when it made more than one: a unit whose first pass ended in a
	// transient fault (throttling, a 5xx, a reset connection) is collected once more, whole, and
	// the later answer recorded. Omitted (0) means one pass, so a first-pass answer reads as it
	// always has. The SDK's retries of single calls are not counted here.
	Attempts int `json:"attempts,omitempty"`
}

// Stored is an item as read back from a store: the item, where it was, and its digest.
type Stored struct {
	Item
	// Path is the item's path relative to the evidence root, with forward slashes.
	Path string `json:"path"`
	// Digest is "sha256:<hex>" of the stored bytes.
	Digest string `json:"digest"`
}

// NewOK returns an ok item holding data, encoded as JSON.
func NewOK(kind string, scope map[string]string, collectedAt time.Time, collector CollectorInfo, req *Request, data any) (Item, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // store "<&>" as the source said it, not as \u003c
	if err := enc.Encode(data); err != nil {
		return Item{}, fmt.Errorf("encode %s evidence: %w", kind, err)
	}
	return Item{Kind: kind, Scope: scope, CollectedAt: collectedAt.UTC(), Collector: collector,
		Request: req, Status: StatusOK, Data: bytes.TrimRight(buf.Bytes(), "\n")}, nil
}

// NewError returns an error item: the source could not be read, and why.
func NewError(kind string, scope map[string]string, collectedAt time.Time, collector CollectorInfo, req *Request, cause error) Item {
	msg := cause.Error()
	return Item{Kind: kind, Scope: scope, CollectedAt: collectedAt.UTC(), Collector: collector,
		Request: req, Status: StatusError, Error: &msg, Data: json.RawMessage("null")}
}

// Encode returns the canonical stored bytes of an item: indented JSON, keys in struct order,
// map keys sorted, trailing newline. The same item always encodes to the same bytes.
func Encode(it Item) ([]byte, error) {
	if it.Scope == nil {
		it.Scope = map[string]string{}
	}
	if len(it.Data) == 0 {
		it.Data = json.RawMessage("null")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(it); err != nil {
		return nil, fmt.Errorf("encode evidence item %s: %w", it.Kind, err)
	}
	return buf.Bytes(), nil
}

// Digest returns "sha256:<hex>" of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Decode parses stored bytes strictly: unknown fields, a missing kind, status or
// collected_at, or trailing data are errors.
func Decode(b []byte) (Item, error) {
	var it Item
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		return Item{}, err
	}
	if dec.More() {
		return Item{}, fmt.Errorf("trailing data after the item")
	}
	switch {
	case it.Kind == "":
		return Item{}, fmt.Errorf("field kind: missing")
	case it.Status != StatusOK && it.Status != StatusError:
		return Item{}, fmt.Errorf("field status: %q is not ok or error", it.Status)
	case it.CollectedAt.IsZero():
		return Item{}, fmt.Errorf("field collected_at: missing")
	case it.Status == StatusError && (it.Error == nil || *it.Error == ""):
		return Item{}, fmt.Errorf("field error: an error item must say what went wrong")
	}
	if it.Scope == nil {
		it.Scope = map[string]string{}
	}
	return it, nil
}
