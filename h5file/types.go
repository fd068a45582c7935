package h5file

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

// Datatype is an HDF5 datatype. Most callers never build one: Go types map
// to HDF5 types by themselves (see TypeOf). Pass one with WithDtype to choose
// another, for example a big-endian integer or a fixed-length string.
type Datatype = h5core.Datatype

// Ready-made datatypes for WithDtype.
var (
	Int8      = h5core.Int8LE
	Int16     = h5core.Int16LE
	Int32     = h5core.Int32LE
	Int64     = h5core.Int64LE
	Uint8     = h5core.Uint8LE
	Uint16    = h5core.Uint16LE
	Uint32    = h5core.Uint32LE
	Uint64    = h5core.Uint64LE
	Float32   = h5core.Float32LE
	Float64   = h5core.Float64LE
	Int16BE   = h5core.IntType(2, true, h5core.BigEndian)
	Int32BE   = h5core.IntType(4, true, h5core.BigEndian)
	Int64BE   = h5core.IntType(8, true, h5core.BigEndian)
	Uint16BE  = h5core.IntType(2, false, h5core.BigEndian)
	Uint32BE  = h5core.IntType(4, false, h5core.BigEndian)
	Uint64BE  = h5core.IntType(8, false, h5core.BigEndian)
	Float32BE = h5core.FloatType(4, h5core.BigEndian)
	Float64BE = h5core.FloatType(8, h5core.BigEndian)
	// Bool is h5py's bool: an int8 enum with FALSE=0 and TRUE=1.
	Bool = h5core.Bool()
	// String is h5py's default str: variable-length UTF-8.
	String = h5core.VlenString(h5core.UTF8)
	// ASCIIString is a variable-length ASCII string (h5py's bytes).
	ASCIIString = h5core.VlenString(h5core.ASCII)
)

// FixedString is a fixed-length string type of n bytes, null-padded as
// numpy's "S<n>" is; utf8 marks the text UTF-8 rather than ASCII.
func FixedString(n int, utf8 bool) *Datatype {
	cs := h5core.ASCII
	if utf8 {
		cs = h5core.UTF8
	}
	return h5core.FixedString(n, cs, h5core.PadNull)
}

// Enum is an integer enum type over base with the given names and values.
func Enum(base *Datatype, names []string, values []int64) *Datatype {
	return h5core.Enum(base, names, values)
}

// ArrayOf is a fixed-size array type of base with the given dimensions.
func ArrayOf(base *Datatype, dims ...uint32) *Datatype { return h5core.ArrayOf(base, dims...) }

// TypeOf returns the HDF5 type a Go value of type t maps to: integers and
// floats to little-endian numbers of the same size (int and uint are 64-bit),
// bool to h5py's enum, string to h5py's variable-length UTF-8 str, arrays to
// HDF5 arrays, structs to compound types (packed as numpy packs them; a field
// tag `h5:"name"` renames a member and `h5:"-"` skips it) and slices to their
// element type.
// A slice of slices is a list of variable-length sequences (h5py's vlen_dtype).
func TypeOf(t reflect.Type) (*Datatype, error) {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return typeOf(t, 0)
}

func typeOf(t reflect.Type, depth int) (*Datatype, error) {
	if depth > 32 {
		return nil, fmt.Errorf("%w: type %s nests too deeply", ErrType, t)
	}
	switch t {
	case refGoType:
		return h5core.ObjectRefType(), nil
	case regionRefGoType:
		return h5core.RegionRefType(), nil
	}
	if dt := extraTypeOf(t); dt != nil {
		return dt, nil
	}
	switch t.Kind() {
	case reflect.Int8:
		return h5core.Int8LE, nil
	case reflect.Int16:
		return h5core.Int16LE, nil
	case reflect.Int32:
		return h5core.Int32LE, nil
	case reflect.Int64, reflect.Int:
		return h5core.Int64LE, nil
	case reflect.Uint8:
		return h5core.Uint8LE, nil
	case reflect.Uint16:
		return h5core.Uint16LE, nil
	case reflect.Uint32:
		return h5core.Uint32LE, nil
	case reflect.Uint64, reflect.Uint:
		return h5core.Uint64LE, nil
	case reflect.Float32:
		return h5core.Float32LE, nil
	case reflect.Float64:
		return h5core.Float64LE, nil
	case reflect.Bool:
		return h5core.Bool(), nil
	case reflect.String:
		return h5core.VlenString(h5core.UTF8), nil
	case reflect.Slice:
		base, err := typeOf(t.Elem(), depth+1)
		if err != nil {
			return nil, err
		}
		return h5core.VlenOf(base), nil
	case reflect.Array:
		dims := []uint32{uint32(t.Len())}
		e := t.Elem()
		for e.Kind() == reflect.Array {
			dims = append(dims, uint32(e.Len()))
			e = e.Elem()
		}
		base, err := typeOf(e, depth+1)
		if err != nil {
			return nil, err
		}
		return h5core.ArrayOf(base, dims...), nil
	case reflect.Struct:
		var ms []h5core.Member
		var off uint32
		for i := 0; i < t.NumField(); i++ {
			fl := t.Field(i)
			name, ok := fieldName(fl)
			if !ok {
				continue
			}
			mt, err := typeOf(fl.Type, depth+1)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", fl.Name, err)
			}
			ms = append(ms, h5core.Member{Name: name, Offset: off, Type: mt})
			off += mt.Size
		}
		if len(ms) == 0 {
			return nil, fmt.Errorf("%w: struct %s has no exported fields", ErrType, t)
		}
		return h5core.Compound(off, ms...), nil
	}
	return nil, fmt.Errorf("%w: no HDF5 type for Go type %s; pass WithDtype", ErrType, t)
}

func fieldName(fl reflect.StructField) (string, bool) {
	if !fl.IsExported() {
		return "", false
	}
	tag := fl.Tag.Get("h5")
	if tag == "-" {
		return "", false
	}
	if tag != "" {
		return strings.Split(tag, ",")[0], true
	}
	return fl.Name, true
}

// goType is the Go type an HDF5 type reads into by default.
func goType(t *Datatype) (reflect.Type, error) {
	if rt := extraGoType(t); rt != nil {
		return rt, nil
	}
	if rt := extraGoType(t); rt != nil {
		return rt, nil
	}
	switch t.Class {
	case h5core.ClassReference:
		if rt := refGoTypeOf(t); rt != nil {
			return rt, nil
		}
	case h5core.ClassInteger:
		switch {
		case t.Signed && t.Size == 1:
			return reflect.TypeFor[int8](), nil
		case t.Signed && t.Size == 2:
			return reflect.TypeFor[int16](), nil
		case t.Signed && t.Size == 4:
			return reflect.TypeFor[int32](), nil
		case t.Signed:
			return reflect.TypeFor[int64](), nil
		case t.Size == 1:
			return reflect.TypeFor[uint8](), nil
		case t.Size == 2:
			return reflect.TypeFor[uint16](), nil
		case t.Size == 4:
			return reflect.TypeFor[uint32](), nil
		default:
			return reflect.TypeFor[uint64](), nil
		}
	case h5core.ClassFloat:
		if t.Size == 4 {
			return reflect.TypeFor[float32](), nil
		}
		return reflect.TypeFor[float64](), nil
	case h5core.ClassEnum:
		if isBool(t) {
			return reflect.TypeFor[bool](), nil
		}
		return goType(t.Base)
	case h5core.ClassString:
		return reflect.TypeFor[string](), nil
	case h5core.ClassVlen:
		if t.VlenString {
			return reflect.TypeFor[string](), nil
		}
		e, err := goType(t.Base)
		if err != nil {
			return nil, err
		}
		return reflect.SliceOf(e), nil
	case h5core.ClassArray:
		e, err := goType(t.Base)
		if err != nil {
			return nil, err
		}
		for i := len(t.Dims) - 1; i >= 0; i-- {
			e = reflect.ArrayOf(int(t.Dims[i]), e)
		}
		return e, nil
	case h5core.ClassCompound:
		var fs []reflect.StructField
		for i, m := range t.Members {
			ft, err := goType(m.Type)
			if err != nil {
				return nil, err
			}
			fs = append(fs, reflect.StructField{
				Name: fmt.Sprintf("F%d", i), Type: ft,
				Tag: reflect.StructTag(fmt.Sprintf(`h5:%q`, m.Name)),
			})
		}
		return reflect.StructOf(fs), nil
	}
	return nil, fmt.Errorf("%w: no Go type for HDF5 class %d", ErrType, t.Class)
}

func isBool(t *Datatype) bool {
	return t.Class == h5core.ClassEnum && len(t.EnumNames) == 2 && t.Base.Size == 1 &&
		((t.EnumNames[0] == "FALSE" && t.EnumNames[1] == "TRUE") || (t.EnumNames[0] == "TRUE" && t.EnumNames[1] == "FALSE"))
}

// VlenOf is a variable-length sequence of base (h5py's vlen_dtype); Go
// slices of slices read and write it.
func VlenOf(base *Datatype) *Datatype { return h5core.VlenOf(base) }

// typeName names an HDF5 type as numpy and h5py users know it: int32,
// float64, bool, a fixed-length string of 10 bytes (S10), ...
func typeName(t *Datatype) string {
	switch t.Class {
	case h5core.ClassInteger:
		s := fmt.Sprintf("int%d", 8*t.Size)
		if !t.Signed {
			s = "u" + s
		}
		if t.Order == h5core.BigEndian && t.Size > 1 {
			s += " (big-endian)"
		}
		return s
	case h5core.ClassFloat:
		s := fmt.Sprintf("float%d", 8*t.Size)
		if t.Order == h5core.BigEndian {
			s += " (big-endian)"
		}
		return s
	case h5core.ClassEnum:
		if isBool(t) {
			return "bool"
		}
		return "enum of " + typeName(t.Base)
	case h5core.ClassString:
		return fmt.Sprintf("fixed-length string (S%d)", t.Size)
	case h5core.ClassVlen:
		if t.VlenString {
			return "variable-length string"
		}
		return "variable-length sequence of " + typeName(t.Base)
	case h5core.ClassArray:
		return fmt.Sprintf("array %v of %s", t.Dims, typeName(t.Base))
	case h5core.ClassCompound:
		return fmt.Sprintf("compound (%d members)", len(t.Members))
	case h5core.ClassBitfield:
		return fmt.Sprintf("bitfield of %d bytes", t.Size)
	case h5core.ClassOpaque:
		return fmt.Sprintf("opaque of %d bytes", t.Size)
	case h5core.ClassReference:
		return "reference"
	case h5core.ClassTime:
		return "time"
	}
	return fmt.Sprintf("HDF5 class %d", t.Class)
}
