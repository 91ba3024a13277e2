// Package service collects evidence from a running service: its evidence API
// (docs/evidence-api.yaml), TLS handshakes and HTTP answers of its endpoints, and a live
// cross-tenant read attempt. Every answer is stored as the service gave it, after a strict check
// against the contract: a wrong type or a missing field is an error item naming the item and
// the field, so the controls reading it are `error`, never `pass` on a half-read answer.
package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Evidence kinds of the evidence API, one per path.
const (
	KindTenants      = "service.tenants"
	KindAccounts     = "service.accounts"
	KindIncidents    = "service.incidents"
	KindChanges      = "service.changes"
	KindDisclosures  = "service.disclosures"
	KindCapabilities = "service.capabilities"
)

type fieldType int

const (
	tString   fieldType = iota // any string
	tID                        // non-empty string
	tTime                      // RFC 3339 with an offset
	tBool                      // true/false
	tCount                     // non-negative integer
	tHex64                     // SHA-256 hex, lower case
	tStrings                   // array of strings
	tEnum                      // one of enum
	tNullable fieldType = 1 << 8
	tOptional fieldType = 1 << 9 // may be omitted; when present, it must be of its type
)

type field struct {
	name string
	typ  fieldType
	enum []string
}

// endpoint is one path of the contract, with the fields every item must carry.
type endpoint struct {
	kind   string
	path   string
	id     string // the field naming an item in errors
	period bool   // since/until apply
	fields []field
}

func nullable(t fieldType) fieldType { return t | tNullable }

func optional(t fieldType) fieldType { return t | tOptional }

// endpoints mirror docs/evidence-api.yaml; a test keeps the two in step.
var endpoints = []endpoint{
	{kind: KindTenants, path: "/evidence/v1/tenants", id: "tenant_id", fields: []field{
		{"tenant_id", tID, nil}, {"status", tEnum, []string{"active", "terminated"}}, {"notification_contacts", tCount, nil},
		{"contract_ended_at", nullable(tTime), nil}, {"data_purged_at", nullable(tTime), nil}}},
	{kind: KindAccounts, path: "/evidence/v1/accounts", id: "account_id", fields: []field{
		{"account_id", tID, nil}, {"tenant_id", tID, nil}, {"login_id_sha256", tHex64, nil}, {"role", tID, nil},
		{"status", tEnum, []string{"active", "disabled"}}, {"created_at", tTime, nil}, {"disabled_at", nullable(tTime), nil},
		{"last_activity_at", nullable(tTime), nil}}},
	{kind: KindIncidents, path: "/evidence/v1/incidents", id: "incident_id", period: true, fields: []field{
		{"incident_id", tID, nil}, {"title", tString, nil}, {"severity", tEnum, []string{"low", "medium", "high", "critical"}},
		{"customer_impact", tBool, nil}, {"detected_at", tTime, nil}, {"notified_at", nullable(tTime), nil},
		{"escalated_at", nullable(tTime), nil}, {"recovered_at", nullable(tTime), nil}}},
	{kind: KindChanges, path: "/evidence/v1/changes", id: "change_id", period: true, fields: []field{
		{"change_id", tID, nil}, {"kind", tID, nil}, {"customer_impact", tBool, nil}, {"notified_at", nullable(tTime), nil},
		{"effective_at", tTime, nil}, {"regions", optional(tStrings), nil}}},
	{kind: KindDisclosures, path: "/evidence/v1/disclosures", id: "disclosure_id", period: true, fields: []field{
		{"disclosure_id", tID, nil}, {"disclosed_at", tTime, nil}, {"recipient", nullable(tString), nil},
		{"legal_basis", nullable(tString), nil}, {"approved_by", nullable(tString), nil}}},
	{kind: KindCapabilities, path: "/evidence/v1/capabilities", id: "version", fields: []field{
		{"features", tStrings, nil}, {"version", tString, nil}}},
}

// APIKinds are the kinds the evidence API gives.
func APIKinds() []string {
	out := make([]string, len(endpoints))
	for i, e := range endpoints {
		out[i] = e.kind
	}
	return out
}

// page is the envelope of every answer, decoded strictly.
type page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

// decodePage reads one answer strictly: the envelope has exactly items and next_cursor, items is
// an array (never null), and every item matches the endpoint's fields. Extra fields inside an
// item are allowed (kept as evidence); a missing one, a wrong type, or an omitted null is not.
func decodePage(e endpoint, b []byte, offset int) (page, error) {
	p, err := decodeEnvelope(b)
	if err != nil {
		return page{}, err
	}
	for i, it := range p.Items {
		if err := checkItem(e, it); err != nil {
			return page{}, fmt.Errorf("item %d%s: %w", offset+i, itemName(e, it), err)
		}
	}
	return p, nil
}

// decodeEnvelope reads the envelope strictly, leaving the items unchecked (the preflight checks
// each item itself, to name every breach rather than the first).
func decodeEnvelope(b []byte) (page, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return page{}, fmt.Errorf("answer is not a JSON object: %w", err)
	}
	for k := range raw {
		if k != "items" && k != "next_cursor" {
			return page{}, fmt.Errorf("answer has the unknown field %q (want items and next_cursor only)", k)
		}
	}
	var p page
	itemsRaw, ok := raw["items"]
	if !ok || bytes.Equal(bytes.TrimSpace(itemsRaw), []byte("null")) {
		return page{}, fmt.Errorf("field items: missing or null (want an array)")
	}
	if err := json.Unmarshal(itemsRaw, &p.Items); err != nil {
		return page{}, fmt.Errorf("field items: want an array: %w", err)
	}
	nc, ok := raw["next_cursor"]
	if !ok {
		return page{}, fmt.Errorf("field next_cursor: missing (null on the last page, never omitted)")
	}
	if err := json.Unmarshal(nc, &p.NextCursor); err != nil {
		return page{}, fmt.Errorf("field next_cursor: want a string or null")
	}
	if p.NextCursor != nil && *p.NextCursor == "" {
		return page{}, fmt.Errorf("field next_cursor: empty string (use null on the last page)")
	}
	return p, nil
}

// itemName is ` (tenant_id "t-1")` when the item's id reads as a string, for error messages.
func itemName(e endpoint, it json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(it, &m) != nil {
		return ""
	}
	if s, ok := m[e.id].(string); ok {
		return fmt.Sprintf(" (%s %q)", e.id, s)
	}
	return ""
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func checkItem(e endpoint, it json.RawMessage) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(it, &m); err != nil || m == nil {
		return fmt.Errorf("not a JSON object")
	}
	for _, f := range e.fields {
		v, ok := m[f.name]
		if !ok && f.typ&tOptional != 0 {
			continue
		}
		if !ok {
			if f.typ&tNullable != 0 {
				return fmt.Errorf("field %s: missing (a nullable field must be null, never omitted)", f.name)
			}
			return fmt.Errorf("field %s: missing", f.name)
		}
		if err := checkValue(f, v); err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
	}
	return nil
}

func checkValue(f field, v json.RawMessage) error {
	t := f.typ &^ (tNullable | tOptional)
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		if f.typ&tNullable != 0 {
			return nil
		}
		return fmt.Errorf("null, want %s", describe(t, f.enum))
	}
	var x any
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return err
	}
	bad := func() error {
		want := describe(t, f.enum)
		if f.typ&tNullable != 0 {
			want += " or null"
		}
		return fmt.Errorf("got %s, want %s", shortJSON(v), want)
	}
	switch t {
	case tString, tID, tTime, tHex64, tEnum:
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		switch {
		case t == tID && s == "":
			return bad()
		case t == tTime:
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return bad()
			}
		case t == tHex64 && !hex64.MatchString(s):
			return bad()
		case t == tEnum && !slices.Contains(f.enum, s):
			return bad()
		}
	case tBool:
		if _, ok := x.(bool); !ok {
			return bad()
		}
	case tCount:
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		if i, err := n.Int64(); err != nil || i < 0 {
			return bad()
		}
	case tStrings:
		arr, ok := x.([]any)
		if !ok {
			return bad()
		}
		for _, e := range arr {
			if _, ok := e.(string); !ok {
				return bad()
			}
		}
	}
	return nil
}

func describe(t fieldType, enum []string) string {
	switch t {
	case tID:
		return "a non-empty string"
	case tTime:
		return "an RFC 3339 time"
	case tBool:
		return "true or false"
	case tCount:
		return "a non-negative integer"
	case tHex64:
		return "64 lower-case hex digits (SHA-256)"
	case tStrings:
		return "an array of strings"
	case tEnum:
		return "one of " + strings.Join(enum, ", ")
	}
	return "a string"
}

func shortJSON(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
