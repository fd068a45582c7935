package h5file

import (
	"reflect"
	"unsafe"

	"github.com/gorun-hpc/gorun/h5core"
)

// hostLittle is true on little-endian hosts, where a []float64 already has
// the bytes of an H5T_IEEE_F64LE dataset and needs no conversion pass.
var hostLittle = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// nativeBytes returns the memory of a slice of numbers as bytes when it is
// exactly the file layout of type t, so large reads and writes copy nothing.
func nativeBytes(v reflect.Value, t *Datatype) ([]byte, bool) {
	if v.Kind() != reflect.Slice || !hostLittle || t.Order != h5core.LittleEndian {
		return nil, false
	}
	e := v.Type().Elem()
	var want *Datatype
	switch e.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64,
		reflect.Complex64, reflect.Complex128:
		want, _ = typeOf(e, 0)
	default:
		return nil, false
	}
	if want == nil || !want.Equal(t) {
		return nil, false
	}
	if v.Len() == 0 {
		return []byte{}, true
	}
	return unsafe.Slice((*byte)(v.UnsafePointer()), v.Len()*int(e.Size())), true
}
