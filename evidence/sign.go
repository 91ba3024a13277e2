package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// Envelope is a DSSE envelope (https://github.com/secure-systems-lab/dsse): the payload, its
// type, and signatures over PAE(type, payload).
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"`
	Signatures  []Signature `json:"signatures"`
}

// Signature is one DSSE signature: the signing key's id and the base64 ed25519 signature.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// PAE is DSSE's pre-authentication encoding, the bytes actually signed:
// "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in ASCII decimal.
// Signing these bytes, not the payload alone, binds the payload type to the signature.
func PAE(payloadType string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(body)))
	b.WriteByte(' ')
	b.Write(body)
	return b.Bytes()
}

// KeyID names a public key: the hex SHA-256 of its PKIX DER encoding, so an auditor can
// compute it with `openssl pkey -pubin -outform DER | sha256sum`.
func KeyID(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil { // cannot happen for a well-formed ed25519 key
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// SignEnvelope signs payload with priv and returns the envelope. ed25519 signatures are
// deterministic, so the same payload and key always give the same envelope bytes.
func SignEnvelope(priv ed25519.PrivateKey, payload []byte) Envelope {
	sig := ed25519.Sign(priv, PAE(PayloadType, payload))
	return Envelope{
		PayloadType: PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures:  []Signature{{KeyID: KeyID(priv.Public().(ed25519.PublicKey)), Sig: base64.StdEncoding.EncodeToString(sig)}},
	}
}

// MarshalEnvelope is the stored form of an envelope: indented JSON with a trailing newline.
func MarshalEnvelope(env Envelope) ([]byte, error) {
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// OpenEnvelope parses an envelope strictly and checks its signature with pub. It returns the
// payload only when a signature by pub verifies: nothing in an unverified payload is trusted.
func OpenEnvelope(b []byte, pub ed25519.PublicKey) ([]byte, error) {
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a DSSE envelope: trailing data")
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("payloadType %q, want %q", env.PayloadType, PayloadType)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload is not base64: %w", err)
	}
	if len(env.Signatures) == 0 {
		return nil, errors.New("the envelope has no signature")
	}
	want := KeyID(pub)
	pae := PAE(env.PayloadType, payload)
	var ids []string
	for _, s := range env.Signatures {
		ids = append(ids, s.KeyID)
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil || len(sig) != ed25519.SignatureSize {
			continue
		}
		// The keyid is only a hint; the signature is what is checked.
		if ed25519.Verify(pub, pae, sig) {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("no signature verifies with the public key %s (envelope key ids: %v)", want, ids)
}

// Key file names written by GenerateKeyFiles.
const (
	PrivateKeyFile = "shoko.key"
	PublicKeyFile  = "shoko.pub"
)

// GenerateKeyFiles writes a new ed25519 key pair into dir: the private key as PEM PKCS#8 with
// mode 0600, the public key as PEM PKIX. Existing files are never overwritten: losing a
// signing key silently would break the chain of every later run.
func GenerateKeyFiles(dir string, random io.Reader) (privPath, pubPath string, err error) {
	if random == nil {
		random = rand.Reader
	}
	pub, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", "", fmt.Errorf("encode private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", "", fmt.Errorf("encode public key: %w", err)
	}
	privPath, pubPath = filepath.Join(dir, PrivateKeyFile), filepath.Join(dir, PublicKeyFile)
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("keygen: %s already exists; not overwriting a key", p)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("keygen: %w", err)
	}
	if err := WriteFileAtomic(privPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}), 0o600); err != nil {
		return "", "", err
	}
	if err := WriteFileAtomic(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return "", "", err
	}
	return privPath, pubPath, nil
}

// LoadPrivateKey reads a PEM PKCS#8 ed25519 private key. A key file that group or others can
// read is refused, as ssh does: a signing key others could have copied proves nothing.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("signing key %s: mode %04o lets others read it; want 0600 (chmod 600 %s)", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s: expected a PEM \"PRIVATE KEY\" block (PKCS#8), found none", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: expected an ed25519 key, found %T", path, k)
	}
	return priv, nil
}

// LoadPublicKey reads a PEM PKIX ed25519 public key (what `shoko keygen` and
// `openssl pkey -pubout` write).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("public key: %s does not exist", path)
		}
		return nil, fmt.Errorf("public key: %w", err)
	}
	return ParsePublicKey(path, b)
}

// ParsePublicKey parses PEM PKIX ed25519 public key bytes; name is used in errors.
func ParsePublicKey(name string, b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key %s: expected a PEM \"PUBLIC KEY\" block (PKIX), found none", name)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", name, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key %s: expected an ed25519 key, found %T", name, k)
	}
	return pub, nil
}
