package faultproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// upstream answers every connection with the same 64 KiB and closes.
func upstream(t *testing.T, answer []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = c.Write(answer)
			}()
		}
	}()
	return ln.Addr().String()
}

// Each fault kind breaks the answer the way it says; a zero Fault forwards it intact.
func TestFaultKinds(t *testing.T) {
	answer := bytes.Repeat([]byte("shoko-"), 64*1024/6)
	up := upstream(t, answer)
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, got []byte, err error)
	}{
		{"faithful", Fault{}, func(t *testing.T, got []byte, err error) {
			if err != nil || !bytes.Equal(got, answer) {
				t.Fatalf("got %d bytes, err %v; want the answer intact", len(got), err)
			}
		}},
		{"reset", Fault{Kind: Reset, Rate: 1, MaxOffset: 1000}, func(t *testing.T, got []byte, err error) {
			if err == nil || len(got) >= len(answer) {
				t.Fatalf("got %d bytes, err %v; want a reset before the end", len(got), err)
			}
		}},
		{"truncate", Fault{Kind: Truncate, Rate: 1, MaxOffset: 1000}, func(t *testing.T, got []byte, err error) {
			if err != nil || len(got) >= 1000 || !bytes.Equal(got, answer[:len(got)]) {
				t.Fatalf("got %d bytes, err %v; want a clean EOF inside the first 1000 bytes", len(got), err)
			}
		}},
		{"garbage", Fault{Kind: Garbage, Rate: 1, MaxOffset: 1000}, func(t *testing.T, got []byte, err error) {
			if err != nil || len(got) != len(answer) || bytes.Equal(got, answer) {
				t.Fatalf("got %d bytes, err %v; want as many bytes, not the answer", len(got), err)
			}
		}},
		{"stall", Fault{Kind: Stall, Rate: 1}, func(t *testing.T, got []byte, err error) {
			if !errors.Is(err, os.ErrDeadlineExceeded) || len(got) != 0 {
				t.Fatalf("got %d bytes, err %v; want nothing until the deadline", len(got), err)
			}
		}},
		{"only the named connection", Fault{Kind: Truncate, Conns: []int{2}}, func(t *testing.T, got []byte, err error) {
			if err != nil || !bytes.Equal(got, answer) {
				t.Fatalf("connection 1 got %d bytes, err %v; want it intact", len(got), err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(up, tt.fault)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			c, err := net.Dial("tcp", p.Addr)
			if err != nil {
				// A reset at offset 0 can reach the client before its connect returns: the
				// fault's outcome, judged by the same check (every other kind fails on it).
				tt.check(t, nil, err)
				return
			}
			defer c.Close()
			_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			got, err := io.ReadAll(c)
			tt.check(t, got, err)
		})
	}
}

func TestRateOutsideRangeIsRefused(t *testing.T) {
	for _, rate := range []float64{0, -0.1, 1.5} {
		if _, err := Start("127.0.0.1:1", Fault{Kind: Reset, Rate: rate}); err == nil {
			t.Errorf("rate %v accepted", rate)
		}
	}
}
