package comm

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"
)

// Number is every Go numeric type that travels with no encoding pass.
type Number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~int | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint | ~float32 | ~float64
}

// Kind names an element type on the wire, so a receiver of the wrong type
// gets an error instead of reinterpreted bytes.
type Kind uint8

// String is the Go name of the element type ("float64").
func (k Kind) String() string { return reflect.Kind(k).String() }

// ElemKind is the Kind of T.
func ElemKind[T Number]() Kind { return Kind(reflect.TypeFor[T]().Kind()) }

// AsBytes views s as bytes in host order, without copying.
func AsBytes[T Number](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// SendSlice sends s (mpi4py's Send of a numpy buffer).
func SendSlice[T Number](ctx context.Context, c *Comm, dest, tag int, s []T) error {
	return c.sendFrame(ctx, dest, tag, uint8(ElemKind[T]()), [][]byte{AsBytes(s)})
}

// RecvSlice receives into s; Status.Count is in elements. A message of
// another element type is an error (and leaves s as it was). When the
// message fits, it goes from the socket straight into s, with no copy.
func RecvSlice[T Number](ctx context.Context, c *Comm, src, tag int, s []T) (Status, error) {
	want := ElemKind[T]()
	var bufs [][]byte
	if b := AsBytes(s); len(b) > 0 {
		bufs = [][]byte{b}
	}
	m, st, err := c.recvMsgElem(ctx, src, tag, false, bufs, int(want))
	if err != nil || src == ProcNull {
		return st, err
	}
	if Kind(m.elem) != want {
		return st, fmt.Errorf("comm: rank %d sent %s elements but RecvSlice wants %s: %w", st.Source, Kind(m.elem), want, ErrArgument)
	}
	var z T
	size := int(unsafe.Sizeof(z))
	st.Count = m.n / size
	if m.data == nil { // read straight into s
		return st, nil
	}
	n := copy(AsBytes(s), m.data)
	if n < len(m.data) {
		return st, fmt.Errorf("comm: %d %s elements from rank %d do not fit in %d: %w", st.Count, want, st.Source, len(s), ErrTruncate)
	}
	return st, nil
}
