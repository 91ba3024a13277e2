package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/synth"
	"github.com/shoko-audit/shoko/policies"
)

// bothWays evaluates items in memory and spooled with the same engine and returns both
// results.json; the spooled results are closed.
func bothWays(t *testing.T, e *Engine, items []evidence.Stored) (inMemory, spooled []byte, spooledRes *Results) {
	t.Helper()
	r := run()
	r.ID = "r-spool-test" // not derived from the catalog, whose digest differs between tests' catalogs
	res, err := e.Evaluate(context.Background(), items, r)
	if err != nil {
		t.Fatal(err)
	}
	if inMemory, err = res.Marshal(); err != nil {
		t.Fatal(err)
	}
	sres, err := e.EvaluateSpooled(context.Background(), items, r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sres.Close() })
	if spooled, err = sres.Marshal(); err != nil {
		t.Fatal(err)
	}
	return inMemory, spooled, sres
}

// firstDifference shows where two results.json first differ.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("at byte %d of %d/%d:\nin memory: %q\nspooled:   %q", i, len(a), len(b), a[from:min(len(a), i+200)], b[from:min(len(b), i+200)])
}

// shuffledRowsItems are rows whose names are in no order across items, so that the sorted
// findings of one part interleave with those of every other part, with exceptions waiving some.
func shuffledRowsItems(t *testing.T, seed uint64, sizes ...int) []evidence.Stored {
	t.Helper()
	total := 0
	for _, s := range sizes {
		total += s
	}
	names := rand.New(rand.NewPCG(seed, 1)).Perm(total)
	var items []evidence.Stored
	n := 0
	for f, size := range sizes {
		rows := []row{}
		for i := 0; i < size; i++ {
			// Some names twice: findings about one resource, ordered by the record they point at.
			rows = append(rows, row{Name: fmt.Sprintf("r%03d", names[n]%(total-total/5)), OK: names[n]%3 != 0})
			n++
		}
		items = append(items, item(t, "test.rows", fmt.Sprintf("f%02d.csv", f), now, rows))
	}
	return append(items, exceptionsItem(t,
		exc("PR-01", "r00*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
		exc("PR-01", "r01?", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")))
}

// A spooled evaluation writes the very bytes of an evaluation in memory, whatever the part
// size and however the parts' findings interleave: findings merged in the same order, the same
// waivers (and the exceptions' lists of what they waived in that order), counts and reasons.
func TestSpooledResultsMatchInMemory(t *testing.T) {
	cat := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", perRecordTail)},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	items := shuffledRowsItems(t, 7, 10, 0, 23, 1, 40, 5)
	whole := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", strings.Replace(perRecordTail, "per_record: test.rows\n", "", 1))},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	e, err := New(context.Background(), whole)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := bothWays(t, e, items)
	for i, partRows := range []int{1, 2, 3, 7, 10, 39, 4096} {
		par := 1 + i%3*3
		t.Run(fmt.Sprintf("parts of %d, parallelism %d", partRows, par), func(t *testing.T) {
			e, err := New(context.Background(), cat, withPartRows(partRows), WithParallelism(par))
			if err != nil {
				t.Fatal(err)
			}
			inMemory, spooled, res := bothWays(t, e, items)
			if !bytes.Equal(inMemory, spooled) {
				t.Fatalf("spooled results differ from in memory %s", firstDifference(inMemory, spooled))
			}
			// The part size changes nothing but the catalog's digest (not the same catalog).
			norm := func(b []byte) []byte {
				return bytes.ReplaceAll(b, []byte(res.Catalog.Digest), []byte("DIGEST"))
			}
			wres := bytes.ReplaceAll(want, []byte(catalogDigest(t, want)), []byte("DIGEST"))
			if !bytes.Equal(norm(spooled), wres) {
				t.Fatalf("parts differ from one evaluation %s", firstDifference(wres, norm(spooled)))
			}
			c := result(t, res, "PR-01")
			if c.Findings != nil || c.Counts[StatusWaived] == 0 || c.Counts[StatusFail] == 0 {
				t.Fatalf("spooled control: %d findings in memory, counts %v; want none in memory, some waived and some failing", len(c.Findings), c.Counts)
			}
		})
	}
}

// catalogDigest is the catalog digest a results.json names.
func catalogDigest(t *testing.T, b []byte) string {
	t.Helper()
	_, rest, ok := bytes.Cut(b, []byte(`"digest": "`))
	if !ok {
		t.Fatal("no catalog digest")
	}
	d, _, _ := bytes.Cut(rest, []byte(`"`))
	return string(d)
}

// With the real catalog on the synthetic workforce the bench uses, at the sizes around a part
// (4,096 records: one part, one part and one record, one record short), a spooled evaluation
// writes exactly the results.json of an evaluation in memory, and EachFinding reads back the
// findings the in-memory results hold.
func TestSpooledResultsMatchInMemoryOnSyntheticEvidence(t *testing.T) {
	cat, err := LoadCatalog(CatalogSource{Controls: controls.FS, ControlsName: "controls", Policies: policies.FS,
		PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 4095, 4096, 4097} {
		t.Run(fmt.Sprintf("%d rows", n), func(t *testing.T) {
			dir := t.TempDir()
			if err := synth.Training(dir, filepath.Join("..", "testdata", "records-demo"), n, 1000); err != nil {
				t.Fatal(err)
			}
			items, err := evidence.LoadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			inMemory, spooled, sres := bothWays(t, e, items)
			if !bytes.Equal(inMemory, spooled) {
				t.Fatalf("spooled results differ from in memory %s", firstDifference(inMemory, spooled))
			}
			mres, err := e.Evaluate(context.Background(), items, run())
			if err != nil {
				t.Fatal(err)
			}
			for ci := range sres.Controls {
				var got []Finding
				if err := sres.EachFinding(ci, func(f Finding) error { got = append(got, f); return nil }); err != nil {
					t.Fatal(err)
				}
				want := mres.Controls[ci].Findings
				gotJSON, _ := json.Marshal(got)
				wantJSON, _ := json.Marshal(want)
				if len(got) != len(want) || (len(got) > 0 && !bytes.Equal(gotJSON, wantJSON)) {
					t.Fatalf("%s: EachFinding gave %d findings, want %d, or not the same", sres.Controls[ci].ID, len(got), len(want))
				}
			}
		})
	}
}

// A findings spool that lost bytes, or whose bytes were changed, makes writing results.json an
// error: never a results.json with fewer findings than the evaluation made.
func TestDamagedSpoolIsAnError(t *testing.T) {
	cat := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", perRecordTail)},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	items := shuffledRowsItems(t, 3, 30, 30)
	cases := []struct {
		name   string
		damage func(t *testing.T, s *findingSpool)
		ok     bool
	}{
		{"intact", func(*testing.T, *findingSpool) {}, true},
		{"cut short", func(t *testing.T, s *findingSpool) {
			if err := s.f.Truncate(s.size - 7); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"emptied", func(t *testing.T, s *findingSpool) {
			if err := s.f.Truncate(0); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a length overwritten", func(t *testing.T, s *findingSpool) {
			if _, err := s.f.WriteAt([]byte{0xff, 0xff, 0x7f}, 0); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(context.Background(), cat, withPartRows(8))
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.EvaluateSpooled(context.Background(), items, run(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			tc.damage(t, res.spool)
			_, err = res.Marshal()
			var eachErr error
			for ci := range res.Controls {
				if err := res.EachFinding(ci, func(Finding) error { return nil }); err != nil && eachErr == nil {
					eachErr = err
				}
			}
			if tc.ok {
				if err != nil || eachErr != nil {
					t.Fatalf("intact spool: %v, %v", err, eachErr)
				}
				return
			}
			if !errors.Is(err, errSpoolDamaged) || !errors.Is(eachErr, errSpoolDamaged) {
				t.Fatalf("damaged spool: Marshal %v, EachFinding %v; want both to say it is damaged", err, eachErr)
			}
		})
	}
}

// A run whose bytes go on after its last finding is damaged too (a reader that stopped at
// the count would hide it).
func TestSpoolRunWithBytesAfterItsLastFindingIsAnError(t *testing.T) {
	s, err := newFindingSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	rw := &runWriter{spool: s}
	for _, k := range []string{"a", "b"} {
		if err := rw.add(k, []byte(`{"params": {}}`)); err != nil {
			t.Fatal(err)
		}
	}
	run, err := rw.finish()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	collect := func(b []byte) error { got = append(got, string(b)); return nil }
	if err := s.eachSpooled([]spoolRun{run}, collect); err != nil || len(got) != 2 {
		t.Fatalf("intact run: %v, %d findings", err, len(got))
	}
	run.count = 1
	if err := s.eachSpooled([]spoolRun{run}, collect); !errors.Is(err, errSpoolDamaged) {
		t.Fatalf("run with a finding more than counted: %v, want damaged", err)
	}
}
