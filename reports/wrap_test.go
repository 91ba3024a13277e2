package reports

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// unitWidth measures every character as one unit, so widths in the tests are character counts.
func unitWidth(rune) float64 { return 1 }

func TestWrapTextBreaksAsExpected(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"short text stays on one line", "内部監査", 10, []string{"内部監査"}},
		{"japanese breaks between any two characters", "あいうえおかき", 3, []string{"あいう", "えおか", "き"}},
		{"a comma never starts a line", "あいう、えお", 3, []string{"あい", "う、え", "お"}},
		{"a full stop never starts a line", "あいう。えお", 3, []string{"あい", "う。え", "お"}},
		{"a closing bracket never starts a line", "あい（う）えお", 4, []string{"あい", "（う）え", "お"}},
		{"an opening bracket never ends a line", "あい「うえ」お", 3, []string{"あい", "「う", "え」お"}},
		{"a long vowel mark never starts a line", "あいサーバ", 3, []string{"あい", "サーバ"}},
		{"small kana never start a line", "あいちょっと", 3, []string{"あい", "ちょっ", "と"}},
		{"latin breaks at spaces only", "hello world foo", 11, []string{"hello world", "foo"}},
		{"a space at a break is dropped", "ab cd", 2, []string{"ab", "cd"}},
		{"latin word next to japanese may break there", "暗号化はAES-256です", 7, []string{"暗号化は", "AES-256", "です"}},
		{"a word wider than the line is cut", "sha256:0123456789", 8, []string{"sha256:0", "12345678", "9"}},
		{"newlines start new lines", "あ\nい", 10, []string{"あ", "い"}},
		{"empty text is one empty line", "", 10, []string{""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapText(tc.text, tc.width, unitWidth)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("wrapText(%q, %v) = %q, want %q", tc.text, tc.width, got, tc.want)
			}
		})
	}
}

// Over real sentences and every width from narrow to wide, no line breaks a kinsoku rule (where
// the width allows keeping it), no line is too wide, and no character is lost.
func TestWrapTextKeepsKinsokuAndEveryCharacter(t *testing.T) {
	sentences := append(append([]string{}, jaTitles...),
		"当社は、全従業員に対し、入社時（入社後30日以内）及び年1回以上（前回の受講から365日以内）の情報セキュリティ教育を実施しています。",
		"お客様に影響が及ぶインシデントは全てトップマネジメントまでエスカレーションされ、「お客様への通知」、及び管理・対処・評価を実施しています。",
		"ソナーサービスとお客様との間での通信は、TLS 1.2 以上で暗号化し、情報の盗聴等のリスクに対処しています。",
		"バックアップは、システムが日次で2世代分、お客様のデータが日次で8世代分をバックアップしています。",
		"Evidence sha256:5bf991f671a567123f79849b1fe6f1bbd04f339e8807853672950b17888b5a0e was collected at 2026-11-27.",
	)
	for _, s := range sentences {
		for width := 4.0; width <= 40; width++ {
			lines := wrapText(s, width, unitWidth)
			for i, l := range lines {
				if n := utf8.RuneCountInString(l); float64(n) > width {
					t.Errorf("width %v: line %q is %d wide", width, l, n)
				}
				if i > 0 && isNoStart(firstRune(l)) {
					t.Errorf("width %v: line %d of %q starts with %q", width, i, s, string(firstRune(l)))
				}
				if i < len(lines)-1 && isNoEnd(lastRune(l)) {
					t.Errorf("width %v: line %d of %q ends with %q", width, i, s, string(lastRune(l)))
				}
			}
			if got, want := squeeze(strings.Join(lines, "")), squeeze(s); got != want {
				t.Errorf("width %v: characters lost or changed:\n got %q\nwant %q", width, got, want)
			}
		}
	}
}

func TestFontFallbackLeavesNoMissingGlyph(t *testing.T) {
	cov, err := fontCoverage(ipaexGothic)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in, want string
	}{
		{"text the font has is unchanged", "内部監査 AES-256（2026年）", "内部監査 AES-256（2026年）"},
		{"check marks become ○ and ×", "✔ ok ✗ ng", "○ ok × ng"},
		{"an emoji becomes the geta mark", "done 😀", "done 〓"},
		{"a character outside the BMP becomes the geta mark", "𠮷野家", "〓野家"},
		{"variation selectors and joiners vanish", "✔\ufe0f", "○"},
		{"control characters become spaces or vanish", "a\tb\rc\x00d\ne", "a b cd\ne"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := cov.printable(tc.in)
			if got != tc.want {
				t.Fatalf("printable(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, r := range got {
				if !cov.has(r) && r != '\n' { // newlines are line breaks, not glyphs
					t.Errorf("%q is still missing from the font", r)
				}
			}
		})
	}
	if cov.has('✔') || cov.has(0x1F600) {
		t.Error("the font claims ✔ or 😀; the fallback cases above test nothing")
	}
}

func TestFontCoverageRejectsBadFonts(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":            nil,
		"not a font":       []byte("this is not a TrueType font at all"),
		"truncated header": ipaexGothic[:40],
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := fontCoverage(b); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// FuzzWrapText: whatever the text and width, no line is wider than the width unless a single
// character is, no character is lost, and kinsoku holds wherever the line had room for it.
func FuzzWrapText(f *testing.F) {
	for _, s := range append(append([]string{}, jaTitles...), enTitles...) {
		f.Add(s, 7)
	}
	f.Add("「（あ）」、。ーっ", 2)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 2 || width > 200 || !utf8.ValidString(s) {
			return
		}
		lines := wrapText(s, float64(width), unitWidth)
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				t.Fatalf("line %q is %d wide, limit %d", l, n, width)
			}
		}
		if got, want := squeeze(strings.Join(lines, "")), squeeze(s); got != want {
			t.Fatalf("characters lost or changed:\n got %q\nwant %q", got, want)
		}
	})
}
