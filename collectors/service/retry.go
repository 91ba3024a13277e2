package service

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Transient failures of the evidence API are asked again, as the AWS SDK asks AWS again: each GET
// up to requestAttempts times, and a path whose pages still failed is read once more, whole, after
// a wait (its item then records request.attempts 2). Without this, one connection reset on one of
// thousands of reads turned the controls of that path into `error`. Only failures that a later
// answer may not repeat are asked again; a refusal (401, 403), a missing path (404), an answer
// that breaks the contract or a failed TLS handshake is recorded at once, as before. Neither is a
// GET that got no answer within the timeout: the configured timeout bounds what a service that never
// answers costs the audit (one timeout, whatever the paths and pages), and stays so.

const (
	// requestAttempts bounds the attempts of one GET.
	requestAttempts = 3
	// requestBackoff is the wait after a GET's first failed attempt, doubled after each further one.
	requestBackoff = 200 * time.Millisecond
	// pathBackoff bounds the wait before a path's second pass (see secondPassBackoff).
	pathBackoff = 2 * time.Second
)

// statusError is an answer other than 200 OK.
type statusError struct {
	url, message string
	code         int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d%s", e.url, e.code, e.message)
}

// transient reports whether a failed GET may be answered if asked again: the service said so
// (429 Too Many Requests, 500, 502, 503, 504), or the connection was reset or closed before a
// whole answer came. A timeout is not asked again (see above).
func transient(err error) bool {
	var ne net.Error
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		switch se.code {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// getAgain is get, asked again after a transient failure, up to requestAttempts times.
func getAgain(ctx context.Context, client *http.Client, u, token string, limit int64) ([]byte, error) {
	wait := requestBackoff
	for attempt := 1; ; attempt++ {
		body, err := get(ctx, client, u, token, limit)
		if err == nil || attempt == requestAttempts || !transient(err) || !sleep(ctx, wait) {
			return body, err
		}
		wait *= 2
	}
}

// secondPassBackoff is the wait before a path's second pass: between half of max and max, jittered
// by a hash of the path (not a random source), so paths that failed together do not ask again
// together and a run can be repeated exactly.
func secondPassBackoff(max time.Duration, path string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(path))
	share := float64(h.Sum64()>>11) / (1 << 53)
	return max/2 + time.Duration(share*float64(max/2))
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
