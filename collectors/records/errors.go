package records

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is one problem in an input file, located so that the person who exported the file can
// find and fix it: "FILE:LINE: column X: message". Line 0 means the problem is with the file as
// a whole; Column is the records column or the YAML field (dotted, "document.sha256"), if any.
type Error struct {
	File   string
	Line   int
	Column string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxErrors caps how many problems one file reports. Reporting several at once saves the
// staffer a round trip per typo; reporting thousands (a file in the wrong format) helps no one.
const maxErrors = 20

// errorList gathers the problems of one file.
type errorList struct {
	file string
	errs []error
	more int
}

func (l *errorList) add(line int, column, format string, args ...any) {
	l.addErr(&Error{File: l.file, Line: line, Column: column, Msg: fmt.Sprintf(format, args...)})
}

func (l *errorList) addErr(err error) {
	if len(l.errs) >= maxErrors {
		l.more++
		return
	}
	l.errs = append(l.errs, err)
}

// err returns nil when nothing went wrong, else every problem joined, one per line.
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	errs := l.errs
	if l.more > 0 {
		errs = append(errs[:len(errs):len(errs)], &Error{File: l.file,
			Msg: fmt.Sprintf("%d more problems not shown; fix the ones above first", l.more)})
	}
	return errors.Join(errs...)
}

// quote renders a value for an error message, cut short so that a whole pasted document does
// not end up in the message.
func quote(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// position returns the 1-based line and column (in characters) of byte offset off in data.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, utf8.RuneCount(data[start:off]) + 1
}

// utf8BOM is what Excel's "CSV UTF-8" and some editors put before the first byte. It is encoding
// metadata, not data: dropping it keeps the first header name from reading "\ufeffemployee_id".
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// checkText strips a UTF-8 byte-order mark and refuses text that is not UTF-8. Japanese Excel
// saves "CSV" as Shift_JIS by default; decoders would silently turn it into replacement
// characters, so the staffer is told where and how to re-save instead.
func checkText(file string, data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size == 1 {
			line, col := position(data, off)
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf(
				"character %d is not UTF-8 text (Shift_JIS?); save the file as UTF-8 (in Excel: \"CSV UTF-8\")", col)}
		}
		off += size
	}
	return data, nil
}
