package h5core

import (
	"fmt"
	"math/bits"
)

// openIndexV4 opens the chunk index a version 4 layout message names.
func openIndexV4(p chunkIndexParams) (chunkIndex, error) {
	if len(p.chunk) != len(p.shape) || len(p.maxShape) != len(p.shape) {
		return nil, formatErr(int64(min(p.addr, 1<<62)), "chunk rank does not match the dataspace", len(p.chunk))
	}
	g, err := newChunkGrid(p)
	if err != nil {
		return nil, err
	}
	if p.addr == UndefinedAddr && p.indexType != ChunkIndexSingle && p.indexType != ChunkIndexImplicit {
		// No chunk was ever written: libhdf5 creates the index with the
		// first one (and so does this package's writer).
		return noChunks{}, nil
	}
	switch p.indexType {
	case ChunkIndexSingle:
		return openSingleChunk(p, g)
	case ChunkIndexImplicit:
		return &implicitIndex{p: p, g: g}, nil
	case ChunkIndexFixedArray:
		return openFixedArray(p, g)
	case ChunkIndexExtArray:
		return openExtArray(p, g)
	case ChunkIndexBTree2:
		return &btree2Index{p: p, g: g}, nil
	}
	return nil, fmt.Errorf("chunk index type %d: %w", p.indexType, ErrUnsupported)
}

// noChunks is the index of a chunked dataset nothing was ever written
// to: every chunk reads as the fill value.
type noChunks struct{}

func (noChunks) lookup([]uint64) (ChunkRecord, bool, error) { return ChunkRecord{}, false, nil }
func (noChunks) all() ([]ChunkRecord, error)                { return nil, nil }

// chunkGrid maps chunk coordinates to the linear index libhdf5's array
// indexes use: row-major over the chunk counts of the maximum dimensions,
// with the unlimited dimension (extensible array) moved first.
type chunkGrid struct {
	chunk  []uint64
	order  []int    // dimensions in linear-index order (major first)
	down   []uint64 // stride of each dimension in order
	counts []uint64 // chunks per dimension (current shape), in dataset order
	total  uint64   // chunks in the current shape
	maxN   uint64   // chunks in the maximum shape (unlimited: current)
	bytes  uint64   // decoded chunk size
}

func newChunkGrid(p chunkIndexParams) (chunkGrid, error) {
	rank := len(p.shape)
	g := chunkGrid{chunk: p.chunk, bytes: uint64(p.elemSize), total: 1}
	unl := -1
	for i := 0; i < rank; i++ {
		if p.maxShape[i] == Unlimited && unl < 0 && p.indexType == ChunkIndexExtArray {
			unl = i
		}
	}
	if unl >= 0 {
		g.order = append(g.order, unl)
	}
	for i := 0; i < rank; i++ {
		if i != unl {
			g.order = append(g.order, i)
		}
	}
	g.down = make([]uint64, rank)
	stride := uint64(1)
	for j := rank - 1; j >= 0; j-- {
		d := g.order[j]
		g.down[j] = stride
		m := p.maxShape[d]
		if m == Unlimited {
			m = p.shape[d]
		}
		n := (m + p.chunk[d] - 1) / p.chunk[d]
		if n > 0 && stride > (1<<62)/n {
			return g, formatErr(int64(min(p.addr, 1<<62)), "too many chunks", p.maxShape)
		}
		stride *= max(n, 1)
	}
	g.maxN = stride
	for i := 0; i < rank; i++ {
		n := (p.shape[i] + p.chunk[i] - 1) / p.chunk[i]
		g.counts = append(g.counts, n)
		hi, lo := bits.Mul64(g.total, n)
		if hi != 0 || lo > 1<<32 {
			return g, formatErr(int64(min(p.addr, 1<<62)), "too many chunks", p.shape)
		}
		g.total = lo
		g.bytes *= p.chunk[i]
	}
	return g, nil
}

// index returns the linear index of the chunk at element offsets coords.
func (g chunkGrid) index(coords []uint64) (uint64, bool) {
	if len(coords) != len(g.chunk) {
		return 0, false
	}
	var idx uint64
	for j, d := range g.order {
		s := coords[d] / g.chunk[d]
		if s >= g.counts[d] {
			return 0, false
		}
		idx += s * g.down[j]
	}
	return idx, true
}

// each calls fn with the element offsets of every chunk in the current
// shape, row-major.
func (g chunkGrid) each(fn func(coords []uint64) error) error {
	if g.total == 0 {
		return nil
	}
	rank := len(g.chunk)
	s := make([]uint64, rank)
	for {
		c := make([]uint64, rank)
		for i := range s {
			c[i] = s[i] * g.chunk[i]
		}
		if err := fn(c); err != nil {
			return err
		}
		i := rank - 1
		for ; i >= 0; i-- {
			s[i]++
			if s[i] < g.counts[i] {
				break
			}
			s[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
}

// chunkSizeLen is the bytes a filtered chunk's stored size takes in array
// and B-tree records (libhdf5: 1 + (log2(chunk bytes) + 8) / 8, at most 8).
func chunkSizeLen(chunkBytes uint64) int {
	return min(8, 1+(bits.Len64(chunkBytes)-1+8)/8)
}

// decodeChunkEntry decodes an array element: an address, and for filtered
// datasets the stored size and filter mask.
func decodeChunkEntry(b []byte, off int64, filtered bool, g chunkGrid, coords []uint64, fileSize int64) (ChunkRecord, bool, error) {
	c := newCursor(b, off, "chunk index entry")
	rec := ChunkRecord{Coords: coords, Addr: c.u64(), Size: g.bytes}
	if filtered {
		rec.Size = c.uN(chunkSizeLen(g.bytes))
		rec.FilterMask = c.u32()
	}
	if c.err != nil {
		return rec, false, c.err
	}
	if rec.Addr == UndefinedAddr {
		return rec, false, nil
	}
	if rec.Addr > uint64(fileSize) || rec.Size > uint64(fileSize)-rec.Addr {
		return rec, false, formatErr(off, "chunk lies beyond the end of the file", [2]uint64{rec.Addr, rec.Size})
	}
	return rec, true, nil
}

func entrySize(p chunkIndexParams, g chunkGrid) int {
	if p.filtered {
		return 8 + chunkSizeLen(g.bytes) + 4
	}
	return 8
}

// arrayIndex serves lookup and all for the fixed and extensible arrays,
// given a function that returns the bytes of element i.
type arrayIndex struct {
	kind string // "fixed array" or "extensible array"
	p    chunkIndexParams
	g    chunkGrid
	// elem returns the bytes of element i and their file offset; nil bytes
	// for an element never written, with next (when > i) the first index
	// that could be written, so all() skips unallocated blocks.
	elem  func(i uint64) (b []byte, off int64, next uint64, err error)
	limit uint64 // linear indexes all() walks
}

func (x *arrayIndex) lookup(coords []uint64) (ChunkRecord, bool, error) {
	i, ok := x.g.index(coords)
	if !ok {
		return ChunkRecord{}, false, nil
	}
	b, off, _, err := x.elem(i)
	if err != nil || b == nil {
		return ChunkRecord{}, false, err
	}
	return decodeChunkEntry(b, off, x.p.filtered, x.g, append([]uint64(nil), coords...), x.p.size)
}

// all walks the array's linear indexes, skipping blocks never allocated, so
// the work is bounded by what the file holds, not by the dataspace.
func (x *arrayIndex) all() ([]ChunkRecord, error) {
	var out []ChunkRecord
	for i := uint64(0); i < x.limit; {
		coords, ok := x.g.coords(i)
		if !ok {
			i++
			continue
		}
		b, off, next, err := x.elem(i)
		if err != nil {
			return nil, err
		}
		if b == nil {
			i = max(i+1, next)
			continue
		}
		r, ok, err := decodeChunkEntry(b, off, x.p.filtered, x.g, coords, x.p.size)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
		i++
	}
	return out, nil
}

// coords returns the element offsets of the chunk at linear index i, and
// whether it lies inside the current shape.
func (g chunkGrid) coords(i uint64) ([]uint64, bool) {
	c := make([]uint64, len(g.chunk))
	for j, d := range g.order {
		s := i / g.down[j]
		if j > 0 {
			s %= g.down[j-1] / g.down[j]
		}
		if s >= g.counts[d] {
			return nil, false
		}
		c[d] = s * g.chunk[d]
	}
	return c, true
}

// blockCache keeps the last block an array index read, since records are
// read in order and neighbours share blocks.
type blockCache struct {
	addr uint64
	b    *cursor
}

func (bc *blockCache) get(addr uint64, load func() (*cursor, error)) (*cursor, error) {
	if bc.b != nil && bc.addr == addr {
		return bc.b, nil
	}
	c, err := load()
	if err != nil {
		return nil, err
	}
	bc.addr, bc.b = addr, c
	return c, nil
}

// chooseChunkIndex picks a new layout 4 dataset's chunk index as libhdf5
// does (H5D__layout_set_latest_indexing): with no unlimited dimension, a
// single chunk when one chunk covers the maximum shape, the implicit index
// when chunks are unfiltered and allocated early, else a fixed array; one
// unlimited dimension, an extensible array; more, a version 2 B-tree.
func chooseChunkIndex(maxShape, chunk []uint64, filtered, early bool) uint8 {
	unlimited := 0
	single := true
	for i, m := range maxShape {
		if m == Unlimited {
			unlimited++
			single = false
		} else if m > chunk[i] {
			single = false
		}
	}
	switch {
	case unlimited == 1:
		return ChunkIndexExtArray
	case unlimited > 1:
		return ChunkIndexBTree2
	case single:
		return ChunkIndexSingle
	case !filtered && early:
		return ChunkIndexImplicit
	}
	return ChunkIndexFixedArray
}

// layoutV4 is a version 4 chunked layout as this package writes it.
type layoutV4 struct {
	flags     uint8
	indexType uint8
	info      []byte // index-type-specific fields
	addr      uint64
}

// encodeLayoutV4 returns a version 4 chunked layout message: chunk
// dimensions (the element size last) in the fewest bytes that hold the
// largest, as libhdf5 encodes them.
func encodeLayoutV4(l layoutV4, chunk []uint64, elemSize uint32) []byte {
	dims := append(append([]uint64(nil), chunk...), uint64(elemSize))
	enc := 1
	for _, d := range dims {
		enc = max(enc, (bits.Len64(d)-1+8)/8)
	}
	b := []byte{4, uint8(LayoutChunked), l.flags, uint8(len(dims)), uint8(enc)}
	for _, d := range dims {
		b = appendUint(b, d, enc)
	}
	b = append(b, l.indexType)
	b = append(b, l.info...)
	return put64(b, l.addr)
}

// encodeChunkEntry encodes an array element: the chunk's address, and for
// filtered datasets its stored size and filter mask (decodeChunkEntry's
// inverse). A nil record is a chunk never written.
func encodeChunkEntry(b []byte, r *ChunkRecord, filtered bool, chunkBytes uint64) []byte {
	if r == nil {
		b = put64(b, UndefinedAddr)
		if filtered {
			b = appendUint(b, 0, chunkSizeLen(chunkBytes))
			b = put32(b, 0)
		}
		return b
	}
	b = put64(b, r.Addr)
	if filtered {
		b = appendUint(b, r.Size, chunkSizeLen(chunkBytes))
		b = put32(b, r.FilterMask)
	}
	return b
}
