package engine

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The fast paths below write the values a large results.json is made of (findings, their
// params and evidence references) directly, in exactly the bytes encoding/json's indenting
// encoder (HTML escaping off) gives; anything they are not sure of (a string with characters
// JSON escapes, an unusual number, a time outside years 0–9999, any other type) goes to
// encoding/json. Reflection per finding was most of the time of writing 100,000 findings.
// TestMarshalMatchesWholeEncoding and TestMarshalFastPathsMatchEncodingJSON hold them to it.

// fastValue writes v at indentation indent when it has a fast path; false otherwise.
func (w *resultsWriter) fastValue(indent string, v any) bool {
	switch x := v.(type) {
	case nil:
		w.buf.WriteString("null")
	case string:
		return w.fastString(x)
	case bool:
		w.buf.WriteString(strconv.FormatBool(x))
	case json.Number:
		if !validNumber(string(x)) {
			return false
		}
		w.buf.WriteString(string(x))
	case Text:
		w.object(indent, func(in string) {
			w.field(in, "ja", x.JA)
			w.field(in, "en", x.EN)
		})
	case map[string]string:
		writeMap(w, indent, x)
	case map[string]any:
		writeMap(w, indent, x)
	case []any:
		if x == nil {
			w.buf.WriteString("null")
			return true
		}
		elem := indent + "  "
		w.array(indent, len(x), func(i int) { w.value(elem, x[i]) })
	case time.Time:
		if y := x.Year(); y < 0 || y > 9999 {
			return false
		}
		w.buf.WriteByte('"')
		w.buf.Write(x.AppendFormat(w.scratch[:0], time.RFC3339Nano))
		w.buf.WriteByte('"')
	case Finding:
		w.object(indent, func(in string) {
			w.field(in, "status", x.Status)
			w.field(in, "code", x.Code)
			w.field(in, "resource", x.Resource)
			w.field(in, "params", x.Params)
			w.field(in, "message", x.Message)
			if x.Evidence != nil {
				w.field(in, "evidence", *x.Evidence)
			}
			if x.Exception != nil {
				w.key(in, "exception")
				w.buf.WriteString(strconv.Itoa(*x.Exception))
			}
		})
	case FindingRef:
		w.object(indent, func(in string) {
			w.field(in, "kind", x.Kind)
			w.field(in, "digest", x.Digest)
			w.field(in, "path", x.Path)
			w.field(in, "scope", x.Scope)
			w.field(in, "pointer", x.Pointer)
		})
	case EvidenceRef:
		w.object(indent, func(in string) {
			w.field(in, "kind", x.Kind)
			w.field(in, "path", x.Path)
			w.field(in, "digest", x.Digest)
			w.field(in, "scope", x.Scope)
			w.field(in, "collected_at", x.CollectedAt)
			w.field(in, "status", x.Status)
		})
	case []EvidenceRef:
		if x == nil {
			w.buf.WriteString("null")
			return true
		}
		elem := indent + "  "
		w.array(indent, len(x), func(i int) { w.value(elem, x[i]) })
	default:
		return false
	}
	return true
}

// object writes {…} with the fields body writes at indent+"  "; {} when it writes none.
func (w *resultsWriter) object(indent string, body func(in string)) {
	start := w.buf.Len()
	w.buf.WriteString("{")
	body(indent + "  ")
	if w.buf.Len() == start+1 {
		w.buf.WriteString("}")
		return
	}
	w.newline(indent, "}")
}

// fastString writes s quoted when no character of it needs escaping in JSON.
func (w *resultsWriter) fastString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			return false
		}
		if c >= utf8.RuneSelf {
			// Non-ASCII passes through unless invalid (replaced) or U+2028/U+2029 (escaped).
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return false
			}
			i += size - 1
		}
	}
	w.buf.WriteByte('"')
	w.buf.WriteString(s)
	w.buf.WriteByte('"')
	return true
}

// validNumber holds for a JSON number literal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i, n := 0, len(s)
	digits := func() int {
		start := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < n && s[i] == '-' {
		i++
	}
	switch {
	case i < n && s[i] == '0':
		i++
	case i < n && s[i] >= '1' && s[i] <= '9':
		digits()
	default:
		return false
	}
	if i < n && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == n
}

// writeMap writes a map as encoding/json does: keys sorted, null for a nil map.
func writeMap[V any](w *resultsWriter, indent string, m map[string]V) {
	if m == nil {
		w.buf.WriteString("null")
		return
	}
	keys := slices.Sorted(maps.Keys(m))
	w.object(indent, func(in string) {
		for _, k := range keys {
			w.field(in, k, m[k])
		}
	})
}
