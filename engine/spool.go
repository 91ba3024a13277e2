package engine

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// A spooled evaluation (Engine.EvaluateSpooled) writes each job's findings to a temporary file
// as soon as the job has sorted them, already encoded exactly as results.json holds them, and
// keeps only counts and the few findings a control's reason names. results.json is then written
// by merging each control's sorted runs from the file. At 100,000 findings the findings held as
// Go values were ≈ 190 MB of a run's peak memory; spooled, a control costs one part's findings.

// findingIndent is the indentation of a finding in results.json (Write: controls at four
// spaces, a control's fields at six, its findings' elements at eight). A spooled finding is
// encoded at it once and copied as it is.
const findingIndent = "        "

// findingSpool is the temporary file of a spooled evaluation. Jobs append whole runs to it.
type findingSpool struct {
	mu   sync.Mutex
	f    *os.File
	size int64
	err  error // the first write error: every later run, and the results, fail with it
}

// spoolRun is one job's findings in the spool: count records, sorted, in pieces of the file
// (jobs write in parallel, each a piece at a time, so a run is not one stretch of the file).
type spoolRun struct {
	pieces []spoolPiece
	count  int
}

type spoolPiece struct{ off, size int64 }

func (r spoolRun) size() int64 {
	var n int64
	for _, p := range r.pieces {
		n += p.size
	}
	return n
}

// spoolPieceSize is how much of a run is made in memory before it is written: a part's
// findings are a few megabytes, and several parts run at once.
const spoolPieceSize = 256 << 10

// newFindingSpool creates the spool in dir (the system's temporary directory when empty). The
// file is removed from its directory at once: it needs no clean-up if the process dies, and the
// open descriptor keeps it readable until Close.
func newFindingSpool(dir string) (*findingSpool, error) {
	f, err := os.CreateTemp(dir, "shoko-findings-*.spool")
	if err != nil {
		return nil, fmt.Errorf("findings spool: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("findings spool: %w", err)
	}
	return &findingSpool{f: f}, nil
}

func (s *findingSpool) close() error { return s.f.Close() }

// appendPiece writes a piece of a run at the end of the file.
func (s *findingSpool) appendPiece(b []byte) (spoolPiece, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return spoolPiece{}, s.err
	}
	p := spoolPiece{off: s.size, size: int64(len(b))}
	if _, err := s.f.WriteAt(b, s.size); err != nil {
		s.err = fmt.Errorf("findings spool: %w", err)
		return spoolPiece{}, s.err
	}
	s.size += p.size
	return p, nil
}

// runWriter writes one job's sorted findings as a run, a piece at a time.
type runWriter struct {
	spool *findingSpool
	buf   []byte
	run   spoolRun
}

func (rw *runWriter) add(key string, body []byte) error {
	rw.buf = appendRecord(rw.buf, key, body)
	rw.run.count++
	if len(rw.buf) >= spoolPieceSize {
		return rw.flush()
	}
	return nil
}

func (rw *runWriter) flush() error {
	if len(rw.buf) == 0 {
		return nil
	}
	p, err := rw.spool.appendPiece(rw.buf)
	if err != nil {
		return err
	}
	rw.run.pieces = append(rw.run.pieces, p)
	rw.buf = rw.buf[:0]
	return nil
}

// finish writes what is left and returns the run.
func (rw *runWriter) finish() (spoolRun, error) {
	if err := rw.flush(); err != nil {
		return spoolRun{}, err
	}
	return rw.run, nil
}

// appendRecord adds one finding to a run being built: its sort key (before exceptions are
// applied, as the order is decided) and its results.json bytes, each preceded by its length.
func appendRecord(dst []byte, key string, body []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...)
}

// runReader reads the records of one run in order. A run that ends early, holds a broken
// record or has bytes left after its last record is an error: a damaged spool must never give
// a shorter results.json.
type runReader struct {
	r      *bufio.Reader
	left   int // records not yet read
	rest   int64
	index  int // the run's place among the control's runs, for ties
	key    string
	body   []byte
	params *string // the finding's params as sortFindings encodes them, read only on a key tie
}

// errSpoolDamaged is wrapped by every error of a run that cannot be read back whole.
var errSpoolDamaged = errors.New("findings spool is damaged")

func (s *findingSpool) reader(run spoolRun, index int) *runReader {
	pieces := make([]io.Reader, len(run.pieces))
	for i, p := range run.pieces {
		pieces[i] = io.NewSectionReader(s.f, p.off, p.size)
	}
	return &runReader{r: bufio.NewReaderSize(io.MultiReader(pieces...), 32<<10),
		left: run.count, rest: run.size(), index: index}
}

// next reads the next record; false at the end of the run.
func (rr *runReader) next() (bool, error) {
	if rr.left == 0 {
		if rr.rest != 0 {
			return false, fmt.Errorf("%w: %d bytes after the last finding of a run", errSpoolDamaged, rr.rest)
		}
		return false, nil
	}
	key, err := rr.field()
	if err != nil {
		return false, err
	}
	body, err := rr.field()
	if err != nil {
		return false, err
	}
	rr.key, rr.body, rr.params = string(key), body, nil
	rr.left--
	return true, nil
}

// field reads one length-prefixed field.
func (rr *runReader) field() ([]byte, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return nil, fmt.Errorf("%w: %d findings missing: %v", errSpoolDamaged, rr.left, err)
	}
	rr.rest -= int64(varintLen(n))
	if n > uint64(rr.rest) {
		return nil, fmt.Errorf("%w: a field of %d bytes in a run with %d left", errSpoolDamaged, n, rr.rest)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rr.r, b); err != nil {
		return nil, fmt.Errorf("%w: %v", errSpoolDamaged, err)
	}
	rr.rest -= int64(n)
	return b, nil
}

func varintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// paramsKey is the finding's params encoded as sortFindings compares them (json.Marshal of
// the Go value), decoded from its results.json bytes: needed only when two keys tie.
func (rr *runReader) paramsKey() (string, error) {
	if rr.params == nil {
		var f struct {
			Params map[string]any `json:"params"`
		}
		d := json.NewDecoder(bytes.NewReader(rr.body))
		d.UseNumber()
		if err := d.Decode(&f); err != nil {
			return "", fmt.Errorf("%w: a finding is not JSON: %v", errSpoolDamaged, err)
		}
		b, _ := json.Marshal(f.Params)
		s := string(b)
		rr.params = &s
	}
	return *rr.params, nil
}

// runMerge yields the findings of a control's runs in the order of sortFindings over all of
// them: by key, then params, then the run that came first (a stable sort of the runs one after
// the other).
type runMerge struct {
	readers []*runReader
	err     error
}

func (m *runMerge) Len() int { return len(m.readers) }
func (m *runMerge) Less(i, j int) bool {
	a, b := m.readers[i], m.readers[j]
	if a.key != b.key {
		return a.key < b.key
	}
	pa, err := a.paramsKey()
	if err == nil {
		var pb string
		if pb, err = b.paramsKey(); err == nil && pa != pb {
			return pa < pb
		}
	}
	if err != nil && m.err == nil {
		m.err = err
	}
	return a.index < b.index
}
func (m *runMerge) Swap(i, j int) { m.readers[i], m.readers[j] = m.readers[j], m.readers[i] }
func (m *runMerge) Push(x any)    { m.readers = append(m.readers, x.(*runReader)) }
func (m *runMerge) Pop() any {
	last := m.readers[len(m.readers)-1]
	m.readers = m.readers[:len(m.readers)-1]
	return last
}

// eachSpooled calls fn with the results.json bytes of every finding of runs, in order; it
// fails when a run cannot be read back whole.
func (s *findingSpool) eachSpooled(runs []spoolRun, fn func(body []byte) error) error {
	m := &runMerge{}
	for i, run := range runs {
		rr := s.reader(run, i)
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			m.readers = append(m.readers, rr)
		}
	}
	heap.Init(m)
	for m.Len() > 0 {
		if m.err != nil {
			return m.err
		}
		rr := m.readers[0]
		if err := fn(rr.body); err != nil {
			return err
		}
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(m, 0)
		} else {
			heap.Pop(m)
		}
	}
	return m.err
}
