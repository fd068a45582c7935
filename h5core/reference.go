package h5core

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"sort"
)

// References, as libhdf5 stores them in raw data (H5R_OBJECT and
// H5R_DATASET_REGION, the kinds h5py's ref_dtype and regionref_dtype hold):
//
//   - an object reference is the 8-byte address of the object's header
//     (0 is a null reference);
//   - a region reference is 12 bytes naming a global heap object (the
//     collection's address, then the object's index) whose bytes are the
//     dataset's header address followed by the serialised selection.
//
// Both name objects by header address, which is why header addresses never
// change once given (ARCHITECTURE.md, decision 5).

// Reference sizes in raw data.
const (
	ObjectRefSize = 8
	RegionRefSize = 12
)

// Reference types (the datatype's RefType).
const (
	RefObject = 0
	RefRegion = 1
)

// ObjectRefType is the datatype of object references (H5T_STD_REF_OBJ,
// h5py's ref_dtype).
func ObjectRefType() *Datatype {
	return &Datatype{Class: ClassReference, Size: ObjectRefSize, RefType: RefObject}
}

// RegionRefType is the datatype of dataset region references
// (H5T_STD_REF_DSETREG, h5py's regionref_dtype).
func RegionRefType() *Datatype {
	return &Datatype{Class: ClassReference, Size: RegionRefSize, RefType: RefRegion}
}

// RegionRef is the stored form of a region reference: the global heap
// object holding the region. The zero RegionRef is a null reference.
type RegionRef struct {
	Addr  uint64 // global heap collection
	Index uint32 // object within the collection
}

// Encode writes the 12-byte stored form into b.
func (r RegionRef) Encode(b []byte) {
	binary.LittleEndian.PutUint64(b, r.Addr)
	binary.LittleEndian.PutUint32(b[8:], r.Index)
}

// DecodeRegionRef reads the 12-byte stored form.
func DecodeRegionRef(b []byte) (RegionRef, error) {
	if len(b) < RegionRefSize {
		return RegionRef{}, fmt.Errorf("h5core: region reference of %d bytes (want %d): %w", len(b), RegionRefSize, ErrFormat)
	}
	return RegionRef{Addr: binary.LittleEndian.Uint64(b), Index: binary.LittleEndian.Uint32(b[8:])}, nil
}

// SelKind is the kind of a serialised dataspace selection (H5S_sel_type).
type SelKind uint32

// Selection kinds, with libhdf5's numbers.
const (
	SelNone   SelKind = 0
	SelPoints SelKind = 1
	SelBlocks SelKind = 2 // hyperslabs: a union of blocks
	SelAll    SelKind = 3
)

// Region is a dataset and a selection of its elements: what a region
// reference names. Blocks are inclusive corners (start, end) per block;
// Points are element coordinates. Rank is the dataset's rank.
type Region struct {
	Dataset uint64 // header address
	Kind    SelKind
	Rank    int
	Blocks  [][2][]uint64
	Points  [][]uint64
	Regular *Hyperslab // a regular hyperslab (Kind SelBlocks, Blocks nil)
}

// maxRegionRank bounds a decoded selection's rank (HDF5's H5S_MAX_RANK).
const maxRegionRank = 32

// EncodeRegion serialises r as libhdf5 stores a region reference's heap
// object: version 1 selections, which every libhdf5 since 1.8 reads.
func EncodeRegion(r Region) ([]byte, error) {
	if r.Rank < 0 || r.Rank > maxRegionRank {
		return nil, fmt.Errorf("h5core: region of rank %d (at most %d)", r.Rank, maxRegionRank)
	}
	b := put64(nil, r.Dataset)
	b = binary.LittleEndian.AppendUint32(b, uint32(r.Kind))
	b = binary.LittleEndian.AppendUint32(b, 1) // version
	b = binary.LittleEndian.AppendUint32(b, 0) // reserved
	switch r.Kind {
	case SelNone, SelAll:
		return binary.LittleEndian.AppendUint32(b, 0), nil // length
	case SelPoints:
		n := len(r.Points)
		b = binary.LittleEndian.AppendUint32(b, uint32(8+4*r.Rank*n))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.Rank))
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
		for _, p := range r.Points {
			if len(p) != r.Rank {
				return nil, fmt.Errorf("h5core: region point %v in rank %d", p, r.Rank)
			}
			for _, x := range p {
				if x > 0xffffffff {
					return nil, fmt.Errorf("h5core: region coordinate %d does not fit a version 1 selection", x)
				}
				b = binary.LittleEndian.AppendUint32(b, uint32(x))
			}
		}
		return b, nil
	case SelBlocks:
		if r.Regular != nil {
			return encodeRegular(b[:len(b)-8], r)
		}
		n := len(r.Blocks)
		b = binary.LittleEndian.AppendUint32(b, uint32(8+8*r.Rank*n))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.Rank))
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
		for _, bl := range r.Blocks {
			for _, c := range bl {
				if len(c) != r.Rank {
					return nil, fmt.Errorf("h5core: region block corner %v in rank %d", c, r.Rank)
				}
				for _, x := range c {
					if x > 0xffffffff {
						return nil, fmt.Errorf("h5core: region coordinate %d does not fit a version 1 selection", x)
					}
					b = binary.LittleEndian.AppendUint32(b, uint32(x))
				}
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("h5core: region selection kind %d", r.Kind)
}

// encodeRegular writes a regular hyperslab as a version 2 selection
// (libhdf5 1.10 and later read it): b holds the address and kind.
func encodeRegular(b []byte, r Region) ([]byte, error) {
	h := r.Regular
	if len(h.Start) != r.Rank || len(h.Stride) != r.Rank || len(h.Count) != r.Rank || len(h.Block) != r.Rank {
		return nil, fmt.Errorf("h5core: regular hyperslab %v in rank %d", *h, r.Rank)
	}
	if err := checkRegular(*h); err != nil {
		return nil, err
	}
	b = binary.LittleEndian.AppendUint32(b, 2) // version
	b = append(b, hyperRegular)
	b = binary.LittleEndian.AppendUint32(b, uint32(4+32*r.Rank))
	b = binary.LittleEndian.AppendUint32(b, uint32(r.Rank))
	for j := 0; j < r.Rank; j++ {
		for _, v := range []uint64{h.Start[j], h.Stride[j], h.Count[j], h.Block[j]} {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
	}
	return b, nil
}

// DecodeRegion parses a region reference's heap object: the dataset
// address and a serialised selection of any version libhdf5 writes
// (points 1-2, hyperslabs 1-3, all, none). Counts are checked against the
// bytes present before anything is allocated.
func DecodeRegion(b []byte) (Region, error) {
	c := newCursor(b, 0, "region reference")
	var r Region
	r.Dataset = c.u64()
	r.Kind = SelKind(c.u32())
	ver := c.u32()
	if c.err != nil {
		return Region{}, regionErr("truncated header")
	}
	switch r.Kind {
	case SelNone, SelAll:
		return r, nil
	case SelPoints:
		return decodePoints(c, r, ver)
	case SelBlocks:
		return decodeHyperslabs(c, r, ver)
	}
	return Region{}, regionErr(fmt.Sprintf("selection kind %d", r.Kind))
}

func regionErr(msg string) error {
	return fmt.Errorf("h5core: region reference: %s: %w", msg, ErrFormat)
}

// encSize reads a version 2/3 selection's coordinate size (2, 4 or 8).
func encSize(c *cursor) (int, error) {
	switch n := int(c.u8()); n {
	case 2, 4, 8:
		return n, nil
	default:
		return 0, regionErr(fmt.Sprintf("coordinate size %d", n))
	}
}

func readCoord(c *cursor, size int) uint64 {
	switch size {
	case 2:
		return uint64(c.u16())
	case 4:
		return uint64(c.u32())
	}
	return c.u64()
}

// count reads a number of records, each of rec bytes, and checks they fit
// in what is left.
func regionCount(c *cursor, n uint64, rec int) (int, error) {
	if c.err != nil {
		return 0, regionErr("truncated selection")
	}
	left := uint64(c.rest())
	if rec <= 0 || n > left/uint64(rec) {
		return 0, regionErr(fmt.Sprintf("%d records of %d bytes in %d bytes", n, rec, left))
	}
	return int(n), nil
}

func regionRank(c *cursor, r *Region) error {
	rank := c.u32()
	if c.err != nil || rank == 0 || rank > maxRegionRank {
		return regionErr(fmt.Sprintf("rank %d", rank))
	}
	r.Rank = int(rank)
	return nil
}

func decodePoints(c *cursor, r Region, ver uint32) (Region, error) {
	size := 4
	var n uint64
	switch ver {
	case 1:
		c.u32() // reserved
		c.u32() // length
		if err := regionRank(c, &r); err != nil {
			return Region{}, err
		}
		n = uint64(c.u32())
	case 2:
		var err error
		if size, err = encSize(c); err != nil {
			return Region{}, err
		}
		if err := regionRank(c, &r); err != nil {
			return Region{}, err
		}
		n = readCoord(c, size)
	default:
		return Region{}, regionErr(fmt.Sprintf("point selection version %d", ver))
	}
	np, err := regionCount(c, n, size*r.Rank)
	if err != nil {
		return Region{}, err
	}
	r.Points = make([][]uint64, np)
	for i := range r.Points {
		p := make([]uint64, r.Rank)
		for j := range p {
			p[j] = readCoord(c, size)
		}
		r.Points[i] = p
	}
	return r, nil
}

// hyperslab flags of version 2 and 3 selections.
const hyperRegular = 1

func decodeHyperslabs(c *cursor, r Region, ver uint32) (Region, error) {
	size := 4
	regular := false
	switch ver {
	case 1:
		c.u32() // reserved
		c.u32() // length
	case 2:
		regular = c.u8()&hyperRegular != 0
		c.u32() // length
		size = 8
	case 3:
		regular = c.u8()&hyperRegular != 0
		var err error
		if size, err = encSize(c); err != nil {
			return Region{}, err
		}
	default:
		return Region{}, regionErr(fmt.Sprintf("hyperslab selection version %d", ver))
	}
	if err := regionRank(c, &r); err != nil {
		return Region{}, err
	}
	if regular {
		return decodeRegular(c, r, size)
	}
	var n uint64
	if ver == 1 {
		n = uint64(c.u32())
	} else {
		n = readCoord(c, size)
	}
	nb, err := regionCount(c, n, 2*size*r.Rank)
	if err != nil {
		return Region{}, err
	}
	r.Blocks = make([][2][]uint64, nb)
	for i := range r.Blocks {
		for k := 0; k < 2; k++ {
			v := make([]uint64, r.Rank)
			for j := range v {
				v[j] = readCoord(c, size)
			}
			r.Blocks[i][k] = v
		}
		for j := 0; j < r.Rank; j++ {
			if r.Blocks[i][1][j] < r.Blocks[i][0][j] {
				return Region{}, regionErr(fmt.Sprintf("block %d ends before it starts", i))
			}
		}
	}
	return r, nil
}

// decodeRegular reads a regular hyperslab (start, stride, count, block per
// dimension). It is kept as it is, never expanded into blocks: a count
// read from a file may be astronomically large.
func decodeRegular(c *cursor, r Region, size int) (Region, error) {
	if _, err := regionCount(c, 4, size*r.Rank); err != nil {
		return Region{}, err
	}
	h := Hyperslab{Start: make([]uint64, r.Rank), Stride: make([]uint64, r.Rank), Count: make([]uint64, r.Rank), Block: make([]uint64, r.Rank)}
	for j := 0; j < r.Rank; j++ {
		h.Start[j], h.Stride[j], h.Count[j], h.Block[j] = readCoord(c, size), readCoord(c, size), readCoord(c, size), readCoord(c, size)
	}
	if err := checkRegular(h); err != nil {
		return Region{}, err
	}
	for j := 0; j < r.Rank; j++ {
		if h.Count[j] == 0 || h.Block[j] == 0 {
			r.Kind = SelNone
			return r, nil
		}
	}
	r.Regular = &h
	return r, nil
}

// checkRegular rejects a regular hyperslab whose last coordinate does not
// fit in 64 bits (or that repeats one block forever with stride 0).
func checkRegular(h Hyperslab) error {
	for j := range h.Start {
		if h.Count[j] == 0 || h.Block[j] == 0 {
			continue
		}
		hi, lo := bits.Mul64(h.Count[j]-1, h.Stride[j])
		last, carry := bits.Add64(lo, h.Start[j], 0)
		last, carry2 := bits.Add64(last, h.Block[j]-1, 0)
		if hi != 0 || carry != 0 || carry2 != 0 || last == UndefinedAddr {
			return regionErr("hyperslab overflows its coordinates")
		}
		if h.Count[j] > 1 && h.Stride[j] == 0 {
			return regionErr("hyperslab of stride 0")
		}
	}
	return nil
}

// Last returns the largest coordinate r selects in each dimension, false
// for None and All (which depend on the dataset's shape).
func (r Region) Last() ([]uint64, bool) {
	switch {
	case r.Kind == SelBlocks && r.Regular != nil:
		h := r.Regular
		last := make([]uint64, len(h.Start))
		for j := range last {
			last[j] = h.Start[j] + (h.Count[j]-1)*h.Stride[j] + h.Block[j] - 1
		}
		return last, true
	case r.Kind == SelBlocks && len(r.Blocks) > 0:
		last := append([]uint64(nil), r.Blocks[0][1]...)
		for _, b := range r.Blocks {
			for j := range last {
				last[j] = max(last[j], b[1][j])
			}
		}
		return last, true
	case r.Kind == SelPoints && len(r.Points) > 0:
		last := append([]uint64(nil), r.Points[0]...)
		for _, p := range r.Points {
			for j := range last {
				last[j] = max(last[j], p[j])
			}
		}
		return last, true
	}
	return nil, false
}

// PutRegion stores r in the global heap and returns the reference to
// write into raw data. Like PutVlen it changes the model (collectively, in
// a parallel file).
func (f *File) PutRegion(r Region) (RegionRef, error) {
	b, err := EncodeRegion(r)
	if err != nil {
		return RegionRef{}, err
	}
	v, err := f.PutVlen(uint32(len(b)), b)
	if err != nil {
		return RegionRef{}, err
	}
	return RegionRef{Addr: v.Addr, Index: v.Index}, nil
}

// GetRegion reads the region a region reference names.
func (f *File) GetRegion(ref RegionRef) (Region, error) {
	if ref == (RegionRef{}) {
		return Region{}, fmt.Errorf("h5core: null region reference: %w", ErrNotFound)
	}
	b, err := f.GetVlen(VlenRef{Len: 1, Addr: ref.Addr, Index: ref.Index})
	if err != nil {
		return Region{}, err
	}
	return DecodeRegion(b)
}

// ObjectAt returns the object whose header is at addr and a path to it
// (the first found in name order, as h5py's .name gives one of an object's
// paths). Objects created since the last flush have no address yet.
//
// The search first walks what is loaded; if the object is not found
// there, it loads the groups it has to look through (lazy.go), and a link
// whose address is addr is followed without loading its siblings.
func (f *File) ObjectAt(addr uint64) (Object, string, error) {
	if addr == 0 || addr == UndefinedAddr {
		return nil, "", fmt.Errorf("h5core: null object reference: %w", ErrNotFound)
	}
	if f.root.addr == addr {
		return f.root, "/", nil
	}
	o, p, err := f.objectAt(addr, false)
	if o == nil && err == nil && f.lazy != nil {
		o, p, err = f.objectAt(addr, true)
	}
	if err != nil {
		return nil, "", fmt.Errorf("h5core: finding the object at address %d: %w", addr, err)
	}
	if o == nil {
		return nil, "", fmt.Errorf("h5core: no object has its header at address %d: %w", addr, ErrNotFound)
	}
	return o, p, nil
}

// objectAt searches the tree depth first, each group's members before
// its subgroups, in name order; load says whether links not followed yet
// are followed.
func (f *File) objectAt(addr uint64, load bool) (Object, string, error) {
	seen := map[*object]bool{f.root.obj(): true}
	var find func(g *Group, base string) (Object, string, error)
	find = func(g *Group, base string) (Object, string, error) {
		var groups []int
		if load {
			for i := range g.ordered() {
				if l := &g.links[i]; l.unloaded() && l.opaque.addr == addr {
					if _, err := g.resolve(i); err != nil {
						return nil, "", err
					}
					if l.obj != nil && !l.obj.obj().deleted {
						return l.obj, base + l.name, nil
					}
				}
			}
		}
		for i := range g.ordered() {
			l := &g.links[i]
			if l.unloaded() {
				if !load {
					continue
				}
				if _, err := g.resolve(i); err != nil {
					return nil, "", err
				}
				if l.obj == nil {
					continue // an object h5core does not model
				}
			}
			if l.obj == nil {
				continue
			}
			ob := l.obj.obj()
			if ob.addr == addr && !ob.deleted {
				return l.obj, base + l.name, nil
			}
			if _, ok := l.obj.(*Group); ok && !seen[ob] {
				seen[ob] = true
				groups = append(groups, i)
			}
		}
		for _, i := range groups {
			o, p, err := find(g.links[i].obj.(*Group), base+g.links[i].name+"/")
			if o != nil || err != nil {
				return o, p, err
			}
		}
		return nil, "", nil
	}
	return find(f.root, "/")
}

// SortedElements lists the coordinates of the elements r selects in C
// order, without repeats (how libhdf5 iterates a selection of blocks);
// points come in the order they were given, repeats included, as libhdf5
// keeps them. All and None need the dataset's shape, which the caller has.
func (r Region) SortedElements(shape []uint64, limit uint64) ([][]uint64, error) {
	var out [][]uint64
	add := func(p []uint64) error {
		if uint64(len(out)) >= limit {
			return fmt.Errorf("h5core: region selects more than %d elements", limit)
		}
		out = append(out, append([]uint64(nil), p...))
		return nil
	}
	switch r.Kind {
	case SelNone:
		return nil, nil
	case SelAll:
		r = Region{Kind: SelBlocks, Rank: len(shape)}
		if len(shape) == 0 {
			return [][]uint64{{}}, nil
		}
		end := make([]uint64, len(shape))
		for j, d := range shape {
			if d == 0 {
				return nil, nil
			}
			end[j] = d - 1
		}
		r.Blocks = [][2][]uint64{{make([]uint64, len(shape)), end}}
	case SelPoints:
		for _, p := range r.Points {
			if err := add(p); err != nil {
				return nil, err
			}
		}
	}
	if h := r.Regular; h != nil && r.Kind == SelBlocks {
		// An odometer over (block number, offset in block) per dimension;
		// add stops it at limit however large the counts are.
		rank := len(h.Start)
		c, k, p := make([]uint64, rank), make([]uint64, rank), make([]uint64, rank)
		for {
			for j := range p {
				p[j] = h.Start[j] + c[j]*h.Stride[j] + k[j]
			}
			if err := add(p); err != nil {
				return nil, err
			}
			j := rank - 1
			for ; j >= 0; j-- {
				if k[j]++; k[j] < h.Block[j] {
					break
				}
				k[j] = 0
				if c[j]++; c[j] < h.Count[j] {
					break
				}
				c[j] = 0
			}
			if j < 0 {
				break
			}
		}
	}
	for _, bl := range r.Blocks {
		p := append([]uint64(nil), bl[0]...)
		for {
			if err := add(p); err != nil {
				return nil, err
			}
			j := len(p) - 1
			for ; j >= 0; j-- {
				if p[j]++; p[j] <= bl[1][j] {
					break
				}
				p[j] = bl[0][j]
			}
			if j < 0 {
				break
			}
		}
	}
	if r.Kind == SelPoints {
		return out, nil // points keep the order they were given in, as in libhdf5
	}
	sort.Slice(out, func(a, b int) bool {
		for j := range out[a] {
			if out[a][j] != out[b][j] {
				return out[a][j] < out[b][j]
			}
		}
		return false
	})
	k := 0
	for i := range out {
		if i > 0 && equalCoords(out[i], out[k-1]) {
			continue
		}
		out[k] = out[i]
		k++
	}
	return out[:k], nil
}

func equalCoords(a, b []uint64) bool {
	for j := range a {
		if a[j] != b[j] {
			return false
		}
	}
	return true
}
