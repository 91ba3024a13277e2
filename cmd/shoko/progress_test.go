package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// Off a terminal, progress is plain log lines: a warning for a task with errors, a debug line
// otherwise, and no terminal control characters.
func TestAWSProgressOffTerminalLogsPlainLines(t *testing.T) {
	cases := []struct {
		name   string
		errors int
		want   string
	}{
		{"task with errors warns", 2, "level=WARN msg=\"aws collected with errors\" account=123456789012 region=us-east-1 service=ec2 items=4 errors=2"},
		{"clean task is a debug line", 0, "level=DEBUG msg=\"aws collected\" account=123456789012 region=us-east-1 service=ec2 items=4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs, out bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				}}))
			p := newAWSProgress(&out, log)
			p.task("123456789012", "us-east-1", "ec2", 4, tc.errors)
			p.finish()
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("log %q, want %q", logs.String(), tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q to a non-terminal", out.String())
			}
		})
	}
}
