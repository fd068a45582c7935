package h5file

import (
	"fmt"
	"math"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
)

// The types beyond numbers, strings and compounds that numpy and h5py
// users meet: half floats, complex numbers (stored as h5py stores them, a
// compound of r and i), opaque bytes with a tag, and bitfields.

// Half is an IEEE 754 half-precision number as stored (numpy's float16):
// its 16 bits, unconverted. Reading a float16 dataset into []float32 or
// []float64 converts; reading into []Half copies the bits, and a []Half
// is written as float16.
type Half uint16

// Ready-made datatypes of the kinds above, for WithDtype.
var (
	// Float16 is numpy's float16 (IEEE half, little-endian). Go's float32
	// and float64 values are rounded to it (to nearest, ties to even).
	Float16 = h5core.FloatType(2, h5core.LittleEndian)
	// Complex64 and Complex128 are numpy's complex64 and complex128 as
	// h5py stores them: a compound of two floats named r and i. Go's
	// complex64 and complex128 map to them.
	Complex64  = complexType(4)
	Complex128 = complexType(8)
)

func complexType(size uint32) *Datatype {
	ft := h5core.FloatType(int(size), h5core.LittleEndian)
	return h5core.Compound(2*size, h5core.Member{Name: "r", Type: ft}, h5core.Member{Name: "i", Offset: size, Type: ft})
}

// Opaque is an opaque type of size bytes with a tag (H5Tset_tag) that
// says what they are; []byte values of exactly size bytes read and write
// it. h5py reads it as numpy's void (|V<size>).
func Opaque(size int, tag string) *Datatype {
	return &Datatype{Class: h5core.ClassOpaque, Size: uint32(size), Tag: tag}
}

// Bitfield is a little-endian bitfield of size bytes (1, 2, 4 or 8;
// libhdf5's H5T_STD_B<n>LE). Unsigned integers read and write it; h5py
// reads it as unsigned integers.
func Bitfield(size int) *Datatype {
	return &Datatype{Class: h5core.ClassBitfield, Size: uint32(size), Precision: uint16(8 * size)}
}

// HalfOf rounds f to the nearest half-precision number (ties to even);
// values beyond its range become infinities, as numpy's astype does.
func HalfOf(f float32) Half {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return Half(sign | 0x7e00) // NaN
		}
		return Half(sign | 0x7c00)
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return Half(sign | 0x7c00)
	}
	if e <= 0 { // a subnormal half, or zero
		if e < -10 {
			return Half(sign)
		}
		mant |= 0x800000
		shift := uint(14 - e)
		h := mant >> shift
		rem, halfway := mant&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > halfway || rem == halfway && h&1 == 1 {
			h++
		}
		return Half(sign | uint16(h))
	}
	h := uint32(e)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // a carry into the exponent is right, up to infinity
	}
	return Half(sign | uint16(h))
}

// Float32 converts h exactly.
func (h Half) Float32() float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

var (
	halfType       = reflect.TypeFor[Half]()
	complex64Type  = reflect.TypeFor[complex64]()
	complex128Type = reflect.TypeFor[complex128]()
	bytesType      = reflect.TypeFor[[]byte]()
)

// isHalf reports an IEEE half-precision float type.
func isHalf(t *Datatype) bool {
	return t.Class == h5core.ClassFloat && t.Size == 2 && t.ExpSize == 5 && t.MantSize == 10
}

// complexSize returns the size of each part of a type h5py reads as
// complex (a compound of two floats of 4 or 8 bytes named r and i, in
// that order, packed), or 0.
func complexSize(t *Datatype) uint32 {
	if t.Class != h5core.ClassCompound || len(t.Members) != 2 {
		return 0
	}
	r, i := t.Members[0], t.Members[1]
	s := r.Type.Size
	if r.Name != "r" || i.Name != "i" || r.Type.Class != h5core.ClassFloat || !r.Type.Equal(i.Type) ||
		(s != 4 && s != 8) || r.Offset != 0 || i.Offset != s || t.Size != 2*s {
		return 0
	}
	return s
}

// extraTypeOf maps the Go types of this file to HDF5 (nil: not one of them).
func extraTypeOf(t reflect.Type) *Datatype {
	switch {
	case t == halfType:
		return Float16
	case t.Kind() == reflect.Complex64:
		return Complex64
	case t.Kind() == reflect.Complex128:
		return Complex128
	}
	return nil
}

// extraGoType is the Go type these HDF5 types read into by default.
func extraGoType(t *Datatype) reflect.Type {
	switch {
	case isHalf(t):
		return reflect.TypeFor[float32]()
	case complexSize(t) == 4:
		return complex64Type
	case complexSize(t) == 8:
		return complex128Type
	case t.Class == h5core.ClassOpaque:
		return bytesType
	case t.Class == h5core.ClassBitfield:
		return [...]reflect.Type{1: reflect.TypeFor[uint8](), 2: reflect.TypeFor[uint16](), 4: reflect.TypeFor[uint32](), 8: reflect.TypeFor[uint64]()}[min(t.Size, 8)]
	}
	return nil
}

// extraReadable says whether elements of t read into Go rt, for the
// types of this file (handled false: t is none of them).
func extraReadable(t *Datatype, rt reflect.Type) (ok, handled bool) {
	k := rt.Kind()
	switch {
	case isHalf(t):
		return rt == halfType || k == reflect.Float32 || k == reflect.Float64, true
	case complexSize(t) != 0 && (k == reflect.Complex64 || k == reflect.Complex128):
		return true, true
	case t.Class == h5core.ClassOpaque:
		return k == reflect.Slice && rt.Elem().Kind() == reflect.Uint8 ||
			k == reflect.Array && rt.Elem().Kind() == reflect.Uint8 && rt.Len() == int(t.Size), true
	case t.Class == h5core.ClassBitfield:
		return (isUint(k) || isInt(k)) && t.Size <= 8, true
	}
	return false, false
}

// encodeExtra writes v as one element of t, for the types of this file.
func encodeExtra(v reflect.Value, t *Datatype, b []byte) (handled bool, err error) {
	k := v.Kind()
	switch {
	case isHalf(t):
		switch {
		case v.Type() == halfType:
			putUint(t, b, v.Uint())
		case k == reflect.Float32 || k == reflect.Float64:
			putUint(t, b, uint64(HalfOf(float32(v.Float()))))
		case isInt(k):
			putUint(t, b, uint64(HalfOf(float32(v.Int()))))
		case isUint(k):
			putUint(t, b, uint64(HalfOf(float32(v.Uint()))))
		default:
			return true, fmt.Errorf("%w: cannot store Go %s in an HDF5 float16", ErrType, v.Type())
		}
		return true, nil
	case complexSize(t) != 0 && (k == reflect.Complex64 || k == reflect.Complex128):
		c := v.Complex()
		r, i := t.Members[0].Type, t.Members[1].Type
		if r.Size == 4 {
			putUint(r, b, uint64(math.Float32bits(float32(real(c)))))
			putUint(i, b[4:], uint64(math.Float32bits(float32(imag(c)))))
		} else {
			putUint(r, b, math.Float64bits(real(c)))
			putUint(i, b[8:], math.Float64bits(imag(c)))
		}
		return true, nil
	case t.Class == h5core.ClassOpaque:
		var src []byte
		switch {
		case k == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
			src = v.Bytes()
		case k == reflect.Array && v.Type().Elem().Kind() == reflect.Uint8:
			src = make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(src), v)
		default:
			return true, fmt.Errorf("%w: cannot store Go %s in an HDF5 opaque type (use []byte)", ErrType, v.Type())
		}
		if len(src) != int(t.Size) {
			return true, fmt.Errorf("%w: %d bytes for an opaque type of %d", ErrType, len(src), t.Size)
		}
		copy(b, src)
		return true, nil
	case t.Class == h5core.ClassBitfield:
		switch {
		case isUint(k):
			putUint(t, b, v.Uint())
		case isInt(k):
			putUint(t, b, uint64(v.Int()))
		default:
			return true, fmt.Errorf("%w: cannot store Go %s in an HDF5 bitfield (use an unsigned integer)", ErrType, v.Type())
		}
		return true, nil
	}
	return false, nil
}

// decodeExtra reads one element of t into v, for the types of this file.
func decodeExtra(b []byte, t *Datatype, v reflect.Value) (handled bool, err error) {
	k := v.Kind()
	bad := func() (bool, error) {
		return true, fmt.Errorf("%w: cannot read %s data into Go %s", ErrType, typeName(t), v.Type())
	}
	switch {
	case isHalf(t):
		h := Half(getUint(t, b))
		switch {
		case v.Type() == halfType:
			v.SetUint(uint64(h))
		case k == reflect.Float32 || k == reflect.Float64:
			v.SetFloat(float64(h.Float32()))
		default:
			return bad()
		}
		return true, nil
	case complexSize(t) != 0 && (k == reflect.Complex64 || k == reflect.Complex128):
		r, i := t.Members[0].Type, t.Members[1].Type
		if r.Size == 4 {
			v.SetComplex(complex(float64(math.Float32frombits(uint32(getUint(r, b)))), float64(math.Float32frombits(uint32(getUint(i, b[4:]))))))
		} else {
			v.SetComplex(complex(math.Float64frombits(getUint(r, b)), math.Float64frombits(getUint(i, b[8:]))))
		}
		return true, nil
	case t.Class == h5core.ClassOpaque:
		switch {
		case k == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
			v.SetBytes(append([]byte(nil), b[:t.Size]...))
		case k == reflect.Array && v.Type().Elem().Kind() == reflect.Uint8 && v.Len() == int(t.Size):
			reflect.Copy(v, reflect.ValueOf(b[:t.Size]))
		default:
			return bad()
		}
		return true, nil
	case t.Class == h5core.ClassBitfield:
		if t.Size > 8 {
			return bad()
		}
		u := getUint(t, b)
		switch {
		case isUint(k):
			v.SetUint(u)
		case isInt(k):
			v.SetInt(int64(u))
		default:
			return bad()
		}
		return true, nil
	}
	return false, nil
}

// oneSequence reports a destination *[]T (rt = []T) for one
// variable-length sequence of T, rather than for a list of elements: a
// scalar vlen attribute or dataset read into a pointer to a slice.
func oneSequence(t *Datatype, rt reflect.Type) bool {
	return t.Class == h5core.ClassVlen && !t.VlenString && rt.Kind() == reflect.Slice &&
		!readableInto(t, rt.Elem(), 0) && readableInto(t, rt, 0)
}

// bytesElement reports a type whose one element Go holds as a []byte
// (strings and opaque data), so a []byte is one element, not a list.
func bytesElement(t *Datatype) bool {
	return isStringType(t) || t.Class == h5core.ClassOpaque
}
