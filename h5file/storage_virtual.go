package h5file

import (
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// Virtual datasets (h5py's VirtualLayout): each mapping pairs the
// elements of a selection in a source dataset, in order, with those of a
// selection here. A read fills the selection with the fill value, then
// copies in what every mapping's source holds for it. A source file or
// dataset that cannot be found leaves its part at the fill value, as
// libhdf5's default view does (h5py reads such parts as the fill value
// too); a source that exists but cannot be read is an error.

// readVirtual fills buf with the packed elements of selection h of a
// virtual dataset.
func (d *Dataset) readVirtual(h h5core.Hyperslab, buf []byte) error {
	t := d.d.Type()
	es := uint64(t.Size)
	fillRepeat(buf, d.fillElem())
	shape := d.d.Shape()
	limit := maxReadBytes() / max(es, 8)
	for i, m := range d.d.Virtual() {
		vidx, err := m.Virtual.Elements(shape, limit)
		if err != nil {
			return fmt.Errorf("mapping %d: %w", i, err)
		}
		// Which of this mapping's elements the selection wants, and where.
		var want []int // positions in vidx
		var dst []uint64
		for k, v := range vidx {
			if pos, ok := selPos(h, shape, v); ok {
				want = append(want, k)
				dst = append(dst, pos)
			}
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
		sshape := src.d.Shape()
		sidx, err := m.Source.Elements(sshape, limit)
		if err != nil {
			return fmt.Errorf("mapping %d: source %s:%s: %w", i, m.File, m.Dataset, err)
		}
		if len(sidx) != len(vidx) {
			return fmt.Errorf("%w: mapping %d selects %d source elements for %d virtual ones", h5core.ErrFormat, i, len(sidx), len(vidx))
		}
		// Read the bounding box of the source elements wanted, once.
		box := boundingBox(sshape, sidx, want)
		n := box.NumElements()
		if err := checkAlloc(n, es, src.name); err != nil {
			return err
		}
		sb := make([]byte, n*es)
		if err := src.readRaw(box, sb); err != nil {
			return fmt.Errorf("mapping %d: source %s:%s: %w", i, m.File, m.Dataset, err)
		}
		for j, k := range want {
			p, _ := selPos(box, sshape, sidx[k])
			copy(buf[dst[j]*es:(dst[j]+1)*es], sb[p*es:(p+1)*es])
		}
	}
	return nil
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

// selPos returns the position of the element at row-major index v of
// shape within the packed buffer of selection h, and whether h selects it.
func selPos(h h5core.Hyperslab, shape []uint64, v uint64) (uint64, bool) {
	rank := len(shape)
	var coords [h5core.MaxRank]uint64
	for j := rank - 1; j >= 0; j-- {
		coords[j] = v % shape[j]
		v /= shape[j]
	}
	var pos uint64
	for j := 0; j < rank; j++ {
		c := coords[j]
		if c < h.Start[j] {
			return 0, false
		}
		stride, block := uint64(1), uint64(1)
		if h.Stride != nil {
			stride = h.Stride[j]
		}
		if h.Block != nil {
			block = h.Block[j]
		}
		q, r := (c-h.Start[j])/stride, (c-h.Start[j])%stride
		if r >= block || q >= h.Count[j] {
			return 0, false
		}
		pos = pos*h.Count[j]*block + q*block + r
	}
	return pos, true
}

// boundingBox returns the smallest block of shape holding the elements
// idx[k] for k in want.
func boundingBox(shape []uint64, idx []uint64, want []int) h5core.Hyperslab {
	rank := len(shape)
	lo := make([]uint64, rank)
	hi := make([]uint64, rank)
	for i := range lo {
		lo[i] = ^uint64(0)
	}
	for _, k := range want {
		v := idx[k]
		for j := rank - 1; j >= 0; j-- {
			c := v % shape[j]
			v /= shape[j]
			lo[j], hi[j] = min(lo[j], c), max(hi[j], c)
		}
	}
	count := make([]uint64, rank)
	for j := range count {
		count[j] = hi[j] - lo[j] + 1
	}
	return h5core.Hyperslab{Start: lo, Count: count}
}
