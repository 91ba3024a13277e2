package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// sampleResultsJSON is the results.json of a per_record control with waivers, exceptions and
// several controls: every part of the format.
func sampleResultsJSON(t *testing.T) []byte {
	t.Helper()
	cat := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", perRecordTail)},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	e, err := New(context.Background(), cat, withPartRows(5))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), shuffledRowsItems(t, 11, 12, 9), run())
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeWhole is how results.json is read whole (cmd/shoko's decodeResults).
func decodeWhole(t *testing.T, b []byte) *Results {
	t.Helper()
	var res Results
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// Read a control and a finding at a time, a results.json gives the results decoding it whole
// gives; a reader that keeps only failing findings, or takes each control as it comes, sees
// the same controls and exactly the findings it asked for.
func TestReadResultsStreamMatchesWholeDecoding(t *testing.T) {
	b := sampleResultsJSON(t)
	whole := decodeWhole(t, b)
	wantBytes, err := whole.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wantBytes, b) {
		t.Fatal("decoding whole and writing again changed results.json")
	}
	streamed, err := ReadResultsStream(bytes.NewReader(b), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := streamed.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("streamed results differ from whole decoding %s", firstDifference(b, got))
	}

	failing := func(_ *ControlResult, _ int, f *Finding) bool { return f.Status == StatusFail }
	var ids []string
	var kept, wantKept int
	rest, err := ReadResultsStream(bytes.NewReader(b), failing, func(c *ControlResult) error {
		ids = append(ids, c.ID)
		for _, f := range c.Findings {
			if f.Status != StatusFail {
				t.Fatalf("%s: kept a %s finding", c.ID, f.Status)
			}
		}
		kept += len(c.Findings)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range whole.Controls {
		wantKept += c.Counts[StatusFail]
	}
	if len(rest.Controls) != 0 || len(ids) != len(whole.Controls) || kept != wantKept || kept == 0 {
		t.Fatalf("handed %d controls (%d kept in the results), %d failing findings; want %d, 0, %d",
			len(ids), len(rest.Controls), kept, len(whole.Controls), wantKept)
	}
	if len(rest.Exceptions) != len(whole.Exceptions) || rest.RunID != whole.RunID || len(rest.Evidence) != len(whole.Evidence) {
		t.Fatal("the results besides the controls differ")
	}
}

// A results.json cut anywhere before its closing brace, with something after it, with an
// unknown field, of another schema or whose counts disagree with its findings is an error: never results with fewer controls or findings.
func TestReadResultsStreamRefusesDamagedFiles(t *testing.T) {
	b := sampleResultsJSON(t)
	check := func(name string, in []byte) {
		t.Helper()
		if _, err := ReadResultsStream(bytes.NewReader(in), nil, nil); err == nil {
			t.Fatalf("%s: no error", name)
		}
	}
	end := bytes.LastIndexByte(b, '}')
	for cut := 0; cut < end; cut += 1 + cut/40 {
		check("cut at "+itoa(cut), b[:cut])
	}
	check("cut before the closing brace", b[:end])
	check("data after the end", append(append([]byte{}, b...), []byte(`{"schema": "x"}`)...))
	check("unknown field", bytes.Replace(b, []byte(`"status": "fail"`), []byte(`"status": "fail", "extra": 1`), 1))
	check("unknown finding field", bytes.Replace(b, []byte(`"code": "row_bad"`), []byte(`"code": "row_bad", "x": 1`), 1))
	check("other schema", bytes.Replace(b, []byte(ResultsSchema), []byte("shoko.results/v0"), 1))
	check("a control's field twice", bytes.Replace(b, []byte(`"automation": "records",`), []byte(`"automation": "records", "automation": "records",`), 1))
	check("counts that disagree with the findings", bytes.Replace(b, []byte(`"waived": 0`), []byte(`"waived": 1`), 1))
	if _, err := ReadResultsStream(bytes.NewReader(b[:end+1]), nil, nil); err != nil {
		t.Fatalf("whole file without its final newline: %v", err)
	}
	if !strings.Contains(string(b), `"status": "fail",`) {
		t.Fatal("the sample has no failing control: the damage above changed nothing")
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
