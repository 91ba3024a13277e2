package reports

import (
	"strings"
	"testing"
)

// coverText is the first page of the audit report, whitespace removed (pdftotext breaks lines
// where the PDF does).
func coverText(t *testing.T, in *Input) string {
	t.Helper()
	page, _, _ := strings.Cut(pdfText(t, render(t, AuditPDF{}, in)), "\f")
	return squeeze(page)
}

// The cover says exactly what signs the report: inside its run (written before the run is
// signed) the statement's path in the run; written after signing, the attached statement's
// digest; with neither, that no statement was given — never a digest it does not have.
func TestAuditCoverSaysWhatSignsIt(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		name      string
		lang      string
		set       func(in *Input)
		want      []string
		forbidden []string
	}{
		{"in the run (en)", "en", func(in *Input) { in.Run.InRun = true },
			[]string{"coveredbyruns/{id}/statement.intoto.json", "shokoverifyruns/{id}--pubkey"}, []string{"sha256:0123", "Nosignedstatement"}},
		{"in the run (ja)", "ja", func(in *Input) { in.Run.InRun = true },
			[]string{"runs/{id}/statement.intoto.jsonが本報告書を含む実行の全ファイルに署名", "shokoverifyruns/{id}--pubkey"}, []string{"sha256:0123", "署名なし"}},
		{"after signing, with the statement", "en", func(in *Input) {
			in.Statement, in.Run.StatementDigest = []byte("{}"), digest
		}, []string{digest, "attachedtothisPDFasstatement.intoto.json"}, []string{"cannotbeprinted", "Nosignedstatement"}},
		{"no statement given", "ja", func(in *Input) {}, []string{"署名なし"}, []string{"sha256:0123", "statement.intoto.jsonが"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t, tc.lang)
			tc.set(in)
			text := coverText(t, in)
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "{id}", in.Results.RunID); !strings.Contains(text, w) {
					t.Errorf("the cover lacks %q:\n%s", w, text)
				}
			}
			for _, f := range tc.forbidden {
				if strings.Contains(text, f) {
					t.Errorf("the cover says %q:\n%s", f, text)
				}
			}
		})
	}
}
