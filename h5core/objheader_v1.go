package h5core

import "fmt"

// Message flag bits.
const (
	msgFlagConstant uint8 = 1
	msgFlagShared   uint8 = 2
)

// v1MsgSize is the size of msgs in a version 1 header: an 8-byte message
// header and the body padded to 8 bytes, as libhdf5 aligns them.
func v1MsgSize(m RawMessage) uint64 { return 8 + uint64(pad(len(m.Data), 8)) }

// v1ContSize is a version 1 continuation message: header, address, length.
const v1ContSize = 8 + 16

// v1Prefix is the version 1 header prefix: version, reserved, message
// count, reference count, first chunk size, padding to 8 bytes.
const v1Prefix = 16

// appendMsgV1 appends one message in version 1 form.
func appendMsgV1(b []byte, typ uint16, flags uint8, data []byte) []byte {
	b = put16(b, typ)
	b = put16(b, uint16(pad(len(data), 8)))
	b = append(b, flags, 0, 0, 0)
	b = append(b, data...)
	return padTo(b, 0, 8)
}

// appendNILV1 fills n bytes (a multiple of 8) with NIL messages, the free
// space of a header chunk.
func appendNILV1(b []byte, n uint64) []byte {
	for n >= 8 {
		d := min(n-8, 0xfff8)
		b = put16(b, MsgNIL)
		b = put16(b, uint16(d))
		b = append(b, 0, 0, 0, 0)
		b = append(b, make([]byte, d)...)
		n -= 8 + d
	}
	return b
}

// encodeHeaderV1 lays msgs out as a version 1 object header whose first
// chunk (prefix included) is capacity bytes, or for a new header
// (capacity 0) exactly as large as its messages and at least large enough
// for a continuation message, so that it can always be rewritten in place
// (ARCHITECTURE.md decision 5). Messages that do not fit the first chunk
// go, in order, to one continuation chunk at the address alloc returns for
// its size; free space is a NIL message. It returns the first chunk and
// the continuation chunk (nil if none).
func encodeHeaderV1(msgs []RawMessage, refCount uint32, capacity uint64, alloc func(uint64) uint64) (head, cont []byte, err error) {
	var total uint64
	for _, m := range msgs {
		if len(m.Data) > 0xffff-7 {
			return nil, nil, fmt.Errorf("h5core: object header message type %#x of %d bytes is too large for a version 1 header: %w", m.Type, len(m.Data), ErrUnsupported)
		}
		total += v1MsgSize(m)
	}
	if capacity == 0 {
		capacity = v1Prefix + max(total, v1ContSize)
	}
	body := capacity - v1Prefix
	if capacity < v1Prefix || body%8 != 0 || body > 0xffffffff {
		return nil, nil, fmt.Errorf("h5core: object header first chunk of %d bytes cannot be rewritten in place: %w", capacity, ErrUnsupported)
	}
	nFirst := len(msgs)
	if total > body {
		if body < v1ContSize {
			return nil, nil, fmt.Errorf("h5core: object header first chunk of %d bytes has no room for a continuation message: %w", capacity, ErrUnsupported)
		}
		var used uint64
		for nFirst = 0; nFirst < len(msgs) && used+v1MsgSize(msgs[nFirst]) <= body-v1ContSize; nFirst++ {
			used += v1MsgSize(msgs[nFirst])
		}
	}
	count := len(msgs)
	head = make([]byte, v1Prefix, capacity)
	for _, m := range msgs[:nFirst] {
		head = appendMsgV1(head, m.Type, m.Flags, m.Data)
	}
	if nFirst < len(msgs) {
		for _, m := range msgs[nFirst:] {
			cont = appendMsgV1(cont, m.Type, m.Flags, m.Data)
		}
		addr := alloc(uint64(len(cont)))
		head = appendMsgV1(head, MsgContinuation, 0, put64(put64(nil, addr), uint64(len(cont))))
		count++
	}
	if free := capacity - uint64(len(head)); free > 0 {
		count += int((free + 0xfff8 + 7) / (0xfff8 + 8))
		head = appendNILV1(head, free)
	}
	if count > 0xffff {
		return nil, nil, fmt.Errorf("h5core: %d messages in one object header: %w", len(msgs), ErrUnsupported)
	}
	p := append(head[:0], 1, 0)
	p = put16(p, uint16(count))
	p = put32(p, refCount)
	p = put32(p, uint32(body))
	put32(p, 0) // padding to 8-byte alignment
	return head, cont, nil
}

// maxHeaderChunks bounds continuation chains so a cyclic chain in a
// hostile file cannot loop forever.
const maxHeaderChunks = 1 << 14

// headerSpace records where an object header lives in the file, so that
// a flush can rewrite it in place (ARCHITECTURE.md decision 5).
type headerSpace struct {
	version uint8    // 1 or 2; 0: never written
	flags   uint8    // version 2 header flags (as read, or as written)
	prefix  []byte   // version 2: the bytes before the first chunk's size, kept for rewrites
	chunks  []extent // [0]: prefix and first chunk, at the object's address; then continuation chunks
}

// readHeader reads the object header at addr (either version) into its
// messages, reference count and the space it occupies.
func (f *File) readHeader(addr uint64) ([]RawMessage, uint32, headerSpace, error) {
	sig, err := f.readAt(addr, 4, "object header")
	if err != nil {
		return nil, 0, headerSpace{}, err
	}
	if string(sig) == "OHDR" {
		msgs, hs, err := decodeObjectHeaderV2(f.r, f.size, addr)
		return msgs, 1, hs, err
	}
	msgs, refCount, chunks, err := f.readHeaderV1(addr)
	return msgs, refCount, headerSpace{version: 1, chunks: chunks}, err
}

// readHeaderV1 reads a version 1 object header and its continuation chunks.
func (f *File) readHeaderV1(addr uint64) ([]RawMessage, uint32, []extent, error) {
	hdr, err := f.readAt(addr, 16, "object header")
	if err != nil {
		return nil, 0, nil, err
	}
	c := newCursor(hdr, int64(addr), "object header")
	ver := c.u8()
	c.skip(1)
	nmsgs := int(c.u16())
	refCount := c.u32()
	size := uint64(c.u32())
	if ver != 1 {
		return nil, 0, nil, formatErr(int64(addr), "object header version", ver)
	}
	chunks := []extent{{addr + v1Prefix, size}}
	var msgs []RawMessage
	seen := map[uint64]bool{addr + 16: true}
	for i := 0; i < len(chunks); i++ {
		if i >= maxHeaderChunks {
			return nil, 0, nil, formatErr(int64(addr), "too many object header continuation chunks", i)
		}
		ch := chunks[i]
		b, err := f.readAt(ch.addr, ch.size, "object header chunk")
		if err != nil {
			return nil, 0, nil, err
		}
		c := newCursor(b, int64(ch.addr), "object header message")
		for c.rest() >= 8 && c.err == nil {
			typ := c.u16()
			n := int(c.u16())
			flags := c.u8()
			c.skip(3)
			off := c.off()
			data := c.bytes(n)
			if c.err != nil {
				break
			}
			if typ == MsgContinuation {
				cc := newCursor(data, off, "continuation message")
				ca, cl := cc.u64(), cc.u64()
				if cc.err != nil {
					return nil, 0, nil, cc.err
				}
				if seen[ca] {
					return nil, 0, nil, formatErr(off, "object header continuation loops back", ca)
				}
				seen[ca] = true
				chunks = append(chunks, extent{ca, cl})
				continue
			}
			if typ == MsgNIL {
				continue
			}
			msgs = append(msgs, RawMessage{Type: typ, Flags: flags, Off: off, Data: data})
		}
		if c.err != nil {
			return nil, 0, nil, c.err
		}
	}
	_ = nmsgs // libhdf5 counts NIL and continuation messages too; not a check worth failing on
	chunks[0] = extent{addr, v1Prefix + size}
	return msgs, refCount, chunks, nil
}

// readAt reads n bytes at addr after checking they lie inside the file.
func (f *File) readAt(addr, n uint64, what string) ([]byte, error) {
	if f.r == nil {
		return nil, fmt.Errorf("h5core: %s at %d: no file to read from: %w", what, addr, ErrNotFound)
	}
	if addr == UndefinedAddr || addr > uint64(f.size) || n > uint64(f.size)-addr {
		return nil, formatErr(int64(min(addr, 1<<62)), what+" lies beyond the end of the file", n)
	}
	b := make([]byte, n)
	if n == 0 {
		return b, nil // an empty header chunk at the end of the file: nothing to read
	}
	if _, err := f.r.ReadAt(b, int64(addr)); err != nil {
		return nil, fmt.Errorf("h5core: read %s at %d: %w", what, addr, err)
	}
	return b, nil
}
