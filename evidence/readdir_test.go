//go:build unix

package evidence

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// ReadRunDir reads every file, in more directories than it holds open at once, and refuses
// anything but regular files and directories.
func TestReadRunDir(t *testing.T) {
	dir := t.TempDir()
	want := map[string][]byte{}
	for i := 0; i < 300; i++ {
		for j := 0; j < 2; j++ {
			rel := fmt.Sprintf("evidence/main/k%03d/f%d.json", i, j)
			want[rel] = []byte(rel + "\n")
		}
	}
	want["run.json"] = []byte("{}\n")
	want[".hidden.tmp-1"] = []byte("counts too")
	want["empty"] = []byte{}
	for rel, b := range want {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadRunDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d files, want %d", len(got), len(want))
	}
	for rel, b := range want {
		if g, ok := got[rel]; !ok || string(g) != string(b) {
			t.Fatalf("%s: %q, want %q", rel, g, b)
		}
	}
	if !reflect.DeepEqual(got["empty"], []byte{}) {
		t.Fatalf("empty file read as %#v", got["empty"])
	}

	link := filepath.Join(dir, "evidence", "main", "k150", "link.json")
	if err := os.Symlink(filepath.Join(dir, "run.json"), link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRunDir(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("symlink: err %v", err)
	}
	os.Remove(link)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRunDir(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("fifo: err %v", err)
	}
}

// A file replaced after the walk saw it (by a link or a FIFO) is refused when read, not
// followed or blocked on.
func TestDirReaderRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644)
	os.Symlink("file", filepath.Join(dir, "link"))
	syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600)
	r, err := openDirReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	if b, err := r.readFile("file"); err != nil || string(b) != "x" {
		t.Fatalf("file: %q %v", b, err)
	}
	for _, name := range []string{"link", "fifo"} {
		if _, err := r.readFile(name); err == nil {
			t.Fatalf("%s read", name)
		}
	}
	if _, err := r.readFile("missing"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}
