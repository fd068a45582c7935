package h5core

import (
	"fmt"
	"io"
)

// Version 2 object header flag bits.
const (
	ohdrCrtOrder = 0x04 // attribute creation order tracked: messages carry a creation index
	ohdrPhase    = 0x10 // attribute storage phase change values stored
	ohdrTimes    = 0x20 // access, modification, change and birth times stored
)

// decodeObjectHeaderV2 reads the "OHDR" header at addr and its "OCHK"
// continuation chunks, verifying every chunk's checksum.
func decodeObjectHeaderV2(r io.ReaderAt, size int64, addr uint64) ([]RawMessage, headerSpace, error) {
	hsp := headerSpace{version: 2}
	pre, err := readBlock(r, size, addr, 6, "version 2 object header")
	if err != nil {
		return nil, hsp, err
	}
	if string(pre[:4]) != "OHDR" || pre[4] != 2 {
		return nil, hsp, formatErr(int64(addr), "version 2 object header signature or version", pre[4])
	}
	flags := pre[5]
	n := uint64(6)
	if flags&ohdrTimes != 0 {
		n += 16
	}
	if flags&ohdrPhase != 0 {
		n += 4
	}
	szLen := uint64(1) << (flags & 3)
	hb, err := readBlock(r, size, addr, n+szLen, "version 2 object header")
	if err != nil {
		return nil, hsp, err
	}
	c := newCursor(hb, int64(addr), "version 2 object header")
	c.skip(int(n))
	chunk0 := c.uN(int(szLen))
	if c.err != nil {
		return nil, hsp, c.err
	}
	if chunk0 > uint64(size) {
		return nil, hsp, formatErr(int64(addr), "object header chunk larger than the file", chunk0)
	}
	hdrLen := n + szLen
	whole, err := readBlock(r, size, addr, hdrLen+chunk0+4, "version 2 object header")
	if err != nil {
		return nil, hsp, err
	}
	if err := verifySum(whole, int64(addr), "version 2 object header"); err != nil {
		return nil, hsp, err
	}
	var msgs []RawMessage
	seen := map[uint64]bool{addr: true}
	var conts []extent
	parse := func(b []byte, base int64) error {
		c := newCursor(b, base, "version 2 object header message")
		mh := 4
		if flags&ohdrCrtOrder != 0 {
			mh = 6
		}
		for c.rest() >= mh && c.err == nil {
			typ := uint16(c.u8())
			ln := int(c.u16())
			mf := c.u8()
			var crt uint16
			if flags&ohdrCrtOrder != 0 {
				crt = c.u16()
			}
			off := c.off()
			data := c.bytes(ln)
			if c.err != nil {
				break
			}
			switch typ {
			case MsgContinuation:
				cc := newCursor(data, off, "continuation message")
				ca, cl := cc.u64(), cc.u64()
				if cc.err != nil {
					return cc.err
				}
				if seen[ca] {
					return formatErr(off, "object header continuation loops back", ca)
				}
				seen[ca] = true
				conts = append(conts, extent{ca, cl})
			case MsgNIL:
			default:
				msgs = append(msgs, RawMessage{Type: typ, Flags: mf, Off: off, Data: data, crt: crt})
			}
		}
		return c.err
	}
	if err := parse(whole[hdrLen:len(whole)-4], int64(addr+hdrLen)); err != nil {
		return nil, hsp, err
	}
	for i := 0; i < len(conts); i++ {
		if i >= maxHeaderChunks {
			return nil, hsp, formatErr(int64(addr), "too many object header continuation chunks", i)
		}
		ch := conts[i]
		if ch.size < 8 {
			return nil, hsp, formatErr(int64(min(ch.addr, 1<<62)), "object header continuation chunk too small", ch.size)
		}
		b, err := readBlock(r, size, ch.addr, ch.size, "object header continuation chunk")
		if err != nil {
			return nil, hsp, err
		}
		if string(b[:4]) != "OCHK" {
			return nil, hsp, formatErr(int64(ch.addr), "object header continuation chunk signature is not OCHK", nil)
		}
		if err := verifySum(b, int64(ch.addr), "object header continuation chunk"); err != nil {
			return nil, hsp, err
		}
		if err := parse(b[4:len(b)-4], int64(ch.addr)+4); err != nil {
			return nil, hsp, fmt.Errorf("object header at %d: %w", addr, err)
		}
	}
	hsp.flags = flags
	hsp.prefix = append([]byte(nil), hb[:n]...)
	hsp.chunks = append([]extent{{addr, uint64(len(whole))}}, conts...)
	return msgs, hsp, nil
}

// v2MsgHeader is the size of a message header in a version 2 object
// header with the given flags: type, size, flags, and the creation index
// when attribute creation order is tracked.
func v2MsgHeader(flags uint8) uint64 {
	if flags&ohdrCrtOrder != 0 {
		return 6
	}
	return 4
}

// appendMsgV2 appends one message in version 2 form.
func appendMsgV2(b []byte, hflags uint8, m RawMessage) []byte {
	b = append(b, uint8(m.Type))
	b = put16(b, uint16(len(m.Data)))
	b = append(b, m.Flags)
	if hflags&ohdrCrtOrder != 0 {
		b = put16(b, m.crt)
	}
	return append(b, m.Data...)
}

// appendFreeV2 fills n bytes of a version 2 chunk: NIL messages, or a gap
// (zeros) when n is smaller than a message header, as the format allows
// at the end of a chunk.
func appendFreeV2(b []byte, hflags uint8, n uint64) []byte {
	mh := v2MsgHeader(hflags)
	for n >= mh {
		d := min(n-mh, 0xffff)
		b = appendMsgV2(b, hflags, RawMessage{Type: MsgNIL, Data: make([]byte, d)})
		n -= mh + d
	}
	return append(b, make([]byte, n)...)
}

// encodeHeaderV2 lays msgs out as a version 2 object header ("OHDR") whose
// first chunk (prefix and checksum included) is capacity bytes with the
// prefix of hs (an opened header), or for a new header (capacity 0) with
// the given flags and exactly large enough for its messages and a
// continuation message. As encodeHeaderV1, messages that do not fit go to
// one continuation chunk ("OCHK") at the address alloc returns.
func encodeHeaderV2(msgs []RawMessage, hs *headerSpace, capacity uint64, alloc func(uint64) uint64) (head, cont []byte, err error) {
	mh := v2MsgHeader(hs.flags)
	var total uint64
	for _, m := range msgs {
		if len(m.Data) > 0xffff || m.Type > 0xff {
			return nil, nil, fmt.Errorf("h5core: object header message type %#x of %d bytes does not fit a version 2 header: %w", m.Type, len(m.Data), ErrUnsupported)
		}
		total += mh + uint64(len(m.Data))
	}
	contMsg := mh + 16
	if capacity == 0 {
		body := max(total, contMsg)
		width := uint8(0)
		for body >= 1<<(8<<width) && width < 3 {
			width++
		}
		hs.flags = hs.flags&^3 | width
		hs.prefix = append([]byte("OHDR"), 2, hs.flags)
		capacity = uint64(len(hs.prefix)) + 1<<width + body + 4
	}
	width := uint64(1) << (hs.flags & 3)
	fixed := uint64(len(hs.prefix)) + width + 4
	if capacity < fixed {
		return nil, nil, fmt.Errorf("h5core: version 2 object header of %d bytes cannot be rewritten in place: %w", capacity, ErrUnsupported)
	}
	body := capacity - fixed
	if width < 8 && body >= 1<<(8*width) {
		return nil, nil, fmt.Errorf("h5core: version 2 object header chunk of %d bytes does not fit its %d-byte size field: %w", body, width, ErrUnsupported)
	}
	nFirst := len(msgs)
	if total > body {
		if body < contMsg {
			return nil, nil, fmt.Errorf("h5core: object header first chunk of %d bytes has no room for a continuation message: %w", capacity, ErrUnsupported)
		}
		var used uint64
		for nFirst = 0; nFirst < len(msgs) && used+mh+uint64(len(msgs[nFirst].Data)) <= body-contMsg; nFirst++ {
			used += mh + uint64(len(msgs[nFirst].Data))
		}
	}
	head = make([]byte, 0, capacity)
	head = append(head, hs.prefix...)
	head = appendUint(head, body, int(width))
	for _, m := range msgs[:nFirst] {
		head = appendMsgV2(head, hs.flags, m)
	}
	if nFirst < len(msgs) {
		cont = append(cont, "OCHK"...)
		for _, m := range msgs[nFirst:] {
			cont = appendMsgV2(cont, hs.flags, m)
		}
		cont = put32(cont, lookup3(cont, 0))
		addr := alloc(uint64(len(cont)))
		head = appendMsgV2(head, hs.flags, RawMessage{Type: MsgContinuation, Data: put64(put64(nil, addr), uint64(len(cont)))})
	}
	head = appendFreeV2(head, hs.flags, capacity-4-uint64(len(head)))
	return put32(head, lookup3(head, 0)), cont, nil
}
