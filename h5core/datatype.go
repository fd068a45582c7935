package h5core

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Class is a datatype class as stored in the datatype message.
type Class uint8

// Datatype classes (spec IV.A.2.d).
const (
	ClassInteger   Class = 0
	ClassFloat     Class = 1
	ClassTime      Class = 2
	ClassString    Class = 3
	ClassBitfield  Class = 4
	ClassOpaque    Class = 5
	ClassCompound  Class = 6
	ClassReference Class = 7
	ClassEnum      Class = 8
	ClassVlen      Class = 9
	ClassArray     Class = 10
)

// ByteOrder of an atomic datatype.
type ByteOrder uint8

// Byte orders.
const (
	LittleEndian ByteOrder = 0
	BigEndian    ByteOrder = 1
)

// StrPad says how a string shorter than its storage is terminated.
type StrPad uint8

// String padding kinds (H5T_STR_*).
const (
	PadNullTerm StrPad = 0
	PadNull     StrPad = 1
	PadSpace    StrPad = 2
)

// Charset of a string type.
type Charset uint8

// Character sets (H5T_CSET_*).
const (
	ASCII Charset = 0
	UTF8  Charset = 1
)

// VlenRefSize is the stored size of one variable-length element: a 4-byte
// length, then a global heap ID (8-byte collection address, 4-byte index).
const VlenRefSize = 16

// Datatype is an HDF5 datatype. Build one with the constructors (Int32LE,
// FixedString, Compound, ...) or fill the fields for the class at hand.
// Datatypes are values: the model never modifies one it was given.
type Datatype struct {
	Class Class
	Size  uint32 // bytes per element

	// Integer, float, bitfield, time.
	Order     ByteOrder
	Signed    bool   // integer
	BitOffset uint16 // first significant bit
	Precision uint16 // significant bits; 0 means 8*Size

	// Float layout (defaults are IEEE for Size 2, 4, 8).
	SignLoc, ExpLoc, ExpSize, MantLoc, MantSize uint8
	ExpBias                                     uint32
	MantNorm                                    uint8 // 2: implied MSB (IEEE)
	PadBits                                     uint8 // float/integer padding bits 1..3 of the class field, kept verbatim

	// String (fixed) and variable-length string.
	Pad     StrPad
	Charset Charset

	// Compound.
	Members []Member

	// Enum, array and vlen sequence: the base type.
	Base *Datatype

	// Enum: names and values (each value is Base.Size bytes).
	EnumNames  []string
	EnumValues [][]byte

	// Array dimensions.
	Dims []uint32

	// Vlen: true for a variable-length string, false for a sequence of Base.
	VlenString bool

	// Opaque tag.
	Tag string

	// Reference type (0 object, 1 region).
	RefType uint8
}

// Member is one field of a compound datatype.
type Member struct {
	Name   string
	Offset uint32
	Type   *Datatype
}

// IntType returns an integer type of size bytes (1, 2, 4, 8).
func IntType(size int, signed bool, order ByteOrder) *Datatype {
	return &Datatype{Class: ClassInteger, Size: uint32(size), Signed: signed, Order: order, Precision: uint16(8 * size)}
}

// FloatType returns an IEEE float type of size bytes (2, 4 or 8).
func FloatType(size int, order ByteOrder) *Datatype {
	t := &Datatype{Class: ClassFloat, Size: uint32(size), Order: order, Precision: uint16(8 * size), MantNorm: 2}
	switch size {
	case 2:
		t.SignLoc, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize, t.ExpBias = 15, 10, 5, 0, 10, 15
	case 4:
		t.SignLoc, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize, t.ExpBias = 31, 23, 8, 0, 23, 127
	default:
		t.SignLoc, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize, t.ExpBias = 63, 52, 11, 0, 52, 1023
	}
	return t
}

// Common atomic types.
var (
	Int8LE    = IntType(1, true, LittleEndian)
	Int16LE   = IntType(2, true, LittleEndian)
	Int32LE   = IntType(4, true, LittleEndian)
	Int64LE   = IntType(8, true, LittleEndian)
	Uint8LE   = IntType(1, false, LittleEndian)
	Uint16LE  = IntType(2, false, LittleEndian)
	Uint32LE  = IntType(4, false, LittleEndian)
	Uint64LE  = IntType(8, false, LittleEndian)
	Float32LE = FloatType(4, LittleEndian)
	Float64LE = FloatType(8, LittleEndian)
)

// FixedString returns a fixed-length string type of size bytes. h5py writes
// numpy 'S' strings as PadNull ASCII.
func FixedString(size int, cs Charset, p StrPad) *Datatype {
	return &Datatype{Class: ClassString, Size: uint32(size), Charset: cs, Pad: p}
}

// VlenString returns a variable-length string type, NUL-terminated, as
// h5py's string_dtype() writes it.
func VlenString(cs Charset) *Datatype {
	return &Datatype{Class: ClassVlen, Size: VlenRefSize, VlenString: true, Charset: cs, Pad: PadNullTerm,
		Base: &Datatype{Class: ClassInteger, Size: 1, Precision: 8}}
}

// VlenOf returns a variable-length sequence of base.
func VlenOf(base *Datatype) *Datatype {
	return &Datatype{Class: ClassVlen, Size: VlenRefSize, Base: base}
}

// ArrayOf returns an array type of base with the given dimensions.
func ArrayOf(base *Datatype, dims ...uint32) *Datatype {
	if base == nil {
		return &Datatype{Class: ClassArray, Dims: append([]uint32(nil), dims...)} // encode reports the nil base
	}
	n := uint32(1)
	for _, d := range dims {
		n *= d
	}
	return &Datatype{Class: ClassArray, Size: n * base.Size, Base: base, Dims: append([]uint32(nil), dims...)}
}

// Compound returns a compound type of size bytes with the given members.
func Compound(size uint32, members ...Member) *Datatype {
	return &Datatype{Class: ClassCompound, Size: size, Members: append([]Member(nil), members...)}
}

// Enum returns an enum over an integer base type; values are converted to
// base's size and byte order. Members are sorted by name, the order
// libhdf5 stores them in.
func Enum(base *Datatype, names []string, values []int64) *Datatype {
	if base == nil {
		return &Datatype{Class: ClassEnum} // encode reports the nil base
	}
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return names[idx[a]] < names[idx[b]] })
	t := &Datatype{Class: ClassEnum, Size: base.Size, Base: base}
	for _, i := range idx {
		if i >= len(values) {
			continue
		}
		v := values[i]
		t.EnumNames = append(t.EnumNames, names[i])
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, uint64(v))
		b = b[:base.Size]
		if base.Order == BigEndian {
			for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
				b[i], b[j] = b[j], b[i]
			}
		}
		t.EnumValues = append(t.EnumValues, b)
	}
	return t
}

// Bool returns h5py's boolean type: an enum of int8 with FALSE=0, TRUE=1.
func Bool() *Datatype { return Enum(Int8LE, []string{"FALSE", "TRUE"}, []int64{0, 1}) }

// HasVlen reports whether elements of t contain global heap references.
func (t *Datatype) HasVlen() bool {
	switch t.Class {
	case ClassVlen:
		return true
	case ClassArray:
		return t.Base != nil && t.Base.HasVlen()
	case ClassCompound:
		for _, m := range t.Members {
			if m.Type != nil && m.Type.HasVlen() {
				return true
			}
		}
	}
	return false
}

// Clone returns a deep copy of t, so later changes to either do not
// affect the other.
func (t *Datatype) Clone() *Datatype {
	if t == nil {
		return nil
	}
	c := *t
	c.Base = t.Base.Clone()
	c.Members = nil
	for _, m := range t.Members {
		m.Type = m.Type.Clone()
		c.Members = append(c.Members, m)
	}
	c.EnumNames = append([]string(nil), t.EnumNames...)
	c.EnumValues = nil
	for _, v := range t.EnumValues {
		c.EnumValues = append(c.EnumValues, append([]byte(nil), v...))
	}
	c.Dims = append([]uint32(nil), t.Dims...)
	return &c
}

// Equal reports whether two datatypes encode identically.
func (t *Datatype) Equal(u *Datatype) bool {
	if t == u {
		return t.shallow(0)
	}
	var ab, bb [64]byte
	a, err1 := t.appendEncoded(ab[:0])
	b, err2 := u.appendEncoded(bb[:0])
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// String is a short name for the type (numbers sized in bits, strings in
// bytes): i32le, f64be, S8, vlen-string, vlen(i32le), [3]f64le,
// enum(i8le), {x: f64le, id: i32le}, ...
func (t *Datatype) String() string {
	if t == nil {
		return "<no type>"
	}
	switch t.Class {
	case ClassInteger:
		s := "u"
		if t.Signed {
			s = "i"
		}
		return fmt.Sprintf("%s%d%s", s, t.Size*8, orderName(t.Order))
	case ClassFloat:
		return fmt.Sprintf("f%d%s", t.Size*8, orderName(t.Order))
	case ClassVlen:
		if t.VlenString {
			return "vlen-string"
		}
		return "vlen(" + t.Base.String() + ")"
	case ClassString:
		return fmt.Sprintf("S%d", t.Size)
	case ClassOpaque:
		return fmt.Sprintf("V%d", t.Size)
	case ClassBitfield:
		return fmt.Sprintf("b%d", t.Size*8)
	case ClassReference:
		if t.RefType == 1 {
			return "region-ref"
		}
		return "object-ref"
	case ClassEnum:
		return "enum(" + t.Base.String() + ")"
	case ClassArray:
		return fmt.Sprintf("%v%s", t.Dims, t.Base.String())
	case ClassCompound:
		var b strings.Builder
		b.WriteByte('{')
		for i, m := range t.Members {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %s", m.Name, m.Type.String())
		}
		b.WriteByte('}')
		return b.String()
	}
	return fmt.Sprintf("class%d[%d]", t.Class, t.Size)
}

func orderName(o ByteOrder) string {
	if o == BigEndian {
		return "be"
	}
	return "le"
}

// version is the datatype message version libhdf5 1.10 writes by default:
// 1, or 2 when an array type is involved.
func (t *Datatype) version() uint8 {
	if t.hasArray() {
		return 2
	}
	return 1
}

func (t *Datatype) hasArray() bool {
	switch t.Class {
	case ClassArray:
		return true
	case ClassCompound:
		for _, m := range t.Members {
			if m.Type != nil && m.Type.hasArray() {
				return true
			}
		}
	case ClassVlen, ClassEnum:
		return t.Base != nil && t.Base.hasArray()
	}
	return false
}

const maxTypeDepth = 32

// encode returns the datatype message body.
func (t *Datatype) encode() ([]byte, error) {
	return t.appendEncoded(make([]byte, 0, 48))
}

// appendEncoded appends the datatype message body to b: with a buffer on
// the caller's stack, checking or comparing a type allocates nothing
// (every dataset create of every rank does both).
func (t *Datatype) appendEncoded(b []byte) ([]byte, error) {
	if !t.shallow(0) {
		return nil, fmt.Errorf("h5core: datatype is nil, cyclic or nested deeper than %d levels", maxTypeDepth)
	}
	return t.encodeAt(b, t.version(), 0)
}

// shallow reports whether t is non-nil and nested at most maxTypeDepth
// levels (so a cyclic type made by a caller cannot recurse forever).
func (t *Datatype) shallow(depth int) bool {
	if t == nil || depth > maxTypeDepth {
		return false
	}
	for _, m := range t.Members {
		if !m.Type.shallow(depth + 1) {
			return false
		}
	}
	if t.Base != nil && !t.Base.shallow(depth+1) {
		return false
	}
	return true
}

func (t *Datatype) encodeAt(b []byte, ver uint8, depth int) ([]byte, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("h5core: datatype nested deeper than %d levels", maxTypeDepth)
	}
	if t == nil {
		return nil, fmt.Errorf("h5core: nil datatype")
	}
	var f0, f1, f2 uint8
	prec := t.Precision
	if prec == 0 {
		prec = uint16(8 * t.Size)
	}
	switch t.Class {
	case ClassInteger, ClassBitfield, ClassTime:
		f0 = uint8(t.Order)&1 | t.PadBits&0x6
		if t.Signed && t.Class == ClassInteger {
			f0 |= 8
		}
	case ClassFloat:
		norm := t.MantNorm
		f0 = uint8(t.Order)&1 | t.PadBits&0xe | (norm&3)<<4
		f1 = t.SignLoc
	case ClassString:
		f0 = uint8(t.Pad)&0xf | uint8(t.Charset)<<4
	case ClassOpaque:
		if pad(len(t.Tag)+1, 8) > 255 {
			return nil, fmt.Errorf("h5core: opaque tag of %d bytes (max 247)", len(t.Tag))
		}
		f0 = uint8(pad(len(t.Tag)+1, 8))
		if t.Tag == "" {
			f0 = 0
		}
	case ClassCompound:
		if len(t.Members) > 0xffff {
			return nil, fmt.Errorf("h5core: compound type with %d members (max 65535)", len(t.Members))
		}
		f0, f1 = uint8(len(t.Members)), uint8(len(t.Members)>>8)
	case ClassEnum:
		if len(t.EnumNames) != len(t.EnumValues) || len(t.EnumNames) > 0xffff {
			return nil, fmt.Errorf("h5core: enum type has %d names and %d values", len(t.EnumNames), len(t.EnumValues))
		}
		f0, f1 = uint8(len(t.EnumNames)), uint8(len(t.EnumNames)>>8)
	case ClassVlen:
		if t.VlenString {
			f0 = 1 | uint8(t.Pad)<<4
			f1 = uint8(t.Charset) & 0xf
		}
	case ClassReference:
		f0 = t.RefType & 0xf
	case ClassArray:
	default:
		return nil, fmt.Errorf("h5core: cannot encode datatype class %d", t.Class)
	}
	b = append(b, uint8(t.Class)|ver<<4, f0, f1, f2)
	b = put32(b, t.Size)
	switch t.Class {
	case ClassInteger, ClassBitfield:
		b = put16(b, t.BitOffset)
		b = put16(b, prec)
	case ClassTime:
		b = put16(b, prec)
	case ClassFloat:
		b = put16(b, t.BitOffset)
		b = put16(b, prec)
		b = append(b, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize)
		b = put32(b, t.ExpBias)
	case ClassOpaque:
		if t.Tag != "" {
			b = putName(b, t.Tag, 8)
		}
	case ClassCompound:
		for _, m := range t.Members {
			if ver >= 3 {
				b = putName(b, m.Name, 0)
				b = putVarLen(b, uint64(m.Offset), t.Size)
			} else {
				b = putName(b, m.Name, 8)
				b = put32(b, m.Offset)
			}
			if ver == 1 {
				b = append(b, 0, 0, 0, 0) // dimensionality, reserved
				b = put32(b, 0)           // permutation
				b = put32(b, 0)           // reserved
				b = append(b, make([]byte, 16)...)
			}
			var err error
			if b, err = m.Type.encodeAt(b, childVersion(m.Type, ver), depth+1); err != nil {
				return nil, err
			}
		}
	case ClassEnum:
		var err error
		if b, err = t.Base.encodeAt(b, childVersion(t.Base, ver), depth+1); err != nil {
			return nil, err
		}
		for _, n := range t.EnumNames {
			if ver >= 3 {
				b = putName(b, n, 0)
			} else {
				b = putName(b, n, 8)
			}
		}
		for _, v := range t.EnumValues {
			if uint32(len(v)) != t.Base.Size {
				return nil, fmt.Errorf("h5core: enum value of %d bytes for a %d-byte base", len(v), t.Base.Size)
			}
			b = append(b, v...)
		}
	case ClassVlen:
		base := t.Base
		if base == nil {
			base = &Datatype{Class: ClassInteger, Size: 1, Precision: 8}
		}
		var err error
		if b, err = base.encodeAt(b, childVersion(base, ver), depth+1); err != nil {
			return nil, err
		}
	case ClassArray:
		if len(t.Dims) == 0 || len(t.Dims) > 32 {
			return nil, fmt.Errorf("h5core: array type of rank %d (want 1..32)", len(t.Dims))
		}
		b = append(b, uint8(len(t.Dims)))
		if ver < 3 {
			b = append(b, 0, 0, 0)
		}
		for _, d := range t.Dims {
			b = put32(b, d)
		}
		if ver < 3 {
			for i := range t.Dims {
				b = put32(b, uint32(i))
			}
		}
		var err error
		if b, err = t.Base.encodeAt(b, childVersion(t.Base, ver), depth+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// childVersion is the version libhdf5 gives a member or base type: when a
// composite type is upgraded (H5T__upgrade_version), its composite
// descendants are upgraded with it; atomic types stay at their own.
func childVersion(c *Datatype, parent uint8) uint8 {
	if c == nil {
		return parent
	}
	switch c.Class {
	case ClassCompound, ClassEnum, ClassVlen, ClassArray:
		return max(parent, c.version())
	}
	return c.version()
}

// putVarLen appends v in the minimum number of bytes that can hold max.
func putVarLen(b []byte, v uint64, max uint32) []byte {
	n := varLenSize(max)
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func varLenSize(max uint32) int {
	switch {
	case max < 1<<8:
		return 1
	case max < 1<<16:
		return 2
	case max < 1<<24:
		return 3
	}
	return 4
}

// decodeDatatype decodes a datatype message body.
func decodeDatatype(b []byte, off int64) (*Datatype, error) {
	c := newCursor(b, off, "datatype message")
	t := decodeType(c, 0)
	if c.err != nil {
		return nil, c.err
	}
	return t, nil
}

func decodeType(c *cursor, depth int) *Datatype {
	if depth > maxTypeDepth {
		c.fail("datatype nested too deeply", depth)
		return nil
	}
	cv := c.u8()
	f0, f1, _ := c.u8(), c.u8(), c.u8()
	sizeOff := c.off()
	size := c.u32()
	if c.err != nil {
		return nil
	}
	ver := cv >> 4
	t := &Datatype{Class: Class(cv & 0xf), Size: size}
	if ver < 1 || ver > 4 {
		c.fail("datatype version", ver)
		return nil
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		t.Order = ByteOrder(f0 & 1)
		t.PadBits = f0 & 0x6
		t.Signed = t.Class == ClassInteger && f0&8 != 0
		t.BitOffset = c.u16()
		t.Precision = c.u16()
	case ClassTime:
		t.Order = ByteOrder(f0 & 1)
		t.Precision = c.u16()
	case ClassFloat:
		t.Order = ByteOrder(f0 & 1)
		if f0&0x40 != 0 {
			if c.err == nil {
				c.err = fmt.Errorf("VAX float byte order at offset %d: %w", c.off(), ErrUnsupported)
			}
			return nil
		}
		t.PadBits = f0 & 0xe
		t.MantNorm = (f0 >> 4) & 3
		t.SignLoc = f1
		t.BitOffset = c.u16()
		t.Precision = c.u16()
		t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize = c.u8(), c.u8(), c.u8(), c.u8()
		t.ExpBias = c.u32()
	case ClassString:
		t.Pad = StrPad(f0 & 0xf)
		t.Charset = Charset(f0 >> 4)
	case ClassOpaque:
		n := int(f0)
		if n > 0 {
			tag := c.bytes(n)
			if i := bytes.IndexByte(tag, 0); i >= 0 {
				tag = tag[:i]
			}
			t.Tag = string(tag)
		}
	case ClassCompound:
		n := int(f0) | int(f1)<<8
		if n > c.rest() {
			c.fail("compound member count exceeds message", n)
			return nil
		}
		for i := 0; i < n && c.err == nil; i++ {
			var m Member
			if ver >= 3 {
				m.Name = c.cstring(0)
				m.Offset = uint32(c.uN(varLenSize(size)))
			} else {
				m.Name = c.cstring(8)
				m.Offset = c.u32()
			}
			if ver == 1 {
				nd := c.u8()
				c.skip(3 + 4 + 4 + 16)
				if nd != 0 {
					c.fail("version 1 compound array members are not supported", nd)
					return nil
				}
			}
			m.Type = decodeType(c, depth+1)
			if m.Type != nil && (uint64(m.Offset)+uint64(m.Type.Size) > uint64(size)) {
				c.fail("compound member "+m.Name+" extends past the type's size", m.Offset)
			}
			t.Members = append(t.Members, m)
		}
	case ClassReference:
		t.RefType = f0 & 0xf
	case ClassEnum:
		n := int(f0) | int(f1)<<8
		t.Base = decodeType(c, depth+1)
		if t.Base == nil {
			return nil
		}
		if n > c.rest() {
			c.fail("enum member count exceeds message", n)
			return nil
		}
		for i := 0; i < n && c.err == nil; i++ {
			if ver >= 3 {
				t.EnumNames = append(t.EnumNames, c.cstring(0))
			} else {
				t.EnumNames = append(t.EnumNames, c.cstring(8))
			}
		}
		for i := 0; i < n && c.err == nil; i++ {
			t.EnumValues = append(t.EnumValues, append([]byte(nil), c.bytes(int(t.Base.Size))...))
		}
	case ClassVlen:
		t.VlenString = f0&0xf == 1
		t.Pad = StrPad(f0 >> 4)
		t.Charset = Charset(f1 & 0xf)
		t.Base = decodeType(c, depth+1)
	case ClassArray:
		nd := int(c.u8())
		if ver < 3 {
			c.skip(3)
		}
		if nd == 0 || nd > 32 {
			c.fail("array rank", nd)
			return nil
		}
		for i := 0; i < nd; i++ {
			t.Dims = append(t.Dims, c.u32())
		}
		if ver < 3 {
			c.skip(4 * nd)
		}
		t.Base = decodeType(c, depth+1)
	default:
		c.fail("unknown datatype class", t.Class)
		return nil
	}
	if c.err != nil {
		return nil
	}
	if msg := t.sizeProblem(); msg != "" {
		c.err = formatErr(sizeOff, c.what+": "+msg, nil)
		return nil
	}
	return t
}

// sizeProblem says what is wrong with a decoded type's size, or "" if
// nothing. The size field is 4 bytes, so one flipped byte can make a
// float of 16 MiB per element; the reader would then allocate elements x
// size bytes. Sizes are refused where the format or libhdf5 fixes them
// (atomic numbers, vlen references, enums and arrays whose size follows
// from their base); strings, opaque and compound types may be any size and
// are bounded later by the storage that holds them.
func (t *Datatype) sizeProblem() string {
	if t.Size == 0 {
		// libhdf5 refuses 0-byte types (H5Tset_size); an array of a
		// million 0-byte elements would fit in 0 bytes.
		return fmt.Sprintf("%s of 0 bytes", t.className())
	}
	prec := uint32(t.Precision)
	if prec == 0 {
		prec = 8 * t.Size // as encode writes it
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		switch t.Size {
		case 1, 2, 4, 8, 16:
		default:
			return fmt.Sprintf("%s of %d bytes (want 1, 2, 4, 8 or 16)", t.className(), t.Size)
		}
		if uint32(t.BitOffset)+prec > 8*t.Size {
			return fmt.Sprintf("%s of %d bytes with bit offset %d and precision %d", t.className(), t.Size, t.BitOffset, t.Precision)
		}
	case ClassFloat:
		switch t.Size {
		case 2, 4, 8, 16:
		default:
			return fmt.Sprintf("float of %d bytes (want 2, 4, 8 or 16)", t.Size)
		}
		bits := 8 * t.Size
		if uint32(t.BitOffset)+prec > bits || uint32(t.SignLoc) >= bits ||
			uint32(t.ExpLoc)+uint32(t.ExpSize) > bits || uint32(t.MantLoc)+uint32(t.MantSize) > bits {
			return fmt.Sprintf("float of %d bytes with fields outside it (sign bit %d, exponent %d+%d, mantissa %d+%d, precision %d at %d)",
				t.Size, t.SignLoc, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize, t.Precision, t.BitOffset)
		}
	case ClassTime:
		if t.Size != 4 && t.Size != 8 {
			return fmt.Sprintf("time of %d bytes (want 4 or 8)", t.Size)
		}
	case ClassVlen:
		if t.Size != VlenRefSize {
			return fmt.Sprintf("variable-length type of %d bytes (want %d: length, heap address, index)", t.Size, VlenRefSize)
		}
	case ClassEnum:
		if t.Base != nil && t.Size != t.Base.Size {
			return fmt.Sprintf("enum of %d bytes over a %d-byte base", t.Size, t.Base.Size)
		}
	case ClassArray:
		if t.Base == nil {
			return ""
		}
		n := uint64(t.Base.Size)
		for _, d := range t.Dims {
			n *= uint64(d) // at most 2^32 per step, checked below
			if n > 0xffffffff {
				return fmt.Sprintf("array %v of %d-byte elements is 4 GiB or more", t.Dims, t.Base.Size)
			}
		}
		if n != uint64(t.Size) {
			return fmt.Sprintf("array %v of %d-byte elements stored as %d bytes (want %d)", t.Dims, t.Base.Size, t.Size, n)
		}
	}
	return ""
}

func (t *Datatype) className() string {
	switch t.Class {
	case ClassInteger:
		return "integer"
	case ClassBitfield:
		return "bitfield"
	case ClassFloat:
		return "float"
	case ClassString:
		return "string"
	case ClassOpaque:
		return "opaque type"
	case ClassCompound:
		return "compound"
	case ClassArray:
		return "array"
	}
	return fmt.Sprintf("class %d type", t.Class)
}
