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
			if flags&ohdrCrtOrder != 0 {
				c.u16()
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
				msgs = append(msgs, RawMessage{Type: typ, Flags: mf, Off: off, Data: data})
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
	hsp.chunks = append([]extent{{addr, uint64(len(whole))}}, conts...)
	return msgs, hsp, nil
}
