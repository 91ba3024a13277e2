package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry of every PDF, in millimetres (A4 portrait).
const (
	pageW    = 210.0
	pageH    = 297.0
	marginX  = 16.0
	marginT  = 20.0
	marginB  = 16.0
	contentW = pageW - 2*marginX
	bodyPt   = 9.5
	fontName = "ipaexg"
)

// doc wraps an fpdf document with what both PDFs need: the embedded Japanese font, line breaking
// by wrapText, font fallback, page breaks that keep rows whole, tables and status badges.
//
// Page breaks are ours, not fpdf's (auto page break is off): fpdf would split a table row or a
// wrapped line across pages and lose the table header.
type doc struct {
	pdf    *fpdf.Fpdf
	cov    *coverage
	lang   string
	t      func(ja, en string) string
	size   float64                      // current font size in points
	widths map[float64]map[rune]float64 // rune widths per font size, measured once
	// header is printed at the top of every page after the cover.
	header string
	footer string
	// filter, when set, rewrites every string before it is drawn (the white paper's redactor).
	filter func(string) string
}

func newDoc(in *Input, title, header, footer string) (*doc, error) {
	return newDocFor(docMeta{lang: in.lang(), createdAt: in.GeneratedAt, author: in.Run.Organization,
		creator: in.Results.Tool}, title, header, footer)
}

// docMeta is what a PDF says about itself: its language and the document properties. createdAt
// is decided by the caller (never the clock), so the same input renders to the same bytes.
type docMeta struct {
	lang      string
	createdAt time.Time
	author    string
	creator   string
}

func newDocFor(m docMeta, title, header, footer string) (*doc, error) {
	cov, err := fontCoverage(ipaexGothic)
	if err != nil {
		return nil, err
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(fontName, "", ipaexGothic)
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("load the embedded font: %w", err)
	}
	// The creation date is the input's generation time, so re-rendering the same input gives the
	// same bytes.
	p.SetCreationDate(m.createdAt.UTC())
	p.SetModificationDate(m.createdAt.UTC())
	p.SetCatalogSort(true)
	p.SetCompression(true)
	p.SetTitle(title, true)
	p.SetAuthor(m.author, true)
	p.SetCreator(m.creator, true)
	p.SetProducer("shoko reports (go-pdf/fpdf)", true)
	p.SetLang(m.lang)
	p.SetMargins(marginX, marginT, marginX)
	p.SetAutoPageBreak(false, marginB)
	p.AliasNbPages("{nb}")
	d := &doc{pdf: p, cov: cov, lang: m.lang, t: tr(m.lang), widths: map[float64]map[rune]float64{},
		header: header, footer: footer}
	p.SetHeaderFunc(d.pageHeader)
	p.SetFooterFunc(d.pageFooter)
	d.setSize(bodyPt)
	return d, nil
}

// output finishes the document and writes it.
func (d *doc) output(w io.Writer) error {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func (d *doc) pageHeader() {
	if d.pdf.PageNo() == 1 || d.header == "" {
		return
	}
	size := d.size
	d.setSize(7.5)
	d.pdf.SetTextColor(110, 110, 110)
	d.pdf.SetXY(marginX, 9)
	d.pdf.CellFormat(contentW, 4, d.clip(d.header, contentW), "", 0, "R", false, 0, "")
	d.pdf.SetDrawColor(200, 200, 200)
	d.pdf.Line(marginX, 14, pageW-marginX, 14)
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(size)
	d.pdf.SetXY(marginX, marginT)
}

func (d *doc) pageFooter() {
	size := d.size
	d.setSize(7.5)
	d.pdf.SetTextColor(110, 110, 110)
	d.pdf.SetXY(marginX, pageH-11)
	d.pdf.CellFormat(contentW-30, 4, d.clip(d.footer, contentW-30), "", 0, "L", false, 0, "")
	d.pdf.CellFormat(30, 4, fmt.Sprintf("%d / {nb}", d.pdf.PageNo()), "", 0, "R", false, 0, "")
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(size)
}

func (d *doc) setSize(pt float64) {
	d.size = pt
	d.pdf.SetFont(fontName, "", pt)
}

// lineH is the line height for the current size.
func (d *doc) lineH() float64 { return d.size * 0.3528 * 1.45 }

// runeWidth measures one character at the current size; fpdf does not kern, so a string is as
// wide as the sum of its characters.
func (d *doc) runeWidth(r rune) float64 {
	m := d.widths[d.size]
	if m == nil {
		m = map[rune]float64{}
		d.widths[d.size] = m
	}
	w, ok := m[r]
	if !ok {
		w = d.pdf.GetStringWidth(string(r))
		m[r] = w
	}
	return w
}

// prepare is what every drawn string goes through: the filter, then font fallback.
func (d *doc) prepare(s string) string {
	if d.filter != nil {
		s = d.filter(s)
	}
	return d.cov.printable(s)
}

// wrap breaks text (after font fallback) into lines of at most w millimetres.
func (d *doc) wrap(s string, w float64) []string {
	return wrapText(d.prepare(s), w, d.runeWidth)
}

// clip shortens one line to fit w, ending it with "…".
func (d *doc) clip(s string, w float64) string {
	s = d.prepare(s)
	if d.pdf.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && d.pdf.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// bottom is the lowest y content may reach.
func (d *doc) bottom() float64 { return pageH - marginB - 4 }

// need starts a new page unless h millimetres fit below the current position.
func (d *doc) need(h float64) {
	if d.pdf.GetY()+h > d.bottom() {
		d.pdf.AddPage()
	}
}

// text writes wrapped text at the left margin plus indent, in the current size.
func (d *doc) text(s string, indent float64) {
	lh := d.lineH()
	for _, line := range d.wrap(s, contentW-indent) {
		d.need(lh)
		d.pdf.SetX(marginX + indent)
		d.pdf.CellFormat(contentW-indent, lh, line, "", 1, "L", false, 0, "")
	}
}

// heading writes a section heading and adds it to the PDF outline (bookmarks).
func (d *doc) heading(s string, level int) {
	size := []float64{16, 12.5, 11}[min(level, 2)]
	d.setSize(size)
	lines := d.wrap(s, contentW)
	d.need(float64(len(lines))*d.lineH() + 14) // keep a heading with what follows
	d.pdf.Ln(2)
	d.pdf.Bookmark(d.prepare(s), level, -1)
	if level == 0 {
		d.pdf.SetTextColor(20, 50, 100)
	}
	for _, line := range lines {
		d.pdf.SetX(marginX)
		d.pdf.CellFormat(contentW, d.lineH(), line, "", 1, "L", false, 0, "")
	}
	if level == 0 {
		d.pdf.SetDrawColor(20, 50, 100)
		d.pdf.Line(marginX, d.pdf.GetY()+0.5, pageW-marginX, d.pdf.GetY()+0.5)
		d.pdf.Ln(2)
	}
	d.pdf.SetTextColor(0, 0, 0)
	d.pdf.Ln(1)
	d.setSize(bodyPt)
}

// keyValues writes label: value rows, the value wrapped beside the label.
func (d *doc) keyValues(labelW float64, rows [][2]string) {
	lh := d.lineH()
	for _, kv := range rows {
		lines := d.wrap(kv[1], contentW-labelW)
		d.need(lh * float64(min(len(lines), 3)))
		y := d.pdf.GetY()
		d.pdf.SetTextColor(90, 90, 90)
		d.pdf.SetXY(marginX, y)
		d.pdf.CellFormat(labelW, lh, d.clip(kv[0], labelW-2), "", 0, "L", false, 0, "")
		d.pdf.SetTextColor(0, 0, 0)
		for i, line := range lines {
			if i > 0 {
				d.need(lh)
			}
			d.pdf.SetX(marginX + labelW)
			d.pdf.CellFormat(contentW-labelW, lh, line, "", 1, "L", false, 0, "")
		}
	}
}

// column of a table: its title, width in millimetres, and font size (0 = body size).
type column struct {
	title string
	width float64
	size  float64
}

// cell is a table cell: text, or a status drawn as a badge when status is set.
type cell struct {
	text   string
	status string
}

// maxCellLines caps how tall one cell can make a row, so a row always fits on a page; the
// complete text is in results.json.
const maxCellLines = 30

// table writes rows under a header that is repeated on every page. Rows are never split.
func (d *doc) table(cols []column, rows [][]cell) {
	const pad = 1.2
	header := func() {
		d.setSize(8)
		lh := d.lineH()
		h := 0.0
		wrapped := make([][]string, len(cols))
		for i, c := range cols {
			wrapped[i] = d.wrap(c.title, c.width-2*pad)
			h = max(h, float64(len(wrapped[i]))*lh+2*pad)
		}
		d.need(h + 8)
		x, y := marginX, d.pdf.GetY()
		d.pdf.SetFillColor(225, 231, 240)
		d.pdf.SetDrawColor(170, 170, 170)
		for i, c := range cols {
			d.pdf.Rect(x, y, c.width, h, "FD")
			for j, line := range wrapped[i] {
				d.pdf.SetXY(x+pad, y+pad+float64(j)*lh)
				d.pdf.CellFormat(c.width-2*pad, lh, line, "", 0, "L", false, 0, "")
			}
			x += c.width
		}
		d.pdf.SetXY(marginX, y+h)
	}
	header()
	for _, row := range rows {
		wrapped := make([][]string, len(cols))
		h := 0.0
		for i, c := range cols {
			d.setSize(cellSize(c))
			if row[i].status != "" {
				h = max(h, 5.2+2*pad)
				continue
			}
			lines := d.wrap(row[i].text, c.width-2*pad)
			if len(lines) > maxCellLines {
				lines = append(lines[:maxCellLines-1], "…")
			}
			wrapped[i] = lines
			h = max(h, float64(len(lines))*d.lineH()+2*pad)
		}
		if d.pdf.GetY()+h > d.bottom() {
			d.pdf.AddPage()
			header()
		}
		x, y := marginX, d.pdf.GetY()
		d.pdf.SetDrawColor(190, 190, 190)
		for i, c := range cols {
			d.pdf.Rect(x, y, c.width, h, "D")
			d.setSize(cellSize(c))
			if row[i].status != "" {
				d.badge(x+pad, y+pad, c.width-2*pad, row[i].status)
			}
			for j, line := range wrapped[i] {
				d.pdf.SetXY(x+pad, y+pad+float64(j)*d.lineH())
				d.pdf.CellFormat(c.width-2*pad, d.lineH(), line, "", 0, "L", false, 0, "")
			}
			x += c.width
		}
		d.pdf.SetXY(marginX, y+h)
	}
	d.setSize(bodyPt)
	d.pdf.Ln(3)
}

func cellSize(c column) float64 {
	if c.size > 0 {
		return c.size
	}
	return 8
}

// badge draws a status as a coloured rounded box with its name in white: a drawn mark, so it
// does not depend on the font having ✔ or ✗. It returns the badge's width.
func (d *doc) badge(x, y, maxW float64, status string) float64 {
	size := d.size
	d.setSize(7.5)
	label := statusLabel(status, d.lang)
	w := min(maxW, d.pdf.GetStringWidth(label)+4)
	c := statusColor(status)
	d.pdf.SetFillColor(c[0], c[1], c[2])
	d.pdf.RoundedRect(x, y, w, 5.2, 1.2, "1234", "F")
	d.pdf.SetTextColor(255, 255, 255)
	d.pdf.SetXY(x, y+0.1)
	d.pdf.CellFormat(w, 5, d.clip(label, w), "", 0, "C", false, 0, "")
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(size)
	return w
}

// bar is one labelled row of a stacked bar chart: counts per status.
type bar struct {
	label  string
	counts map[string]int
}

// barChart draws horizontal stacked bars, one per row, scaled to the largest total, with the
// count written in each segment wide enough to hold it, and a legend.
func (d *doc) barChart(rows []bar, statuses []string) {
	const labelW, rowH, gap = 62.0, 5.0, 1.6
	total := func(b bar) int {
		n := 0
		for _, s := range statuses {
			n += b.counts[s]
		}
		return n
	}
	maxN := 1
	for _, r := range rows {
		maxN = max(maxN, total(r))
	}
	barW := contentW - labelW - 10
	d.setSize(7.5)
	for _, r := range rows {
		d.need(rowH + gap)
		y := d.pdf.GetY()
		d.pdf.SetXY(marginX, y)
		d.pdf.CellFormat(labelW-2, rowH, d.clip(r.label, labelW-2), "", 0, "R", false, 0, "")
		x := marginX + labelW
		for _, s := range statuses {
			n := r.counts[s]
			if n == 0 {
				continue
			}
			w := barW * float64(n) / float64(maxN)
			c := statusColor(s)
			d.pdf.SetFillColor(c[0], c[1], c[2])
			d.pdf.Rect(x, y, w, rowH, "F")
			label := fmt.Sprint(n)
			if d.pdf.GetStringWidth(label)+1 < w {
				d.pdf.SetTextColor(255, 255, 255)
				d.pdf.SetXY(x, y)
				d.pdf.CellFormat(w, rowH, label, "", 0, "C", false, 0, "")
				d.pdf.SetTextColor(0, 0, 0)
			}
			x += w
		}
		d.pdf.SetXY(x+1.5, y)
		d.pdf.CellFormat(10, rowH, fmt.Sprint(total(r)), "", 0, "L", false, 0, "")
		d.pdf.SetXY(marginX, y+rowH+gap)
	}
	d.legend(statuses)
	d.setSize(bodyPt)
}

// legend draws a swatch and the name of each status on one line.
func (d *doc) legend(statuses []string) {
	d.need(8)
	d.pdf.Ln(1)
	x, y := marginX+62, d.pdf.GetY()
	for _, s := range statuses {
		c := statusColor(s)
		d.pdf.SetFillColor(c[0], c[1], c[2])
		d.pdf.Rect(x, y+1, 3, 3, "F")
		label := statusLabel(s, d.lang)
		d.pdf.SetXY(x+4, y)
		w := d.pdf.GetStringWidth(label) + 2
		d.pdf.CellFormat(w, 5, label, "", 0, "L", false, 0, "")
		x += w + 6
	}
	d.pdf.SetXY(marginX, y+8)
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
