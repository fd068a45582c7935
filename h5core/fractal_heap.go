package h5core

import (
	"fmt"
	"io"
	"math/bits"
)

// fractalHeap is an opened fractal heap header ("FRHP"), enough to fetch
// managed and tiny objects by heap ID (dense link and attribute storage).
type fractalHeap struct {
	r          io.ReaderAt
	size       int64
	addr       uint64
	idLen      int
	flags      uint8
	width      uint64
	startBlock uint64
	maxDirect  uint64
	maxHeapBit int // log2 of the heap's address space
	rootAddr   uint64
	rootRows   uint64
	offSize    int // bytes of a heap offset
	lenSize    int // bytes of a managed object length in a heap ID
	maxDirRows uint64
	hugeBT     uint64 // v2 B-tree of huge objects (records of type 1)
}

func log2exact(v uint64) (int, bool) {
	if v == 0 || v&(v-1) != 0 {
		return 0, false
	}
	return bits.TrailingZeros64(v), true
}

func openFractalHeap(r io.ReaderAt, size int64, addr uint64) (*fractalHeap, error) {
	pre, err := readBlock(r, size, addr, 9, "fractal heap header")
	if err != nil {
		return nil, err
	}
	filterLen := uint64(pre[7]) | uint64(pre[8])<<8
	n := uint64(4+1+2+2+1+4+8+8+8+8+8+8+8+8+8+8+8+8+2+8+8+2+2+8+2) + 4
	if filterLen > 0 {
		n += 8 + 4 + filterLen
	}
	c, err := readSigned(r, size, addr, n, "FRHP", "fractal heap header")
	if err != nil {
		return nil, err
	}
	h := &fractalHeap{r: r, size: size, addr: addr}
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	h.idLen = int(c.u16())
	c.u16()
	h.flags = c.u8()
	c.u32()   // maximum size of managed objects
	c.skip(8) // next huge object ID
	h.hugeBT = c.u64()
	c.skip(8)  // free space
	c.skip(8)  // free space manager
	c.skip(8)  // managed space
	c.skip(8)  // allocated managed space
	c.skip(8)  // direct block allocation iterator
	c.skip(8)  // managed objects
	c.skip(32) // huge and tiny object sizes and counts
	h.width = uint64(c.u16())
	h.startBlock = c.u64()
	h.maxDirect = c.u64()
	h.maxHeapBit = int(c.u16())
	c.u16() // starting rows
	h.rootAddr = c.u64()
	h.rootRows = uint64(c.u16())
	maxMan := uint64(0)
	if c.err == nil {
		maxMan = uint64(c.b[4+1+2+2+1]) | uint64(c.b[11])<<8 | uint64(c.b[12])<<16 | uint64(c.b[13])<<24
	}
	if c.err != nil {
		return nil, c.err
	}
	if filterLen > 0 {
		return nil, fmt.Errorf("fractal heap with I/O filters at offset %d: %w", addr, ErrUnsupported)
	}
	lsb, ok1 := log2exact(h.startBlock)
	lmd, ok2 := log2exact(h.maxDirect)
	if !ok1 || !ok2 || h.width == 0 || h.width&(h.width-1) != 0 || lmd < lsb || h.maxHeapBit < 1 || h.maxHeapBit > 64 || lsb < 5 {
		return nil, formatErr(int64(addr), "fractal heap doubling table parameters", [4]uint64{h.width, h.startBlock, h.maxDirect, uint64(h.maxHeapBit)})
	}
	h.maxDirRows = uint64(lmd-lsb) + 2
	h.offSize = (h.maxHeapBit + 7) / 8
	h.lenSize = min((lmd+7)/8, limitEncSize(maxMan))
	return h, nil
}

// rowSize is the size of each block in row r of the doubling table.
func (h *fractalHeap) rowSize(r uint64) uint64 {
	if r == 0 {
		return h.startBlock
	}
	return h.startBlock << (r - 1)
}

// object returns the bytes of the object a heap ID names.
func (h *fractalHeap) object(id []byte, idOff int64) ([]byte, error) {
	if len(id) < 1 {
		return nil, formatErr(idOff, "empty fractal heap ID", nil)
	}
	c := newCursor(id, idOff, "fractal heap ID")
	flags := c.u8()
	if flags>>6 != 0 {
		c.fail("heap ID version", flags>>6)
	}
	switch (flags >> 4) & 3 {
	case 0: // managed
		off := c.uN(h.offSize)
		ln := c.uN(h.lenSize)
		if c.err != nil {
			return nil, c.err
		}
		return h.managed(off, ln, idOff)
	case 2: // tiny: the object is in the ID itself
		n := int(flags&0x0f) + 1
		if h.idLen > 18 {
			n = int(uint16(flags&0x0f)<<8|uint16(c.u8())) + 1
		}
		return c.bytes(n), c.err
	case 1: // huge: stored on its own, found through the ID
		return h.huge(c, idOff)
	default:
		return nil, formatErr(idOff, "fractal heap ID type", flags>>4&3)
	}
}

// managed finds the direct block holding heap offset off and returns ln
// bytes from it.
func (h *fractalHeap) managed(off, ln uint64, idOff int64) ([]byte, error) {
	if h.maxHeapBit < 64 && off >= 1<<h.maxHeapBit {
		return nil, formatErr(idOff, "fractal heap offset beyond the heap", off)
	}
	blockAddr, blockOff, blockSize := h.rootAddr, uint64(0), h.startBlock
	rows := h.rootRows
	for depth := 0; rows > 0; depth++ {
		if depth > 64 || rows > 64 {
			return nil, formatErr(idOff, "fractal heap indirect blocks nested too deeply", depth)
		}
		// An indirect block: find the row and column holding off.
		nDirect := min(rows, h.maxDirRows)
		nIndirect := rows - nDirect
		entries := nDirect*h.width + nIndirect*h.width
		n := uint64(4+1+8+h.offSize) + entries*8 + 4
		c, err := readSigned(h.r, h.size, blockAddr, n, "FHIB", "fractal heap indirect block")
		if err != nil {
			return nil, err
		}
		c.skip(1 + 8)
		start := c.uN(h.offSize)
		if c.err != nil {
			return nil, c.err
		}
		if start != blockOff {
			return nil, formatErr(int64(blockAddr), "fractal heap indirect block offset", start)
		}
		rel := off - blockOff
		row, pos := uint64(0), uint64(0)
		for ; row < rows; row++ {
			span := h.rowSize(row) * h.width
			if rel < pos+span {
				break
			}
			pos += span
		}
		if row == rows {
			return nil, formatErr(idOff, "fractal heap offset outside its indirect block", off)
		}
		sz := h.rowSize(row)
		col := (rel - pos) / sz
		c.skip(int((row*h.width + col) * 8))
		child := c.u64()
		if c.err != nil {
			return nil, c.err
		}
		if child == UndefinedAddr {
			return nil, formatErr(idOff, "fractal heap object in a block never allocated", off)
		}
		blockAddr, blockOff, blockSize = child, blockOff+pos+col*sz, sz
		if row < h.maxDirRows {
			rows = 0
		} else {
			// A child indirect block covering sz bytes.
			l, _ := log2exact(sz / (h.startBlock * h.width))
			rows = uint64(l) + 1
		}
	}
	if blockAddr == UndefinedAddr {
		return nil, formatErr(idOff, "fractal heap with no root block", off)
	}
	if blockSize < uint64(4+1+8+h.offSize+4) {
		return nil, formatErr(int64(min(blockAddr, 1<<62)), "fractal heap direct block too small", blockSize)
	}
	b, err := readBlock(h.r, h.size, blockAddr, blockSize, "fractal heap direct block")
	if err != nil {
		return nil, err
	}
	if string(b[:4]) != "FHDB" {
		return nil, formatErr(int64(blockAddr), "fractal heap direct block signature is not FHDB", nil)
	}
	hdr := 4 + 1 + 8 + h.offSize
	if h.flags&2 != 0 {
		stored := uint32(b[hdr]) | uint32(b[hdr+1])<<8 | uint32(b[hdr+2])<<16 | uint32(b[hdr+3])<<24
		b[hdr], b[hdr+1], b[hdr+2], b[hdr+3] = 0, 0, 0, 0
		if sum := lookup3(b, 0); sum != stored && verifyChecksums {
			return nil, &ChecksumError{What: "fractal heap direct block", Off: int64(blockAddr), Stored: stored, Actual: sum}
		}
		hdr += 4
	}
	c := newCursor(b[4+1+8:], int64(blockAddr)+13, "fractal heap direct block")
	if got := c.uN(h.offSize); got != blockOff {
		return nil, formatErr(int64(blockAddr), "fractal heap direct block offset", got)
	}
	rel := off - blockOff
	if rel < uint64(hdr) || rel > blockSize || ln > blockSize-rel {
		return nil, formatErr(idOff, "fractal heap object outside its direct block", [2]uint64{off, ln})
	}
	return b[rel : rel+ln], nil
}

// huge returns a huge object: its address and length are in the heap ID
// when the ID is long enough, otherwise the ID is a key in the heap's
// huge object B-tree (record type 1: address, length, ID).
func (h *fractalHeap) huge(c *cursor, idOff int64) ([]byte, error) {
	var addr, ln uint64
	if h.idLen-1 >= 16 {
		addr, ln = c.u64(), c.u64()
		if c.err != nil {
			return nil, c.err
		}
	} else {
		id := c.uN(min(h.idLen-1, 8))
		if c.err != nil {
			return nil, c.err
		}
		if h.hugeBT == UndefinedAddr {
			return nil, formatErr(idOff, "huge fractal heap object without a huge object B-tree", id)
		}
		t, err := openBTree2(h.r, h.size, h.hugeBT, 1)
		if err != nil {
			return nil, err
		}
		found := false
		err = t.walk(func(rec []byte, off int64) error {
			rc := newCursor(rec, off, "huge object record")
			a, l, i := rc.u64(), rc.u64(), rc.u64()
			if rc.err != nil {
				return rc.err
			}
			if i == id && !found {
				addr, ln, found = a, l, true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, formatErr(idOff, "huge fractal heap object not in its B-tree", id)
		}
	}
	return readBlock(h.r, h.size, addr, ln, "huge fractal heap object")
}

// heapParams are the creation parameters of a fractal heap this package
// writes: libhdf5's for dense link (idLen 7) and attribute (idLen 8)
// storage, except that the heap offset is 4 bytes (maxIndex 32), which
// leaves room in an 8-byte ID for 3-byte object lengths: attributes of up
// to 16 MiB stay managed objects (no huge-object B-tree).
type heapParams struct {
	idLen    int
	maxIndex int
}

// fractalHeapHeaderSize is an "FRHP" header without I/O filters.
const fractalHeapHeaderSize = 146

// buildFractalHeap writes objs as the managed objects of a new fractal
// heap whose root is one direct block ("FHDB") sized to hold them all
// (a power of two, at least libhdf5's 512-byte starting block), and
// returns the header's address, each object's heap ID, and the space
// used. libhdf5 grows such a heap as its own: a full root direct block
// becomes the first block of a root indirect block.
func buildFractalHeap(objs [][]byte, p heapParams, alloc func(uint64) uint64, out *[]block) (uint64, [][]byte, []extent, error) {
	offSize := (p.maxIndex + 7) / 8
	prefix := uint64(4 + 1 + 8 + offSize + 4)
	total, largest := prefix, uint64(0)
	for _, o := range objs {
		total += uint64(len(o))
		largest = max(largest, uint64(len(o)))
	}
	blockSize := uint64(512)
	for blockSize < total {
		blockSize <<= 1
	}
	maxDirect := max(uint64(64<<10), blockSize)
	maxMan := max(uint64(4096), largest)
	lmd, _ := log2exact(maxDirect)
	lenSize := min((lmd+7)/8, limitEncSize(maxMan))
	if 1+offSize+lenSize > p.idLen || blockSize >= 1<<p.maxIndex {
		return 0, nil, nil, fmt.Errorf("h5core: %d bytes of dense storage (largest object %d bytes) do not fit a fractal heap with %d-byte IDs: %w", total, largest, p.idLen, ErrUnsupported)
	}
	hdrAddr := alloc(fractalHeapHeaderSize)
	blkAddr := alloc(blockSize)

	blk := make([]byte, 0, blockSize)
	blk = append(blk, "FHDB"...)
	blk = append(blk, 0)
	blk = put64(blk, hdrAddr)
	blk = appendUint(blk, 0, offSize) // the block's offset in the heap
	sumAt := len(blk)
	blk = put32(blk, 0)
	ids := make([][]byte, len(objs))
	for i, o := range objs {
		id := []byte{0} // version 0, managed object
		id = appendUint(id, uint64(len(blk)), offSize)
		id = appendUint(id, uint64(len(o)), lenSize)
		for len(id) < p.idLen {
			id = append(id, 0)
		}
		ids[i] = id
		blk = append(blk, o...)
	}
	used := uint64(len(blk))
	blk = blk[:blockSize]
	clear(blk[used:])
	copy(blk[sumAt:], put32(nil, lookup3(blk, 0)))

	h := make([]byte, 0, fractalHeapHeaderSize)
	h = append(h, "FRHP"...)
	h = append(h, 0)
	h = put16(h, uint16(p.idLen))
	h = put16(h, 0)                 // I/O filters' encoded length
	h = append(h, 2)                // flags: direct blocks are checksummed
	h = put32(h, uint32(maxMan))    // maximum size of managed objects
	h = put64(h, 0)                 // next huge object ID
	h = put64(h, UndefinedAddr)     // huge objects' v2 B-tree
	h = put64(h, blockSize-used)    // free space in managed blocks
	h = put64(h, UndefinedAddr)     // free-space manager: none saved
	h = put64(h, blockSize)         // managed space
	h = put64(h, blockSize)         // allocated managed space
	h = put64(h, blockSize)         // direct block allocation iterator: after the root block
	h = put64(h, uint64(len(objs))) // managed objects
	h = put64(h, 0)                 // size of huge objects
	h = put64(h, 0)                 // huge objects
	h = put64(h, 0)                 // size of tiny objects
	h = put64(h, 0)                 // tiny objects
	h = put16(h, 4)                 // table width
	h = put64(h, blockSize)         // starting block size
	h = put64(h, maxDirect)
	h = put16(h, uint16(p.maxIndex))
	h = put16(h, 1)       // starting rows of a root indirect block
	h = put64(h, blkAddr) // root block
	h = put16(h, 0)       // rows of the root indirect block: the root is direct
	h = put32(h, lookup3(h, 0))
	*out = append(*out, block{hdrAddr, h}, block{blkAddr, blk})
	return hdrAddr, ids, []extent{{hdrAddr, fractalHeapHeaderSize}, {blkAddr, blockSize}}, nil
}
