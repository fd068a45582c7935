package h5core

import (
	"io"
	"math/bits"
)

// Version 2 B-tree record types used here (spec III.A.2).
const (
	bt2LinkName      = 5
	bt2LinkCrtOrder  = 6
	bt2AttrName      = 8
	bt2AttrCrtOrder  = 9
	bt2ChunkPlain    = 10
	bt2ChunkFiltered = 11
)

// bt2MaxDepth bounds the tree depth a hostile header can claim.
const bt2MaxDepth = 32

// btree2 is an opened version 2 B-tree header ("BTHD").
type btree2 struct {
	r        io.ReaderAt
	size     int64
	addr     uint64
	typ      uint8
	nodeSize uint64
	recSize  int
	depth    int
	root     uint64
	rootN    uint64
	total    uint64
	// per depth: bytes of the child record count and of the subtree total
	nrecSize int
	cumSize  []int
	maxRec   []uint64
}

// limitEncSize is the bytes libhdf5 uses to encode counts up to n
// (H5VM_limit_enc_size).
func limitEncSize(n uint64) int { return (bits.Len64(n)-1)/8 + 1 }

func openBTree2(r io.ReaderAt, size int64, addr uint64, wantType uint8) (*btree2, error) {
	c, err := readSigned(r, size, addr, 4+2+4+2+2+2+8+2+8+4, "BTHD", "version 2 B-tree header")
	if err != nil {
		return nil, err
	}
	t := &btree2{r: r, size: size, addr: addr}
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	t.typ = c.u8()
	t.nodeSize = uint64(c.u32())
	t.recSize = int(c.u16())
	t.depth = int(c.u16())
	c.skip(2)
	t.root = c.u64()
	t.rootN = uint64(c.u16())
	t.total = c.u64()
	if c.err != nil {
		return nil, c.err
	}
	if t.typ != wantType {
		return nil, formatErr(int64(addr), "version 2 B-tree of an unexpected record type", t.typ)
	}
	if t.recSize == 0 || t.nodeSize < 10+uint64(t.recSize) || t.nodeSize > uint64(size) || t.depth > bt2MaxDepth {
		return nil, formatErr(int64(addr), "version 2 B-tree node size, record size or depth", [3]uint64{t.nodeSize, uint64(t.recSize), uint64(t.depth)})
	}
	// Node geometry as libhdf5 derives it (H5B2__hdr_init).
	t.maxRec = make([]uint64, t.depth+1)
	cum := make([]uint64, t.depth+1)
	t.cumSize = make([]int, t.depth+1)
	t.maxRec[0] = (t.nodeSize - 10) / uint64(t.recSize)
	cum[0] = t.maxRec[0]
	t.nrecSize = limitEncSize(t.maxRec[0])
	for d := 1; d <= t.depth; d++ {
		ptr := uint64(8 + t.nrecSize)
		if d > 1 {
			ptr += uint64(t.cumSize[d-1])
		}
		if t.nodeSize < 10+ptr {
			return nil, formatErr(int64(addr), "version 2 B-tree node too small for its depth", t.nodeSize)
		}
		t.maxRec[d] = (t.nodeSize - 10 - ptr) / (uint64(t.recSize) + ptr)
		cum[d] = (t.maxRec[d]+1)*cum[d-1] + t.maxRec[d]
		if cum[d] < cum[d-1] { // overflow: deeper than any file could be
			cum[d] = ^uint64(0)
		}
		t.cumSize[d] = limitEncSize(cum[d])
	}
	return t, nil
}

// walk calls fn with every record in key order.
func (t *btree2) walk(fn func(rec []byte, off int64) error) error {
	if t.root == UndefinedAddr || t.total == 0 {
		return nil
	}
	// Every record takes recSize bytes of some node: a tree claiming more
	// records than the file can hold is bounded by the file instead.
	budget := min(t.total, uint64(t.size)/uint64(t.recSize)) + 1
	return t.node(t.root, t.depth, t.rootN, &budget, fn)
}

func (t *btree2) node(addr uint64, depth int, n uint64, budget *uint64, fn func([]byte, int64) error) error {
	if n > t.maxRec[depth] {
		return formatErr(int64(min(addr, 1<<62)), "version 2 B-tree node holds more records than fit", n)
	}
	if n > *budget {
		return formatErr(int64(min(addr, 1<<62)), "version 2 B-tree holds more records than its header says", n)
	}
	*budget -= n
	sig, what := "BTLF", "version 2 B-tree leaf node"
	if depth > 0 {
		sig, what = "BTIN", "version 2 B-tree internal node"
	}
	// libhdf5 writes the checksum right after the used part of a node.
	used := 6 + n*uint64(t.recSize)
	if depth > 0 {
		used += (n + 1) * uint64(8+t.nrecSize+t.cumSize[depth-1]*boolInt(depth > 1))
	}
	if used+4 > t.nodeSize {
		return formatErr(int64(min(addr, 1<<62)), what+" overflows its node size", used)
	}
	c, err := readSigned(t.r, t.size, addr, used+4, sig, what)
	if err != nil {
		return err
	}
	if v, ty := c.u8(), c.u8(); v != 0 || ty != t.typ {
		c.fail("version or record type", [2]uint8{v, ty})
	}
	recs := make([][]byte, n)
	offs := make([]int64, n)
	for i := range recs {
		offs[i] = c.off()
		recs[i] = c.bytes(t.recSize)
	}
	if c.err != nil {
		return c.err
	}
	if depth == 0 {
		for i, r := range recs {
			if err := fn(r, offs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := uint64(0); i <= n; i++ {
		ca := c.u64()
		cn := c.uN(t.nrecSize)
		if depth > 1 {
			c.uN(t.cumSize[depth-1])
		}
		if c.err != nil {
			return c.err
		}
		if err := t.node(ca, depth-1, cn, budget, fn); err != nil {
			return err
		}
		if i < n {
			if err := fn(recs[i], offs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
