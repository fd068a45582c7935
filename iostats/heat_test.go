package iostats

import "testing"

func sum64(v []int64) (t int64) {
	for _, x := range v {
		t += x
	}
	return t
}

// TestHeat: spans land in the bins they cover, in proportion; a span past
// the last bin coarsens the bins without losing time or bytes.
func TestHeat(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spans    [][3]int64 // from, to, bytes (writes)
		binNs    int64
		want     map[int]int64 // bin -> ns, at the final width
		wantByte int64
	}{
		{"one bin", [][3]int64{{100, 600, 10}}, heatFirstBin, map[int]int64{0: 500}, 10},
		{"across two bins", [][3]int64{{heatFirstBin - 100, heatFirstBin + 300, 40}}, heatFirstBin, map[int]int64{0: 100, 1: 300}, 40},
		{"an instant", [][3]int64{{5, 5, 1}}, heatFirstBin, map[int]int64{0: 1}, 1},
		{"past the end coarsens", [][3]int64{{0, 1000, 8}, {heatBins*heatFirstBin + 10, heatBins*heatFirstBin + 20, 8}}, 2 * heatFirstBin,
			map[int]int64{0: 1000, heatBins / 2: 10}, 16},
		{"far past the end", [][3]int64{{0, 1000, 0}, {1000 * heatBins * heatFirstBin, 1000*heatBins*heatFirstBin + 1, 0}}, 1024 * heatFirstBin,
			map[int]int64{0: 1000, heatBins * 1000 / 1024: 1}, 0},
	} {
		h := newHeat()
		for _, s := range tc.spans {
			h.add(KindWrite, s[0], s[1], s[2])
		}
		if h.binNs != tc.binNs {
			t.Errorf("%s: bin width %d, want %d", tc.name, h.binNs, tc.binNs)
		}
		for b, want := range tc.want {
			if got := h.ns[KindWrite][b]; got != want {
				t.Errorf("%s: bin %d holds %d ns, want %d", tc.name, b, got, want)
			}
		}
		var total, wantTotal int64
		for _, s := range tc.spans {
			wantTotal += max(s[1]-s[0], 1)
		}
		total = sum64(h.ns[KindWrite][:])
		if total != wantTotal {
			t.Errorf("%s: %d ns in all, want %d", tc.name, total, wantTotal)
		}
		if got := sum64(h.bytes[0][:]); got != tc.wantByte {
			t.Errorf("%s: %d bytes, want %d", tc.name, got, tc.wantByte)
		}
		snap := h.snapshot()
		if sum64(snap.Write) != wantTotal || len(snap.Write) > heatBins || snap.Read != nil {
			t.Errorf("%s: snapshot %d ns in %d bins, read %v", tc.name, sum64(snap.Write), len(snap.Write), snap.Read)
		}
	}
}

// TestHeatBadSpans: spans that cannot be placed are ignored, not a panic.
func TestHeatBadSpans(t *testing.T) {
	h := newHeat()
	h.add(KindWrite, 10, 5, 1)
	h.add(KindWrite, -5, 5, 1)
	h.add(numKinds, 0, 5, 1)
	if sum64(h.ns[KindWrite][:]) != 0 || h.used != 0 {
		t.Errorf("bad spans recorded: %v", h.ns[KindWrite][:4])
	}
}

// TestRebin: a rank's bins, shifted by its start, keep their time on the
// job's grid.
func TestRebin(t *testing.T) {
	for _, tc := range []struct {
		v      []int64
		w, off int64
		bin    int64
		nb     int
		want   []int64
	}{
		{[]int64{10, 20}, 10, 0, 10, 3, []int64{10, 20, 0}},
		{[]int64{10, 20}, 10, 5, 10, 3, []int64{5, 15, 10}},
		{[]int64{10, 20, 30, 40}, 10, 0, 20, 2, []int64{30, 70}},
		{[]int64{100}, 100, 0, 10, 4, []int64{10, 10, 10, 10}}, // past the grid: cut
		{nil, 10, 0, 10, 3, nil},
	} {
		got := rebin(tc.v, tc.w, tc.off, tc.bin, tc.nb)
		if len(got) != len(tc.want) {
			t.Errorf("rebin(%v, w %d, off %d, bin %d) = %v, want %v", tc.v, tc.w, tc.off, tc.bin, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("rebin(%v, w %d, off %d, bin %d) = %v, want %v", tc.v, tc.w, tc.off, tc.bin, got, tc.want)
				break
			}
		}
	}
}
