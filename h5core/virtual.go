package h5core

import (
	"fmt"
	"slices"
)

// A virtual dataset (layout class 3, h5py's VirtualLayout) stores no data:
// a global heap object lists mappings, each a source dataset (in this
// file, named ".", or another) with a selection in it, and the selection
// of this dataset its elements fill, element by element in the two
// selections' orders. Elements no mapping covers read as the fill value.

// VirtualMapping is one source of a virtual dataset.
type VirtualMapping struct {
	File    string // the source file as stored; "." is the virtual dataset's own file
	Dataset string // path of the source dataset in File
	Source  Selection
	Virtual Selection
}

// SelectionKind says which of Selection's forms is set.
type SelectionKind uint8

// Selection kinds, numbered as libhdf5 serialises them (H5S_sel_type).
const (
	SelectNone   SelectionKind = 0
	SelectPoints SelectionKind = 1
	SelectBlocks SelectionKind = 2 // a hyperslab: Regular, or Blocks
	SelectAll    SelectionKind = 3
)

// Selection is a dataspace selection as libhdf5 serialises it: none, all,
// a list of points, a regular hyperslab or a union of blocks.
type Selection struct {
	Kind    SelectionKind
	Rank    int
	Regular *Hyperslab    // SelectBlocks, regular form
	Blocks  [][2][]uint64 // SelectBlocks, irregular form: first and last element of each block
	Points  [][]uint64    // SelectPoints, in their order
}

// Virtual returns the mappings of a virtual dataset (nil for others).
func (d *Dataset) Virtual() []VirtualMapping { return append([]VirtualMapping(nil), d.virtual...) }

// maxVirtualMappings bounds a hostile heap object's entry count before
// anything is allocated for it (each entry takes at least 34 bytes).
const maxVirtualMappings = 1 << 20

// decodeVirtual decodes the global heap object of a virtual layout.
func decodeVirtual(b []byte, off int64) ([]VirtualMapping, error) {
	if err := verifySum(b, off, "virtual dataset mappings"); err != nil {
		return nil, err
	}
	c := newCursor(b[:len(b)-4], off, "virtual dataset mappings")
	if v := c.u8(); v != 0 {
		c.fail("virtual dataset mappings version", v)
	}
	n := c.u64()
	if c.err != nil {
		return nil, c.err
	}
	if n > maxVirtualMappings || n*34 > uint64(c.rest()) {
		return nil, formatErr(off, "virtual dataset mapping count its heap object cannot hold", n)
	}
	out := make([]VirtualMapping, n)
	for i := range out {
		m := &out[i]
		m.File = c.cstring(0)
		m.Dataset = c.cstring(0)
		m.Source = decodeSelection(c)
		m.Virtual = decodeSelection(c)
		if c.err != nil {
			return nil, c.err
		}
	}
	return out, nil
}

// decodeSelection reads one serialised selection (H5S_SELECT_SERIALIZE:
// versions 1 and 2 as libhdf5 1.10 writes, 3 as 1.12 does).
func decodeSelection(c *cursor) Selection {
	var s Selection
	s.Kind = SelectionKind(c.u32())
	ver := c.u32()
	if c.err != nil {
		return s
	}
	switch s.Kind {
	case SelectNone, SelectAll:
		if ver != 1 {
			c.fail("selection version", ver)
		}
		c.skip(8) // reserved, length
		return s
	case SelectPoints:
		enc := 4
		switch ver {
		case 1:
			c.skip(8) // reserved, length
		case 2:
			enc = int(c.u8())
		default:
			c.fail("point selection version", ver)
		}
		s.Rank = int(c.u32())
		num := c.uN(enc)
		if !checkEnc(c, enc) || !checkRank(c, s.Rank) || num > uint64(c.rest())/uint64(enc*max(s.Rank, 1)) {
			c.fail("point count", num)
			return s
		}
		s.Points = make([][]uint64, num)
		for i := range s.Points {
			p := make([]uint64, s.Rank)
			for j := range p {
				p[j] = c.uN(enc)
			}
			s.Points[i] = p
		}
		return s
	case SelectBlocks:
	default:
		c.fail("selection type", s.Kind)
		return s
	}
	enc, regular := 4, false
	switch ver {
	case 1:
		c.skip(8)
	case 2:
		regular = c.u8()&1 != 0
		c.skip(4) // length
		enc = 8
	case 3:
		regular = c.u8()&1 != 0
		enc = int(c.u8())
	default:
		c.fail("hyperslab selection version", ver)
	}
	s.Rank = int(c.u32())
	if !checkEnc(c, enc) || !checkRank(c, s.Rank) {
		return s
	}
	if regular {
		h := Hyperslab{}
		for j := 0; j < s.Rank; j++ {
			h.Start = append(h.Start, c.uN(enc))
			h.Stride = append(h.Stride, c.uN(enc))
			h.Count = append(h.Count, unlimited(c.uN(enc), enc))
			h.Block = append(h.Block, unlimited(c.uN(enc), enc))
		}
		s.Regular = &h
		return s
	}
	var nb uint64
	if ver == 1 {
		nb = uint64(c.u32())
	} else {
		nb = c.uN(enc)
	}
	if nb > uint64(c.rest())/uint64(2*enc*s.Rank) {
		c.fail("hyperslab block count", nb)
		return s
	}
	s.Blocks = make([][2][]uint64, nb)
	for i := range s.Blocks {
		for k := 0; k < 2; k++ {
			v := make([]uint64, s.Rank)
			for j := range v {
				v[j] = c.uN(enc)
			}
			s.Blocks[i][k] = v
		}
	}
	return s
}

func checkEnc(c *cursor, enc int) bool {
	if enc != 2 && enc != 4 && enc != 8 {
		c.fail("selection integer size", enc)
	}
	return c.err == nil
}

func checkRank(c *cursor, rank int) bool {
	if rank < 1 || rank > MaxRank {
		c.fail("selection rank", rank)
	}
	return c.err == nil
}

// unlimited widens a serialised H5S_UNLIMITED to Unlimited.
func unlimited(v uint64, enc int) uint64 {
	if enc < 8 && v == 1<<(8*enc)-1 {
		return Unlimited
	}
	return v
}

// Elements returns the row-major linear indexes, within shape, of the
// selected elements in the order libhdf5 pairs them up: row-major for
// all and hyperslab selections, as listed for points. It fails on a
// selection outside shape, of another rank, unlimited (printf-style
// mappings, which h5core does not read), or of more than limit elements.
func (s Selection) Elements(shape []uint64, limit uint64) ([]uint64, error) {
	total, ok := numElements(shape)
	if !ok {
		return nil, fmt.Errorf("h5core: selection in a dataspace %v too large", shape)
	}
	if s.Kind != SelectNone && s.Kind != SelectAll && s.Rank != len(shape) {
		return nil, fmt.Errorf("h5core: selection of rank %d in a dataspace of rank %d: %w", s.Rank, len(shape), ErrFormat)
	}
	linear := func(p []uint64) (uint64, error) {
		var idx uint64
		for j, v := range p {
			if v >= shape[j] {
				return 0, fmt.Errorf("h5core: selected element %v outside the dataspace %v: %w", p, shape, ErrFormat)
			}
			idx = idx*shape[j] + v
		}
		return idx, nil
	}
	tooMany := func(n uint64) error {
		return fmt.Errorf("h5core: selection of %d elements exceeds the limit of %d", n, limit)
	}
	switch s.Kind {
	case SelectNone:
		return nil, nil
	case SelectAll:
		if total > limit {
			return nil, tooMany(total)
		}
		out := make([]uint64, total)
		for i := range out {
			out[i] = uint64(i)
		}
		return out, nil
	case SelectPoints:
		if uint64(len(s.Points)) > limit {
			return nil, tooMany(uint64(len(s.Points)))
		}
		out := make([]uint64, len(s.Points))
		for i, p := range s.Points {
			var err error
			if out[i], err = linear(p); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var blocks [][2][]uint64
	if s.Regular != nil {
		h := filled(*s.Regular)
		if len(h.Start) != s.Rank || len(h.Count) != s.Rank || len(h.Stride) != s.Rank || len(h.Block) != s.Rank {
			return nil, fmt.Errorf("h5core: hyperslab of another rank than its selection: %w", ErrFormat)
		}
		for j := range h.Count {
			if h.Count[j] == Unlimited || h.Block[j] == Unlimited {
				return nil, fmt.Errorf("h5core: unlimited virtual mapping: %w", ErrUnsupported)
			}
		}
		if err := checkRegular(h); err != nil { // coordinates that overflow
			return nil, err
		}
		n := uint64(1)
		for j := range h.Count {
			if h.Count[j] == Unlimited || h.Block[j] == Unlimited {
				return nil, fmt.Errorf("h5core: unlimited virtual mapping: %w", ErrUnsupported)
			}
			if h.Count[j] == 0 || h.Block[j] == 0 {
				return nil, nil
			}
			if h.Count[j] > 1 && h.Stride[j] < h.Block[j] {
				return nil, fmt.Errorf("h5core: hyperslab with blocks wider than their stride: %w", ErrFormat)
			}
			last := h.Start[j] + (h.Count[j]-1)*h.Stride[j] + h.Block[j] - 1
			if h.Count[j] > shape[j] || h.Block[j] > shape[j] || last >= shape[j] || last < h.Start[j] {
				return nil, fmt.Errorf("h5core: hyperslab %v outside the dataspace %v: %w", h, shape, ErrFormat)
			}
			n *= h.Count[j] * h.Block[j] // each factor <= shape[j]: bounded by total
		}
		if n > limit {
			return nil, tooMany(n)
		}
		out := make([]uint64, 0, n)
		return out, ContiguousRuns(shape, 1, h, func(r Run) error {
			for k := uint64(0); k < r.Len; k++ {
				out = append(out, r.Off+k)
			}
			return nil
		})
	} else {
		blocks = s.Blocks
	}
	var n uint64
	for _, b := range blocks {
		m := uint64(1)
		for j := range b[0] {
			if b[0][j] > b[1][j] || b[1][j] >= shape[j] {
				return nil, fmt.Errorf("h5core: hyperslab block %v outside the dataspace %v: %w", b, shape, ErrFormat)
			}
			m *= b[1][j] - b[0][j] + 1
		}
		if n += m; n > limit {
			return nil, tooMany(n)
		}
	}
	out := make([]uint64, 0, n)
	for _, b := range blocks {
		h := Hyperslab{Start: b[0], Count: make([]uint64, len(b[0]))}
		for j := range h.Count {
			h.Count[j] = b[1][j] - b[0][j] + 1
		}
		err := ContiguousRuns(shape, 1, h, func(r Run) error {
			for k := uint64(0); k < r.Len; k++ {
				out = append(out, r.Off+k)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// A union of blocks is iterated in row-major order, each element once.
	slices.Sort(out)
	return slices.Compact(out), nil
}
