package h5core

// localHeap builds a local heap data segment: offset 0 is the empty string
// (libhdf5 puts it there for the B-tree's first key), names follow, each
// NUL-terminated and padded to 8 bytes.
type localHeap struct {
	data []byte
}

func newLocalHeap() *localHeap { return &localHeap{data: make([]byte, 8)} }

func (h *localHeap) add(s string) uint64 {
	off := uint64(len(h.data))
	h.data = putName(h.data, s, 8)
	return off
}

// localHeapHeader is the "HEAP" header: signature, version 0, data segment
// size, free list head, data segment address.
const localHeapHeader = 32

// heapFreeNull is libhdf5's H5HL_FREE_NULL: an empty free list.
const heapFreeNull = 1

// encode returns the header followed by the data segment, which is placed
// right after the header at addr.
func (h *localHeap) encode(addr uint64) []byte {
	b := make([]byte, 0, localHeapHeader+len(h.data))
	b = append(b, "HEAP"...)
	b = append(b, 0, 0, 0, 0)
	b = put64(b, uint64(len(h.data)))
	b = put64(b, heapFreeNull)
	b = put64(b, addr+localHeapHeader)
	return append(b, h.data...)
}

// readLocalHeap returns the data segment of the local heap at addr.
func (f *File) readLocalHeap(addr uint64) ([]byte, error) {
	hb, err := f.readAt(addr, localHeapHeader, "local heap")
	if err != nil {
		return nil, err
	}
	c := newCursor(hb, int64(addr), "local heap")
	if string(c.bytes(4)) != "HEAP" {
		return nil, formatErr(int64(addr), "local heap signature", nil)
	}
	if v := c.u8(); v != 0 {
		return nil, formatErr(int64(addr)+4, "local heap version", v)
	}
	c.skip(3)
	size := c.u64()
	c.u64()
	daddr := c.u64()
	return f.readAt(daddr, size, "local heap data segment")
}

// heapString returns the NUL-terminated string at off in a heap segment.
func heapString(seg []byte, off uint64, base int64) (string, error) {
	if off >= uint64(len(seg)) {
		return "", formatErr(base, "local heap offset beyond the data segment", off)
	}
	for i := off; i < uint64(len(seg)); i++ {
		if seg[i] == 0 {
			return string(seg[off:i]), nil
		}
	}
	return "", formatErr(base, "unterminated name in local heap", off)
}
