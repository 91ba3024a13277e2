package reports

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// ipaexGothic is IPAex Gothic (IPAexゴシック) 00401, from Debian's fonts-ipaexfont-gothic, under
// the IPA Font License v1.0 (fonts/IPA_Font_License.txt). It is embedded so a report renders the
// same on every machine; fpdf embeds only the glyphs a document uses.
//
//go:embed fonts/ipaexg.ttf
var ipaexGothic []byte

// coverage is the set of characters a TrueType font has glyphs for, read from its cmap.
type coverage struct {
	// ranges are [start, end] code point ranges, sorted.
	ranges [][2]rune
}

// has reports whether the font maps r to a glyph.
func (c *coverage) has(r rune) bool {
	i := sort.Search(len(c.ranges), func(i int) bool { return c.ranges[i][1] >= r })
	return i < len(c.ranges) && c.ranges[i][0] <= r
}

// fontCoverage reads the Unicode BMP cmap (platform 3, encoding 1, format 4) of a TrueType font.
// fpdf has no "does the font have this glyph" call, and a missing glyph prints as an empty box,
// so the reports ask the font themselves.
func fontCoverage(ttf []byte) (*coverage, error) {
	bad := func(what string) error { return fmt.Errorf("font: %s", what) }
	if len(ttf) < 12 {
		return nil, bad("too short")
	}
	u16 := func(off int) int { return int(binary.BigEndian.Uint16(ttf[off:])) }
	u32 := func(off int) int { return int(binary.BigEndian.Uint32(ttf[off:])) }
	numTables := u16(4)
	cmap := -1
	for i := 0; i < numTables; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, bad("table directory is truncated")
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 || cmap+4 > len(ttf) {
		return nil, bad("no cmap table")
	}
	sub := -1
	for i := 0; i < u16(cmap+2); i++ {
		rec := cmap + 4 + 8*i
		if rec+8 > len(ttf) {
			return nil, bad("cmap is truncated")
		}
		if u16(rec) == 3 && u16(rec+2) == 1 {
			sub = cmap + u32(rec+4)
		}
	}
	if sub < 0 || sub+14 > len(ttf) || u16(sub) != 4 {
		return nil, errors.New("font: no Unicode BMP cmap (format 4)")
	}
	segX2 := u16(sub + 6)
	ends, starts, deltas, offsets := sub+14, sub+16+segX2, sub+16+2*segX2, sub+16+3*segX2
	if offsets+segX2 > len(ttf) {
		return nil, bad("cmap format 4 is truncated")
	}
	c := &coverage{}
	for s := 0; s < segX2/2; s++ {
		end, start := u16(ends+2*s), u16(starts+2*s)
		delta, ro := u16(deltas+2*s), u16(offsets+2*s)
		if start == 0xFFFF {
			continue
		}
		for r := start; r <= end; r++ {
			glyph := 0
			if ro == 0 {
				glyph = (r + delta) & 0xFFFF
			} else {
				at := offsets + 2*s + ro + 2*(r-start)
				if at+2 > len(ttf) {
					return nil, bad("cmap glyph index out of range")
				}
				if g := u16(at); g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph == 0 {
				continue
			}
			if n := len(c.ranges); n > 0 && c.ranges[n-1][1] == rune(r)-1 {
				c.ranges[n-1][1] = rune(r)
			} else {
				c.ranges = append(c.ranges, [2]rune{rune(r), rune(r)})
			}
		}
	}
	return c, nil
}

// substitutes are what a character the font lacks is printed as. Marks are replaced by the
// nearest character the font has (the Japanese convention ○ / × for yes / no).
var substitutes = map[rune]string{
	'✔': "○", '✓': "○", '☑': "○", '✅': "○", '🗸': "○",
	'✗': "×", '✘': "×", '☒': "×", '❌': "×", '❎': "×",
	'⚠': "！", '❗': "！", '❓': "？",
	'“': "\"", '”': "\"", '‘': "'", '’': "'",
	'\u00a0': " ",
}

// geta (〓) is the traditional Japanese typesetting mark for a character that cannot be printed.
const geta = "〓"

// printable returns s with every character the font lacks replaced (see substitutes), emoji and
// other characters outside the font by 〓, and invisible joiners and variation selectors
// removed, so no page ever shows an empty box.
func (c *coverage) printable(s string) string {
	ok := true
	for _, r := range s {
		if !c.has(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case c.has(r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteRune(r)
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r):
			// Other control characters have no printed form at all.
		case r == '\u200d' || r == '\u200b' || (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF) ||
			(r >= 0x1F3FB && r <= 0x1F3FF) || unicode.Is(unicode.Mn, r) && !c.has(r):
			// Zero-width joiners, variation selectors, skin tones and combining marks the font
			// lacks carry no text of their own.
		default:
			if sub, ok := substitutes[r]; ok && c.hasAll(sub) {
				b.WriteString(sub)
			} else {
				b.WriteString(geta)
			}
		}
	}
	return b.String()
}

func (c *coverage) hasAll(s string) bool {
	for _, r := range s {
		if !c.has(r) {
			return false
		}
	}
	return true
}
