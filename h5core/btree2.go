package h5core

import (
	"fmt"
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
	var ok bool
	if t.maxRec, t.cumSize, t.nrecSize, _, ok = bt2Geometry(t.nodeSize, uint64(t.recSize), t.depth); !ok {
		return nil, formatErr(int64(addr), "version 2 B-tree node too small for its depth", t.nodeSize)
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

// bt2Geometry derives a version 2 B-tree's node geometry from its node
// and record sizes, as libhdf5 does (H5B2__hdr_init): per depth, the most
// records a node holds, the bytes of a subtree's record total, and the
// records a subtree holds at most; and the bytes of a child's record
// count. ok is false if a node of that depth cannot hold a record.
func bt2Geometry(nodeSize, recSize uint64, depth int) (maxRec []uint64, cumSize []int, nrecSize int, cum []uint64, ok bool) {
	maxRec = make([]uint64, depth+1)
	cum = make([]uint64, depth+1)
	cumSize = make([]int, depth+1)
	maxRec[0] = (nodeSize - 10) / recSize
	cum[0] = maxRec[0]
	nrecSize = limitEncSize(maxRec[0])
	for d := 1; d <= depth; d++ {
		ptr := uint64(8 + nrecSize)
		if d > 1 {
			ptr += uint64(cumSize[d-1])
		}
		if nodeSize < 10+ptr {
			return nil, nil, 0, nil, false
		}
		maxRec[d] = (nodeSize - 10 - ptr) / (recSize + ptr)
		cum[d] = (maxRec[d]+1)*cum[d-1] + maxRec[d]
		if cum[d] < cum[d-1] { // overflow: deeper than any file could be
			cum[d] = ^uint64(0)
		}
		cumSize[d] = limitEncSize(cum[d])
	}
	return maxRec, cumSize, nrecSize, cum, true
}

// bt2NodeSize is the node size libhdf5 gives the B-trees of dense link and
// attribute storage.
const bt2NodeSize = 512

// buildBTree2 writes recs (each recSize bytes, already in key order) as a
// new version 2 B-tree of record type typ: leaves and internal nodes
// filled evenly, so every node but a lone root is at least half full, as
// libhdf5 keeps them. It returns the header's address and the space used.
func buildBTree2(typ uint8, recSize int, recs [][]byte, alloc func(uint64) uint64, out *[]block) (uint64, []extent, error) {
	return buildBTree2Sized(typ, recSize, bt2NodeSize, recs, alloc, out)
}

// buildBTree2Sized is buildBTree2 with nodes of nodeSize bytes.
func buildBTree2Sized(typ uint8, recSize int, nodeSize uint64, recs [][]byte, alloc func(uint64) uint64, out *[]block) (uint64, []extent, error) {
	depth := 0
	for {
		maxRec, _, _, cum, ok := bt2Geometry(nodeSize, uint64(recSize), depth)
		if !ok || depth > bt2MaxDepth {
			return 0, nil, fmt.Errorf("h5core: %d records of %d bytes do not fit a version 2 B-tree: %w", len(recs), recSize, ErrUnsupported)
		}
		if cum[depth] >= uint64(len(recs)) && maxRec[depth] > 0 {
			break
		}
		depth++
	}
	_, cumSize, nrecSize, cum, _ := bt2Geometry(nodeSize, uint64(recSize), depth)
	var space []extent
	// node writes recs as a node of depth d and returns its address and
	// the records the node itself holds.
	var node func(recs [][]byte, d int) (uint64, uint64)
	node = func(recs [][]byte, d int) (uint64, uint64) {
		own := uint64(len(recs))
		b := make([]byte, 0, nodeSize)
		if d == 0 {
			b = append(b, "BTLF"...)
			b = append(b, 0, typ)
			for _, r := range recs {
				b = append(b, r...)
			}
		} else {
			// Split into the fewest children of depth d-1 that hold the
			// records, with one separating record between neighbours.
			n := uint64(len(recs))
			c := (n + 1 + cum[d-1]) / (cum[d-1] + 1)
			c = max(c, 1)
			kids := n - (c - 1)
			type child struct {
				addr, n, total uint64
			}
			var children []child
			var seps [][]byte
			at := uint64(0)
			for i := uint64(0); i < c; i++ {
				k := kids / c
				if i < kids%c {
					k++
				}
				ca, cn := node(recs[at:at+k], d-1)
				children = append(children, child{ca, cn, k})
				at += k
				if i < c-1 {
					seps = append(seps, recs[at])
					at++
				}
			}
			own = uint64(len(seps))
			b = append(b, "BTIN"...)
			b = append(b, 0, typ)
			for _, r := range seps {
				b = append(b, r...)
			}
			for _, ch := range children {
				b = put64(b, ch.addr)
				b = appendUint(b, ch.n, nrecSize)
				if d > 1 {
					b = appendUint(b, ch.total, cumSize[d-1])
				}
			}
		}
		b = put32(b, lookup3(b, 0))
		for uint64(len(b)) < nodeSize {
			b = append(b, 0)
		}
		a := alloc(nodeSize)
		space = append(space, extent{a, nodeSize})
		*out = append(*out, block{a, b})
		return a, own
	}
	root, rootN := UndefinedAddr, uint64(0)
	if len(recs) > 0 {
		root, rootN = node(recs, depth)
	}
	h := make([]byte, 0, 38)
	h = append(h, "BTHD"...)
	h = append(h, 0, typ)
	h = put32(h, uint32(nodeSize))
	h = put16(h, uint16(recSize))
	h = put16(h, uint16(depth))
	h = append(h, 100, 40) // split and merge percentages (libhdf5's)
	h = put64(h, root)
	h = put16(h, uint16(rootN))
	h = put64(h, uint64(len(recs)))
	h = put32(h, lookup3(h, 0))
	a := alloc(uint64(len(h)))
	*out = append(*out, block{a, h})
	return a, append(space, extent{a, uint64(len(h))}), nil
}
