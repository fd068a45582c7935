package h5core

import "fmt"

// Message flag bits.
const (
	msgFlagConstant uint8 = 1
	msgFlagShared   uint8 = 2
)

// encodeHeaderV1 returns a version 1 object header holding msgs, each body
// padded to 8 bytes as libhdf5 aligns them.
func encodeHeaderV1(msgs []RawMessage, refCount uint32) ([]byte, error) {
	body := make([]byte, 0, 256)
	for _, m := range msgs {
		n := pad(len(m.Data), 8)
		if n > 0xffff {
			return nil, fmt.Errorf("h5core: object header message type %#x of %d bytes is too large for a version 1 header: %w", m.Type, len(m.Data), ErrUnsupported)
		}
		body = put16(body, m.Type)
		body = put16(body, uint16(n))
		body = append(body, m.Flags, 0, 0, 0)
		body = append(body, m.Data...)
		body = padTo(body, 0, 8)
	}
	if len(msgs) > 0xffff {
		return nil, fmt.Errorf("h5core: %d messages in one object header: %w", len(msgs), ErrUnsupported)
	}
	b := make([]byte, 0, 16+len(body))
	b = append(b, 1, 0)
	b = put16(b, uint16(len(msgs)))
	b = put32(b, refCount)
	b = put32(b, uint32(len(body)))
	b = put32(b, 0) // padding to 8-byte alignment
	return append(b, body...), nil
}

// maxHeaderChunks bounds continuation chains so a cyclic chain in a
// hostile file cannot loop forever.
const maxHeaderChunks = 1 << 14

// readHeader reads the object header at addr (either version) into its
// messages and reference count.
func (f *File) readHeader(addr uint64) ([]RawMessage, uint32, error) {
	sig, err := f.readAt(addr, 4, "object header")
	if err != nil {
		return nil, 0, err
	}
	if string(sig) == "OHDR" {
		msgs, err := decodeObjectHeaderV2(f.r, f.size, addr)
		return msgs, 1, err
	}
	hdr, err := f.readAt(addr, 16, "object header")
	if err != nil {
		return nil, 0, err
	}
	c := newCursor(hdr, int64(addr), "object header")
	ver := c.u8()
	c.skip(1)
	nmsgs := int(c.u16())
	refCount := c.u32()
	size := uint64(c.u32())
	if ver != 1 {
		return nil, 0, formatErr(int64(addr), "object header version", ver)
	}
	type span struct{ addr, size uint64 }
	chunks := []span{{addr + 16, size}}
	var msgs []RawMessage
	seen := map[uint64]bool{addr + 16: true}
	for i := 0; i < len(chunks); i++ {
		if i >= maxHeaderChunks {
			return nil, 0, formatErr(int64(addr), "too many object header continuation chunks", i)
		}
		ch := chunks[i]
		b, err := f.readAt(ch.addr, ch.size, "object header chunk")
		if err != nil {
			return nil, 0, err
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
					return nil, 0, cc.err
				}
				if seen[ca] {
					return nil, 0, formatErr(off, "object header continuation loops back", ca)
				}
				seen[ca] = true
				chunks = append(chunks, span{ca, cl})
				continue
			}
			if typ == MsgNIL {
				continue
			}
			msgs = append(msgs, RawMessage{Type: typ, Flags: flags, Off: off, Data: data})
		}
		if c.err != nil {
			return nil, 0, c.err
		}
	}
	_ = nmsgs // libhdf5 counts NIL and continuation messages too; not a check worth failing on
	return msgs, refCount, nil
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
	if _, err := f.r.ReadAt(b, int64(addr)); err != nil {
		return nil, fmt.Errorf("h5core: read %s at %d: %w", what, addr, err)
	}
	return b, nil
}
