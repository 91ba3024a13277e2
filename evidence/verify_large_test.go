package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// makeLargeRun writes a signed run with n items in each shard, enough for verify's worker pool
// to split the work, and returns its store and files.
func makeLargeRun(tb testing.TB, dir string, n int, key ed25519.PrivateKey, shards ...string) (*DirStore, map[string][]byte) {
	tb.Helper()
	ctx := context.Background()
	st := NewDirStore(dir)
	id := "big"
	if err := BeginRun(ctx, st, Plan{RunID: id, Tool: "test", Shards: shards, StartedAt: t0}); err != nil {
		tb.Fatal(err)
	}
	if err := WriteCatalog(ctx, st, id, map[string][]byte{"controls/A-01.yaml": []byte("id: A-01\n"), "policies/a.rego": []byte("package a\n")}); err != nil {
		tb.Fatal(err)
	}
	for _, sh := range shards {
		items := make([]Item, n)
		for i := range items {
			name := fmt.Sprintf("%s-%05d", sh, i)
			it, err := NewOK("k", map[string]string{"file": name}, t0, CollectorInfo{Name: "test", Version: "1"}, nil, []string{name})
			if err != nil {
				tb.Fatal(err)
			}
			items[i] = it
		}
		if _, _, err := WriteShard(ctx, st, id, sh, "sha256:cfg", t0, items, t0); err != nil {
			tb.Fatal(err)
		}
	}
	files, err := ReadRun(ctx, st, id)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := digestReplayer(ctx, files, RunMeta{Plan: Plan{Shards: shards}})
	if err != nil {
		tb.Fatal(err)
	}
	meta := RunMeta{EvaluatedAt: t0, EndedAt: t0.Add(time.Minute)}
	meta.RunID = id
	if err := FinishRun(ctx, st, meta, res, key); err != nil {
		tb.Fatal(err)
	}
	files, err = ReadRun(ctx, st, id)
	if err != nil {
		tb.Fatal(err)
	}
	return st, files
}

// With hundreds of files the digests, reads and decodes run on several goroutines: the report
// must be the same, failures in the same order, every time.
func TestVerifyOfALargeRunIsDeterministic(t *testing.T) {
	ctx := context.Background()
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	st, files := makeLargeRun(t, t.TempDir(), 300, key, "a", "b")

	dirFiles, err := ReadRunDir(filepath.Join(st.Root(), RunPath("big", "")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dirFiles, files) {
		t.Fatal("ReadRunDir and ReadRun read different files")
	}
	if rep := Verify(ctx, files, pub, WithRunName("big"), WithReplay(digestReplayer)); !rep.Verified {
		t.Fatalf("not verified: %+v", rep.Failures)
	}

	tampered := map[string][]byte{}
	for k, v := range files {
		tampered[k] = bytes.Clone(v)
	}
	for _, n := range []string{"evidence/b/k/b-00250.json", "evidence/a/k/a-00007.json", "evidence/a/k/a-00199.json"} {
		tampered[n][12] ^= 1
	}
	delete(tampered, "evidence/b/k/b-00001.json")
	tampered["evidence/a/k/zz-extra.json"] = []byte("{}")
	tampered["evidence/a/k/aa-extra.json"] = []byte("{}")
	want := []string{
		"evidence/a/k/a-00007.json changed after signing",
		"evidence/a/k/a-00199.json changed after signing",
		"evidence/b/k/b-00001.json signed but missing",
		"evidence/b/k/b-00250.json changed after signing",
		"evidence/a/k/aa-extra.json not signed: added after signing",
		"evidence/a/k/zz-extra.json not signed: added after signing",
	}
	for i := 0; i < 5; i++ {
		rep := Verify(ctx, tampered, pub, WithRunName("big"), WithReplay(digestReplayer))
		var got []string
		for _, f := range rep.Failures {
			got = append(got, f.File+" "+f.Message)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("failures\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if rep.Checks[len(rep.Checks)-1].Status != "not_run" {
			t.Fatalf("replay ran on tampered files: %+v", rep.Checks)
		}
	}

	// RunEvidence on the tampered files: every problem named, in a stable order.
	var first string
	for i := 0; i < 5; i++ {
		_, err := RunEvidence(tampered, []string{"a", "b"})
		if err == nil {
			t.Fatal("RunEvidence accepted tampered evidence")
		}
		if i == 0 {
			first = err.Error()
			for _, s := range []string{"a-00007.json: digest", "a-00199.json: digest", "b-00250.json: digest",
				"b-00001.json: listed in shards/b.json but missing", "zz-extra.json: not in the manifest", "aa-extra.json: not in the manifest"} {
				if !strings.Contains(first, s) {
					t.Fatalf("RunEvidence error lacks %q:\n%s", s, first)
				}
			}
		} else if err.Error() != first {
			t.Fatalf("RunEvidence error changed between runs:\n%s\n%s", first, err)
		}
	}
}

// BenchmarkVerifyIntegrity measures verify without the engine: reading a run of 10,000 one-item
// files from disk, the signature, every digest, and RunEvidence (manifests, digests, decoding),
// which the replay starts with. `go test -bench VerifyIntegrity -cpuprofile cpu.out ./evidence/`
func BenchmarkVerifyIntegrity(b *testing.B) {
	ctx := context.Background()
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	st, _ := makeLargeRun(b, b.TempDir(), 10000, key, "main")
	dir := filepath.Join(st.Root(), RunPath("big", ""))
	b.ResetTimer()
	for b.Loop() {
		files, err := ReadRunDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		if rep := Verify(ctx, files, pub, WithRunName("big"), WithReplay(digestReplayer)); !rep.Verified {
			b.Fatalf("not verified: %+v", rep.Failures)
		}
	}
}
