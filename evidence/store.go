package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Store holds runs: a local directory (the default) or an S3 bucket with Object Lock (at scale,
// shared by several collecting processes). Names are slash-separated paths relative to the
// store's root, such as "runs/<id>/results.json".
//
// Files of a run are written once and never rewritten: a store may refuse a second Put of the
// same name (S3 with Object Lock does). The only files that change are markers (the
// "INCOMPLETE" marker of a run in progress), which PutMarker writes and DeleteMarker removes.
type Store interface {
	// Put writes a whole file: a reader sees it complete or not at all.
	Put(ctx context.Context, name string, b []byte) error
	// Get reads a file; a missing one is an error wrapping fs.ErrNotExist.
	Get(ctx context.Context, name string) ([]byte, error)
	// List returns the names of the files below prefix (a directory name, without the
	// trailing slash), sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// PutMarker writes a marker file that DeleteMarker may later remove.
	PutMarker(ctx context.Context, name string, b []byte) error
	// DeleteMarker removes a marker file; a missing one is not an error.
	DeleteMarker(ctx context.Context, name string) error
	// String names the store in messages (a directory path or an s3:// URL).
	String() string
}

// OpenStore opens the store a location names: "s3://bucket/prefix" or a directory path.
// S3 options (Object Lock mode and retention) are passed as opts.
func OpenStore(ctx context.Context, location string, opts ...S3Option) (Store, error) {
	if strings.HasPrefix(location, "s3://") {
		st, err := OpenS3Store(ctx, location, opts...)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	if location == "" {
		return nil, errors.New("store: no location given (a directory or s3://bucket/prefix)")
	}
	return NewDirStore(location), nil
}

// DirStore is a store in a local directory. Writes are atomic: temp file, fsync, rename.
type DirStore struct{ root string }

// NewDirStore returns the store rooted at dir (created on first write).
func NewDirStore(dir string) *DirStore { return &DirStore{root: dir} }

// Root is the store's directory.
func (d *DirStore) Root() string { return d.root }

func (d *DirStore) String() string { return d.root }

// checkName refuses names that would escape the store (absolute, "..", backslashes).
func checkName(name string) error {
	if name == "" || !fs.ValidPath(name) || strings.Contains(name, `\`) {
		return fmt.Errorf("store: invalid file name %q (want a relative slash path without ..)", name)
	}
	return nil
}

func (d *DirStore) path(name string) string { return filepath.Join(d.root, filepath.FromSlash(name)) }

// Put writes name atomically and only once: the bytes go to a temp file that is fsynced and then
// hard-linked to the name, which fails if the name exists, so two writers racing for one name
// cannot silently replace each other (rename would).
func (d *DirStore) Put(ctx context.Context, name string, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkName(name); err != nil {
		return err
	}
	p := d.path(name)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store %s: write %s: %w", d.root, name, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("store %s: write %s: %w", d.root, name, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("store %s: write %s: %w", d.root, name, err)
	}
	if err := os.Link(tmp.Name(), p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("store %s: %s already exists; run files are written once", d.root, name)
		}
		return fmt.Errorf("store %s: write %s: %w", d.root, name, err)
	}
	if f, err := os.Open(dir); err == nil {
		serr := f.Sync()
		_ = f.Close()
		if serr != nil && !errors.Is(serr, os.ErrInvalid) {
			return fmt.Errorf("store %s: sync directory of %s: %w", d.root, name, serr)
		}
	}
	return nil
}

// Get reads name.
func (d *DirStore) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(d.path(name))
	if err != nil {
		return nil, fmt.Errorf("store %s: read %s: %w", d.root, name, err)
	}
	return b, nil
}

// List walks the directory below prefix. Temp files of interrupted writes (".*.tmp-*") are
// left out: they were never part of the store.
func (d *DirStore) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkName(prefix); err != nil {
		return nil, err
	}
	var names []string
	err := filepath.WalkDir(d.path(prefix), func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == d.path(prefix) {
				return fs.SkipAll
			}
			return err
		}
		if de.IsDir() {
			return nil
		}
		if isTempName(de.Name()) {
			return nil
		}
		if !de.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: list %s: %w", d.root, prefix, err)
	}
	sort.Strings(names)
	return names, nil
}

// PutMarker writes (or replaces) a marker atomically.
func (d *DirStore) PutMarker(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	return WriteFileAtomic(d.path(name), b, 0o644)
}

// DeleteMarker removes a marker and syncs its directory, so the removal survives a crash.
func (d *DirStore) DeleteMarker(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	p := d.path(name)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store %s: remove %s: %w", d.root, name, err)
	}
	if dir, err := os.Open(filepath.Dir(p)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}

// isTempName matches the temp files WriteFileAtomic creates.
func isTempName(base string) bool {
	return strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp-")
}

// readTree reads every file below prefix into memory, names relative to prefix.
func readTree(ctx context.Context, s Store, prefix string) (map[string][]byte, error) {
	names, err := s.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := s.Get(ctx, n)
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(n, prefix+"/")] = b
	}
	return out, nil
}
