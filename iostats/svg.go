package iostats

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// kindColors are the timeline's colours by Kind.
var kindColors = [numKinds]string{KindWrite: "#1f77b4", KindRead: "#2ca02c", KindFilter: "#9467bd", KindMeta: "#ff7f0e", KindWait: "#d62728"}

// WriteSVG draws the timeline as one self-contained SVG picture, Darshan's
// heat map made per kind: a row per rank (<g class="rank">), a column per
// time bin, and in each cell a bar stacked from the share of the bin the
// rank spent writing, reading, filtering, on metadata and waiting for its
// peers (white is everything else: the program's own work). Cells carry
// their figures as a tooltip (<title>) in jobs of up to 64 ranks.
func (rep *Report) WriteSVG(w io.Writer) error {
	tl := rep.Timeline
	n := len(tl.Ranks)
	const (
		left, top, plotW = 70, 64, 900
		legendH          = 24
	)
	rowH := 16.0
	if n > 0 {
		rowH = min(16, max(2, 640/float64(n)))
	}
	nb := max(tl.Bins, 1)
	cellW := float64(plotW) / float64(nb)
	plotH := rowH * float64(n)
	width, height := left+plotW+20, top+plotH+40+legendH+14*float64(len(rep.Files))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" font-family="sans-serif" font-size="11">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14" font-weight="bold">gorun iostats: %d ranks, %s</text>`+"\n", left, rep.Ranks, esc(Duration(rep.DurationNs)))
	// Legend.
	x := float64(left)
	for k := range numKinds {
		fmt.Fprintf(&b, `<rect x="%.1f" y="30" width="12" height="12" fill="%s"/><text x="%.1f" y="40">%s</text>`+"\n", x, kindColors[k], x+16, Kind(k))
		x += 80
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="40" fill="#555">share of each time bin (%s); white: the program's own work</text>`+"\n", x, esc(Duration(tl.BinNs)))
	titles := n <= 64
	for r, line := range tl.Ranks {
		y := float64(top) + float64(r)*rowH
		fmt.Fprintf(&b, `<g class="rank" data-rank="%d">`, r)
		fmt.Fprintf(&b, `<rect x="%d" y="%.2f" width="%d" height="%.2f" fill="#f7f7f7" stroke="#ddd" stroke-width="0.5"/>`, left, y, plotW, rowH)
		if rowH >= 8 || r%max(1, int(10/rowH)) == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%.2f" text-anchor="end" font-size="%.0f">rank %d</text>`, left-6, y+rowH*0.8, min(11, max(6, rowH)), r)
		}
		series := line.kinds()
		for bin := range nb {
			var frac [numKinds]float64
			total := 0.0
			for k, s := range series {
				if bin < len(*s) {
					frac[k] = float64((*s)[bin]) / float64(tl.BinNs)
					total += frac[k]
				}
			}
			if total == 0 {
				continue
			}
			scale := 1.0
			if total > 1 { // overlapping goroutines: share the bin
				scale = 1 / total
			}
			cx := float64(left) + float64(bin)*cellW
			yb := y + rowH
			if titles {
				fmt.Fprintf(&b, `<g><title>%s</title>`, esc(cellTitle(r, bin, tl, line)))
			}
			for k := range numKinds {
				h := frac[k] * scale * rowH
				if h <= 0 {
					continue
				}
				yb -= h
				fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>`, cx, yb, cellW, h, kindColors[k])
			}
			if titles {
				b.WriteString(`</g>`)
			}
		}
		b.WriteString("</g>\n")
	}
	// Time axis.
	ay := float64(top) + plotH
	fmt.Fprintf(&b, `<line x1="%d" y1="%.2f" x2="%d" y2="%.2f" stroke="black"/>`+"\n", left, ay, left+plotW, ay)
	for i := 0; i <= 5; i++ {
		tx := float64(left) + float64(i)*plotW/5
		ns := int64(float64(tl.BinNs) * float64(nb) * float64(i) / 5)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.2f" x2="%.1f" y2="%.2f" stroke="black"/><text x="%.1f" y="%.2f" text-anchor="middle">%s</text>`+"\n",
			tx, ay, tx, ay+4, tx, ay+16, esc(Duration(ns)))
	}
	fy := ay + 40
	for _, f := range rep.Files {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%s: %d bytes written, %d bytes read</text>`+"\n", left, fy, esc(f.Path), f.Total.BytesWritten, f.Total.BytesRead)
		fy += 14
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func cellTitle(r, bin int, tl Timeline, line RankLine) string {
	var parts []string
	for k, s := range line.kinds() {
		if bin < len(*s) && (*s)[bin] > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", Kind(k), Duration((*s)[bin])))
		}
	}
	if bin < len(line.WriteBytes) && line.WriteBytes[bin] > 0 {
		parts = append(parts, "wrote "+Bytes(line.WriteBytes[bin]))
	}
	if bin < len(line.ReadBytes) && line.ReadBytes[bin] > 0 {
		parts = append(parts, "read "+Bytes(line.ReadBytes[bin]))
	}
	return fmt.Sprintf("rank %d, %s-%s: %s", r, Duration(int64(bin)*tl.BinNs), Duration(int64(bin+1)*tl.BinNs), strings.Join(parts, ", "))
}

func esc(s string) string { return html.EscapeString(s) }
