package service

import (
	"testing"
	"time"
)

// The skew is kept to the nanosecond: TIME-01 compares it with its limit as it is. Rounded to
// milliseconds (as it was), a server 5.0004 s ahead showed 5.000 and passed a 5-second limit.
func TestSkewIsNotRounded(t *testing.T) {
	sent := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	received := sent.Add(100 * time.Millisecond)
	for _, c := range []struct {
		name string
		date time.Time // the server's Date (whole seconds in the header; any time here)
		want float64
	}{
		{"ahead exactly 5 s", received.Add(5 * time.Second), 5},
		{"ahead 5 s and 400 µs", received.Add(5*time.Second + 400*time.Microsecond), 5.0004},
		{"ahead 5 s and 1 ns", received.Add(5*time.Second + time.Nanosecond), 5.000000001},
		{"behind: Date + 1 s is 5 s and 400 µs before sent", sent.Add(-6*time.Second - 400*time.Microsecond), -5.0004},
		{"within the round trip", sent, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := skew(c.date, sent, received)
			if got != c.want {
				t.Errorf("skew = %.9f, want %.9f", got, c.want)
			}
			if c.want > 5 && !(got > 5) {
				t.Errorf("skew %.9f does not exceed a 5-second limit it is over", got)
			}
		})
	}
}
