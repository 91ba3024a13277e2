package reports

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/internal/testenv"
)

// The OpenSSL recipe printed in the audit report verifies a DSSE envelope signed over the PAE
// bytes with ed25519, and rejects one whose payload was changed after signing.
func TestVerifyRecipeWorksWithOpenSSL(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "jq", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, tool, err)
		}
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	const payloadType = "application/vnd.in-toto+json"
	body := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"results.json","digest":{"sha256":"00"}}]}`)
	pae := fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(body), body)
	sig := ed25519.Sign(priv, pae)
	envelope := func(payload []byte) []byte {
		b, _ := json.Marshal(map[string]any{"payloadType": payloadType, "payload": base64.StdEncoding.EncodeToString(payload),
			"signatures": []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(sig)}}})
		return b
	}
	cases := []struct {
		name     string
		envelope []byte
		ok       bool
	}{
		{"the signed statement verifies", envelope(body), true},
		{"a changed statement does not", envelope([]byte(strings.Replace(string(body), `"00"`, `"01"`, 1))), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "statement.intoto.json"), tc.envelope, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", "-eu", "-o", "pipefail", "-c", VerifyRecipe)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			verified := err == nil && strings.Contains(string(out), "Signature Verified Successfully")
			if verified != tc.ok {
				t.Fatalf("verified=%v, want %v: %v\n%s", verified, tc.ok, err, out)
			}
		})
	}
}
