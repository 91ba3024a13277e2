package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestPeriodLook writes the period reports of the fixture into $SHOKO_LOOK_DIR, for a person to
// look at (pdftoppm, a browser); without the variable it does nothing.
func TestPeriodLook(t *testing.T) {
	dir := os.Getenv("SHOKO_LOOK_DIR")
	if dir == "" {
		t.Skip("set SHOKO_LOOK_DIR to write the period reports of the fixture there")
	}
	rep := periodFixture(t, fixtureExtra{openInterval: true})
	for _, lang := range []string{"ja", "en"} {
		var b bytes.Buffer
		if err := WritePeriodPDF(&b, rep, lang); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, PeriodFileName(lang)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
