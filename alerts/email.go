package alerts

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"
)

// Email sends a message through an SMTP server. STARTTLS is required and checked before
// anything else is sent: a server that does not offer it, or whose certificate does not verify,
// gets neither the credentials nor the message.
type Email struct {
	Host string
	Port int // 0: 587
	From string
	To   []string
	// Username and Password for AUTH PLAIN (after STARTTLS); no Username: no AUTH.
	Username    string
	Password    string
	PasswordEnv string // the variable Password was read from, for the message when it is empty
	// CAFile adds a private CA to the system's roots.
	CAFile string
	// Timeout bounds the whole exchange (0: 30s).
	Timeout time.Duration
	// Now stamps the Date header (nil: time.Now).
	Now func() time.Time
}

// Channel implements Notifier.
func (e *Email) Channel() string { return "email" }

// Notify implements Notifier. It is not retried: a mail server queues and retries itself.
func (e *Email) Notify(ctx context.Context, m Message) error {
	if err := e.send(ctx, m); err != nil {
		return fmt.Errorf("email via %s: %s", e.addr(), redact(err.Error(), e.Password))
	}
	return nil
}

func (e *Email) addr() string {
	port := e.Port
	if port == 0 {
		port = 587
	}
	return net.JoinHostPort(e.Host, strconv.Itoa(port))
}

func (e *Email) send(ctx context.Context, m Message) error {
	if e.Username != "" && e.Password == "" {
		return fmt.Errorf("environment variable %s is not set (it holds the SMTP password)", e.PasswordEnv)
	}
	roots, err := rootCAs(e.CAFile)
	if err != nil {
		return err
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", e.addr())
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	// A cancelled context ends the exchange: net/smtp itself takes none.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, e.Host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		_ = c.Quit()
		return errors.New("the server does not offer STARTTLS; refusing to send credentials or the message in clear")
	}
	if err := c.StartTLS(&tls.Config{ServerName: e.Host, RootCAs: roots, MinVersion: tls.VersionTLS12}); err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	if e.Username != "" {
		// smtp.PlainAuth itself refuses a connection that is not TLS (except to localhost):
		// here TLS is already established, whatever the host.
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password, e.Host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(e.From); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, to := range e.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("RCPT TO %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(e.compose(m)); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// compose is the mail: headers and a quoted-printable UTF-8 text body.
func (e *Email) compose(m Message) []byte {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", e.From)
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(e.To, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject()))
	fmt.Fprintf(&b, "Date: %s\r\n", now().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.Text(), "\n", "\r\n")))
	_ = qp.Close()
	return []byte(b.String())
}

// helloName is this host's name for EHLO ("localhost" when it has none).
func helloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}
