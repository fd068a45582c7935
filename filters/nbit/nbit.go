package nbit

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/filters/internal/msbits"
)

// Errors Decode and Encode return, wrapped with what was wrong.
var (
	// ErrParams: the client data do not describe a datatype libhdf5 would
	// have written (too short, sizes that do not add up).
	ErrParams = errors.New("nbit: bad client data")
	// ErrData: the packed bytes end before the chunk's values do.
	ErrData = errors.New("nbit: packed data too short")
	// ErrTooLarge: the chunk would decode to more bytes than allowed.
	ErrTooLarge = errors.New("nbit: chunk larger than allowed")
)

// Datatype classes in the client data (H5Z_NBIT_*).
const (
	classAtomic   = 1
	classArray    = 2
	classCompound = 3
	classNoop     = 4
)

// Byte orders in the client data.
const (
	OrderLE = 0
	OrderBE = 1
)

// maxParams is libhdf5's H5Z_NBIT_MAX_NPARMS.
const maxParams = 4096

// op is one piece of an element: an atomic value whose precision bits are
// packed, or bytes copied whole (noop).
type op struct {
	off       int // byte offset in the element
	size      int
	noop      bool
	be        bool
	precision uint
	offset    uint // bit offset of the precision bits
}

// plan is the parsed client data: the elements of a chunk and the pieces of
// one element, in the order libhdf5 packs them.
type plan struct {
	passthrough bool
	nelmts      int
	elemSize    int
	ops         []op
}

// AtomicClientData returns the client data libhdf5's set_local writes for a
// dataset of integers or floats of size bytes (bigEndian order) whose
// precision bits start at bit offset, with nelmts elements in a chunk.
func AtomicClientData(nelmts, size uint32, bigEndian bool, precision, offset uint32) []uint32 {
	order := uint32(OrderLE)
	if bigEndian {
		order = OrderBE
	}
	full := uint32(0)
	if offset == 0 && precision == size*8 {
		full = 1
	}
	return []uint32{8, full, nelmts, classAtomic, size, order, precision, offset}
}

func parse(cd []uint32) (*plan, error) {
	if len(cd) < 5 || len(cd) > maxParams || int(cd[0]) != len(cd) {
		return nil, fmt.Errorf("%w: %d values, first says %d", ErrParams, len(cd), first(cd))
	}
	p := &plan{passthrough: cd[1] != 0, nelmts: int(cd[2]), elemSize: int(cd[4])}
	if p.passthrough {
		return p, nil
	}
	if p.elemSize == 0 {
		return nil, fmt.Errorf("%w: element size 0", ErrParams)
	}
	b := builder{cd: cd, limit: p.elemSize}
	var err error
	switch cd[3] {
	case classAtomic:
		b.i = 4
		err = b.atomic(0, 0)
	case classArray:
		b.i = 4
		err = b.array(0, 0)
	case classCompound:
		b.i = 4
		err = b.compound(0, 0)
	default:
		err = fmt.Errorf("%w: top-level class %d", ErrParams, cd[3])
	}
	if err != nil {
		return nil, err
	}
	p.ops = b.ops
	return p, nil
}

func first(cd []uint32) uint32 {
	if len(cd) == 0 {
		return 0
	}
	return cd[0]
}

// builder walks the client data as H5Znbit.c's decompress functions do and
// flattens arrays and compounds into ops.
type builder struct {
	cd    []uint32
	i     int
	ops   []op
	limit int // element size: no op may reach past it
}

func (b *builder) take(n int) ([]uint32, error) {
	if b.i+n > len(b.cd) {
		return nil, fmt.Errorf("%w: client data end at value %d, the datatype needs more", ErrParams, len(b.cd))
	}
	v := b.cd[b.i : b.i+n]
	b.i += n
	return v, nil
}

func (b *builder) add(o op) error {
	if o.off < 0 || o.size <= 0 || o.off+o.size > b.limit {
		return fmt.Errorf("%w: a member of %d bytes at byte %d of a %d-byte element", ErrParams, o.size, o.off, b.limit)
	}
	if len(b.ops) >= b.limit {
		return fmt.Errorf("%w: more members than bytes in the element", ErrParams)
	}
	b.ops = append(b.ops, o)
	return nil
}

// atomic reads size order precision offset.
func (b *builder) atomic(off, depth int) error {
	v, err := b.take(4)
	if err != nil {
		return err
	}
	size, order, prec, bitOff := int(v[0]), v[1], uint(v[2]), uint(v[3])
	if size <= 0 || size > b.limit || prec == 0 || prec+bitOff > uint(size)*8 || order > OrderBE {
		return fmt.Errorf("%w: atomic size %d order %d precision %d offset %d", ErrParams, size, order, prec, bitOff)
	}
	return b.add(op{off: off, size: size, be: order == OrderBE, precision: prec, offset: bitOff})
}

// array reads total size, base class and the base type, and repeats the
// base type over the array.
func (b *builder) array(off, depth int) error {
	if depth > 16 {
		return fmt.Errorf("%w: datatype nested too deep", ErrParams)
	}
	v, err := b.take(2)
	if err != nil {
		return err
	}
	total, class := int(v[0]), v[1]
	if total <= 0 || off+total > b.limit {
		return fmt.Errorf("%w: array of %d bytes at byte %d", ErrParams, total, off)
	}
	if class == classNoop {
		if _, err := b.take(1); err != nil {
			return err
		}
		return b.add(op{off: off, size: total, noop: true})
	}
	if b.i >= len(b.cd) {
		_, err := b.take(1)
		return err
	}
	base := int(b.cd[b.i])
	if base <= 0 || base > total {
		return fmt.Errorf("%w: array base of %d bytes in %d", ErrParams, base, total)
	}
	start := b.i
	for k := 0; k < total/base; k++ {
		b.i = start
		switch class {
		case classAtomic:
			err = b.atomic(off+k*base, depth+1)
		case classArray:
			err = b.array(off+k*base, depth+1)
		case classCompound:
			err = b.compound(off+k*base, depth+1)
		default:
			err = fmt.Errorf("%w: array base class %d", ErrParams, class)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// compound reads size, member count, and per member offset, class, type.
func (b *builder) compound(off, depth int) error {
	if depth > 16 {
		return fmt.Errorf("%w: datatype nested too deep", ErrParams)
	}
	v, err := b.take(2)
	if err != nil {
		return err
	}
	size, n := int(v[0]), int(v[1])
	if size <= 0 || off+size > b.limit || n > size {
		return fmt.Errorf("%w: compound of %d bytes, %d members", ErrParams, size, n)
	}
	for m := 0; m < n; m++ {
		mv, err := b.take(2)
		if err != nil {
			return err
		}
		moff, class := int(mv[0]), mv[1]
		if moff >= size {
			return fmt.Errorf("%w: member at byte %d of a %d-byte compound", ErrParams, moff, size)
		}
		switch class {
		case classAtomic:
			err = b.atomic(off+moff, depth+1)
		case classArray:
			err = b.array(off+moff, depth+1)
		case classCompound:
			err = b.compound(off+moff, depth+1)
		case classNoop:
			var s []uint32
			if s, err = b.take(1); err == nil {
				err = b.add(op{off: off + moff, size: int(s[0]), noop: true})
			}
		default:
			err = fmt.Errorf("%w: member class %d", ErrParams, class)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Encode packs src, the chunk's nelmts elements, as libhdf5's N-bit filter.
func Encode(cd []uint32, src []byte) ([]byte, error) {
	p, err := parse(cd)
	if err != nil {
		return nil, err
	}
	if p.passthrough {
		return append([]byte(nil), src...), nil
	}
	if len(src) != p.nelmts*p.elemSize {
		return nil, fmt.Errorf("%w: chunk of %d bytes, client data say %d elements of %d", ErrParams, len(src), p.nelmts, p.elemSize)
	}
	w := msbits.Writer{Buf: make([]byte, 0, len(src)+1)}
	for e := 0; e < p.nelmts; e++ {
		el := src[e*p.elemSize : (e+1)*p.elemSize]
		for _, o := range p.ops {
			b := el[o.off : o.off+o.size]
			switch {
			case o.noop:
				for _, c := range b {
					w.Write(uint64(c), 8)
				}
			case o.size <= 8:
				w.Write(load(b, o.be)>>o.offset, o.precision)
			default:
				for bit := o.offset + o.precision; bit > o.offset; bit-- {
					w.Write(uint64(getBit(b, bit-1, o.be)), 1)
				}
			}
		}
	}
	return w.Finish(), nil
}

// Decode unpacks src into the chunk's nelmts elements, the bits outside
// each value's precision zero. max bounds the output: a chunk whose client
// data claim more is refused before anything is allocated.
func Decode(cd []uint32, src []byte, max int) ([]byte, error) {
	p, err := parse(cd)
	if err != nil {
		return nil, err
	}
	if p.passthrough {
		if len(src) > max {
			return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(src), max)
		}
		return append([]byte(nil), src...), nil
	}
	bits := 0
	for _, o := range p.ops {
		if o.noop {
			bits += 8 * o.size
		} else {
			bits += int(o.precision)
		}
	}
	if p.nelmts > max/p.elemSize {
		return nil, fmt.Errorf("%w: %d elements of %d bytes, at most %d bytes", ErrTooLarge, p.nelmts, p.elemSize, max)
	}
	if bits > 0 && p.nelmts > len(src)*8/bits {
		return nil, fmt.Errorf("%w: %d bytes hold fewer than the %d elements of %d bits", ErrData, len(src), p.nelmts, bits)
	}
	out := make([]byte, p.nelmts*p.elemSize)
	r := msbits.NewReader(src)
	for e := 0; e < p.nelmts; e++ {
		el := out[e*p.elemSize : (e+1)*p.elemSize]
		for _, o := range p.ops {
			b := el[o.off : o.off+o.size]
			switch {
			case o.noop:
				for k := range b {
					v, ok := r.Read(8)
					if !ok {
						return nil, ErrData
					}
					b[k] = byte(v)
				}
			case o.size <= 8:
				v, ok := r.Read(o.precision)
				if !ok {
					return nil, ErrData
				}
				store(b, v<<o.offset, o.be)
			default:
				for bit := o.offset + o.precision; bit > o.offset; bit-- {
					v, ok := r.Read(1)
					if !ok {
						return nil, ErrData
					}
					setBit(b, bit-1, o.be, byte(v))
				}
			}
		}
	}
	return out, nil
}

// load reads an integer of len(b) <= 8 bytes; the precision bits are then
// masked by the bit writer, which keeps only the low n bits it is given.
func load(b []byte, be bool) uint64 {
	var x [8]byte
	if be {
		copy(x[8-len(b):], b)
		return binary.BigEndian.Uint64(x[:])
	}
	copy(x[:], b)
	return binary.LittleEndian.Uint64(x[:])
}

func store(b []byte, v uint64, be bool) {
	var x [8]byte
	if be {
		binary.BigEndian.PutUint64(x[:], v)
		copy(b, x[8-len(b):])
		return
	}
	binary.LittleEndian.PutUint64(x[:], v)
	copy(b, x[:len(b)])
}

func byteOf(n int, bit uint, be bool) int {
	if be {
		return n - 1 - int(bit/8)
	}
	return int(bit / 8)
}

func getBit(b []byte, bit uint, be bool) byte {
	return b[byteOf(len(b), bit, be)] >> (bit % 8) & 1
}

func setBit(b []byte, bit uint, be bool, v byte) {
	b[byteOf(len(b), bit, be)] |= v << (bit % 8)
}
