package h5core

import (
	"encoding/binary"
	"fmt"
)

// VlenRef is one stored variable-length element: the number of base
// elements (bytes, for strings) and the global heap object holding them.
// The zero VlenRef is a NULL element (h5dump prints NULL); an empty
// string or sequence is a heap object of size 0, as libhdf5 stores it.
type VlenRef struct {
	Len   uint32
	Addr  uint64 // global heap collection address
	Index uint32 // object index within the collection
}

// Encode writes the 16-byte stored form into b.
func (v VlenRef) Encode(b []byte) {
	binary.LittleEndian.PutUint32(b, v.Len)
	binary.LittleEndian.PutUint64(b[4:], v.Addr)
	binary.LittleEndian.PutUint32(b[12:], v.Index)
}

// DecodeVlenRef reads the 16-byte stored form.
func DecodeVlenRef(b []byte) (VlenRef, error) {
	if len(b) < VlenRefSize {
		return VlenRef{}, fmt.Errorf("h5core: vlen element of %d bytes (want %d): %w", len(b), VlenRefSize, ErrFormat)
	}
	return VlenRef{
		Len:   binary.LittleEndian.Uint32(b),
		Addr:  binary.LittleEndian.Uint64(b[4:]),
		Index: binary.LittleEndian.Uint32(b[12:]),
	}, nil
}

// gcolMinSize is libhdf5's smallest global heap collection (H5HG_MINSIZE).
const gcolMinSize = 4096

const gcolHeader = 16 // "GCOL", version, reserved, collection size
const gobjHeader = 16 // index, refcount, reserved, size

// globalHeap holds the collections this model knows: the ones it made
// (in memory, written at flush) and the ones read from the file (parsed
// when first used).
type globalHeap struct {
	cols  []*gcol          // in creation order: output order is deterministic
	byAdr map[uint64]*gcol // lookup only, never iterated
}

type gcol struct {
	addr, size uint64
	objs       []gobj // in index order
	used       uint64 // bytes used by header and objects
	dirty      bool
	fromFile   bool
	written    bool // flushed: immutable from now on
}

type gobj struct {
	index uint32
	data  []byte
}

// PutVlen stores one variable-length element (count base elements, data
// their packed bytes) in the global heap and returns its reference. The
// collection's address is fixed when it is created, so the reference can
// be written into raw data at once; the collection itself is written at
// the next Flush.
func (f *File) PutVlen(count uint32, data []byte) (VlenRef, error) {
	if err := f.writable(); err != nil {
		return VlenRef{}, err
	}
	f.mix("PutVlen", count, data)
	need := gobjHeader + uint64(pad(len(data), 8))
	h := &f.gheap
	var c *gcol
	// Only a collection not yet on disk takes new objects: a flushed one
	// is never rewritten, so a crash cannot tear what the last
	// superblock's data refers to.
	if n := len(h.cols); n > 0 && !h.cols[n-1].fromFile && !h.cols[n-1].written {
		last := h.cols[n-1]
		if last.size-last.used >= need {
			c = last
		}
	}
	if c == nil {
		size := uint64(gcolMinSize)
		if need+gcolHeader > size {
			size = (need + gcolHeader + 4095) &^ 4095
		}
		c = &gcol{addr: f.alloc(size), size: size, used: gcolHeader}
		h.cols = append(h.cols, c)
		if h.byAdr == nil {
			h.byAdr = map[uint64]*gcol{}
		}
		h.byAdr[c.addr] = c
	}
	idx := uint32(len(c.objs) + 1)
	if idx > 0xffff {
		return VlenRef{}, fmt.Errorf("h5core: global heap collection full")
	}
	c.objs = append(c.objs, gobj{index: idx, data: append([]byte(nil), data...)})
	c.used += need
	c.dirty = true
	return VlenRef{Len: count, Addr: c.addr, Index: idx}, nil
}

// GetVlen returns the bytes of a variable-length element.
func (f *File) GetVlen(v VlenRef) ([]byte, error) {
	if v.Len == 0 && v.Addr == 0 {
		return nil, nil
	}
	c, err := f.collection(v.Addr)
	if err != nil {
		return nil, err
	}
	for _, o := range c.objs {
		if o.index == v.Index {
			return o.data, nil
		}
	}
	return nil, fmt.Errorf("h5core: global heap object %d in collection at %d: %w", v.Index, v.Addr, ErrNotFound)
}

func (f *File) collection(addr uint64) (*gcol, error) {
	if c, ok := f.gheap.byAdr[addr]; ok {
		return c, nil
	}
	if f.r == nil {
		return nil, fmt.Errorf("h5core: no global heap collection at %d: %w", addr, ErrNotFound)
	}
	hdr, err := f.readAt(addr, gcolHeader, "global heap collection")
	if err != nil {
		return nil, err
	}
	c := newCursor(hdr, int64(addr), "global heap collection")
	if string(c.bytes(4)) != "GCOL" {
		return nil, formatErr(int64(addr), "global heap collection signature", nil)
	}
	if ver := c.u8(); ver != 1 {
		return nil, formatErr(int64(addr)+4, "global heap collection version", ver)
	}
	c.skip(3)
	size := c.u64()
	if size < gcolHeader {
		return nil, formatErr(int64(addr)+8, "global heap collection size", size)
	}
	body, err := f.readAt(addr, size, "global heap collection")
	if err != nil {
		return nil, err
	}
	col := &gcol{addr: addr, size: size, fromFile: true, used: size}
	c = newCursor(body, int64(addr), "global heap object")
	c.skip(gcolHeader)
	for c.rest() >= gobjHeader && c.err == nil {
		idx := c.u16()
		c.skip(6)
		n := c.u64()
		if idx == 0 {
			break // free space: the rest of the collection
		}
		if n > uint64(c.rest()) {
			return nil, formatErr(c.off(), "global heap object size", n)
		}
		d := c.bytes(int(n))
		c.skip(min(pad(int(n), 8)-int(n), c.rest()))
		col.objs = append(col.objs, gobj{index: uint32(idx), data: d})
	}
	if c.err != nil {
		return nil, c.err
	}
	if f.gheap.byAdr == nil {
		f.gheap.byAdr = map[uint64]*gcol{}
	}
	f.gheap.byAdr[addr] = col
	return col, nil
}

// encode returns the collection's bytes (its full size).
func (c *gcol) encode() []byte {
	b := make([]byte, 0, c.size)
	b = append(b, "GCOL"...)
	b = append(b, 1, 0, 0, 0)
	b = put64(b, c.size)
	for _, o := range c.objs {
		b = put16(b, uint16(o.index))
		b = put16(b, 0) // reference count: libhdf5 writes 0
		b = put32(b, 0)
		b = put64(b, uint64(len(o.data)))
		b = append(b, o.data...)
		b = padTo(b, 0, 8)
	}
	if free := c.size - uint64(len(b)); free >= gobjHeader {
		b = put16(b, 0)
		b = put16(b, 0)
		b = put32(b, 0)
		b = put64(b, free)
	}
	for uint64(len(b)) < c.size {
		b = append(b, 0)
	}
	return b
}
