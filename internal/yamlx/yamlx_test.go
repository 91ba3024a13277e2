package yamlx

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestProblemsNameFileAndLine(t *testing.T) {
	type doc struct {
		A int `yaml:"a"`
	}
	cases := []struct {
		name, in, want string
	}{
		{"unknown field", "a: 1\nb: 2\n", "f.yaml:2: field b not found in doc"},
		{"wrong type", "a: x\n", "f.yaml:1: cannot unmarshal !!str `x` into int"},
		{"syntax error spanning lines", "0\n\n0", "f.yaml:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			dec := yaml.NewDecoder(strings.NewReader(tc.in))
			dec.KnownFields(true)
			err := dec.Decode(&d)
			if err == nil {
				t.Fatal("decoded")
			}
			got := strings.Join(Problems("f.yaml", err), "\n")
			if !strings.Contains(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLineOf(t *testing.T) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nb:\n  c: 2\n"), &root); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		keys []string
		want int
	}{{[]string{"b", "c"}, 3}, {[]string{"a"}, 1}, {[]string{"b", "missing"}, 2}, {[]string{"zz"}, 1}} {
		if got := LineOf(&root, tc.keys...); got != tc.want {
			t.Errorf("LineOf(%v) = %d, want %d", tc.keys, got, tc.want)
		}
	}
}

func TestSuggestFindsLikelyTypos(t *testing.T) {
	valid := []string{"organization", "records", "region", "reason", "role_arn", "token_env"}
	for _, tc := range []struct{ name, in, want string }{
		{"British spelling", "organisation", "organization"},
		{"missing letter", "recods", "records"},
		{"case", "Region", "region"},
		{"dash for underscore", "role-arn", "role_arn"},
		{"nothing close", "colour", ""},
		{"without its suffix", "token", "token_env"},
		{"too short to guess", "xy", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Suggest(tc.in, valid); got != tc.want {
				t.Fatalf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
