package reports

import (
	"os"
	"testing"
)

// TestPeriodLook writes the period reports of the fixture into $SHOKO_LOOK_DIR, for a person to
// look at (pdftoppm, a browser); without the variable it does nothing.
func TestPeriodLook(t *testing.T) {
	dir := os.Getenv("SHOKO_LOOK_DIR")
	if dir == "" {
		t.Skip("set SHOKO_LOOK_DIR to write the period reports of the fixture there")
	}
	if _, err := WritePeriodReports(dir, periodFixture(t, fixtureExtra{openInterval: true})); err != nil {
		t.Fatal(err)
	}
}

// TestPeriodLookYear writes a year of daily runs over the whole catalog into $SHOKO_LOOK_DIR/year.
func TestPeriodLookYear(t *testing.T) {
	dir := os.Getenv("SHOKO_LOOK_DIR")
	if dir == "" {
		t.Skip("set SHOKO_LOOK_DIR to write the period reports of the fixture there")
	}
	if _, err := WritePeriodReports(dir+"/year", periodFixture(t, fixtureExtra{openInterval: true, days: 365, controls: 100})); err != nil {
		t.Fatal(err)
	}
}
