package iostats

// heat is a rank's timeline at a bounded size, as Darshan's heat map
// module keeps it: a fixed number of time bins, each holding the
// nanoseconds spent on each Kind (and bytes written and read) in it.
// When time runs past the last bin, pairs of bins merge and every bin
// covers twice the time, so a run of any length costs the same memory.
type heat struct {
	binNs int64
	ns    [numKinds][heatBins]int64
	bytes [2][heatBins]int64 // written, read
	used  int                // bins up to the latest time recorded
}

const (
	heatBins = 256
	// heatFirstBin is the first width of a bin: a run of up to a quarter
	// of a second shows at millisecond resolution.
	heatFirstBin = int64(1e6)
)

func newHeat() heat { return heat{binNs: heatFirstBin} }

// add spreads the span [from, to) (recorder ns) of kind k and its bytes
// over the bins it covers, in proportion to the time in each.
func (h *heat) add(k Kind, from, to, bytes int64) {
	if k >= numKinds || to < from || from < 0 {
		return
	}
	for to >= h.binNs*heatBins {
		h.coarsen()
	}
	if to == from {
		to++ // an instant still lands in its bin
	}
	first, last := from/h.binNs, (to-1)/h.binNs
	h.used = max(h.used, int(last)+1)
	span := to - from
	var bi int = -1
	switch k {
	case KindWrite:
		bi = 0
	case KindRead:
		bi = 1
	}
	if first == last { // the common span, shorter than a bin: no shares to divide
		h.ns[k][first] += span
		if bi >= 0 && bytes > 0 {
			h.bytes[bi][first] += bytes
		}
		return
	}
	for b := first; b <= last; b++ {
		lo, hi := max(from, b*h.binNs), min(to, (b+1)*h.binNs)
		h.ns[k][b] += hi - lo
		if bi >= 0 && bytes > 0 {
			h.bytes[bi][b] += bytes * (hi - lo) / span
		}
	}
}

// coarsen merges pairs of bins: each then covers twice the time.
func (h *heat) coarsen() {
	for k := range h.ns {
		merge(h.ns[k][:])
	}
	for i := range h.bytes {
		merge(h.bytes[i][:])
	}
	h.binNs *= 2
	h.used = (h.used + 1) / 2
}

func merge(v []int64) {
	for i := range len(v) / 2 {
		v[i] = v[2*i] + v[2*i+1]
	}
	clear(v[len(v)/2:])
}

// Heat is a rank's timeline as a snapshot carries it: bin i covers
// [Start + i*BinNs, Start + (i+1)*BinNs) of the rank's clock.
type Heat struct {
	BinNs      int64   `json:"bin_ns"`
	Write      []int64 `json:"write_ns,omitempty"`
	Read       []int64 `json:"read_ns,omitempty"`
	Filter     []int64 `json:"filter_ns,omitempty"`
	Meta       []int64 `json:"meta_ns,omitempty"`
	Wait       []int64 `json:"wait_ns,omitempty"`
	WriteBytes []int64 `json:"write_bytes,omitempty"`
	ReadBytes  []int64 `json:"read_bytes,omitempty"`
}

// kinds lists h's series by Kind.
func (h *Heat) kinds() [numKinds]*[]int64 {
	return [numKinds]*[]int64{KindWrite: &h.Write, KindRead: &h.Read, KindFilter: &h.Filter, KindMeta: &h.Meta, KindWait: &h.Wait}
}

func (h *heat) snapshot() Heat {
	out := Heat{BinNs: h.binNs}
	cut := func(v []int64) []int64 {
		n := h.used
		for n > 0 && v[n-1] == 0 {
			n--
		}
		if n == 0 {
			return nil
		}
		return append([]int64(nil), v[:n]...)
	}
	for k, p := range out.kinds() {
		*p = cut(h.ns[k][:])
	}
	out.WriteBytes, out.ReadBytes = cut(h.bytes[0][:]), cut(h.bytes[1][:])
	return out
}
