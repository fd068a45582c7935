package h5core

import (
	"encoding/binary"
	"fmt"
)

// Version 1 B-tree node types.
const (
	btreeGroup = 0
	btreeChunk = 1
)

// B-tree K values libhdf5 uses by default: group nodes hold up to 2*16
// children, chunk index nodes 2*32; symbol table nodes hold 2*4 entries.
const (
	groupBTreeK = 16
	chunkBTreeK = 32
	groupLeafK  = 4
)

func btreeNodeSize(k, keySize int) int { return 24 + 2*k*8 + (2*k+1)*keySize }

// block is metadata to be written at addr by Flush.
type block struct {
	addr uint64
	data []byte
}

// writeBTree1 lays out a version 1 B-tree over level-0 children (SNODs or
// chunks) with keys[i] the left key of child i and keys[len] the right key
// of the last, allocating every node at full size as libhdf5 reads it. It
// returns the root address.
func (f *File) writeBTree1(out *[]block, space *[]extent, typ uint8, k, keySize int, children []uint64, keys [][]byte) uint64 {
	level := 0
	for {
		var nChildren []uint64
		var nKeys [][]byte
		size := btreeNodeSize(k, keySize)
		nNodes := (len(children) + 2*k - 1) / (2 * k)
		if nNodes == 0 {
			nNodes = 1
		}
		addrs := make([]uint64, nNodes)
		for i := range addrs {
			addrs[i] = f.alloc(uint64(size))
			*space = append(*space, extent{addrs[i], uint64(size)})
		}
		for i := 0; i < nNodes; i++ {
			lo := i * 2 * k
			hi := min(lo+2*k, len(children))
			b := make([]byte, 0, size)
			b = append(b, "TREE"...)
			b = append(b, typ, uint8(level))
			b = put16(b, uint16(hi-lo))
			left, right := UndefinedAddr, UndefinedAddr
			if i > 0 {
				left = addrs[i-1]
			}
			if i < nNodes-1 {
				right = addrs[i+1]
			}
			b = put64(b, left)
			b = put64(b, right)
			for j := lo; j < hi; j++ {
				b = append(b, keys[j]...)
				b = put64(b, children[j])
			}
			if hi < len(keys) {
				b = append(b, keys[hi]...)
			} else {
				b = append(b, make([]byte, keySize)...)
			}
			for len(b) < size {
				b = append(b, 0)
			}
			*out = append(*out, block{addrs[i], b})
			nChildren = append(nChildren, addrs[i])
			if lo < len(keys) {
				nKeys = append(nKeys, keys[lo])
			} else {
				nKeys = append(nKeys, make([]byte, keySize))
			}
		}
		if nNodes == 1 {
			return addrs[0]
		}
		nKeys = append(nKeys, keys[len(children)])
		children, keys = nChildren, nKeys
		level++
	}
}

// maxBTreeDepth bounds recursion through a hostile B-tree.
const maxBTreeDepth = 64

// walkBTree1 visits every level-0 entry of the v1 B-tree at addr: fn gets
// the child address and the left and right keys.
func (f *File) walkBTree1(addr uint64, typ uint8, keySize int, depth int, visited map[uint64]bool, fn func(child uint64, lkey, rkey []byte) error) error {
	if depth > maxBTreeDepth {
		return formatErr(int64(min(addr, 1<<62)), "B-tree deeper than any real file", depth)
	}
	if visited[addr] {
		return formatErr(int64(min(addr, 1<<62)), "B-tree node visited twice (cycle)", nil)
	}
	visited[addr] = true
	hdr, err := f.readAt(addr, 24, "B-tree node")
	if err != nil {
		return err
	}
	c := newCursor(hdr, int64(addr), "B-tree node")
	if string(c.bytes(4)) != "TREE" {
		return formatErr(int64(addr), "B-tree node signature", nil)
	}
	t := c.u8()
	level := c.u8()
	n := int(c.u16())
	if t != typ {
		return formatErr(int64(addr)+4, "B-tree node type", t)
	}
	body, err := f.readAt(addr+24, uint64(n)*uint64(8+keySize)+uint64(keySize), "B-tree node")
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		p := i * (8 + keySize)
		lkey := body[p : p+keySize]
		child := binary.LittleEndian.Uint64(body[p+keySize:])
		rkey := body[p+keySize+8 : p+2*keySize+8]
		if level > 0 {
			if err := f.walkBTree1(child, typ, keySize, depth+1, visited, fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(child, lkey, rkey); err != nil {
			return err
		}
	}
	return nil
}

// chunkKeySize is the size of a chunk B-tree key for a dataset of rank
// dims (chunk size, filter mask, rank+1 offsets).
func chunkKeySize(rank int) int { return 8 + 8*(rank+1) }

func encodeChunkKey(size uint32, mask uint32, coords []uint64) []byte {
	b := put32(nil, size)
	b = put32(b, mask)
	for _, c := range coords {
		b = put64(b, c)
	}
	return put64(b, 0)
}

// btree1Index is a chunk index over a version 1 B-tree.
type btree1Index struct {
	f     *File
	addr  uint64
	rank  int
	chunk []uint64
	recs  []ChunkRecord
	byKey map[string]int // lookup only
	done  bool
	spine []*btreeNode1 // the right edge, once read or written (btree1_append.go)
	// diskRoot is the root as the file was opened; diskMax the last chunk
	// it held, known once the right edge was first read (before any
	// append). Chunks up to diskMax are found from diskRoot whatever this
	// model appended since: appends never change an entry that was there.
	diskRoot  uint64
	diskMax   []uint64
	diskKnown bool
	// searches counts lookups answered by descending the tree.
	searches int
}

// maxSearches is how many lookups descend the tree before the index is
// read whole.
const maxSearches = 16

func (x *btree1Index) all() ([]ChunkRecord, error) {
	if x.done {
		return x.recs, nil
	}
	if x.diskRoot == UndefinedAddr {
		x.done = true
		return nil, nil
	}
	if x.diskKnown {
		return x.diskRecords() // the tree as opened, without what this model appended (btree1_append.go)
	}
	ks := chunkKeySize(x.rank)
	var recs []ChunkRecord
	err := x.f.walkBTree1(x.diskRoot, btreeChunk, ks, 0, map[uint64]bool{}, func(child uint64, lkey, _ []byte) error {
		c := newCursor(lkey, 0, "chunk B-tree key")
		r := ChunkRecord{Size: uint64(c.u32()), FilterMask: c.u32(), Addr: child}
		r.Coords = make([]uint64, x.rank)
		for i := range r.Coords {
			r.Coords[i] = c.u64()
			if x.chunk[i] == 0 || r.Coords[i]%x.chunk[i] != 0 {
				return formatErr(int64(min(child, 1<<62)), "chunk offset not on the chunk grid", r.Coords[i])
			}
		}
		if child == UndefinedAddr || child > uint64(x.f.size) || r.Size > uint64(x.f.size)-child {
			return formatErr(int64(min(child, 1<<62)), "chunk lies beyond the end of the file", r.Size)
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("chunk B-tree at %d: %w", x.addr, err)
	}
	x.byKey = make(map[string]int, len(recs))
	for i, r := range recs {
		x.byKey[chunkKey(r.Coords)] = i
	}
	x.recs, x.done = recs, true
	return recs, nil
}

func (x *btree1Index) lookup(coords []uint64) (ChunkRecord, bool, error) {
	if !x.done && x.searches < maxSearches {
		// One path, not the whole tree (btree1_append.go): an append
		// looks up a few chunks. A reader that looks up many gets the
		// whole index read once instead.
		x.searches++
		return x.search(coords)
	}
	recs, err := x.all()
	if err != nil {
		return ChunkRecord{}, false, err
	}
	if i, ok := x.byKey[chunkKey(coords)]; ok {
		return recs[i], true, nil
	}
	return ChunkRecord{}, false, nil
}
