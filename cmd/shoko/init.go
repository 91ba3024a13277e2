package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/evidence"
)

// initSources are the sources `shoko init --sources` knows, in the order the config lists them.
var initSources = []string{"records", "aws", "service", "database"}

func (a *app) initCommand() *cobra.Command {
	var sources string
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented shoko.yaml for the sources named, with example records and a signing key",
		Long: `Write DIR/shoko.yaml (default: the current directory) for the sources named by --sources
(records, aws, service, database), every setting commented; for records, DIR/records/ and
DIR/attestations/ with one example each (docs/records.md has every format); and a signing key
pair in DIR/keys/ (shoko.key, mode 0600; give auditors shoko.pub). Nothing is overwritten: when
a file to be written exists, init writes nothing and says which.
Then it prints the next three commands: doctor, audit, verify.`,
		Example: `  shoko init audit/ --sources records,aws
  shoko init --sources aws,service,database,records`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			want, err := parseInitSources(sources)
			if err != nil {
				return err
			}
			files := initFiles(want)
			// Refuse before writing anything, so a refusal leaves the directory as it was.
			var exist []string
			for _, f := range append(slices.Clone(files), initFile{path: "keys/shoko.key"}, initFile{path: "keys/shoko.pub"}) {
				if _, err := os.Stat(filepath.Join(dir, f.path)); err == nil {
					exist = append(exist, filepath.Join(dir, f.path))
				} else if !errors.Is(err, fs.ErrNotExist) {
					return usageErr("init: %v", err)
				}
			}
			if len(exist) > 0 {
				verb := "exists"
				if len(exist) > 1 {
					verb = "exist"
				}
				return usageErr("init: %s already %s; nothing was written (init never overwrites: choose another DIR or move the files)", strings.Join(exist, ", "), verb)
			}
			for _, f := range files {
				p := filepath.Join(dir, f.path)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return usageErr("init: %v", err)
				}
				// O_EXCL: a file that appeared since the check above is still not overwritten.
				fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					return usageErr("init: %v", err)
				}
				_, werr := fh.WriteString(f.text)
				if cerr := fh.Close(); werr == nil {
					werr = cerr
				}
				if werr != nil {
					return usageErr("init: write %s: %v", p, werr)
				}
				fmt.Fprintf(a.stdout, "wrote %s\n", p)
			}
			priv, pub, err := evidence.GenerateKeyFiles(filepath.Join(dir, "keys"), nil)
			if err != nil {
				return usageErr("init: %v", err)
			}
			fmt.Fprintf(a.stdout, "wrote %s (0600, keep it secret) and %s (for auditors)\n", priv, pub)
			cfg := filepath.Join(dir, "shoko.yaml")
			fmt.Fprintf(a.stdout, "\nEdit %s (every setting is commented), then:\n", cfg)
			fmt.Fprintf(a.stdout, "  shoko doctor --config %s                    # can every source be read? one line per check\n", cfg)
			fmt.Fprintf(a.stdout, "  shoko audit --config %s --out %s     # collect, evaluate, sign one run\n", cfg, filepath.Join(dir, "out"))
			fmt.Fprintf(a.stdout, "  shoko verify %s --pubkey %s   # what an auditor runs\n", filepath.Join(dir, "out", "runs", "<run id>"), pub)
			return nil
		},
	}
	cmd.Flags().StringVar(&sources, "sources", "records", "evidence sources to configure, comma-separated: "+strings.Join(initSources, ", "))
	return cmd
}

func parseInitSources(s string) (map[string]bool, error) {
	want := map[string]bool{}
	for _, src := range strings.Split(s, ",") {
		src = strings.TrimSpace(src)
		if src == "" {
			continue
		}
		if !slices.Contains(initSources, src) {
			return nil, usageErr("--sources: %q is not a source (want some of %s)", src, strings.Join(initSources, ", "))
		}
		want[src] = true
	}
	if len(want) == 0 {
		return nil, usageErr("--sources: name at least one of %s", strings.Join(initSources, ", "))
	}
	return want, nil
}

type initFile struct{ path, text string }

// Example records: one row of each, in the formats of docs/records.md, so that the written
// config passes `shoko doctor` before the organisation's own exports replace them.
const (
	exampleTraining = "employee_id,status,hired_on,onboarding_completed_on,last_completed_on\n" +
		"E0001,active,2024-04-01,2024-04-05,2026-06-12\n"
	examplePolicy = "クラウドコンピューティングに関する情報セキュリティ方針（例）\n" +
		"Replace this file with the approved policy document; its SHA-256 goes in POL-01.yaml.\n"
)

// initFiles are the files init writes for the sources wanted, paths relative to DIR.
func initFiles(want map[string]bool) []initFile {
	var b strings.Builder
	b.WriteString(`# shoko.yaml — written by shoko init. Edit what is yours, then run shoko doctor --config shoko.yaml.
# Decoded strictly: an unknown key or a wrong type is an error naming the file and line. Relative
# paths are relative to this file. Secrets (tokens, DSN passwords) are never written here: the
# file names the environment variables holding them. shoko.example.yaml shows every setting.

# Printed on the cover of every report, and needed for the customer white paper.
organization: 株式会社サンプル

# Japanese business days skip weekends, national holidays and these closures (the default).
calendar:
  closures: ["12-29..01-03"]

# Runs are signed with this key (shoko init wrote it, mode 0600); give auditors keys/shoko.pub.
signing:
  key: keys/shoko.key
`)
	files := []initFile{}
	if want["records"] {
		b.WriteString(`
# --- Section C: the organisation's records (docs/records.md has every column) ---------------
# CSV or JSON exports; a row that cannot be read makes its control error, never pass.
records:
  training: [records/training.csv]          # an example row: replace with the HR export
  # internal_audits: [records/internal_audits.csv]
  # vulnerability_assessments: [records/vulnerability_assessments.csv]
  # certificates: [records/certificates.csv]
# One YAML per attested claim: the document, its SHA-256, approver, approval and expiry.
attestations: attestations/
# Approved, time-limited exceptions (waivers) and remediation plans:
# exceptions: exceptions.yaml
# remediations: remediations.yaml
`)
		sum := sha256.Sum256([]byte(examplePolicy))
		files = append(files,
			initFile{"records/training.csv", exampleTraining},
			initFile{"attestations/documents/cloud-security-policy.txt", examplePolicy},
			initFile{"attestations/POL-01.yaml", fmt.Sprintf(`# An example attestation (docs/records.md): replace the document and approver with yours.
control: POL-01
statement:
  ja: クラウドコンピューティングに関する情報セキュリティ方針を定め、公開している。
  en: A cloud computing information security policy is defined and published.
document:
  path: documents/cloud-security-policy.txt
  sha256: %s   # sha256sum of the document
approver: 承認者 氏名（役職）
approved_at: 2026-04-01T09:00:00+09:00
expires_at: 2027-03-31T23:59:59+09:00
`, hex.EncodeToString(sum[:]))})
	}
	if want["aws"] {
		b.WriteString(`
# --- Section A: AWS (docs/aws-evidence.md; attach docs/iam-policy.json, read-only) -----------
aws:
  # Base credentials: a shared-config profile, or leave it out for the default chain
  # (environment, SSO, instance role).
  # profile: shoko-auditor
  # Where region discovery and global calls are made.
  home_region: ap-northeast-1
  # Only these regions; leave it out to cover every enabled region (GEO-01 must see them all).
  # regions: [ap-northeast-1, ap-northeast-3]
  # Accounts reached through a role carrying docs/iam-policy.json; none: the credentials' own.
  # accounts:
  #   - id: "111111111111"
  #     role_arn: arn:aws:iam::111111111111:role/shoko-audit
  #     external_id: shoko-audit-prod
  # Temporary-file buckets ("bucket" or "bucket/prefix"), checked by TMP-01.
  # temp_buckets: [my-tmp-bucket]
`)
	}
	if want["service"] {
		b.WriteString(`
# --- Section B: the running service (docs/service-evidence.md) ------------------------------
service:
  name: myservice
  # The evidence API (docs/evidence-api.yaml) behind a read-only audit token.
  base_url: https://service.example.jp
  token_env: SHOKO_SERVICE_TOKEN            # export SHOKO_SERVICE_TOKEN=… (never written here)
  # ca_file: private-ca.pem                 # a private CA, added to the system roots
  # timeout: 10s
  # TLS versions, certificate, HSTS and clock of these endpoints (TLS-02, TIME-01).
  # tls_endpoints: [service.example.jp:443]
  # Public pages by purpose (OPS-01: manual, faq, chatbot; POL-01: policy).
  # http_probes:
  #   - {url: "https://service.example.jp/manual", purpose: manual}
  # Cross-tenant probe (ISO-01): see shoko.example.yaml.
`)
	}
	if want["database"] {
		b.WriteString(`
# The service database's schema, read in a read-only transaction by a read-only role (ISO-01).
#   export SHOKO_DB_DSN='postgres://shoko_ro:…@db.internal:5432/cards?sslmode=verify-full'
database:
  name: cards
  driver: postgres                          # or sqlite
  dsn_env: SHOKO_DB_DSN
  # schema: public
`)
	}
	b.WriteString(`
# Where runs go: a directory (--out) or S3 with Object Lock (README: Evidence and signing).
# store:
#   location: s3://example-audit-evidence/shoko
#   region: ap-northeast-1
#   object_lock: {mode: COMPLIANCE, retention_days: 2555}
`)
	return append([]initFile{{"shoko.yaml", b.String()}}, files...)
}
