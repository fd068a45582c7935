package h5core

// Unlimited is the maximum-dimension value of an unlimited dimension.
const Unlimited = ^uint64(0)

// MaxRank is the largest rank HDF5 allows.
const MaxRank = 32

// encodeDataspace returns a version 1 dataspace message as libhdf5 1.10
// writes it: maximum dimensions always present for simple spaces; rank 0
// is a scalar.
func encodeDataspace(shape, maxShape []uint64) []byte {
	b := make([]byte, 8, 8+16*len(shape))
	b[0], b[1] = 1, uint8(len(shape))
	if len(shape) > 0 {
		b[2] = 1
	}
	for _, d := range shape {
		b = put64(b, d)
	}
	if len(shape) > 0 {
		for i, d := range shape {
			if i < len(maxShape) {
				d = maxShape[i]
			}
			b = put64(b, d)
		}
	}
	return b
}

// dataspace is a decoded dataspace message. null is true for H5S_NULL.
type dataspace struct {
	shape, maxShape []uint64
	null            bool
}

func decodeDataspace(b []byte, off int64) (dataspace, error) {
	c := newCursor(b, off, "dataspace message")
	ver := c.u8()
	rank := int(c.u8())
	flags := c.u8()
	var ds dataspace
	switch ver {
	case 1:
		c.skip(5)
	case 2:
		typ := c.u8()
		switch typ {
		case 0:
			rank = 0
		case 1:
		case 2:
			ds.null = true
			if rank != 0 {
				c.fail("null dataspace with a rank", rank)
			}
		default:
			c.fail("dataspace type", typ)
		}
	default:
		c.fail("dataspace version", ver)
	}
	if rank > MaxRank {
		c.fail("dataspace rank", rank)
	}
	if c.err != nil {
		return ds, c.err
	}
	ds.shape = make([]uint64, rank)
	for i := range ds.shape {
		ds.shape[i] = c.u64()
	}
	ds.maxShape = append([]uint64(nil), ds.shape...)
	if flags&1 != 0 {
		for i := range ds.maxShape {
			ds.maxShape[i] = c.u64()
		}
	}
	if c.err != nil {
		return ds, c.err
	}
	for i := range ds.shape {
		if ds.maxShape[i] < ds.shape[i] {
			return ds, formatErr(off, "dataspace maximum dimension smaller than current", ds.maxShape[i])
		}
	}
	return ds, nil
}

// numElements returns the product of shape (1 for a scalar) and false if
// it overflows.
func numElements(shape []uint64) (uint64, bool) {
	n := uint64(1)
	for _, d := range shape {
		if d != 0 && n > ^uint64(0)/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}
