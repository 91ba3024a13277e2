package evidence

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"
)

// signedBundle is a bundle of a complete run signed with testKey(1), as `shoko runs bundle` writes it.
func signedBundle(tb testing.TB) []byte {
	tb.Helper()
	st := NewDirStore(tb.TempDir())
	ctx := context.Background()
	started := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	if err := BeginRun(ctx, st, Plan{RunID: "r1", Tool: "fuzz", Shards: []string{"main"}, StartedAt: started}); err != nil {
		tb.Fatal(err)
	}
	if err := WriteCatalog(ctx, st, "r1", map[string][]byte{"controls/A-01.yaml": []byte("id: A-01\n")}); err != nil {
		tb.Fatal(err)
	}
	it, err := NewOK("k.main", map[string]string{"file": "a"}, started, CollectorInfo{Name: "fuzz"}, nil, []string{"a"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := WriteShard(ctx, st, "r1", "main", "sha256:cfg", started, []Item{it}, started); err != nil {
		tb.Fatal(err)
	}
	meta := RunMeta{EvaluatedAt: started, EndedAt: started}
	meta.RunID, meta.Shards = "r1", []string{"main"}
	if err := FinishRun(ctx, st, meta, []byte(`{"results":[]}`), testKey(1)); err != nil {
		tb.Fatal(err)
	}
	files, err := ReadRun(ctx, st, "r1")
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteBundle(&b, "r1", files); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// FuzzVerifyBundle feeds arbitrary bytes to what `shoko verify run.tar.gz` does: read the bundle
// strictly, then verify it. Neither may panic, memory stays bounded by the bundle limits, and
// nothing but the untouched signed bundle may verify.
//
// Inputs that do not start with the gzip magic are gzipped first: gzip's checksum rejects almost
// every mutation of a compressed stream, so without this the fuzzer would never reach the tar
// reader or verify.
func FuzzVerifyBundle(f *testing.F) {
	signed := signedBundle(f)
	f.Add(signed)
	f.Add(gunzip(f, signed))
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b})
	var evil bytes.Buffer
	tw := tar.NewWriter(&evil)
	_ = tw.WriteHeader(&tar.Header{Name: "r1/../../etc/passwd", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("x"))
	_ = tw.Close()
	f.Add(evil.Bytes())
	pub := testKey(1).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, b []byte) {
		in := b
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.NoCompression) // valid gzip, and cheap per input
			_, _ = zw.Write(b)
			_ = zw.Close()
			in = z.Bytes()
		}
		id, files, err := ReadBundle(bytes.NewReader(in), "fuzz.tar.gz")
		if err != nil {
			return
		}
		var total int
		for _, data := range files {
			total += len(data)
		}
		if total > maxBundleTotal {
			t.Fatalf("read %d bytes, over the bundle limit %d", total, maxBundleTotal)
		}
		replayed := func(context.Context, map[string][]byte, RunMeta) ([]byte, error) {
			return nil, errors.New("no engine in this test: replay fails closed")
		}
		rep := Verify(context.Background(), files, pub, WithRunName(id), WithReplay(replayed))
		if rep == nil {
			t.Fatal("Verify returned no report")
		}
		if rep.Verified {
			t.Fatalf("a bundle verified although its replay failed: %+v", rep)
		}
	})
}
