//go:build !linux

package evidence

import (
	"fmt"
	"os"
	"path/filepath"
)

// dirReader reads the files of one directory; elsewhere than Linux, with os.ReadFile.
type dirReader struct{ dir string }

func openDirReader(dir string) (*dirReader, error) { return &dirReader{dir: dir}, nil }

func (d *dirReader) close() {}

func (d *dirReader) readFile(name string) ([]byte, error) {
	p := filepath.Join(d.dir, name)
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", p, errNotRegular)
	}
	return os.ReadFile(p)
}
