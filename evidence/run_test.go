package evidence

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func testItem(t *testing.T, kind, name string) Item {
	t.Helper()
	it, err := NewOK(kind, map[string]string{"file": name}, t0, CollectorInfo{Name: "test", Version: "1"}, nil, []string{name})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// digestReplayer stands in for the engine: its "results" are the sorted evidence digests, so a
// replay depends on exactly the evidence, as the engine's does.
func digestReplayer(ctx context.Context, files map[string][]byte, meta RunMeta) ([]byte, error) {
	items, err := RunEvidence(files, meta.Shards)
	if err != nil {
		return nil, err
	}
	var ds []string
	for _, it := range items {
		ds = append(ds, it.Path+" "+it.Digest)
	}
	return json.Marshal(ds)
}

// makeRun writes a complete run with one item per shard and signs it when key is set.
func makeRun(t *testing.T, st Store, id string, started time.Time, key ed25519.PrivateKey, shards ...string) {
	t.Helper()
	ctx := context.Background()
	if err := BeginRun(ctx, st, Plan{RunID: id, Tool: "test", Shards: shards, StartedAt: started}); err != nil {
		t.Fatal(err)
	}
	if err := WriteCatalog(ctx, st, id, map[string][]byte{"controls/A-01.yaml": []byte("id: A-01\n"), "policies/a.rego": []byte("package a\n")}); err != nil {
		t.Fatal(err)
	}
	for _, sh := range shards {
		if _, _, err := WriteShard(ctx, st, id, sh, "sha256:cfg", started, []Item{testItem(t, "k."+sh, sh)}, started); err != nil {
			t.Fatal(err)
		}
	}
	files, err := ReadRun(ctx, st, id)
	if err != nil {
		t.Fatal(err)
	}
	meta := RunMeta{EvaluatedAt: started, EndedAt: started.Add(time.Minute)}
	meta.RunID = id
	res, err := digestReplayer(ctx, files, RunMeta{Plan: Plan{Shards: shards}})
	if err != nil {
		t.Fatal(err)
	}
	if err := FinishRun(ctx, st, meta, res, key); err != nil {
		t.Fatal(err)
	}
}

func TestRunLifecycle(t *testing.T) {
	ctx := context.Background()
	st := NewDirStore(t.TempDir())
	key := testKey(1)
	makeRun(t, st, "r1", t0, key, "a", "b")
	makeRun(t, st, "r2", t0.Add(time.Hour), key, "main")

	if err := BeginRun(ctx, st, Plan{RunID: "r3", Shards: []string{"a", "b"}, StartedAt: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WriteShard(ctx, st, "r3", "a", "", t0, []Item{testItem(t, "k", "x")}, t0); err != nil {
		t.Fatal(err)
	}

	runs, err := ListRuns(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		got = append(got, r.ID+":"+r.State)
	}
	if strings.Join(got, " ") != "r1:signed r2:signed r3:incomplete" {
		t.Fatalf("runs %v", got)
	}

	t.Run("an incomplete run is never signed", func(t *testing.T) {
		if _, err := SignRun(ctx, st, "r3", key); err == nil || !strings.Contains(err.Error(), "incomplete") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a missing shard is an error, not a smaller audit", func(t *testing.T) {
		files, _ := ReadRun(ctx, st, "r3")
		if _, err := RunEvidence(files, []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "shard b: no manifest") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a shard cannot be collected twice", func(t *testing.T) {
		if _, _, err := WriteShard(ctx, st, "r3", "a", "", t0, nil, t0); err == nil || !strings.Contains(err.Error(), "already collected") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("an unplanned shard is refused", func(t *testing.T) {
		if _, _, err := WriteShard(ctx, st, "r3", "c", "", t0, nil, t0); err == nil || !strings.Contains(err.Error(), "not \"c\"") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a run id is used once", func(t *testing.T) {
		if err := BeginRun(ctx, st, Plan{RunID: "r1", Shards: []string{"a"}}); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err %v", err)
		}
	})

	pub := key.Public().(ed25519.PublicKey)
	r1, _ := ReadRun(ctx, st, "r1")
	r2, _ := ReadRun(ctx, st, "r2")
	t.Run("the second run links to the first", func(t *testing.T) {
		if PeekPrevious(r2) != "r1" {
			t.Fatalf("previous %q", PeekPrevious(r2))
		}
		rep := Verify(ctx, r2, pub, WithRunName("r2"), WithPrevious("r1", r1), WithReplay(digestReplayer))
		if !rep.Verified {
			t.Fatalf("not verified: %+v", rep.Failures)
		}
	})
}

func TestVerifyNamesWhatIsWrong(t *testing.T) {
	ctx := context.Background()
	st := NewDirStore(t.TempDir())
	key := testKey(1)
	makeRun(t, st, "r1", t0, key, "a")
	makeRun(t, st, "r2", t0.Add(time.Hour), key, "a", "b")
	r1, _ := ReadRun(ctx, st, "r1")
	r2, _ := ReadRun(ctx, st, "r2")
	pub := key.Public().(ed25519.PublicKey)

	with := func(f func(m map[string][]byte)) map[string][]byte {
		c := map[string][]byte{}
		for k, v := range r2 {
			c[k] = bytes.Clone(v)
		}
		f(c)
		return c
	}
	wrongReplay := func(ctx context.Context, files map[string][]byte, meta RunMeta) ([]byte, error) {
		return []byte(`["something else"]`), nil
	}
	tests := []struct {
		name              string
		files             map[string][]byte
		pub               ed25519.PublicKey
		opts              []VerifyOption
		wantCheck, wantIn string
	}{
		{"untouched run verifies", r2, pub, nil, "", ""},
		{"changed evidence", with(func(m map[string][]byte) { m["evidence/a/k.a/a.json"][10] ^= 1 }), pub, nil, CheckFiles, "evidence/a/k.a/a.json"},
		{"deleted file", with(func(m map[string][]byte) { delete(m, "shards/b.json") }), pub, nil, CheckFiles, "shards/b.json"},
		{"added file", with(func(m map[string][]byte) { m["evidence/a/k.a/extra.json"] = []byte("{}") }), pub, nil, CheckFiles, "extra.json"},
		{"another key", r2, testKey(2).Public().(ed25519.PublicKey), nil, CheckSignature, StatementFile},
		{"incomplete marker", with(func(m map[string][]byte) { m[MarkerFile] = []byte("{}") }), pub, nil, CheckFiles, MarkerFile},
		{"renamed run", r2, pub, []VerifyOption{WithRunName("r9")}, CheckStatement, StatementFile},
		{"wrong previous run", r2, pub, []VerifyOption{WithPrevious("r2", r2)}, CheckChain, "r2/" + StatementFile},
		{"replay differs", r2, pub, []VerifyOption{WithReplay(wrongReplay)}, CheckReplay, ResultsFile},
		{"no replay", r2, pub, []VerifyOption{WithReplay(nil)}, CheckReplay, ResultsFile},
		{"changed evidence, replay skipped", with(func(m map[string][]byte) { m["evidence/a/k.a/a.json"][10] ^= 1 }), pub, []VerifyOption{WithoutReplay()}, CheckFiles, "evidence/a/k.a/a.json"},
		{"first run given a previous", r1, pub, []VerifyOption{WithRunName("r1"), WithPrevious("r2", r2)}, CheckChain, StatementFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]VerifyOption{WithRunName("r2"), WithPrevious("r1", r1), WithReplay(digestReplayer)}, tt.opts...)
			if tt.name == "first run given a previous" {
				opts = append([]VerifyOption{WithReplay(digestReplayer)}, tt.opts...)
			}
			rep := Verify(ctx, tt.files, tt.pub, opts...)
			if tt.wantCheck == "" {
				if !rep.Verified {
					t.Fatalf("not verified: %+v", rep.Failures)
				}
				return
			}
			if rep.Verified {
				t.Fatal("verified, want a failure")
			}
			for _, f := range rep.Failures {
				if f.Check == tt.wantCheck && strings.Contains(f.File, tt.wantIn) {
					return
				}
			}
			t.Fatalf("no %s failure naming %s: %+v", tt.wantCheck, tt.wantIn, rep.Failures)
		})
	}
}

func TestWithoutReplaySaysItDidNotReplay(t *testing.T) {
	ctx := context.Background()
	st := NewDirStore(t.TempDir())
	key := testKey(1)
	makeRun(t, st, "r1", t0, key, "a")
	files, _ := ReadRun(ctx, st, "r1")
	pub := key.Public().(ed25519.PublicKey)
	called := false
	wrong := func(ctx context.Context, files map[string][]byte, meta RunMeta) ([]byte, error) {
		called = true
		return []byte("other"), nil
	}
	rep := Verify(ctx, files, pub, WithRunName("r1"), WithReplay(wrong), WithoutReplay())
	last := rep.Checks[len(rep.Checks)-1]
	if !rep.Verified || rep.Replayed || called || last.Name != CheckReplay || last.Status != "skipped" {
		t.Fatalf("verified %v replayed %v replay called %v, last check %+v", rep.Verified, rep.Replayed, called, last)
	}
	rep = Verify(ctx, files, pub, WithRunName("r1"), WithReplay(digestReplayer))
	if !rep.Verified || !rep.Replayed {
		t.Fatalf("with replay: verified %v replayed %v", rep.Verified, rep.Replayed)
	}
}

func TestWithPreviousLookupChecksTheLinkOfTheVerifiedStatement(t *testing.T) {
	ctx := context.Background()
	st := NewDirStore(t.TempDir())
	key := testKey(1)
	makeRun(t, st, "r1", t0, key, "a")
	makeRun(t, st, "r2", t0.Add(time.Hour), key, "a")
	r1, _ := ReadRun(ctx, st, "r1")
	r2, _ := ReadRun(ctx, st, "r2")
	pub := key.Public().(ed25519.PublicKey)
	chain := func(lookup PreviousLookup) (CheckResult, []Failure) {
		t.Helper()
		var asked []string
		rep := Verify(ctx, r2, pub, WithRunName("r2"), WithReplay(digestReplayer), WithPreviousLookup(func(id string) (string, map[string][]byte, bool, error) {
			asked = append(asked, id)
			return lookup(id)
		}))
		if len(asked) != 1 || asked[0] != "r1" {
			t.Fatalf("looked up %v, want [r1]", asked)
		}
		for _, c := range rep.Checks {
			if c.Name == CheckChain {
				return c, rep.Failures
			}
		}
		t.Fatal("no chain check")
		return CheckResult{}, nil
	}
	c, _ := chain(func(string) (string, map[string][]byte, bool, error) {
		return "r1", map[string][]byte{StatementFile: r1[StatementFile]}, true, nil
	})
	if c.Status != "ok" || !strings.Contains(c.Detail, "previous run r1: statement sha256 matches") {
		t.Fatalf("found: %+v", c)
	}
	c, _ = chain(func(string) (string, map[string][]byte, bool, error) { return "", nil, false, nil })
	if c.Status != "ok" || !strings.Contains(c.Detail, "not present") {
		t.Fatalf("absent: %+v", c)
	}
	c, f := chain(func(string) (string, map[string][]byte, bool, error) {
		return "", nil, false, errors.New("permission denied")
	})
	if c.Status != "fail" || len(f) != 1 || !strings.Contains(f[0].Message, "permission denied") {
		t.Fatalf("unreadable: %+v %+v", c, f)
	}
	c, _ = chain(func(string) (string, map[string][]byte, bool, error) {
		return "r1", map[string][]byte{StatementFile: r2[StatementFile]}, true, nil
	})
	if c.Status != "fail" {
		t.Fatalf("another statement in its place: %+v", c)
	}
	c, _ = chain(func(string) (string, map[string][]byte, bool, error) { return "r1", map[string][]byte{}, true, nil })
	if c.Status != "fail" {
		t.Fatalf("no statement: %+v", c)
	}
}

func TestBundleIsDeterministicAndReadStrictly(t *testing.T) {
	files := map[string][]byte{"b.json": []byte("b"), "a/x.json": []byte("x"), "run.json": []byte("{}")}
	var one, two bytes.Buffer
	if err := WriteBundle(&one, "r1", files); err != nil {
		t.Fatal(err)
	}
	if err := WriteBundle(&two, "r1", files); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Fatal("the same run gave two different bundles")
	}
	id, got, err := ReadBundle(bytes.NewReader(one.Bytes()), "one")
	if err != nil || id != "r1" || len(got) != 3 || string(got["a/x.json"]) != "x" {
		t.Fatalf("read back %s %v %v", id, got, err)
	}

	tarOf := func(entries ...*tar.Header) []byte {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		for _, h := range entries {
			_ = tw.WriteHeader(h)
			if h.Typeflag == tar.TypeReg {
				_, _ = tw.Write(make([]byte, h.Size))
			}
		}
		_ = tw.Close()
		_ = gz.Close()
		return buf.Bytes()
	}
	reg := func(name string) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: 1, Mode: 0o644}
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"not gzip", []byte("plain"), "expected a gzip archive"},
		{"escaping name", tarOf(reg("r1/../../etc/passwd")), "expected <run-id>/<file>"},
		{"absolute name", tarOf(reg("/r1/x")), "expected <run-id>/<file>"},
		{"two runs", tarOf(reg("r1/x"), reg("r2/x")), "two runs"},
		{"duplicate entry", tarOf(reg("r1/x"), reg("r1/x")), "twice"},
		{"symlink", tarOf(&tar.Header{Typeflag: tar.TypeSymlink, Name: "r1/x", Linkname: "/etc/passwd"}), "expected a regular file"},
		{"empty", tarOf(), "no files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ReadBundle(bytes.NewReader(tc.b), tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDirStoreWritesOnceInsideItsRoot(t *testing.T) {
	ctx := context.Background()
	st := NewDirStore(t.TempDir())
	if err := st.Put(ctx, "runs/r1/a.json", []byte("1")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"rewrite", "runs/r1/a.json", "already exists"},
		{"escape", "../x", "invalid file name"},
		{"absolute", "/etc/x", "invalid file name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.Put(ctx, tc.file, []byte("2")); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("racing writers: exactly one wins", func(t *testing.T) {
		const n = 16
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func(i int) { errs <- st.Put(ctx, "runs/r1/race.json", []byte{byte(i)}) }(i)
		}
		won := 0
		for i := 0; i < n; i++ {
			if err := <-errs; err == nil {
				won++
			} else if !strings.Contains(err.Error(), "already exists") {
				t.Fatal(err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers won, want 1", won)
		}
	})
	if _, err := st.Get(ctx, "runs/r1/none"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v, want fs.ErrNotExist", err)
	}
	names, err := st.List(ctx, "runs")
	if err != nil || strings.Join(names, ",") != "runs/r1/a.json,runs/r1/race.json" {
		t.Fatalf("list %v %v", names, err)
	}
}

func TestStatementIsDeterministic(t *testing.T) {
	ctx := context.Background()
	st := NewDirStore(t.TempDir())
	makeRun(t, st, "r1", t0, nil, "a")
	files, err := ReadRun(ctx, st, "r1")
	if err != nil {
		t.Fatal(err)
	}
	one, err := BuildStatement("r1", files, nil, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	two, _ := BuildStatement("r1", files, nil, testKey(1))
	if !bytes.Equal(one, two) {
		t.Fatal("the same run gave two different statements")
	}
	for _, tc := range []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"an incomplete run", func(m map[string][]byte) { m[MarkerFile] = []byte("{}") }, "never signed"},
		{"no run.json", func(m map[string][]byte) { delete(m, RunFile) }, "never signed"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			c := map[string][]byte{}
			for k, v := range files {
				c[k] = v
			}
			tc.edit(c)
			if _, err := BuildStatement("r1", c, nil, testKey(1)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := BuildStatement("r2", files, nil, testKey(1)); err == nil || !strings.Contains(err.Error(), "names run") {
		t.Fatalf("statement of another run's files: %v", err)
	}
}

// failingStore fails the Put of one name, as a full disk or a refused upload would.
type failingStore struct {
	Store
	failing string
}

func (f failingStore) Put(ctx context.Context, name string, b []byte) error {
	if strings.HasSuffix(name, f.failing) {
		return fmt.Errorf("disk full writing %s", name)
	}
	return f.Store.Put(ctx, name, b)
}

// A shard's files are written several at a time; every one is there when the manifest is, and
// a write that fails leaves no manifest (the shard is not collected) and names the file.
func TestWriteShardWritesEveryFileBeforeTheManifest(t *testing.T) {
	ctx := context.Background()
	var items []Item
	for i := 0; i < 3*ioWorkers+5; i++ {
		items = append(items, testItem(t, "k", fmt.Sprintf("x%03d", i)))
	}
	cases := []struct {
		name, failing, wantErr string
	}{
		{"all written", "", ""},
		{"one write fails", FileName(items[len(items)/2]), "disk full writing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := NewDirStore(t.TempDir())
			var st Store = dir
			if tc.failing != "" {
				st = failingStore{Store: dir, failing: tc.failing}
			}
			if err := BeginRun(ctx, st, Plan{RunID: "r1", Shards: []string{"main"}, StartedAt: t0}); err != nil {
				t.Fatal(err)
			}
			m, _, err := WriteShard(ctx, st, "r1", "main", "", t0, items, t0)
			manifest := RunPath("r1", path.Join(ShardsDir, "main.json"))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.failing) {
					t.Fatalf("err %v, want %q naming %s", err, tc.wantErr, tc.failing)
				}
				if _, gerr := dir.Get(ctx, manifest); gerr == nil {
					t.Fatal("a manifest was written although a file failed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range m.Items {
				b, err := dir.Get(ctx, RunPath("r1", path.Join(EvidenceDir, "main", e.Path)))
				if err != nil || Digest(b) != e.Digest {
					t.Fatalf("%s: %v, digest %s want %s", e.Path, err, Digest(b), e.Digest)
				}
			}
			if len(m.Items) != len(items) {
				t.Fatalf("manifest lists %d items, want %d", len(m.Items), len(items))
			}
		})
	}
}
