package h5core

import "fmt"

// LayoutClass is how a dataset's raw data is stored.
type LayoutClass uint8

// Layout classes.
const (
	LayoutCompact    LayoutClass = 0
	LayoutContiguous LayoutClass = 1
	LayoutChunked    LayoutClass = 2
	LayoutVirtual    LayoutClass = 3
)

// String is h5py's name for the layout: compact, contiguous, chunked or
// virtual.
func (l LayoutClass) String() string {
	switch l {
	case LayoutCompact:
		return "compact"
	case LayoutContiguous:
		return "contiguous"
	case LayoutChunked:
		return "chunked"
	case LayoutVirtual:
		return "virtual"
	}
	return fmt.Sprintf("layout(%d)", uint8(l))
}

// Chunk index types of layout message version 4.
const (
	ChunkIndexBTree1     uint8 = 0 // version 3 layouts: version 1 B-tree
	ChunkIndexSingle     uint8 = 1
	ChunkIndexImplicit   uint8 = 2
	ChunkIndexFixedArray uint8 = 3
	ChunkIndexExtArray   uint8 = 4
	ChunkIndexBTree2     uint8 = 5
)

// layoutMsg is a decoded data layout message.
type layoutMsg struct {
	version uint8
	class   LayoutClass
	addr    uint64   // contiguous data, or chunk index address
	size    uint64   // contiguous data size
	compact []byte   // compact data
	chunk   []uint32 // chunk dimensions; for v3 and v4 the last is the element size

	// Version 4 chunked layouts.
	flags     uint8
	indexType uint8
	indexInfo []byte // the index-type-specific fields, verbatim

	heapIndex uint32 // virtual layouts: the mappings' object in the collection at addr
}

// encode returns a version 3 layout message as libhdf5 1.10 writes it.
func (l *layoutMsg) encode() []byte {
	b := make([]byte, 2, 24+4*len(l.chunk)+len(l.compact))
	b[0], b[1] = 3, uint8(l.class)
	switch l.class {
	case LayoutCompact:
		b = put16(b, uint16(len(l.compact)))
		b = append(b, l.compact...)
	case LayoutContiguous:
		b = put64(b, l.addr)
		b = put64(b, l.size)
	case LayoutChunked:
		b = append(b, uint8(len(l.chunk)))
		b = put64(b, l.addr)
		for _, d := range l.chunk {
			b = put32(b, d)
		}
	}
	// libhdf5 sizes the message as at least 24 bytes (18 for contiguous,
	// padded); keep the same so h5dump -H shows the same.
	for len(b) < 18 {
		b = append(b, 0)
	}
	return b
}

func decodeLayout(b []byte, off int64) (*layoutMsg, error) {
	c := newCursor(b, off, "data layout message")
	l := &layoutMsg{version: c.u8()}
	if c.err == nil && (l.version < 3 || l.version > 4) {
		return nil, fmt.Errorf("data layout message version %d at offset %d: %w", l.version, off, ErrUnsupported)
	}
	l.class = LayoutClass(c.u8())
	switch l.class {
	case LayoutCompact:
		n := int(c.u16())
		l.compact = append([]byte(nil), c.bytes(n)...)
	case LayoutContiguous:
		l.addr = c.u64()
		l.size = c.u64()
	case LayoutChunked:
		if l.version == 3 {
			nd := int(c.u8())
			if nd < 1 || nd > MaxRank+1 {
				c.fail("chunk dimensionality", nd)
			}
			l.addr = c.u64()
			for i := 0; i < nd && c.err == nil; i++ {
				l.chunk = append(l.chunk, c.u32())
			}
			l.indexType = ChunkIndexBTree1
			break
		}
		l.flags = c.u8()
		nd := int(c.u8())
		enc := int(c.u8())
		if nd < 1 || nd > MaxRank+1 {
			c.fail("chunk dimensionality", nd)
		}
		if enc < 1 || enc > 8 {
			c.fail("chunk dimension size encoding", enc)
		}
		for i := 0; i < nd && c.err == nil; i++ {
			v := c.uN(enc)
			if v > 0xffffffff {
				c.fail("chunk dimension", v)
			}
			l.chunk = append(l.chunk, uint32(v))
		}
		l.indexType = c.u8()
		start := c.p
		switch l.indexType {
		case ChunkIndexSingle:
			if l.flags&2 != 0 {
				c.skip(8 + 4)
			}
		case ChunkIndexImplicit:
		case ChunkIndexFixedArray:
			c.skip(1)
		case ChunkIndexExtArray:
			c.skip(5)
		case ChunkIndexBTree2:
			c.skip(6)
		default:
			c.fail("chunk index type", l.indexType)
		}
		if c.err == nil {
			l.indexInfo = append([]byte(nil), c.b[start:c.p]...)
		}
		l.addr = c.u64()
	case LayoutVirtual:
		if l.version != 4 {
			c.fail("virtual layout in layout message version", l.version)
		}
		l.addr = c.u64() // global heap collection
		l.heapIndex = c.u32()
	default:
		c.fail("layout class", l.class)
	}
	if c.err != nil {
		return nil, c.err
	}
	for _, d := range l.chunk {
		if d == 0 {
			return nil, formatErr(off, "zero chunk dimension", nil)
		}
	}
	return l, nil
}
