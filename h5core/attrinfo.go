package h5core

import (
	"fmt"
	"io"
	"sort"
)

// attrInfoMsg is an attribute info message (type 0x15).
type attrInfoMsg struct {
	flags                       uint8  // attrTrackOrder, attrIndexOrder
	maxCrt                      uint16 // the next attribute's creation index
	heap, nameIndex, orderIndex uint64
}

// Attribute info flags.
const (
	attrTrackOrder = 1
	attrIndexOrder = 2
)

func decodeAttrInfo(m RawMessage) (attrInfoMsg, error) {
	c := newCursor(m.Data, m.Off, "attribute info message")
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	ai := attrInfoMsg{flags: c.u8()}
	if ai.flags&attrTrackOrder != 0 {
		ai.maxCrt = c.u16()
	}
	ai.heap, ai.nameIndex, ai.orderIndex = c.u64(), c.u64(), UndefinedAddr
	if ai.flags&attrIndexOrder != 0 {
		ai.orderIndex = c.u64()
	}
	return ai, c.err
}

// encode returns the message body.
func (ai attrInfoMsg) encode() []byte {
	b := []byte{0, ai.flags}
	if ai.flags&attrTrackOrder != 0 {
		b = put16(b, ai.maxCrt)
	}
	b = put64(put64(b, ai.heap), ai.nameIndex)
	if ai.flags&attrIndexOrder != 0 {
		b = put64(b, ai.orderIndex)
	}
	return b
}

// decodeDenseAttrs returns the attribute messages in an object's dense
// attribute storage: in creation order when the object keeps a creation
// order index, in name-hash order otherwise.
func decodeDenseAttrs(r io.ReaderAt, size int64, msgs []RawMessage) ([]RawMessage, error) {
	var ai *attrInfoMsg
	for _, m := range msgs {
		if m.Type == MsgAttributeInfo {
			a, err := decodeAttrInfo(m)
			if err != nil {
				return nil, err
			}
			ai = &a
		}
	}
	if ai == nil || ai.heap == UndefinedAddr {
		return nil, nil
	}
	h, err := openFractalHeap(r, size, ai.heap)
	if err != nil {
		return nil, fmt.Errorf("dense attributes: %w", err)
	}
	idx, typ := ai.nameIndex, uint8(bt2AttrName)
	if ai.orderIndex != UndefinedAddr {
		idx, typ = ai.orderIndex, bt2AttrCrtOrder
	}
	t, err := openBTree2(r, size, idx, typ)
	if err != nil {
		return nil, fmt.Errorf("dense attributes: %w", err)
	}
	var out []RawMessage
	err = t.walk(func(rec []byte, off int64) error {
		if len(rec) < 9 {
			return formatErr(off, "attribute index record too short", len(rec))
		}
		if rec[8]&msgFlagShared != 0 {
			return fmt.Errorf("shared attribute in dense storage at offset %d: %w", off, ErrUnsupported)
		}
		b, err := h.object(rec[:8], off)
		if err != nil {
			return err
		}
		out = append(out, RawMessage{Type: MsgAttribute, Flags: rec[8], Off: off, Data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dense attributes: %w", err)
	}
	if typ == bt2AttrName {
		// The name index is in hash order; list by name, as libhdf5's
		// iteration by name (and so h5py) does.
		names := make([]string, len(out))
		for i, m := range out {
			name, err := attributeName(m.Data, m.Off)
			if err != nil {
				return nil, err
			}
			names[i] = name
		}
		idx := make([]int, len(out))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return names[idx[i]] < names[idx[j]] })
		sorted := make([]RawMessage, len(out))
		for i, k := range idx {
			sorted[i] = out[k]
		}
		out = sorted
	}
	return out, nil
}
