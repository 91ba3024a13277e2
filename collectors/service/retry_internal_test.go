package service

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
)

func TestTransient(t *testing.T) {
	var syntax *json.SyntaxError
	_ = json.Unmarshal([]byte(`{"items":`), &syntax)
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		// Asked again: the answer may differ later.
		{"429", &statusError{code: 429}, true},
		{"500", &statusError{code: 500}, true},
		{"502", &statusError{code: 502}, true},
		{"503", &statusError{code: 503}, true},
		{"504", &statusError{code: 504}, true},
		{"connection reset", fmt.Errorf("GET u: %w", reset), true},
		{"connection closed before an answer", fmt.Errorf("GET u: %w", io.EOF), true},
		{"answer cut short", fmt.Errorf("GET u: reading the answer: %w", io.ErrUnexpectedEOF), true},
		// Recorded at once.
		{"nil", nil, false},
		{"401", &statusError{code: 401}, false},
		{"403", &statusError{code: 403}, false},
		{"404", &statusError{code: 404}, false},
		{"no answer within the timeout", fmt.Errorf("GET u: no answer within the timeout: %w", &url.Error{Op: "Get", URL: "u", Err: context.DeadlineExceeded}), false},
		{"collection cancelled", context.Canceled, false},
		{"unknown certificate authority", fmt.Errorf("GET u: %w", x509.UnknownAuthorityError{}), false},
		{"contract broken", fmt.Errorf("GET /incidents page 1: %w", fmt.Errorf("answer is not a JSON object: %w", syntax)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transient(tt.err); got != tt.want {
				t.Errorf("transient(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// The wait before a path's second pass lies in [max/2, max) and is the same in every run.
func TestSecondPassBackoff(t *testing.T) {
	for _, p := range []string{"/evidence/v1/incidents", "/evidence/v1/accounts"} {
		d := secondPassBackoff(pathBackoff, p)
		if d < pathBackoff/2 || d >= pathBackoff || d != secondPassBackoff(pathBackoff, p) {
			t.Errorf("%s: %s, want the same wait in [%s, %s) every time", p, d, pathBackoff/2, pathBackoff)
		}
	}
}
