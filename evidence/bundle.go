package evidence

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

// bundleTime is the modification time of every bundle entry: fixed, so the same run always
// gives the same archive bytes.
var bundleTime = time.Unix(0, 0).UTC()

// Bundle limits: a bundle is untrusted input until verified.
const (
	maxBundleFile  = 1 << 30
	maxBundleTotal = 8 << 30
)

// WriteBundle writes a run as a deterministic .tar.gz: entries "<id>/<name>" in name order,
// regular files only, mode 0644, uid/gid 0, no owner names, mtime 0; a gzip header without
// name or time. The same files give the same bytes.
func WriteBundle(w io.Writer, id string, files map[string][]byte) error {
	if err := CheckRunID(id); err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := checkName(n); err != nil {
			return err
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: id + "/" + n, Mode: 0o644, Size: int64(len(files[n])),
			ModTime: bundleTime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("bundle %s: %w", n, err)
		}
		if _, err := tw.Write(files[n]); err != nil {
			return fmt.Errorf("bundle %s: %w", n, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// ReadBundle reads a bundle strictly: one top directory (the run id), regular files below it,
// no duplicate, absolute or escaping names, bounded sizes.
func ReadBundle(r io.Reader, name string) (string, map[string][]byte, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return "", nil, fmt.Errorf("bundle %s: expected a gzip archive: %w", name, err)
	}
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	id := ""
	var total int64
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		if hdr.Typeflag == tar.TypeDir {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			return "", nil, fmt.Errorf("bundle %s: entry %s: expected a regular file, found type %q", name, hdr.Name, hdr.Typeflag)
		}
		clean := path.Clean(hdr.Name)
		top, rest, ok := strings.Cut(clean, "/")
		if !ok || clean != hdr.Name || checkName(clean) != nil {
			return "", nil, fmt.Errorf("bundle %s: entry %q: expected <run-id>/<file>", name, hdr.Name)
		}
		if id == "" {
			id = top
		} else if top != id {
			return "", nil, fmt.Errorf("bundle %s: entries of two runs (%s and %s)", name, id, top)
		}
		if _, dup := files[rest]; dup {
			return "", nil, fmt.Errorf("bundle %s: entry %s twice", name, hdr.Name)
		}
		if hdr.Size > maxBundleFile || total+hdr.Size > maxBundleTotal {
			return "", nil, fmt.Errorf("bundle %s: entry %s too large", name, hdr.Name)
		}
		b, err := io.ReadAll(io.LimitReader(tr, hdr.Size+1))
		if err != nil {
			return "", nil, fmt.Errorf("bundle %s: %s: %w", name, hdr.Name, err)
		}
		total += int64(len(b))
		files[rest] = b
	}
	if id == "" {
		return "", nil, fmt.Errorf("bundle %s: no files", name)
	}
	if err := CheckRunID(id); err != nil {
		return "", nil, fmt.Errorf("bundle %s: %w", name, err)
	}
	return id, files, nil
}
