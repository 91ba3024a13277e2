// Package yamlx holds the two things every strict YAML reader in shoko needs: errors that name
// file and line, and the line of a key path for checks YAML typing cannot make.
package yamlx

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// (?s): a yaml message can span lines (a panic on such input was found by fuzzing).
var lineRE = regexp.MustCompile(`(?s)^(?:line (\d+): )?(.*)$`)

// Problems turns a yaml.v3 decoding error ("line 5: field x not found in type pkg.T") into one
// "file:5: field x not found in T" per problem yaml reported.
func Problems(file string, err error) []string {
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		sm := lineRE.FindStringSubmatch(m)
		msg := typeRE.ReplaceAllString(sm[2], " in $1")
		if sm[1] != "" {
			out = append(out, fmt.Sprintf("%s:%s: %s", file, sm[1], msg))
		} else {
			out = append(out, fmt.Sprintf("%s: %s", file, msg))
		}
	}
	return out
}

// typeRE drops the Go package from type names in yaml's messages: readers know fields, not packages.
var typeRE = regexp.MustCompile(` in type [a-z0-9_]+\.([A-Za-z0-9_]+)`)

// Error is Problems joined into one error.
func Error(file string, err error) error {
	return errors.New(strings.Join(Problems(file, err), "\n"))
}

// LineOf returns the line of a key path in a parsed document (the deepest key found; 1 if none).
func LineOf(root *yaml.Node, keys ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 1
	for _, k := range keys {
		found := false
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}

// Suggest returns the valid name nearest to name, for a "did you mean" hint after a typo
// ("organisation" → "organization"), or "" when none is close enough to be a likely typo: at
// most a third of the longer name's letters differ (at least one), so an unrelated name gets no
// misleading hint; failing that, a valid name that starts or ends with name ("token" →
// "token_env"). Ties go to the first in valid, so the hint does not depend on map order.
func Suggest(name string, valid []string) string {
	best, bestDist := "", -1
	for _, v := range valid {
		d := editDistance(strings.ToLower(name), strings.ToLower(v))
		limit := max(1, max(len([]rune(name)), len([]rune(v)))/3)
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = v, d
		}
	}
	if best == "" && len(name) >= 3 {
		// A key given without its suffix or prefix ("token" for "token_env").
		for _, v := range valid {
			if strings.HasPrefix(v, name) || strings.HasSuffix(v, name) {
				return v
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
