package h5core

// Allocation times (H5D_ALLOC_TIME_*), as stored in the fill value message.
const (
	AllocEarly       uint8 = 1
	AllocLate        uint8 = 2
	AllocIncremental uint8 = 3
)

// Fill value write times (H5D_FILL_TIME_*).
const (
	FillTimeAlloc uint8 = 0
	FillTimeNever uint8 = 1
	FillTimeIfSet uint8 = 2
)

// FillValue is the fill value message: when storage is allocated, when it
// is filled, and the value (nil: the library default, zero bytes).
type FillValue struct {
	AllocTime uint8
	FillTime  uint8
	Value     []byte // one element; nil means the default (all zero)
}

// encode returns a version 2 fill value message body, as libhdf5 1.10
// writes it: "defined" is set, with size 0 for the default value.
func (fv FillValue) encode() []byte {
	b := make([]byte, 4, 8+len(fv.Value))
	b[0], b[1], b[2], b[3] = 2, fv.AllocTime, fv.FillTime, 1
	b = put32(b, uint32(len(fv.Value)))
	b = append(b, fv.Value...)
	return b
}

// encodeOld returns the old fill value message (type 4) libhdf5 writes
// beside the new one when a value is set.
func (fv FillValue) encodeOld() []byte {
	b := put32(nil, uint32(len(fv.Value)))
	return append(b, fv.Value...)
}

// decodeFillValueOld returns the value of an old fill value message (type
// 4), nil when it holds none or a size larger than the message: the old
// message is advisory beside the new one, so it is not worth failing on.
func decodeFillValueOld(b []byte, off int64) []byte {
	c := newCursor(b, off, "old fill value message")
	n := int(c.u32())
	if n > 0 && n <= c.rest() {
		return append([]byte(nil), c.bytes(n)...)
	}
	return nil
}

func decodeFillValue(b []byte, off int64) (FillValue, error) {
	c := newCursor(b, off, "fill value message")
	var fv FillValue
	ver := c.u8()
	switch ver {
	case 1, 2:
		fv.AllocTime = c.u8()
		fv.FillTime = c.u8()
		defined := c.u8()
		if ver == 1 || defined != 0 {
			n := c.u32()
			if c.err == nil && int64(n) > int64(c.rest()) {
				c.fail("fill value size exceeds message", n)
			}
			if n > 0 {
				fv.Value = append([]byte(nil), c.bytes(int(n))...)
			}
		}
	case 3:
		flags := c.u8()
		fv.AllocTime = flags & 3
		fv.FillTime = (flags >> 2) & 3
		if flags&(1<<5) != 0 {
			n := c.u32()
			if c.err == nil && int64(n) > int64(c.rest()) {
				c.fail("fill value size exceeds message", n)
			}
			if n > 0 {
				fv.Value = append([]byte(nil), c.bytes(int(n))...)
			}
		}
	default:
		c.fail("fill value version", ver)
	}
	return fv, c.err
}
