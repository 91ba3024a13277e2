package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// LoadDir reads every *.json evidence item below root, in path order.
func LoadDir(root string) ([]Stored, error) {
	return LoadFS(os.DirFS(root), root)
}

// LoadFS reads every *.json evidence item in fsys, in path order. name is used in errors.
func LoadFS(fsys fs.FS, name string) ([]Stored, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read evidence in %s: %w", name, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("read evidence in %s: no evidence items (*.json) found", name)
	}
	sort.Strings(paths)
	items := make([]Stored, 0, len(paths))
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read evidence %s: %w", path.Join(name, p), err)
		}
		it, err := Decode(b)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: %w", filepath.Join(name, p), err)
		}
		items = append(items, Stored{Item: it, Path: p, Digest: Digest(b)})
	}
	return items, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName is the path, relative to the evidence root, at which an item is stored:
// <kind>/<scope values joined by "_">.json, with unsafe characters replaced.
func FileName(it Item) string {
	keys := make([]string, 0, len(it.Scope))
	for k := range it.Scope {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, unsafeName.ReplaceAllString(it.Scope[k], "-"))
	}
	base := strings.Join(parts, "_")
	if base == "" {
		base = "item"
	}
	return path.Join(unsafeName.ReplaceAllString(it.Kind, "-"), base+".json")
}

// WriteDir writes items below root, each at FileName, atomically (temp file, fsync, rename).
// Two items with the same kind and scope are an error: one would silently replace the other.
func WriteDir(root string, items []Item) ([]Stored, error) {
	seen := map[string]bool{}
	out := make([]Stored, 0, len(items))
	for _, it := range items {
		name := FileName(it)
		if seen[name] {
			return nil, fmt.Errorf("write evidence: two items of kind %s with the same scope (%s)", it.Kind, name)
		}
		seen[name] = true
		b, err := Encode(it)
		if err != nil {
			return nil, err
		}
		if err := WriteFileAtomic(filepath.Join(root, filepath.FromSlash(name)), b, 0o644); err != nil {
			return nil, err
		}
		out = append(out, Stored{Item: it, Path: name, Digest: Digest(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// WriteFileAtomic writes b to name so that a reader sees either the old file or the whole new
// one: a temp file in the same directory, fsync, rename, fsync of the directory.
func WriteFileAtomic(name string, b []byte, perm os.FileMode) error {
	return WriteFileAtomicFrom(name, perm, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteFileAtomicFrom is WriteFileAtomic for content written by write, so a large file (a
// results.json of 100,000 findings) need not be held in memory whole first.
func WriteFileAtomicFrom(name string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		serr := d.Sync()
		_ = d.Close()
		if serr != nil && !errors.Is(serr, os.ErrInvalid) {
			return fmt.Errorf("sync directory of %s: %w", name, serr)
		}
	}
	return nil
}
