package h5core

import "fmt"

// Hyperslab is a regular selection, h5py's dset[start:stop:step] per
// dimension: Count blocks of Block elements, Stride apart, from Start.
// Nil Stride or Block mean 1 in every dimension.
type Hyperslab struct {
	Start, Stride, Count, Block []uint64
}

// All returns the selection of every element of shape.
func All(shape []uint64) Hyperslab {
	return Hyperslab{Start: make([]uint64, len(shape)), Count: append([]uint64{}, shape...)}
}

// Run is one contiguous byte range shared by storage and the packed
// selection buffer (row-major over the selection's Shape).
type Run struct {
	Off    uint64 // byte offset in the storage (dataset data, or one chunk)
	MemOff uint64 // byte offset in the selection buffer
	Len    uint64 // bytes
}

// Shape returns the dimensions of the selection buffer: Count*Block.
func (h Hyperslab) Shape() []uint64 {
	s := make([]uint64, len(h.Count))
	for i := range s {
		s[i] = h.Count[i] * h.block(i)
	}
	return s
}

// NumElements returns the number of selected elements.
func (h Hyperslab) NumElements() uint64 {
	n, _ := numElements(h.Shape())
	return n
}

func (h Hyperslab) stride(i int) uint64 {
	if h.Stride == nil {
		return 1
	}
	return h.Stride[i]
}

func (h Hyperslab) block(i int) uint64 {
	if h.Block == nil {
		return 1
	}
	return h.Block[i]
}

// Check reports whether h is a valid selection within shape.
func (h Hyperslab) Check(shape []uint64) error {
	r := len(shape)
	if len(h.Start) != r || len(h.Count) != r || (h.Stride != nil && len(h.Stride) != r) || (h.Block != nil && len(h.Block) != r) {
		return fmt.Errorf("h5core: selection of rank %d for a dataspace of rank %d", len(h.Start), r)
	}
	for i := 0; i < r; i++ {
		st, bl, c := h.stride(i), h.block(i), h.Count[i]
		if c == 0 {
			continue
		}
		if bl == 0 || st == 0 || (c > 1 && st < bl) {
			return fmt.Errorf("h5core: dimension %d: stride %d and block %d must be >= 1 with stride >= block", i, st, bl)
		}
		if c > (^uint64(0)-bl)/st {
			return fmt.Errorf("h5core: dimension %d: selection overflows", i)
		}
		end := h.Start[i] + (c-1)*st + bl
		if end < h.Start[i] || end > shape[i] {
			return fmt.Errorf("h5core: dimension %d: selection [%d, %d) outside extent %d", i, h.Start[i], end, shape[i])
		}
	}
	return nil
}

// interval is a run of selected coordinates lo..lo+n-1 in one dimension,
// whose first element sits at index mem of the selection buffer's
// dimension.
type interval struct{ lo, n, mem uint64 }

func (h Hyperslab) intervals(i int) []interval {
	st, bl := h.stride(i), h.block(i)
	if st == bl || h.Count[i] == 1 {
		return []interval{{h.Start[i], h.Count[i] * bl, 0}}
	}
	var out []interval
	for k := uint64(0); k < h.Count[i]; k++ {
		lo := h.Start[i] + k*st
		if n := len(out); n > 0 && out[n-1].lo+out[n-1].n == lo {
			out[n-1].n += bl
			continue
		}
		out = append(out, interval{lo, bl, k * bl})
	}
	return out
}

// runEmitter merges adjacent runs before passing them on.
type runEmitter struct {
	pend Run
	have bool
	fn   func(Run) error
}

func (e *runEmitter) add(r Run) error {
	if e.have && e.pend.Off+e.pend.Len == r.Off && e.pend.MemOff+e.pend.Len == r.MemOff {
		e.pend.Len += r.Len
		return nil
	}
	if e.have {
		if err := e.fn(e.pend); err != nil {
			return err
		}
	}
	e.pend, e.have = r, true
	return nil
}

func (e *runEmitter) flush() error {
	if !e.have {
		return nil
	}
	e.have = false
	return e.fn(e.pend)
}

// ContiguousRuns calls fn with the byte runs of sel in contiguous storage
// of a dataset of shape with elemSize-byte elements, in storage order.
func ContiguousRuns(shape []uint64, elemSize uint64, sel Hyperslab, fn func(Run) error) error {
	if err := sel.Check(shape); err != nil {
		return err
	}
	if sel.NumElements() == 0 {
		return nil
	}
	ivs := make([][]interval, len(shape))
	for i := range shape {
		ivs[i] = sel.intervals(i)
	}
	e := &runEmitter{fn: fn}
	if err := emitRuns(ivs, make([]uint64, len(shape)), shape, sel.Shape(), elemSize, e); err != nil {
		return err
	}
	return e.flush()
}

// emitRuns walks the intervals of every dimension; origin is subtracted
// from coordinates (the chunk's first element) and storage is laid out
// row-major over dims.
func emitRuns(ivs [][]interval, origin, dims, memShape []uint64, elemSize uint64, e *runEmitter) error {
	rank := len(dims)
	if rank == 0 {
		return e.add(Run{0, 0, elemSize})
	}
	fstride := make([]uint64, rank)
	mstride := make([]uint64, rank)
	fs, ms := elemSize, elemSize
	for i := rank - 1; i >= 0; i-- {
		fstride[i], mstride[i] = fs, ms
		fs *= dims[i]
		ms *= memShape[i]
	}
	var walk func(d int, foff, moff uint64) error
	walk = func(d int, foff, moff uint64) error {
		for _, iv := range ivs[d] {
			if d == rank-1 {
				if err := e.add(Run{foff + (iv.lo-origin[d])*fstride[d], moff + iv.mem*mstride[d], iv.n * elemSize}); err != nil {
					return err
				}
				continue
			}
			for k := uint64(0); k < iv.n; k++ {
				if err := walk(d+1, foff+(iv.lo+k-origin[d])*fstride[d], moff+(iv.mem+k)*mstride[d]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(0, 0, 0)
}

// ChunkRuns calls fn once per chunk that sel touches, in row-major chunk
// order, with the chunk's element offsets and the byte runs of sel inside
// that chunk (offsets within the decoded chunk, which always has the full
// chunk shape, edge chunks included).
func ChunkRuns(shape, chunk []uint64, elemSize uint64, sel Hyperslab, fn func(coords []uint64, runs []Run) error) error {
	if err := sel.Check(shape); err != nil {
		return err
	}
	if len(chunk) != len(shape) {
		return fmt.Errorf("h5core: chunk rank %d for shape rank %d", len(chunk), len(shape))
	}
	for _, c := range chunk {
		if c == 0 {
			return fmt.Errorf("h5core: zero chunk dimension in %v", chunk)
		}
	}
	if sel.NumElements() == 0 {
		return nil
	}
	rank := len(shape)
	ivs := make([][]interval, rank)
	chunkIdx := make([][]uint64, rank) // touched chunk indices per dimension
	for i := range shape {
		ivs[i] = sel.intervals(i)
		last := ^uint64(0)
		for _, iv := range ivs[i] {
			for c := iv.lo / chunk[i]; c <= (iv.lo+iv.n-1)/chunk[i]; c++ {
				if c != last {
					chunkIdx[i] = append(chunkIdx[i], c)
					last = c
				}
			}
		}
	}
	memShape := sel.Shape()
	pos := make([]int, rank)
	coords := make([]uint64, rank)
	clipped := make([][]interval, rank)
	for {
		for i := 0; i < rank; i++ {
			coords[i] = chunkIdx[i][pos[i]] * chunk[i]
			clipped[i] = clipped[i][:0]
			lo, hi := coords[i], coords[i]+chunk[i]
			for _, iv := range ivs[i] {
				a, b := max(iv.lo, lo), min(iv.lo+iv.n, hi)
				if a < b {
					clipped[i] = append(clipped[i], interval{a, b - a, iv.mem + (a - iv.lo)})
				}
			}
		}
		var runs []Run
		e := &runEmitter{fn: func(r Run) error { runs = append(runs, r); return nil }}
		if err := emitRuns(clipped, coords, chunk, memShape, elemSize, e); err != nil {
			return err
		}
		e.flush()
		if err := fn(append([]uint64(nil), coords...), runs); err != nil {
			return err
		}
		i := rank - 1
		for ; i >= 0; i-- {
			pos[i]++
			if pos[i] < len(chunkIdx[i]) {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
}
