package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
)

// awsProgress reports the AWS collector's progress: on a terminal one line rewritten in place
// (tasks done, errors, the latest account/region/service); otherwise plain log lines (debug for
// each task, a warning for each task with errors), so CI logs stay readable.
type awsProgress struct {
	mu          sync.Mutex
	w           io.Writer
	tty         bool
	log         *slog.Logger
	done, errs  int
	wroteToLine bool
}

func newAWSProgress(w io.Writer, log *slog.Logger) *awsProgress {
	return &awsProgress{w: w, tty: isTerminal(w), log: log}
}

// isTerminal reports whether w is a character device (a terminal), not a file or pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *awsProgress) task(account, region, service string, items, errors int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.errs += errors
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[Kaws: %d tasks, %d errors · %s %s %s", p.done, p.errs, account, region, service)
		p.wroteToLine = true
		return
	}
	if errors > 0 {
		p.log.Warn("aws collected with errors", "account", account, "region", region, "service", service, "items", items, "errors", errors)
		return
	}
	p.log.Debug("aws collected", "account", account, "region", region, "service", service, "items", items)
}

// finish ends the terminal line.
func (p *awsProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.wroteToLine {
		fmt.Fprintln(p.w)
	}
}
