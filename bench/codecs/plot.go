package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// plot draws write time (x, logarithmic) against compression ratio (y),
// one point per codec for gorun and one for h5py with the same plugin:
// the further up and left, the better.
func plot(rs []result, size string) []byte {
	const W, H, L, R, T, B = 900, 560, 70, 30, 40, 60
	lo, hi, top, bottom := math.Inf(1), 0.0, 1.0, 1.0
	for _, r := range rs {
		for _, d := range []float64{r.goW.Seconds(), r.pyW.Seconds()} {
			if d > 0 {
				lo, hi = math.Min(lo, d), math.Max(hi, d)
			}
		}
		top = math.Max(top, math.Max(r.goRatio, r.pyRatio))
		for _, q := range []float64{r.goRatio, r.pyRatio} {
			if q > 0 {
				bottom = math.Min(bottom, q)
			}
		}
	}
	// Ratios sit between 1 and 2 or so: grid lines every 0.25.
	const step = 0.25
	bottom = math.Floor(bottom/step) * step
	if hi == 0 {
		lo, hi = 0.1, 1
	}
	lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	top = math.Ceil(top/step) * step
	if top <= bottom {
		top = bottom + step
	}
	x := func(s float64) float64 {
		return L + (W-L-R)*(math.Log10(s)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	y := func(ratio float64) float64 { return H - B - (H-T-B)*(ratio-bottom)/(top-bottom) }
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14">Serial write of %s float32: time against compression ratio (up and left is better)</text>`+"\n", L, html.EscapeString(size))
	for d := lo; d <= hi*1.001; d *= 10 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%g s</text>`+"\n", x(d), T, x(d), H-B, x(d), H-B+16, d)
	}
	for r := bottom; r <= top+1e-9; r += step {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%g</text>`+"\n", L, y(r), W-R, y(r), L-6, y(r)+4, r)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">write time (log scale)</text>`+"\n", (W+L-R)/2, H-20)
	fmt.Fprintf(&b, `<text x="18" y="%d" transform="rotate(-90 18 %d)" text-anchor="middle">compression ratio</text>`+"\n", (H-B+T)/2, (H-B+T)/2)
	for _, r := range rs {
		if r.pyW > 0 {
			px, py := x(r.pyW.Seconds()), y(r.pyRatio)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="8" height="8" fill="#e67e22"/>`+"\n", px-4, py-4)
			if r.goW > 0 {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#bbb" stroke-dasharray="3,3"/>`+"\n", px, py, x(r.goW.Seconds()), y(r.goRatio))
			}
		}
		if r.goW > 0 {
			gx, gy := x(r.goW.Seconds()), y(r.goRatio)
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4.5" fill="#2c7fb8"/><text x="%.1f" y="%.1f">%s</text>`+"\n", gx, gy, gx+7, gy-5, html.EscapeString(r.name))
		}
	}
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="4.5" fill="#2c7fb8"/><text x="%d" y="%d">gorun (h5file)</text>`+"\n", W-200, T+10, W-190, T+14)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="8" height="8" fill="#e67e22"/><text x="%d" y="%d">h5py + the same libhdf5 plugin</text>`+"\n", W-204, T+24, W-190, T+32)
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// parseTable reads results back from the markdown table main prints (for
// -replot), so a plot can be redrawn from a RESULTS.md.
func parseTable(text string) []result {
	var rs []result
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 10 || strings.HasPrefix(strings.TrimSpace(f[1]), "codec") || strings.HasPrefix(f[1], "---") {
			continue
		}
		cell := func(i int) string { return strings.TrimSpace(f[i]) }
		r := result{name: cell(1)}
		if _, err := fmt.Sscanf(strings.ReplaceAll(cell(2), " / -", " / 0"), "%f / %f", &r.goRatio, &r.pyRatio); err != nil {
			continue
		}
		r.goW, r.pyW, r.goR, r.pyR = msCell(cell(3)), msCell(cell(4)), msCell(cell(6)), msCell(cell(7))
		rs = append(rs, r)
	}
	return rs
}

func msCell(s string) time.Duration {
	var v float64
	if _, err := fmt.Sscanf(s, "%f ms", &v); err != nil {
		return 0
	}
	return time.Duration(v * float64(time.Millisecond))
}
