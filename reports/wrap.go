package reports

import (
	"strings"
	"unicode"
)

// Line breaking. fpdf's MultiCell and SplitText break only at spaces and drop kanji at the
// breaks they force, so every PDF line here is cut by wrapText instead, which measures each
// character and follows the Japanese rules (JIS X 4051 kinsoku, simplified):
//
//   - a line never starts with closing brackets, 、。，．, ！？, ー, small kana or the like
//     (noStart); such a character stays on the line before;
//   - a line never ends with an opening bracket (noEnd); it moves to the next line;
//   - between two Japanese characters a line may break anywhere else; Latin text breaks at
//     spaces, and a word wider than the line (a digest, an ARN) is cut where it must be.

// noStart are the characters a line must not start with.
const noStart = "、。，．,.)）]］｝〕〉》」』】〙〗〟’”｠»" +
	"ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻" +
	"‐゠–〜～？！?!‼⁇⁈⁉・：；:;/／…‥％%‰℃°′″"

// noEnd are the characters a line must not end with.
const noEnd = "(（[［｛〔〈《「『【〘〖〝‘“｟«"

func isNoStart(r rune) bool { return strings.ContainsRune(noStart, r) }
func isNoEnd(r rune) bool   { return strings.ContainsRune(noEnd, r) }

// isWide reports whether r is a Japanese/CJK character, between which lines may break.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x30FF) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x2E80 && r <= 0x2FFF)
}

// atom is a piece of text a line may not break inside: a Latin word, or one Japanese character
// together with the punctuation glued to it by the kinsoku rules.
type atom struct {
	text       string
	spaceAfter bool // a space followed it in the source, so a break after it drops the space
}

// atoms splits one paragraph (no newlines) into atoms.
func atoms(s string) []atom {
	var out []atom
	var cur strings.Builder
	flush := func(space bool) {
		if cur.Len() > 0 {
			out = append(out, atom{text: cur.String()})
			cur.Reset()
		}
		if space && len(out) > 0 {
			out[len(out)-1].spaceAfter = true
		}
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t':
			flush(true)
		case isWide(r) || (r > unicode.MaxASCII && (isNoStart(r) || isNoEnd(r))):
			// Each Japanese character (and each full-width bracket or stop) is its own atom;
			// glue() joins what must stay together. ASCII punctuation stays inside its Latin
			// word, which breaks only at spaces.
			flush(false)
			out = append(out, atom{text: string(r)})
		default:
			cur.WriteRune(r)
		}
	}
	flush(false)
	return glue(out)
}

// glue joins atoms that may not be separated: a noStart atom to the one before it (unless a space
// separates them), and a noEnd atom to the one after it.
func glue(in []atom) []atom {
	var out []atom
	for i := 0; i < len(in); i++ {
		a := in[i]
		if n := len(out); n > 0 && !out[n-1].spaceAfter && (isNoStart(firstRune(a.text)) || isNoEnd(lastRune(out[n-1].text))) {
			out[n-1].text += a.text
			out[n-1].spaceAfter = a.spaceAfter
			continue
		}
		out = append(out, a)
	}
	return out
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func lastRune(s string) rune {
	var last rune
	for _, r := range s {
		last = r
	}
	return last
}

// wrapText breaks s into lines no wider than width, measuring each rune with runeWidth.
// Newlines in s start new lines. No character is dropped: the lines joined (with the spaces that
// the breaks replaced) give back s.
func wrapText(s string, width float64, runeWidth func(rune) float64) []string {
	measure := func(t string) float64 {
		w := 0.0
		for _, r := range t {
			w += runeWidth(r)
		}
		return w
	}
	space := runeWidth(' ')
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		var line strings.Builder
		lineW := 0.0
		pendingSpace := false // the previous atom was followed by a space
		emit := func() {
			lines = append(lines, line.String())
			line.Reset()
			lineW = 0
		}
		as := atoms(para)
		if len(as) == 0 {
			lines = append(lines, "")
			continue
		}
		for _, a := range as {
			aw := measure(a.text)
			sep := 0.0
			if pendingSpace && line.Len() > 0 {
				sep = space
			}
			if line.Len() > 0 && lineW+sep+aw > width {
				emit()
				sep = 0
			}
			if aw > width {
				// Wider than a line on its own: cut it by characters, keeping the kinsoku rules
				// at each cut where the atom allows.
				if sep > 0 {
					line.WriteByte(' ')
					lineW += sep
				}
				for _, part := range cutLong(a.text, width-lineW, width, runeWidth) {
					if line.Len() > 0 && lineW+measure(part) > width {
						emit()
					}
					line.WriteString(part)
					lineW += measure(part)
				}
			} else {
				if sep > 0 {
					line.WriteByte(' ')
				}
				line.WriteString(a.text)
				lineW += sep + aw
			}
			pendingSpace = a.spaceAfter
		}
		emit()
	}
	return lines
}

// cutLong cuts an over-long atom into pieces: the first fits in first, the others in width.
// A piece never starts with a noStart character when it can take one more character back.
func cutLong(s string, first, width float64, runeWidth func(rune) float64) []string {
	rs := []rune(s)
	var parts []string
	limit := first
	if limit < runeWidth(rs[0]) {
		// Nothing fits on the current line: start a fresh one.
		parts = append(parts, "")
		limit = width
	}
	start, w := 0, 0.0
	for i := 0; i < len(rs); i++ {
		rw := runeWidth(rs[i])
		if w+rw > limit && i > start {
			cut := i
			// Pull one more character back so the next piece does not start with a noStart
			// character, if that leaves the piece non-empty.
			for cut-1 > start && isNoStart(rs[cut]) {
				cut--
			}
			parts = append(parts, string(rs[start:cut]))
			start, w, limit = cut, 0, width
			i = cut - 1
			continue
		}
		w += rw
	}
	parts = append(parts, string(rs[start:]))
	if parts[0] == "" {
		parts = parts[1:]
		// The caller breaks the line before a piece that does not fit.
	}
	return parts
}
