package h5core

import (
	"fmt"
	"io"
	"sort"
)

// linkInfoMsg is a link info message (type 2).
type linkInfoMsg struct {
	heap, nameIndex, orderIndex uint64
}

func decodeLinkInfo(m RawMessage) (linkInfoMsg, error) {
	c := newCursor(m.Data, m.Off, "link info message")
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	flags := c.u8()
	if flags&1 != 0 {
		c.u64() // maximum creation index
	}
	li := linkInfoMsg{heap: c.u64(), nameIndex: c.u64(), orderIndex: UndefinedAddr}
	if flags&2 != 0 {
		li.orderIndex = c.u64()
	}
	return li, c.err
}

// decodeLinkMsg decodes a link message body (type 6), stored in an object
// header or as a dense-storage heap object.
func decodeLinkMsg(b []byte, off int64) (LinkInfo, error) {
	c := newCursor(b, off, "link message")
	l := LinkInfo{Addr: UndefinedAddr}
	if v := c.u8(); v != 1 {
		c.fail("version", v)
	}
	flags := c.u8()
	typ := uint8(0)
	if flags&0x08 != 0 {
		typ = c.u8()
	}
	if flags&0x04 != 0 {
		c.u64() // creation order
	}
	if flags&0x10 != 0 {
		c.u8() // name character set
	}
	n := c.uN(1 << (flags & 3))
	if n == 0 || n > uint64(c.rest()) {
		c.fail("link name length", n)
		return l, c.err
	}
	l.Name = string(c.bytes(int(n)))
	switch typ {
	case 0:
		l.Addr = c.u64()
		if c.err == nil && l.Addr == UndefinedAddr {
			c.fail("hard link to the undefined address", l.Name)
		}
	case 1:
		ln := int(c.u16())
		l.Soft = string(c.bytes(ln))
	case 64:
		ln := int(c.u16())
		ec := newCursor(c.bytes(ln), c.off()-int64(ln), "external link")
		if c.err != nil {
			return l, c.err
		}
		ec.u8() // version and flags
		l.External[0] = ec.cstring(0)
		l.External[1] = ec.cstring(0)
		if ec.err != nil {
			return l, ec.err
		}
		if l.External[0] == "" {
			ec.fail("external link without a file name", l.Name)
			return l, ec.err
		}
	default:
		return l, fmt.Errorf("user-defined link type %d (%q) at offset %d: %w", typ, l.Name, off, ErrUnsupported)
	}
	return l, c.err
}

// decodeLinks returns a new-style group's links: the link messages in its
// header (compact storage) plus, when the link info message names a fractal
// heap, the links in dense storage (walked through the name index).
func decodeLinks(r io.ReaderAt, size int64, msgs []RawMessage) ([]LinkInfo, error) {
	var out []LinkInfo
	var info *linkInfoMsg
	for _, m := range msgs {
		switch m.Type {
		case MsgLink:
			l, err := decodeLinkMsg(m.Data, m.Off)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		case MsgLinkInfo:
			li, err := decodeLinkInfo(m)
			if err != nil {
				return nil, err
			}
			info = &li
		}
	}
	if info == nil || info.heap == UndefinedAddr {
		return out, nil
	}
	dense, err := denseLinks(r, size, *info)
	if err != nil {
		return nil, err
	}
	return append(out, dense...), nil
}

func denseLinks(r io.ReaderAt, size int64, li linkInfoMsg) ([]LinkInfo, error) {
	h, err := openFractalHeap(r, size, li.heap)
	if err != nil {
		return nil, fmt.Errorf("dense links: %w", err)
	}
	if li.nameIndex == UndefinedAddr {
		return nil, formatErr(int64(min(li.heap, 1<<62)), "dense link storage without a name index", nil)
	}
	t, err := openBTree2(r, size, li.nameIndex, bt2LinkName)
	if err != nil {
		return nil, fmt.Errorf("dense links: %w", err)
	}
	var out []LinkInfo
	err = t.walk(func(rec []byte, off int64) error {
		if len(rec) < 5 {
			return formatErr(off, "link name index record too short", len(rec))
		}
		b, err := h.object(rec[4:], off+4)
		if err != nil {
			return err
		}
		l, err := decodeLinkMsg(b, off)
		if err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dense links: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
