package alerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// selfSignedCert makes a CA-signed-by-itself certificate for 127.0.0.1 and localhost, and
// writes its PEM to a file (the ca_file of a private CA).
func selfSignedCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "shoko test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caFile
}

// smtpServer is a small SMTP server on loopback that really speaks the protocol: EHLO,
// STARTTLS (a real TLS handshake), AUTH PLAIN, MAIL, RCPT, DATA, QUIT. It records every
// command and each message received.
type smtpServer struct {
	addr     string
	ln       net.Listener
	cert     tls.Certificate
	startTLS bool // offer STARTTLS

	mu       sync.Mutex
	commands []string // verb of each command, with "(tls)" after STARTTLS
	auths    []string // the decoded AUTH PLAIN credentials ("user:password")
	messages []smtpMessage
	wg       sync.WaitGroup
}

type smtpMessage struct {
	from string
	to   []string
	data string
	tls  bool
}

func startSMTP(t *testing.T, cert tls.Certificate, offerSTARTTLS bool) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String(), ln: ln, cert: cert, startTLS: offerSTARTTLS}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *smtpServer) port(t *testing.T) int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (s *smtpServer) record(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	inTLS := false
	var msg smtpMessage
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	if !reply("220 test.local ESMTP shoko-test") {
		return
	}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.record(func() {
			v := verb
			if inTLS {
				v += "(tls)"
			}
			s.commands = append(s.commands, v)
		})
		switch verb {
		case "EHLO", "HELO":
			lines := []string{"test.local"}
			if s.startTLS && !inTLS {
				lines = append(lines, "STARTTLS")
			}
			if inTLS {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "8BITMIME")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250%s%s", sep, l) {
					return
				}
			}
		case "STARTTLS":
			if !s.startTLS || inTLS {
				reply("502 not offered")
				continue
			}
			if !reply("220 ready to start TLS") {
				return
			}
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12})
			if err := tc.Handshake(); err != nil {
				s.record(func() { s.commands = append(s.commands, "handshake failed") })
				return
			}
			conn, tp, inTLS = tc, textproto.NewConn(tc), true
			msg = smtpMessage{}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if strings.ToUpper(mech) != "PLAIN" {
				reply("504 unrecognised mechanism")
				continue
			}
			if resp == "" {
				reply("334 ")
				if resp, err = tp.ReadLine(); err != nil {
					return
				}
			}
			raw, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 {
				s.record(func() { s.auths = append(s.auths, parts[1]+":"+parts[2]) })
			}
			reply("235 2.7.0 authenticated")
		case "MAIL":
			msg.from = strings.TrimPrefix(strings.Fields(arg)[0], "FROM:")
			reply("250 ok")
		case "RCPT":
			msg.to = append(msg.to, strings.TrimPrefix(arg, "TO:"))
			reply("250 ok")
		case "DATA":
			if !reply("354 end with .") {
				return
			}
			lines, err := tp.ReadDotLines()
			if err != nil {
				return
			}
			msg.data, msg.tls = strings.Join(lines, "\n"), inTLS
			m := msg
			s.record(func() { s.messages = append(s.messages, m) })
			msg = smtpMessage{}
			reply("250 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

func (s *smtpServer) snapshot() (commands, auths []string, messages []smtpMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...), append([]string(nil), s.auths...), append([]smtpMessage(nil), s.messages...)
}
