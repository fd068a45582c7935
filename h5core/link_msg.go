package h5core

import (
	"fmt"
	"io"
	"sort"
)

// linkInfoMsg is a link info message (type 2).
type linkInfoMsg struct {
	flags                       uint8  // linkTrackOrder, linkIndexOrder
	maxCrt                      uint64 // the next link's creation index (libhdf5's max_corder)
	heap, nameIndex, orderIndex uint64
}

// Link info flags.
const (
	linkTrackOrder = 1 // links carry creation indexes (h5py track_order=True)
	linkIndexOrder = 2 // dense storage keeps a creation order index
)

func decodeLinkInfo(m RawMessage) (linkInfoMsg, error) {
	c := newCursor(m.Data, m.Off, "link info message")
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	li := linkInfoMsg{flags: c.u8()}
	if li.flags&linkTrackOrder != 0 {
		li.maxCrt = c.u64()
	}
	li.heap, li.nameIndex, li.orderIndex = c.u64(), c.u64(), UndefinedAddr
	if li.flags&linkIndexOrder != 0 {
		li.orderIndex = c.u64()
	}
	return li, c.err
}

// encode returns the message body.
func (li linkInfoMsg) encode() []byte {
	b := []byte{0, li.flags}
	if li.flags&linkTrackOrder != 0 {
		b = put64(b, li.maxCrt)
	}
	b = put64(put64(b, li.heap), li.nameIndex)
	if li.flags&linkIndexOrder != 0 {
		b = put64(b, li.orderIndex)
	}
	return b
}

// defaultGroupInfo is libhdf5's group info message for default group
// creation properties (max compact 8, min dense 6: nothing stored).
var defaultGroupInfo = []byte{0, 0}

// encodeLinkMsg returns a link message body (type 6) for l: a hard link
// to addr, a soft link or an external link. crt is written when the group
// tracks creation order.
func encodeLinkMsg(l link, addr uint64, track bool) []byte {
	flags := uint8(0)
	n := len(l.name)
	switch {
	case n > 0xffff:
		flags = 2
	case n > 0xff:
		flags = 1
	}
	typ := uint8(0)
	switch {
	case l.external != nil:
		typ = 64
	case l.obj == nil && l.opaque == nil:
		typ = 1
	}
	if typ != 0 {
		flags |= 0x08
	}
	if track {
		flags |= 0x04
	}
	utf8 := false
	for i := 0; i < n; i++ {
		if l.name[i] >= 0x80 {
			utf8 = true
			break
		}
	}
	if utf8 {
		flags |= 0x10
	}
	b := []byte{1, flags}
	if typ != 0 {
		b = append(b, typ)
	}
	if track {
		b = put64(b, l.crt)
	}
	if utf8 {
		b = append(b, 1)
	}
	b = appendUint(b, uint64(n), 1<<(flags&3))
	b = append(b, l.name...)
	switch typ {
	case 0:
		b = put64(b, addr)
	case 1:
		b = put16(b, uint16(len(l.soft)))
		b = append(b, l.soft...)
	case 64:
		v := append([]byte{0}, l.external[0]...)
		v = append(append(append(v, 0), l.external[1]...), 0)
		b = put16(b, uint16(len(v)))
		b = append(b, v...)
	}
	return b
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
		l.Crt = c.u64()
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
