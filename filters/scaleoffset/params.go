package scaleoffset

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors Encode and Decode return, wrapped with what was wrong.
var (
	// ErrParams: client data libhdf5 would not have written or cannot use.
	ErrParams = errors.New("scaleoffset: bad client data")
	// ErrData: a chunk too short for its header or its packed values.
	ErrData = errors.New("scaleoffset: chunk too short")
	// ErrTooLarge: the chunk would decode to more bytes than allowed.
	ErrTooLarge = errors.New("scaleoffset: chunk larger than allowed")
)

// ScaleType is H5Z_SO_scale_type_t.
type ScaleType uint32

const (
	// FloatDScale scales floats by 10^factor and rounds (h5py's
	// scaleoffset=D for a float dataset).
	FloatDScale ScaleType = 0
	// FloatEScale is declared by libhdf5 but not implemented there either.
	FloatEScale ScaleType = 1
	// Int stores integers in factor bits, 0 meaning as few as the chunk's
	// range needs (h5py's scaleoffset=N for an integer dataset).
	Int ScaleType = 2
)

// NParams is the number of client data values (H5Z_SCALEOFFSET_TOTAL_NPARMS).
const NParams = 20

// headerLen is the chunk header: 4 bytes minimum bits, 1 byte the size of
// the minimum (8), 8 bytes the minimum, 8 bytes zero.
const headerLen = 21

// Type describes the dataset's element type.
type Type struct {
	Float     bool
	Size      int // bytes: 1, 2, 4, 8 for integers, 4 or 8 for floats
	Signed    bool
	BigEndian bool
}

// ClientData returns the 20 client data values libhdf5's set_local writes
// for a dataset of type t with nelmts elements per chunk. fill is the
// dataset's fill value in the dataset's byte order, or nil when the fill
// value is undefined (libhdf5's default fill value, zero, counts as
// defined: pass zeros).
func ClientData(st ScaleType, factor int32, nelmts uint32, t Type, fill []byte) ([]uint32, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	cd := make([]uint32, NParams)
	cd[0], cd[1], cd[2] = uint32(st), uint32(factor), nelmts
	if t.Float {
		cd[3] = 1
	}
	cd[4] = uint32(t.Size)
	if t.Signed {
		cd[5] = 1
	}
	if t.BigEndian {
		cd[6] = 1
	}
	if fill != nil {
		if len(fill) != t.Size {
			return nil, fmt.Errorf("%w: fill value of %d bytes for a %d-byte type", ErrParams, len(fill), t.Size)
		}
		cd[7] = 1
		// Stored little-endian (the machine's order), 4 bytes per value.
		var le [8]byte
		copy(le[:], fill)
		if t.BigEndian {
			for i := 0; i < t.Size; i++ {
				le[i] = fill[t.Size-1-i]
			}
		}
		cd[8] = binary.LittleEndian.Uint32(le[0:4])
		if t.Size > 4 {
			cd[9] = binary.LittleEndian.Uint32(le[4:8])
		}
	}
	return cd, nil
}

func (t Type) check() error {
	ok := t.Size == 1 || t.Size == 2 || t.Size == 4 || t.Size == 8
	if t.Float {
		ok = t.Size == 4 || t.Size == 8
	}
	if !ok {
		kind := "integer"
		if t.Float {
			kind = "float"
		}
		return fmt.Errorf("%w: %d-byte %s (scale-offset takes 1, 2, 4, 8-byte integers and 4, 8-byte floats)", ErrParams, t.Size, kind)
	}
	return nil
}

// params is the parsed client data.
type params struct {
	st       ScaleType
	factor   int32
	nelmts   int
	t        Type
	fillDef  bool
	fillBits uint64 // the fill value's bits, in a uint64 as the machine holds it
}

func parse(cd []uint32) (*params, error) {
	if len(cd) != NParams {
		return nil, fmt.Errorf("%w: %d values, want %d", ErrParams, len(cd), NParams)
	}
	p := &params{
		st: ScaleType(cd[0]), factor: int32(cd[1]), nelmts: int(cd[2]),
		t:       Type{Float: cd[3] == 1, Size: int(cd[4]), Signed: cd[5] == 1, BigEndian: cd[6] == 1},
		fillDef: cd[7] == 1,
	}
	if cd[3] > 1 || cd[5] > 1 || cd[6] > 1 {
		return nil, fmt.Errorf("%w: class %d sign %d order %d", ErrParams, cd[3], cd[5], cd[6])
	}
	if err := p.t.check(); err != nil {
		return nil, err
	}
	switch {
	case p.t.Float && p.st == FloatEScale:
		return nil, fmt.Errorf("%w: E-scaling is not supported (nor by libhdf5)", ErrParams)
	case p.t.Float && p.st != FloatDScale, !p.t.Float && p.st != Int:
		return nil, fmt.Errorf("%w: scale type %d for this class", ErrParams, p.st)
	}
	if !p.t.Float {
		if p.factor < 0 {
			p.factor = 0
		}
		if int(p.factor) > p.t.Size*8 {
			return nil, fmt.Errorf("%w: %d bits for a %d-byte integer", ErrParams, p.factor, p.t.Size)
		}
	}
	p.fillBits = uint64(cd[8]) | uint64(cd[9])<<32
	p.fillBits &= p.mask()
	return p, nil
}

func (p *params) width() uint { return uint(p.t.Size) * 8 }

func (p *params) mask() uint64 {
	if p.t.Size == 8 {
		return ^uint64(0)
	}
	return 1<<p.width() - 1
}

// log2 is H5Z__scaleoffset_log2: the ceiling of log2(n).
func log2(n uint64) uint {
	v := uint(0)
	lower := uint64(1)
	for x := n >> 1; x != 0; x >>= 1 {
		v++
		lower <<= 1
	}
	if n == lower {
		return v
	}
	return v + 1
}

// load reads element i of buf (dataset order) as the machine holds it.
func (p *params) load(buf []byte, i int) uint64 {
	o := p.order()
	switch p.t.Size {
	case 1:
		return uint64(buf[i])
	case 2:
		return uint64(o.Uint16(buf[2*i:]))
	case 4:
		return uint64(o.Uint32(buf[4*i:]))
	default:
		return o.Uint64(buf[8*i:])
	}
}

func (p *params) store(buf []byte, i int, x uint64) {
	o := p.order()
	switch p.t.Size {
	case 1:
		buf[i] = byte(x)
	case 2:
		o.PutUint16(buf[2*i:], uint16(x))
	case 4:
		o.PutUint32(buf[4*i:], uint32(x))
	default:
		o.PutUint64(buf[8*i:], x)
	}
}

func (p *params) order() binary.ByteOrder {
	if p.t.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
