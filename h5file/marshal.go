package h5file

// Go values to HDF5 element bytes and back, by reflection: the codec
// behind Write, Read and attributes. Which Go type maps to which HDF5
// type is types.go.

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

// codec turns Go values into HDF5 element bytes and back. vlen data goes
// through put/get (the global heap), which only the File can reach.
type codec struct {
	put func(count uint32, data []byte) (h5core.VlenRef, error)
	get func(h5core.VlenRef) ([]byte, error)
}

func order(t *Datatype) binary.ByteOrder {
	if t.Order == h5core.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

func putUint(t *Datatype, b []byte, u uint64) {
	o := order(t)
	switch t.Size {
	case 1:
		b[0] = byte(u)
	case 2:
		o.PutUint16(b, uint16(u))
	case 4:
		o.PutUint32(b, uint32(u))
	case 8:
		o.PutUint64(b, u)
	}
}

func getUint(t *Datatype, b []byte) uint64 {
	o := order(t)
	var u uint64
	switch t.Size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(o.Uint16(b))
	case 4:
		u = uint64(o.Uint32(b))
	case 8:
		u = o.Uint64(b)
	}
	if partialInt(t) {
		u = fromPrecision(t, u)
	}
	return u
}

func signExtend(t *Datatype, u uint64) int64 {
	shift := 64 - 8*uint(t.Size)
	return int64(u<<shift) >> shift
}

// encode writes the Go value v as one element of type t into b (t.Size bytes).
func (c *codec) encode(v reflect.Value, t *Datatype, b []byte) error {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return fmt.Errorf("%w: nil value", ErrType)
		}
		v = v.Elem()
	}
	if ok, err := encodeExtra(v, t, b); ok {
		return err
	}
	switch t.Class {
	case h5core.ClassReference:
		return encodeRef(v, t, b)
	case h5core.ClassInteger, h5core.ClassEnum:
		base := t
		if t.Class == h5core.ClassEnum {
			base = t.Base
		}
		var u uint64
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			u = uint64(v.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			u = v.Uint()
		case reflect.Bool:
			if v.Bool() {
				u = 1
			}
		default:
			return fmt.Errorf("%w: cannot store Go %s in an HDF5 integer", ErrType, v.Type())
		}
		if partialInt(base) {
			u = toPrecision(base, u, v.CanInt())
		}
		putUint(base, b, u)
		return nil
	case h5core.ClassFloat:
		var f float64
		switch v.Kind() {
		case reflect.Float32, reflect.Float64:
			f = v.Float()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			f = float64(v.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			f = float64(v.Uint())
		default:
			return fmt.Errorf("%w: cannot store Go %s in an HDF5 float", ErrType, v.Type())
		}
		switch t.Size {
		case 4:
			putUint(t, b, uint64(math.Float32bits(float32(f))))
		case 8:
			putUint(t, b, math.Float64bits(f))
		default:
			return fmt.Errorf("%w: %d-byte floats are not supported", ErrType, t.Size)
		}
		return nil
	case h5core.ClassString:
		s, err := stringOf(v)
		if err != nil {
			return err
		}
		if len(s) > int(t.Size) {
			return fmt.Errorf("%w: string of %d bytes does not fit a %d-byte fixed string", ErrType, len(s), t.Size)
		}
		n := copy(b[:t.Size], s)
		pad := byte(0)
		if t.Pad == h5core.PadSpace {
			pad = ' '
		}
		for i := n; i < int(t.Size); i++ {
			b[i] = pad
		}
		return nil
	case h5core.ClassVlen:
		if c.put == nil {
			return fmt.Errorf("%w: variable-length data needs a file", ErrType)
		}
		if t.VlenString {
			s, err := stringOf(v)
			if err != nil {
				return err
			}
			ref, err := c.put(uint32(len(s)), []byte(s))
			if err != nil {
				return err
			}
			ref.Encode(b)
			return nil
		}
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			return fmt.Errorf("%w: cannot store Go %s in an HDF5 sequence", ErrType, v.Type())
		}
		n := v.Len()
		data := make([]byte, n*int(t.Base.Size))
		for i := 0; i < n; i++ {
			if err := c.encode(v.Index(i), t.Base, data[i*int(t.Base.Size):]); err != nil {
				return err
			}
		}
		ref, err := c.put(uint32(n), data)
		if err != nil {
			return err
		}
		ref.Encode(b)
		return nil
	case h5core.ClassArray:
		n := 1
		for _, d := range t.Dims {
			n *= int(d)
		}
		flat := flatten(v)
		if len(flat) != n {
			return fmt.Errorf("%w: array of %d elements needs %d", ErrShape, len(flat), n)
		}
		for i, e := range flat {
			if err := c.encode(e, t.Base, b[i*int(t.Base.Size):]); err != nil {
				return err
			}
		}
		return nil
	case h5core.ClassCompound:
		if v.Kind() != reflect.Struct {
			return fmt.Errorf("%w: cannot store Go %s in an HDF5 compound", ErrType, v.Type())
		}
		for _, m := range t.Members {
			fv, ok := fieldByName(v, m.Name)
			if !ok {
				return fmt.Errorf("%w: Go %s has no field for member %q (tag it `h5:\"%s\"`)", ErrType, v.Type(), m.Name, m.Name)
			}
			if err := c.encode(fv, m.Type, b[m.Offset:]); err != nil {
				return fmt.Errorf("member %s: %w", m.Name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: writing HDF5 class %d is not supported", ErrType, t.Class)
}

func stringOf(v reflect.Value) (string, error) {
	switch {
	case v.Kind() == reflect.String:
		return v.String(), nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		return string(v.Bytes()), nil
	}
	return "", fmt.Errorf("%w: cannot store Go %s in an HDF5 string", ErrType, v.Type())
}

// flatten lists the leaves of nested arrays/slices in row-major order.
func flatten(v reflect.Value) []reflect.Value {
	if v.Kind() != reflect.Array && v.Kind() != reflect.Slice {
		return []reflect.Value{v}
	}
	var out []reflect.Value
	for i := 0; i < v.Len(); i++ {
		e := v.Index(i)
		if e.Kind() == reflect.Array {
			out = append(out, flatten(e)...)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func fieldByName(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if n, ok := fieldName(t.Field(i)); ok && n == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// decode reads one element of type t from b into the settable Go value v.
func (c *codec) decode(b []byte, t *Datatype, v reflect.Value) error {
	if v.Kind() == reflect.Interface && v.NumMethod() == 0 {
		x, err := c.natural(b, t)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(x))
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if ok, err := decodeExtra(b, t, v); ok {
		return err
	}
	switch t.Class {
	case h5core.ClassReference:
		return decodeRef(b, t, v)
	case h5core.ClassInteger, h5core.ClassEnum:
		base := t
		if t.Class == h5core.ClassEnum {
			base = t.Base
		}
		u := getUint(base, b)
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if base.Signed {
				v.SetInt(signExtend(base, u))
			} else {
				v.SetInt(int64(u))
			}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			v.SetUint(u)
		case reflect.Bool:
			v.SetBool(u != 0)
		case reflect.Float32, reflect.Float64:
			if base.Signed {
				v.SetFloat(float64(signExtend(base, u)))
			} else {
				v.SetFloat(float64(u))
			}
		default:
			return fmt.Errorf("%w: cannot read %s data into Go %s", ErrType, typeName(t), v.Type())
		}
		return nil
	case h5core.ClassFloat:
		var f float64
		switch t.Size {
		case 4:
			f = float64(math.Float32frombits(uint32(getUint(t, b))))
		case 8:
			f = math.Float64frombits(getUint(t, b))
		default:
			return fmt.Errorf("%w: %d-byte floats are not supported", ErrType, t.Size)
		}
		if v.Kind() != reflect.Float32 && v.Kind() != reflect.Float64 {
			return fmt.Errorf("%w: cannot read %s data into Go %s", ErrType, typeName(t), v.Type())
		}
		v.SetFloat(f)
		return nil
	case h5core.ClassString:
		s := b[:t.Size]
		if t.Pad == h5core.PadSpace {
			s = []byte(strings.TrimRight(string(s), " "))
		} else if i := indexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return setString(t, v, s)
	case h5core.ClassVlen:
		ref, err := h5core.DecodeVlenRef(b)
		if err != nil {
			return err
		}
		var data []byte
		if ref != (h5core.VlenRef{}) {
			if data, err = c.get(ref); err != nil {
				return err
			}
		}
		if t.VlenString {
			return setString(t, v, data)
		}
		if v.Kind() != reflect.Slice {
			return fmt.Errorf("%w: cannot read %s data into Go %s", ErrType, typeName(t), v.Type())
		}
		n := int(ref.Len)
		if uint64(n)*uint64(t.Base.Size) > uint64(len(data)) {
			return fmt.Errorf("%w: sequence of %d elements in %d bytes", h5core.ErrFormat, n, len(data))
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			if err := c.decode(data[i*int(t.Base.Size):], t.Base, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case h5core.ClassArray:
		n := 1
		for _, d := range t.Dims {
			n *= int(d)
		}
		if v.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := 0; i < n; i++ {
				if err := c.decode(b[i*int(t.Base.Size):], t.Base, v.Index(i)); err != nil {
					return err
				}
			}
			return nil
		}
		leaves := flatten(v)
		if len(leaves) != n {
			return fmt.Errorf("%w: Go %s holds %d elements, the HDF5 array %d", ErrShape, v.Type(), len(leaves), n)
		}
		for i, e := range leaves {
			if err := c.decode(b[i*int(t.Base.Size):], t.Base, e); err != nil {
				return err
			}
		}
		return nil
	case h5core.ClassCompound:
		if v.Kind() != reflect.Struct {
			return fmt.Errorf("%w: cannot read %s data into Go %s", ErrType, typeName(t), v.Type())
		}
		for _, m := range t.Members {
			fv, ok := fieldByName(v, m.Name)
			if !ok {
				continue // h5py lets you read a subset of fields; so do we
			}
			if err := c.decode(b[m.Offset:], m.Type, fv); err != nil {
				return fmt.Errorf("member %s: %w", m.Name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: reading HDF5 class %d is not supported", ErrType, t.Class)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func setString(t *Datatype, v reflect.Value, s []byte) error {
	switch {
	case v.Kind() == reflect.String:
		v.SetString(string(s))
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		v.SetBytes(append([]byte(nil), s...))
	default:
		return fmt.Errorf("%w: cannot read %s data into Go %s", ErrType, typeName(t), v.Type())
	}
	return nil
}

// natural decodes one element into the Go type that TypeOf maps back to it
// (used for `any` destinations, as h5py returns numpy's natural dtype).
func (c *codec) natural(b []byte, t *Datatype) (any, error) {
	rt, err := goType(t)
	if err != nil {
		return nil, err
	}
	v := reflect.New(rt).Elem()
	if err := c.decode(b, t, v); err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

// checkReadDst checks, before anything is read or allocated, that a read
// destination as decodeTarget takes it (a pointer to a slice, a slice, or
// a pointer to one value) can hold elements of type t. Destinations of the
// wrong shape pass: decodeTarget says what is wrong with them.
func checkReadDst(t *Datatype, v reflect.Value) error {
	if !v.IsValid() {
		return nil
	}
	rt := v.Type()
	bytesAsString := func(s reflect.Type) bool { return s.Elem().Kind() == reflect.Uint8 && bytesElement(t) }
	switch {
	case rt.Kind() == reflect.Pointer && oneSequence(t, rt.Elem()):
		return nil
	case rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Slice && !bytesAsString(rt.Elem()):
		return checkReadInto(t, rt.Elem().Elem(), rt.Elem())
	case rt.Kind() == reflect.Slice && !bytesAsString(rt):
		return checkReadInto(t, rt.Elem(), rt)
	case rt.Kind() == reflect.Pointer:
		return checkReadInto(t, rt.Elem(), rt.Elem())
	}
	return nil
}

// checkReadInto reports, before any data is read, whether elements of
// type t can be decoded into Go values of type elem (dst is the caller's
// destination type, for the message): reading int32 data into []string
// would otherwise fail only after the read, or with whatever the read
// itself hit first. It mirrors codec.decode's rules; decode still checks
// what only the data can tell (array lengths, sequence contents).
func checkReadInto(t *Datatype, elem, dst reflect.Type) error {
	if !readableInto(t, elem, 0) {
		return fmt.Errorf("cannot read %s data into %s: %w", typeName(t), dst, ErrType)
	}
	return nil
}

func readableInto(t *Datatype, rt reflect.Type, depth int) bool {
	if t == nil || depth > 32 {
		return false
	}
	if rt.Kind() == reflect.Interface && rt.NumMethod() == 0 {
		_, err := goType(t)
		return err == nil
	}
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if ok, handled := extraReadable(t, rt); handled {
		return ok
	}
	k := rt.Kind()
	switch t.Class {
	case h5core.ClassReference:
		return refGoTypeOf(t) == rt
	case h5core.ClassInteger, h5core.ClassEnum:
		return isInt(k) || isUint(k) || k == reflect.Bool || k == reflect.Float32 || k == reflect.Float64
	case h5core.ClassFloat:
		return (t.Size == 4 || t.Size == 8) && (k == reflect.Float32 || k == reflect.Float64)
	case h5core.ClassString:
		return k == reflect.String || k == reflect.Slice && rt.Elem().Kind() == reflect.Uint8
	case h5core.ClassVlen:
		if t.VlenString {
			return k == reflect.String || k == reflect.Slice && rt.Elem().Kind() == reflect.Uint8
		}
		return k == reflect.Slice && readableInto(t.Base, rt.Elem(), depth+1)
	case h5core.ClassArray:
		if k == reflect.Slice {
			return readableInto(t.Base, rt.Elem(), depth+1)
		}
		for rt.Kind() == reflect.Array {
			rt = rt.Elem()
		}
		return readableInto(t.Base, rt, depth+1) // the element count is checked per value
	case h5core.ClassCompound:
		if k != reflect.Struct {
			return false
		}
		for _, m := range t.Members {
			for i := 0; i < rt.NumField(); i++ {
				if n, ok := fieldName(rt.Field(i)); ok && n == m.Name && !readableInto(m.Type, rt.Field(i).Type, depth+1) {
					return false
				}
			}
		}
		return true
	}
	return false
}

func isInt(k reflect.Kind) bool {
	return k == reflect.Int || k == reflect.Int8 || k == reflect.Int16 || k == reflect.Int32 || k == reflect.Int64
}

func isUint(k reflect.Kind) bool {
	return k == reflect.Uint || k == reflect.Uint8 || k == reflect.Uint16 || k == reflect.Uint32 || k == reflect.Uint64
}
