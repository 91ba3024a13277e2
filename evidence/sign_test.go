package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The PAE example of the DSSE specification (protocol.md).
func TestPAEMatchesTheDSSESpecification(t *testing.T) {
	got := string(PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Fatalf("PAE = %q, want %q", got, want)
	}
}

func TestOpenEnvelopeAcceptsOnlyTheSigningKey(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{1}, 64)))
	other, _, _ := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{2}, 64)))
	env, err := MarshalEnvelope(SignEnvelope(priv, []byte(`{"a":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	otherType := bytes.Replace(env, []byte(PayloadType), []byte("application/json"), 1)
	// Same payload under another type: the PAE binds the type, so the signature must not verify.
	retyped := SignEnvelope(priv, []byte(`{"a":1}`))
	retyped.PayloadType = "application/x-other+json"
	retypedBytes, _ := MarshalEnvelope(retyped)
	tampered := SignEnvelope(priv, []byte(`{"a":1}`))
	tampered.Payload = base64.StdEncoding.EncodeToString([]byte(`{"a":2}`))
	tamperedBytes, _ := MarshalEnvelope(tampered)
	tests := []struct {
		name    string
		env     []byte
		pub     ed25519.PublicKey
		wantErr string
	}{
		{"signed by the key verifies", env, pub, ""},
		{"another key is refused", env, other, "no signature verifies"},
		{"another payload type is refused", otherType, pub, "payloadType"},
		{"a retyped envelope is refused", retypedBytes, pub, "payloadType"},
		{"a changed payload is refused", tamperedBytes, pub, "no signature verifies"},
		{"unknown fields are refused", []byte(`{"payloadType":"x","payload":"","signatures":[],"extra":1}`), pub, "unknown field"},
		{"no signature is refused", []byte(`{"payloadType":"` + PayloadType + `","payload":"e30=","signatures":[]}`), pub, "no signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := OpenEnvelope(tt.env, tt.pub)
			if tt.wantErr == "" {
				if err != nil || string(payload) != `{"a":1}` {
					t.Fatalf("payload %q, err %v", payload, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestKeygenWritesAPrivateKeyOnlyTheOwnerReads(t *testing.T) {
	dir := t.TempDir()
	privPath, pubPath, err := GenerateKeyFiles(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(privPath)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %04o, want 0600", fi.Mode().Perm())
	}
	priv, err := LoadPrivateKey(privPath)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Fatal("public key does not match the private key")
	}
	if _, _, err := GenerateKeyFiles(dir, nil); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second keygen into the same directory: %v, want a refusal", err)
	}

	readable := filepath.Join(t.TempDir(), "k")
	b, _ := os.ReadFile(privPath)
	_ = os.WriteFile(readable, b, 0o644)
	notPEM := filepath.Join(t.TempDir(), "n")
	_ = os.WriteFile(notPEM, []byte("hello"), 0o600)
	for _, tc := range []struct{ name, path, want string }{
		{"world-readable key", readable, "want 0600"},
		{"not PEM", notPEM, `expected a PEM "PRIVATE KEY" block`},
		{"missing", filepath.Join(dir, "none"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := LoadPrivateKey(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ParsePublicKey("priv.pem", b); err == nil || !strings.Contains(err.Error(), `expected a PEM "PUBLIC KEY" block`) {
		t.Fatalf("a private key as public key: %v", err)
	}
}
