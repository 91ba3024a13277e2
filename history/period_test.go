package history_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/internal/synthruns"
)

// TestPeriodStatementVerifiesAndFailsNamingWhatChanged signs a period over a short history and
// breaks one thing at a time: the untouched period verifies; a covered run removed from the
// store, a covered run re-signed, an output file altered, added or removed each fail, naming it.
func TestPeriodStatementVerifiesAndFailsNamingWhatChanged(t *testing.T) {
	priv := testKey(6)
	pub := priv.Public().(ed25519.PublicKey)
	const n = 5
	p := history.Period{Start: start, End: at(n)}
	for _, tc := range []struct {
		name        string
		change      func(t *testing.T, root string, files map[string][]byte)
		check, file string // the failing check and file; "" verifies
		message     string
	}{
		{"untouched", func(*testing.T, string, map[string][]byte) {}, "", "", ""},
		{"covered run removed", func(t *testing.T, root string, _ map[string][]byte) {
			if err := os.RemoveAll(filepath.Join(root, "runs", id(2))); err != nil {
				t.Fatal(err)
			}
		}, history.CheckRuns, "runs/" + id(2) + "/statement.intoto.json", "run " + id(2) + " is covered by the period but its statement is not in the store"},
		{"covered run re-signed", func(t *testing.T, root string, _ map[string][]byte) {
			resign(t, root, 3, testKey(7), nil)
		}, history.CheckRuns, "runs/" + id(3) + "/statement.intoto.json", "run " + id(3) + "'s statement changed after the period was signed"},
		{"history.json altered", func(_ *testing.T, _ string, files map[string][]byte) {
			files[history.FileName] = bytes.Replace(files[history.FileName], []byte(`"trusted": true`), []byte(`"trusted": false`), 1)
		}, history.CheckFiles, history.FileName, "changed after signing"},
		{"report added", func(_ *testing.T, _ string, files map[string][]byte) {
			files["period-report.pdf"] = []byte("%PDF")
		}, history.CheckFiles, "period-report.pdf", "not signed: added after signing"},
		{"report removed", func(_ *testing.T, _ string, files map[string][]byte) {
			delete(files, "dashboard.html")
		}, history.CheckFiles, "dashboard.html", "signed but missing"},
		{"signed by another key", func(t *testing.T, _ string, files map[string][]byte) {
			rep, err := history.Parse(history.FileName, files[history.FileName])
			if err != nil {
				t.Fatal(err)
			}
			delete(files, evidence.StatementFile)
			env, err := history.SignPeriod(files, rep.Runs, testKey(8))
			if err != nil {
				t.Fatal(err)
			}
			files[evidence.StatementFile] = env
		}, history.CheckSignature, evidence.StatementFile, "no signature verifies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
				Start: start, Every: every, Runs: n, Controls: controls[:2]}); err != nil {
				t.Fatal(err)
			}
			store := evidence.NewDirStore(root)
			rep, err := history.Build(context.Background(), store, p, pub)
			if err != nil {
				t.Fatal(err)
			}
			hb, err := rep.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{history.FileName: hb, "dashboard.html": []byte("<html></html>")}
			env, err := history.SignPeriod(files, rep.Runs, priv)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := history.SignPeriod(files, rep.Runs, priv)
			if !bytes.Equal(env, again) {
				t.Fatal("signing the same period twice gave different statements")
			}
			files[evidence.StatementFile] = env
			tc.change(t, root, files)
			v, err := history.VerifyPeriod(context.Background(), files, store, pub)
			if err != nil {
				t.Fatal(err)
			}
			if tc.check == "" {
				if !v.Verified || v.Runs != n || v.Files != 2 {
					t.Fatalf("untouched period not verified: %+v", v)
				}
				return
			}
			if v.Verified {
				t.Fatalf("verified after %s: %+v", tc.name, v)
			}
			if len(v.Failures) != 1 || v.Failures[0].Check != tc.check || v.Failures[0].File != tc.file || !strings.Contains(v.Failures[0].Message, tc.message) {
				t.Errorf("failures %+v, want one %s failure on %s saying %q", v.Failures, tc.check, tc.file, tc.message)
			}
		})
	}
}

// TestSignPeriodRefusesReservedNames: an output file may not pose as a covered run's statement.
func TestSignPeriodRefusesReservedNames(t *testing.T) {
	rep := &history.Report{Schema: history.Schema, Period: history.Period{Start: start, End: start.Add(time.Hour)}}
	hb, _ := rep.Marshal()
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"dashboard/index.html", true}, {"runs/X/statement.intoto.json", false}, {"../x", false}, {evidence.StatementFile, false}} {
		_, err := history.SignPeriod(map[string][]byte{history.FileName: hb, tc.name: nil}, nil, testKey(1))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
