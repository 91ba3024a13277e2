package reports

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/width"

	"github.com/shoko-audit/shoko/engine"
)

// Text is the terminal summary: one row per control with its status, the count of each status,
// and the files written. Colour is used only when Color is set (the command sets it when stdout
// is a terminal and NO_COLOR is unset), so piped output stays plain.
type Text struct {
	Color bool
	// Written are the paths of the files the command wrote, listed at the end.
	Written []string
}

// Format implements Renderer.
func (Text) Format() string { return "text" }

// FileName implements Renderer; the summary is printed rather than written to a file.
func (Text) FileName(lang string) string { return "summary." + langOr(lang) + ".txt" }

// ansi colours of the statuses.
var ansi = map[string]string{
	engine.StatusPass: "32", engine.StatusFail: "31", engine.StatusError: "33",
	engine.StatusAttested: "34", engine.StatusWaived: "35", engine.StatusNotApplicable: "90",
	engine.StatusNotInScope: "90",
}

// Render implements Renderer.
func (tx Text) Render(w io.Writer, in *Input) error {
	if err := in.Check(); err != nil {
		return err
	}
	t := tr(in.lang())
	res := in.Results
	var b strings.Builder
	// The title goes last so only ASCII columns need padding; Japanese titles are double width.
	statusW := len("STATUS")
	for _, c := range res.Controls {
		statusW = max(statusW, displayWidth(statusLabel(c.Status, in.lang())))
	}
	fmt.Fprintf(&b, "%-8s  %s  %-9s  %s\n", "ID", pad("STATUS", statusW), "FAIL/ALL", t("統制", "CONTROL"))
	for _, c := range res.Controls {
		label := pad(statusLabel(c.Status, in.lang()), statusW)
		if tx.Color {
			label = "\x1b[" + ansi[c.Status] + "m" + label + "\x1b[0m"
		}
		fmt.Fprintf(&b, "%-8s  %s  %-9s  %s\n", c.ID, label,
			fmt.Sprintf("%d/%d", c.Counts[engine.StatusFail], FindingsTotal(c)), in.title(c, in.lang()))
	}
	var parts []string
	for _, s := range shownStatuses(res) {
		parts = append(parts, fmt.Sprintf("%s %d", statusLabel(s, in.lang()), res.Summary[s]))
	}
	fmt.Fprintf(&b, "\n%s %s: %s\n", t("実行", "run"), res.RunID, strings.Join(parts, ", "))
	for _, e := range res.Exceptions {
		if e.State != engine.ExceptionApplied {
			state := exceptionState(e.State, in.lang())
			if e.Problem != "" {
				// The cause with its file:line, so the reader can fix the entry without the log.
				state += ": " + e.Problem
			}
			fmt.Fprintf(&b, t("例外 %s %s（%s）: %s\n", "exception %s %s (%s): %s\n"), e.Control, e.Resource, e.Source, state)
		}
	}
	if len(tx.Written) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t("出力:", "written:"))
		for _, p := range tx.Written {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth counts East Asian wide and full-width characters as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// pad fills s with spaces to w display columns.
func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-displayWidth(s)))
}
