// Package faultproxy is a TCP proxy for tests that breaks some of the connections it forwards,
// the way networks and overloaded services do: a reset, a stall, garbage, or a clean close in the
// middle of the server's answer. It works below TLS, so the client sees exactly what a broken
// network gives it (a failed handshake, a bad record MAC, an unexpected EOF, a timeout).
//
// It exists to test that shoko fails closed: a fault may make a control `error`, never `pass`.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"
)

// Kind is what happens to a faulted connection once the server has sent Offset bytes to the client.
type Kind string

const (
	// Reset aborts the connection with a TCP RST (SO_LINGER 0).
	Reset Kind = "reset"
	// Stall stops forwarding and holds the connection open until the client gives up.
	Stall Kind = "stall"
	// Garbage replaces the rest of the server's bytes with noise.
	Garbage Kind = "garbage"
	// Truncate closes the connection cleanly (FIN), as a server crashing mid-answer would.
	Truncate Kind = "truncate"
)

// Kinds is every fault kind, for tables of tests.
var Kinds = []Kind{Reset, Stall, Garbage, Truncate}

// Fault says which connections break and how.
type Fault struct {
	Kind Kind
	// Rate is the share of connections faulted, in (0, 1]; 1 faults every connection.
	Rate float64
	// MaxOffset bounds how far into the server's answer the fault strikes: a connection is
	// faulted after a random number of bytes in [0, MaxOffset). 0 strikes before the first byte
	// (inside the TLS handshake).
	MaxOffset int
	// Seed makes the choice of connections and offsets repeatable.
	Seed uint64
	// Conns, when set, names exactly the connections to fault (1-based, in accept order)
	// instead of a Rate share: for a client whose connections come in a known order.
	Conns []int
}

// Proxy forwards connections from Addr to an upstream address, faulting some of them.
type Proxy struct {
	// Addr is host:port of the listener.
	Addr string

	ln       net.Listener
	upstream string
	fault    Fault
	mu       sync.Mutex
	rnd      *rand.Rand
	faulted  int
	total    int
	conns    map[net.Conn]bool
	wg       sync.WaitGroup
	closing  chan struct{}
}

// Start listens on 127.0.0.1 (a free port) and forwards to upstream with the fault (a zero Fault forwards faithfully).
func Start(upstream string, f Fault) (*Proxy, error) {
	if f.Kind != "" && len(f.Conns) == 0 && (f.Rate <= 0 || f.Rate > 1) {
		return nil, fmt.Errorf("faultproxy: rate %v is not in (0, 1]", f.Rate)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{Addr: ln.Addr().String(), ln: ln, upstream: upstream, fault: f,
		rnd: rand.New(rand.NewPCG(f.Seed, f.Seed^0x5eed)), conns: map[net.Conn]bool{}, closing: make(chan struct{})}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Counts is how many connections were accepted and how many of them were faulted.
func (p *Proxy) Counts() (faulted, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faulted, p.total
}

// Close stops listening, drops every connection and waits for the forwarding goroutines.
func (p *Proxy) Close() error {
	close(p.closing)
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		// The decision is made at accept, in accept order, so a seed gives the same faults for
		// the same sequence of connections.
		p.mu.Lock()
		p.total++
		strike := -1
		if p.fault.Kind != "" && p.chosen(p.total) {
			p.faulted++
			strike = 0
			if p.fault.MaxOffset > 0 {
				strike = p.rnd.IntN(p.fault.MaxOffset)
			}
		}
		p.conns[c] = true
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.forward(c, strike)
		}()
	}
}

// chosen says whether connection n (1-based) is faulted; called with p.mu held.
func (p *Proxy) chosen(n int) bool {
	if len(p.fault.Conns) > 0 {
		return slices.Contains(p.fault.Conns, n)
	}
	return p.rnd.Float64() < p.fault.Rate
}

func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = true
	p.mu.Unlock()
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
	p.mu.Unlock()
}

// forward copies both ways; when strike >= 0 the server→client direction breaks after strike bytes.
func (p *Proxy) forward(client net.Conn, strike int) {
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		p.untrack(client)
		return
	}
	p.track(up)
	defer p.untrack(client, up)
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(up, client)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		p.downstream(client, up, strike)
		done <- struct{}{}
	}()
	<-done
	if strike >= 0 && p.fault.Kind == Stall {
		// Hold the connection until the client gives up or the proxy closes.
		select {
		case <-done:
		case <-p.closing:
		}
	}
}

// downstream copies server bytes to the client, applying the fault at byte strike.
func (p *Proxy) downstream(client, up net.Conn, strike int) {
	if strike < 0 {
		_, _ = io.Copy(client, up)
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		return
	}
	if strike > 0 {
		if _, err := io.CopyN(client, up, int64(strike)); err != nil {
			return // the answer was shorter than the strike: nothing left to break
		}
	}
	switch p.fault.Kind {
	case Reset:
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // Close sends RST
		}
		client.Close()
	case Stall:
		// Keep reading from the server (so it is not blocked) but forward nothing.
		_, _ = io.Copy(io.Discard, up)
	case Garbage:
		buf := make([]byte, 32*1024)
		noise := rand.New(rand.NewPCG(uint64(strike), 7))
		for {
			n, err := up.Read(buf)
			for i := range buf[:n] {
				buf[i] = byte(noise.UintN(256))
			}
			if n > 0 {
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					return
				}
				if tc, ok := client.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				return
			}
		}
	case Truncate:
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, up)
	}
}
