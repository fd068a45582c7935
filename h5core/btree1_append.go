package h5core

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
)

// Appending to a chunk B-tree without reading it whole.
//
// Appending a time step to a file of many steps (a netCDF-4 file's
// unlimited dimension) adds chunks whose offsets all follow every chunk
// already indexed. Loading the index and writing it anew costs time in
// the number of steps; instead the new entries go down the right edge of
// the tree, the only nodes that change: the rightmost node of each level
// is rewritten in place (nodes are allocated at full size, by libhdf5 and
// by writeBTree1 alike), and what does not fit goes to new nodes to its
// right, a new root above when the old root overflows. So an append reads
// and writes O(height) nodes, and a lookup reads one path. The in-place
// rewrites are ordered children first, after the superblock, as headers
// are (ARCHITECTURE.md decision 5).

// btreeNode1 is one decoded version 1 B-tree node.
type btreeNode1 struct {
	addr     uint64
	level    int
	left     uint64   // left sibling
	keys     [][]byte // len(children)+1: key i is child i's left key, the last the right bound
	children []uint64
}

// readBTree1Node reads and checks the node at addr.
func (f *File) readBTree1Node(addr uint64, typ uint8, k, keySize int) (*btreeNode1, error) {
	hdr, err := f.readAt(addr, 24, "B-tree node")
	if err != nil {
		return nil, err
	}
	c := newCursor(hdr, int64(addr), "B-tree node")
	if string(c.bytes(4)) != "TREE" {
		return nil, formatErr(int64(addr), "B-tree node signature", nil)
	}
	t := c.u8()
	level := int(c.u8())
	n := int(c.u16())
	left := c.u64()
	c.u64() // right sibling
	if c.err != nil {
		return nil, c.err
	}
	if t != typ {
		return nil, formatErr(int64(addr)+4, "B-tree node type", t)
	}
	if n > 2*k {
		return nil, formatErr(int64(addr)+6, "B-tree node entries", n)
	}
	body, err := f.readAt(addr+24, uint64(n)*uint64(8+keySize)+uint64(keySize), "B-tree node")
	if err != nil {
		return nil, err
	}
	nd := &btreeNode1{addr: addr, level: level, left: left}
	for i := 0; i < n; i++ {
		p := i * (8 + keySize)
		nd.keys = append(nd.keys, body[p:p+keySize:p+keySize])
		nd.children = append(nd.children, binary.LittleEndian.Uint64(body[p+keySize:]))
	}
	p := n * (8 + keySize)
	nd.keys = append(nd.keys, body[p:p+keySize:p+keySize])
	return nd, nil
}

// encode returns the node at full size (2k entries), as libhdf5 reads it.
func (nd *btreeNode1) encode(typ uint8, k, keySize int, right uint64) []byte {
	size := btreeNodeSize(k, keySize)
	b := make([]byte, 0, size)
	b = append(b, "TREE"...)
	b = append(b, typ, uint8(nd.level))
	b = put16(b, uint16(len(nd.children)))
	b = put64(b, nd.left)
	b = put64(b, right)
	for i, c := range nd.children {
		b = append(b, nd.keys[i]...)
		b = put64(b, c)
	}
	b = append(b, nd.keys[len(nd.children)]...)
	return append(b, make([]byte, size-len(b))...)
}

// chunkKeyCoords returns the offsets a chunk B-tree key holds.
func chunkKeyCoords(key []byte, rank int) []uint64 {
	out := make([]uint64, rank)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(key[8+8*i:])
	}
	return out
}

// cmpCoords orders chunk offsets as the chunk B-tree does: the first
// dimension first.
func cmpCoords(a, b []uint64) int { return slices.Compare(a, b) }

// rightSpine reads the nodes from the root down the last child of each
// level to the last leaf, root first.
func (x *btree1Index) rightSpine() ([]*btreeNode1, error) {
	if x.spine != nil {
		return x.spine, nil
	}
	ks := chunkKeySize(x.rank)
	var spine []*btreeNode1
	addr := x.addr
	for depth := 0; ; depth++ {
		if depth > maxBTreeDepth {
			return nil, formatErr(int64(min(addr, 1<<62)), "B-tree deeper than any real file", depth)
		}
		nd, err := x.f.readBTree1Node(addr, btreeChunk, x.f.istoreK, ks)
		if err != nil {
			return nil, err
		}
		if len(spine) > 0 && nd.level != spine[len(spine)-1].level-1 {
			return nil, formatErr(int64(addr)+5, "B-tree node level", nd.level)
		}
		spine = append(spine, nd)
		if nd.level == 0 {
			if !x.diskKnown && x.addr == x.diskRoot && len(nd.children) > 0 {
				x.diskMax, x.diskKnown = chunkKeyCoords(nd.keys[len(nd.children)-1], x.rank), true
			}
			break
		}
		if len(nd.children) == 0 {
			return nil, formatErr(int64(addr)+6, "internal B-tree node without children", 0)
		}
		addr = nd.children[len(nd.children)-1]
	}
	x.spine = spine
	return spine, nil
}

// maxCoords returns the offsets of the last chunk indexed, false for an
// empty index.
func (x *btree1Index) maxCoords() ([]uint64, bool, error) {
	if x.addr == UndefinedAddr {
		return nil, false, nil
	}
	spine, err := x.rightSpine()
	if err != nil {
		return nil, false, err
	}
	leaf := spine[len(spine)-1]
	if len(leaf.children) == 0 {
		return nil, false, nil
	}
	return chunkKeyCoords(leaf.keys[len(leaf.children)-1], x.rank), true, nil
}

// search finds the chunk at coords by descending one path of the tree.
func (x *btree1Index) search(coords []uint64) (ChunkRecord, bool, error) {
	if x.diskRoot == UndefinedAddr || x.diskKnown && cmpCoords(coords, x.diskMax) > 0 {
		return ChunkRecord{}, false, nil // beyond the tree as opened: only appends are there
	}
	ks := chunkKeySize(x.rank)
	addr := x.diskRoot
	for depth := 0; depth <= maxBTreeDepth; depth++ {
		nd, err := x.f.readBTree1Node(addr, btreeChunk, x.f.istoreK, ks)
		if err != nil {
			return ChunkRecord{}, false, err
		}
		n := len(nd.children)
		i := sort.Search(n, func(i int) bool { return cmpCoords(coords, chunkKeyCoords(nd.keys[i], x.rank)) < 0 }) - 1
		if i < 0 {
			return ChunkRecord{}, false, nil
		}
		if nd.level > 0 {
			addr = nd.children[i]
			continue
		}
		// Every key of the leaf on the chunk grid, as a walk of the whole
		// tree checks (all): a layout whose chunk dimensions were damaged
		// is an error, not chunks of the damaged size.
		for _, k := range nd.keys[:n] {
			for d, c := range chunkKeyCoords(k, x.rank) {
				if x.chunk[d] == 0 || c%x.chunk[d] != 0 {
					return ChunkRecord{}, false, formatErr(int64(addr), "chunk offset not on the chunk grid", c)
				}
			}
		}
		if cmpCoords(coords, chunkKeyCoords(nd.keys[i], x.rank)) != 0 {
			return ChunkRecord{}, false, nil
		}
		c := newCursor(nd.keys[i], int64(addr), "chunk B-tree key")
		r := ChunkRecord{Coords: append([]uint64(nil), coords...), Size: uint64(c.u32()), FilterMask: c.u32(), Addr: nd.children[i]}
		if r.Addr == UndefinedAddr || r.Addr > uint64(x.f.size) || r.Size > uint64(x.f.size)-r.Addr {
			return ChunkRecord{}, false, formatErr(int64(min(r.Addr, 1<<62)), "chunk lies beyond the end of the file", r.Size)
		}
		return r, true, nil
	}
	return ChunkRecord{}, false, formatErr(int64(min(addr, 1<<62)), "B-tree deeper than any real file", maxBTreeDepth)
}

// appendRecords adds recs (sorted, every one after the last chunk indexed)
// down the right edge of the tree and returns the root, which is new only
// when the old root overflowed. upper is the right bound of the last
// chunk. New nodes go to w.out and space, rewritten ones to w.inPlace.
func (x *btree1Index) appendRecords(w *flushWriter, space *[]extent, recs []ChunkRecord, upper []byte) (uint64, error) {
	spine, err := x.rightSpine()
	if err != nil {
		return 0, err
	}
	k := x.f.istoreK
	ks := chunkKeySize(x.rank)
	size := uint64(btreeNodeSize(k, ks))
	type item struct {
		key   []byte
		child uint64
	}
	add := make([]item, len(recs))
	for i, r := range recs {
		add[i] = item{encodeChunkKey(uint32(r.Size), r.FilterMask, r.Coords), r.Addr}
	}
	newSpine := make([]*btreeNode1, len(spine))
	for lvl := len(spine) - 1; lvl >= 0; lvl-- {
		nd := spine[lvl]
		keys := slices.Clone(nd.keys[:len(nd.children)])
		children := slices.Clone(nd.children)
		for _, it := range add {
			keys = append(keys, it.key)
			children = append(children, it.child)
		}
		// The node keeps its first 2k entries; the rest fill new nodes
		// to its right, each full but the last.
		var nodes []*btreeNode1
		for lo := 0; lo < len(children) || lo == 0; lo += 2 * k {
			hi := min(lo+2*k, len(children))
			m := &btreeNode1{level: nd.level, keys: slices.Clone(keys[lo:hi]), children: slices.Clone(children[lo:hi])}
			if lo == 0 {
				m.addr, m.left = nd.addr, nd.left
			} else {
				m.addr = x.f.alloc(size)
				*space = append(*space, extent{m.addr, size})
				m.left = nodes[len(nodes)-1].addr
			}
			nodes = append(nodes, m)
		}
		add = add[:0]
		for i, m := range nodes {
			right := UndefinedAddr
			if i+1 < len(nodes) {
				right = nodes[i+1].addr
				m.keys = append(m.keys, nodes[i+1].keys[0]) // the boundary is the next node's first key
			} else {
				m.keys = append(m.keys, upper)
			}
			b := m.encode(btreeChunk, k, ks, right)
			if i == 0 {
				*w.inPlace = append(*w.inPlace, block{m.addr, b})
			} else {
				*w.out = append(*w.out, block{m.addr, b})
				add = append(add, item{m.keys[0], m.addr})
			}
		}
		newSpine[lvl] = nodes[len(nodes)-1]
	}
	// The root overflowed: new levels above it until one node holds them.
	root := spine[0]
	items := append([]item{{root.keys[0], root.addr}}, add...)
	for level := root.level + 1; len(items) > 1; level++ {
		var nodes []*btreeNode1
		for lo := 0; lo < len(items); lo += 2 * k {
			hi := min(lo+2*k, len(items))
			m := &btreeNode1{level: level, left: UndefinedAddr, addr: x.f.alloc(size)}
			*space = append(*space, extent{m.addr, size})
			if len(nodes) > 0 {
				m.left = nodes[len(nodes)-1].addr
			}
			for _, it := range items[lo:hi] {
				m.keys = append(m.keys, it.key)
				m.children = append(m.children, it.child)
			}
			nodes = append(nodes, m)
		}
		items = items[:0:0]
		for i, m := range nodes {
			right := UndefinedAddr
			if i+1 < len(nodes) {
				right = nodes[i+1].addr
				m.keys = append(m.keys, nodes[i+1].keys[0])
			} else {
				m.keys = append(m.keys, upper)
			}
			*w.out = append(*w.out, block{m.addr, m.encode(btreeChunk, k, ks, right)})
			items = append(items, item{m.keys[0], m.addr})
		}
		newSpine = append([]*btreeNode1{nodes[len(nodes)-1]}, newSpine...)
	}
	x.addr, x.spine = newSpine[0].addr, newSpine
	return x.addr, nil
}

// diskRecords walks the tree as opened: from diskRoot, leaving out the
// entries (and the subtrees) this model appended, which all follow
// diskMax. Nodes on the right edge were rewritten in place, but every
// entry they had is unchanged, so what it returns does not depend on
// whether those rewrites reached the file yet.
func (x *btree1Index) diskRecords() ([]ChunkRecord, error) {
	ks := chunkKeySize(x.rank)
	var recs []ChunkRecord
	seen := map[uint64]bool{}
	var walk func(addr uint64, depth int) error
	walk = func(addr uint64, depth int) error {
		if depth > maxBTreeDepth || seen[addr] {
			return formatErr(int64(min(addr, 1<<62)), "B-tree too deep or a cycle", depth)
		}
		seen[addr] = true
		nd, err := x.f.readBTree1Node(addr, btreeChunk, x.f.istoreK, ks)
		if err != nil {
			return err
		}
		for i, child := range nd.children {
			coords := chunkKeyCoords(nd.keys[i], x.rank)
			if cmpCoords(coords, x.diskMax) > 0 {
				break // appended by this model
			}
			if nd.level > 0 {
				if err := walk(child, depth+1); err != nil {
					return err
				}
				continue
			}
			c := newCursor(nd.keys[i], int64(addr), "chunk B-tree key")
			r := ChunkRecord{Coords: coords, Size: uint64(c.u32()), FilterMask: c.u32(), Addr: child}
			if child == UndefinedAddr || child > uint64(x.f.size) || r.Size > uint64(x.f.size)-child {
				return formatErr(int64(min(child, 1<<62)), "chunk lies beyond the end of the file", r.Size)
			}
			recs = append(recs, r)
		}
		return nil
	}
	if err := walk(x.diskRoot, 0); err != nil {
		return nil, fmt.Errorf("chunk B-tree at %d: %w", x.diskRoot, err)
	}
	x.byKey = make(map[string]int, len(recs))
	for i, r := range recs {
		x.byKey[chunkKey(r.Coords)] = i
	}
	x.recs, x.done = recs, true
	return recs, nil
}
