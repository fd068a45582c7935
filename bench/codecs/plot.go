package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// plot draws write time (x, logarithmic) against compression ratio (y),
// one point per codec for gorun and one for h5py with the same plugin:
// the further up and left, the better.
func plot(rs []result, size string) []byte {
	const W, H, L, R, T, B = 900, 560, 70, 30, 40, 60
	lo, hi, top := math.Inf(1), 0.0, 1.0
	for _, r := range rs {
		for _, d := range []float64{r.goW.Seconds(), r.pyW.Seconds()} {
			if d > 0 {
				lo, hi = math.Min(lo, d), math.Max(hi, d)
			}
		}
		top = math.Max(top, math.Max(r.goRatio, r.pyRatio))
	}
	if hi == 0 {
		lo, hi = 0.1, 1
	}
	lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	top = math.Ceil(top)
	x := func(s float64) float64 {
		return L + (W-L-R)*(math.Log10(s)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	y := func(ratio float64) float64 { return H - B - (H-T-B)*ratio/top }
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14">Serial write of %s float32: time against compression ratio (up and left is better)</text>`+"\n", L, html.EscapeString(size))
	for d := lo; d <= hi*1.001; d *= 10 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%g s</text>`+"\n", x(d), T, x(d), H-B, x(d), H-B+16, d)
	}
	for r := 0.0; r <= top; r++ {
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
