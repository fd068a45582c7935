package h5file

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gorun-hpc/gorun/h5core"
)

// Virtual datasets (h5py's VirtualLayout): each mapping pairs the
// elements of a selection in a source dataset, in order, with those of a
// selection here. A read fills the selection with the fill value, then
// copies in what every mapping's source holds for it. A source file or
// dataset that cannot be found leaves its part at the fill value, as
// libhdf5's default view does (h5py reads such parts as the fill value
// too); a source that exists but cannot be read is an error.
//
// The work goes by runs of consecutive elements (h5core's Selection.Spans)
// rather than element by element: a mapping of whole rows is a few
// copies, and a source is read in one piece where the parts wanted are
// dense in it, row by row where they are sparse.

// maxVirtualDepth bounds virtual datasets whose sources are virtual, so a
// file whose mappings lead back to themselves fails instead of recursing
// without end.
const maxVirtualDepth = 16

// vcopy is a run of n elements: at linear index src of the source, going
// to element out of the read's buffer (or, before the source side is
// known, ordinal src of the mapping).
type vcopy struct{ src, out, n uint64 }

// readVirtual fills buf with the packed elements of selection h of a
// virtual dataset.
func (d *Dataset) readVirtual(h h5core.Hyperslab, buf []byte) error {
	return d.readVirtualAt(h, buf, 0)
}

// readVirtualAt is readVirtual for a dataset reached through depth
// virtual mappings.
func (d *Dataset) readVirtualAt(h h5core.Hyperslab, buf []byte, depth int) error {
	if depth >= maxVirtualDepth {
		return fmt.Errorf("%w: %s: virtual datasets nested more than %d deep (mappings that lead back to themselves?)", h5core.ErrFormat, d.name, maxVirtualDepth)
	}
	t := d.d.Type()
	es := uint64(t.Size)
	fillRepeat(buf, d.fillElem())
	shape := d.d.Shape()
	limit := maxReadBytes() / max(es, 8)
	// The selection's runs by linear index, and where each lands in buf.
	var hr []h5core.Run
	if err := h5core.ContiguousRuns(shape, 1, h, func(r h5core.Run) error {
		hr = append(hr, r)
		return nil
	}); err != nil {
		return err
	}
	for i, m := range d.d.Virtual() {
		vs, err := m.Virtual.Spans(shape, limit)
		if err != nil {
			return fmt.Errorf("mapping %d: %w", i, err)
		}
		// The parts of the mapping the selection wants: (ordinal in the
		// mapping, place in buf, count), by increasing ordinal.
		var want []vcopy
		var ord uint64
		for _, sp := range vs {
			k := sort.Search(len(hr), func(k int) bool { return hr[k].Off+hr[k].Len > sp.Start })
			for ; k < len(hr) && hr[k].Off < sp.Start+sp.Len; k++ {
				lo, hi := max(hr[k].Off, sp.Start), min(hr[k].Off+hr[k].Len, sp.Start+sp.Len)
				want = append(want, vcopy{ord + lo - sp.Start, hr[k].MemOff + lo - hr[k].Off, hi - lo})
			}
			ord += sp.Len
		}
		if len(want) == 0 {
			continue
		}
		src, err := d.virtualSource(m)
		if errors.Is(err, ErrNotFound) {
			continue // the fill value stays
		}
		if err != nil {
			return fmt.Errorf("mapping %d: source %s:%s: %w", i, m.File, m.Dataset, err)
		}
		if !src.d.Type().Equal(t) {
			return fmt.Errorf("mapping %d: source %s:%s of type %s for a virtual dataset of %s (conversion is not supported): %w", i, m.File, m.Dataset, src.d.Type(), t, h5core.ErrUnsupported)
		}
		ss, err := m.Source.Spans(src.d.Shape(), limit)
		if err != nil {
			return fmt.Errorf("mapping %d: source %s:%s: %w", i, m.File, m.Dataset, err)
		}
		var sn uint64
		for _, sp := range ss {
			sn += sp.Len
		}
		if sn != ord {
			return fmt.Errorf("%w: mapping %d selects %d source elements for %d virtual ones", h5core.ErrFormat, i, sn, ord)
		}
		// Ordinals to source indexes: both lists go by increasing ordinal.
		var cps []vcopy
		j, base := 0, uint64(0) // ss[j] holds ordinals base..
		for _, w := range want {
			o, out, n := w.src, w.out, w.n
			for n > 0 {
				for base+ss[j].Len <= o {
					base += ss[j].Len
					j++
				}
				take := min(n, base+ss[j].Len-o)
				cps = append(cps, vcopy{ss[j].Start + o - base, out, take})
				o, out, n = o+take, out+take, n-take
			}
		}
		if err := src.copyVirtual(cps, buf, es, depth); err != nil {
			return fmt.Errorf("mapping %d: source %s:%s: %w", i, m.File, m.Dataset, err)
		}
	}
	return nil
}

// copyVirtual reads the source runs cps of d (a mapping's source) into
// buf: the bounding box at once when the runs fill most of it, else row
// by row of the source.
func (d *Dataset) copyVirtual(cps []vcopy, buf []byte, es uint64, depth int) error {
	shape := d.d.Shape()
	read := d.readRaw
	if d.d.Layout() == h5core.LayoutVirtual {
		read = func(h h5core.Hyperslab, b []byte) error { return d.readVirtualAt(h, b, depth+1) }
	}
	rank := len(shape)
	if rank == 0 { // a scalar source: one element
		return read(h5core.All(shape), buf[cps[0].out*es:(cps[0].out+1)*es])
	}
	coords := func(v uint64) []uint64 {
		c := make([]uint64, rank)
		for j := rank - 1; j >= 0; j-- {
			c[j], v = v%shape[j], v/shape[j]
		}
		return c
	}
	// rows calls fn for each part of the runs within one row (last
	// dimension) of the source: its first element's coordinates, length
	// and place in buf.
	rows := func(fn func(c []uint64, n, out uint64) error) error {
		for _, cp := range cps {
			for v, out, n := cp.src, cp.out, cp.n; n > 0; {
				c := coords(v)
				seg := min(n, shape[rank-1]-c[rank-1])
				if err := fn(c, seg, out); err != nil {
					return err
				}
				v, out, n = v+seg, out+seg, n-seg
			}
		}
		return nil
	}
	lo, hi := make([]uint64, rank), make([]uint64, rank)
	for j := range lo {
		lo[j] = ^uint64(0)
	}
	var need uint64
	rows(func(c []uint64, n, _ uint64) error {
		for j := range c {
			lo[j], hi[j] = min(lo[j], c[j]), max(hi[j], c[j])
		}
		hi[rank-1] = max(hi[rank-1], c[rank-1]+n-1)
		need += n
		return nil
	})
	box := h5core.Hyperslab{Start: lo, Count: make([]uint64, rank)}
	for j := range lo {
		box.Count[j] = hi[j] - lo[j] + 1
	}
	if n := box.NumElements(); len(cps) == 1 && cps[0].n == n {
		// One run that is the whole box (whole rows: a contiguous range
		// of the source in its own order): straight into place.
		return read(box, buf[cps[0].out*es:(cps[0].out+n)*es])
	} else if n <= 4*need+4096 {
		if err := checkAlloc(n, es, d.name); err != nil {
			return err
		}
		sb := make([]byte, n*es)
		if err := read(box, sb); err != nil {
			return err
		}
		return rows(func(c []uint64, n, out uint64) error {
			var off uint64
			for j := range c {
				off = off*box.Count[j] + c[j] - lo[j]
			}
			copy(buf[out*es:(out+n)*es], sb[off*es:(off+n)*es])
			return nil
		})
	}
	// Sparse: each row part straight into place.
	row := h5core.Hyperslab{Count: make([]uint64, rank)}
	for j := range row.Count {
		row.Count[j] = 1
	}
	return rows(func(c []uint64, n, out uint64) error {
		row.Start, row.Count[rank-1] = c, n
		return read(row, buf[out*es:(out+n)*es])
	})
}

// virtualSource opens the source dataset of a mapping: in this file for
// ".", else in a file found as external links' files are.
func (d *Dataset) virtualSource(m h5core.VirtualMapping) (*Dataset, error) {
	f := d.f
	if m.File != "." {
		var err error
		if f, err = d.f.openExternal(m.File); err != nil {
			return nil, err
		}
	}
	return f.Root().Dataset(m.Dataset)
}
