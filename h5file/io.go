package h5file

import (
	"fmt"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// Write writes data over the whole dataset (h5py's dset[...] = data): a
// slice of Size() elements in row-major order, or one value for a scalar or
// one-element dataset.
func (d *Dataset) Write(data any) error {
	return d.write(h5core.All(d.d.Shape()), data)
}

// WriteSel writes data into the selected part of the dataset: the Go of
// dset[10:20, ::2] = x is d.WriteSel(S(Range(10, 20), RangeStep(0, End, 2)), x).
// data holds the selected elements in row-major order.
func (d *Dataset) WriteSel(sel Selection, data any) error {
	h, err := sel.hyperslab(d.d.Shape())
	if err != nil {
		return opErr("write", d.name, err)
	}
	return d.write(h, data)
}

// Read reads the whole dataset into dst: a pointer to a slice (grown or
// shrunk to Size()), a slice of exactly Size() elements, or a pointer to one
// value for a scalar dataset.
func (d *Dataset) Read(dst any) error {
	return d.read(h5core.All(d.d.Shape()), dst)
}

// ReadSel reads the selected part of the dataset into dst (as Read).
func (d *Dataset) ReadSel(sel Selection, dst any) error {
	h, err := sel.hyperslab(d.d.Shape())
	if err != nil {
		return opErr("read", d.name, err)
	}
	return d.read(h, dst)
}

// ReadAll returns the whole dataset as a []T (row-major).
func ReadAll[T any](d *Dataset) ([]T, error) {
	var out []T
	err := d.Read(&out)
	return out, err
}

// ReadSlice returns the selected elements as a []T (row-major).
func ReadSlice[T any](d *Dataset, sel Selection) ([]T, error) {
	var out []T
	err := d.ReadSel(sel, &out)
	return out, err
}

func (f *File) codec() *codec {
	return &codec{put: f.model.PutVlen, get: f.model.GetVlen}
}

func (d *Dataset) write(h h5core.Hyperslab, data any) error {
	if err := d.f.checkWrite(); err != nil {
		return err
	}
	if d.d.External() != nil || d.d.Layout() == h5core.LayoutVirtual || d.d.IsNull() {
		return opErrf("write", d.name, "writing a dataset with external or virtual storage, or an empty one, is not supported (write a new dataset instead): %w", h5core.ErrUnsupported)
	}
	if err := h.Check(d.d.Shape()); err != nil {
		return opErrf("write", d.name, "%w: %w", ErrShape, err)
	}
	n := h.NumElements()
	t := d.d.Type()
	if d.f.isParallel() {
		// In a parallel file, data that is metadata (vlen: the global heap;
		// compact: the object header) is written collectively, and so are
		// filtered chunks (each rank's rewrite would allocate its own).
		if t.HasVlen() || d.d.Layout() == h5core.LayoutCompact {
			if d.f.stats != nil { // iostats
				return d.statsCall(true, n, func() error { return d.writeVlenCollective(h, data) })
			}
			return d.writeVlenCollective(h, data)
		}
		if d.d.Layout() == h5core.LayoutChunked && len(d.d.Filters()) > 0 {
			return opErrf("write", d.name, "a compressed (filtered) dataset of a parallel file is written collectively: every rank calls d.Collective().WriteSel(sel, data), with an empty selection if it has nothing to write")
		}
		if err := d.allocateLate(); err != nil { // parallel_meta_alloc.go
			return err
		}
	}
	var buf []byte
	var err error
	if t.HasVlen() {
		buf, err = d.encodeVlen(data, t, n)
	} else {
		buf, err = d.f.encodeValues(data, t, n)
	}
	if err != nil {
		return opErr("write", d.name, err)
	}
	t0 := d.f.statsNow() // iostats
	err = d.writeRaw(h, buf)
	if d.f.stats != nil {
		d.statsDirect(true, iostats.KindWrite, t0, len(buf), err)
	}
	if err != nil {
		return opErr("write", d.name, err)
	}
	return nil
}

// encodeVlen encodes vlen elements: they go to the global heap, a metadata
// change, so the encoding runs inside apply. (A function of its own: the
// closure's captured variables would otherwise be on the heap for every
// write.)
func (d *Dataset) encodeVlen(data any, t *h5core.Datatype, n uint64) ([]byte, error) {
	var buf []byte
	err := d.f.apply(metaOp{name: "WriteVlen", path: d.name, fn: func() error {
		var err error
		buf, err = d.f.encodeValues(data, t, n)
		return err
	}})
	return buf, err
}

func (d *Dataset) read(h h5core.Hyperslab, dst any) error {
	if err := d.f.check(); err != nil {
		return err
	}
	if err := h.Check(d.d.Shape()); err != nil {
		return opErrf("read", d.name, "%w: %w", ErrShape, err)
	}
	n := h.NumElements()
	d.f.statsSel(n) // iostats: a collective read of a file of one rank comes here
	t := d.d.Type()
	if d.d.IsNull() {
		return opErrf("read", d.name, "the dataset is empty (h5py.Empty: a null dataspace, no elements): %w", ErrShape)
	}
	if err := checkAlloc(n, uint64(t.Size), d.name); err != nil {
		return err
	}
	out, direct, err := d.f.decodeTarget(dst, t, n)
	if err != nil {
		return opErr("read", d.name, err)
	}
	buf := direct
	if buf == nil {
		buf = make([]byte, n*uint64(t.Size))
	}
	t0 := d.f.statsNow() // iostats
	err = d.readRaw(h, buf)
	if d.f.follow != nil {
		// A followed file: bytes read after the writer reused the view's
		// space may be anything (follow.go).
		if gone := d.f.checkRead(d.d); gone != nil {
			err = gone
		}
	}
	if d.f.stats != nil {
		d.statsDirect(false, d.readKind(), t0, len(buf), err)
	}
	if err != nil {
		return opErr("read", d.name, err)
	}
	if direct == nil {
		if err := out(buf); err != nil {
			return opErr("read", d.name, err)
		}
	}
	return nil
}

// encodeValues packs n elements of data into file layout for type t. A
// native slice is returned as is (the write path's zero copy).
func (f *File) encodeValues(data any, t *Datatype, n uint64) ([]byte, error) {
	return encodeWith(f.codec(), data, t, n, false)
}

// encodeWith packs n elements of data into file layout for type t with
// codec c. A native slice's bytes are returned as they are, or copied when
// own is set (the caller keeps the buffer beyond the call).
func encodeWith(c *codec, data any, t *Datatype, n uint64, own bool) ([]byte, error) {
	v := reflect.ValueOf(data)
	if !v.IsValid() {
		return nil, fmt.Errorf("%w: nil data", ErrType)
	}
	if b, ok := data.(fileBytes); ok { // elements in the file's layout already (copy.go)
		if uint64(len(b)) != n*uint64(t.Size) {
			return nil, fmt.Errorf("%w: %d bytes for a selection of %d %d-byte elements", ErrShape, len(b), n, t.Size)
		}
		if own {
			b = append(fileBytes(nil), b...)
		}
		return b, nil
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if b, ok := nativeBytes(v, t); ok {
		if uint64(len(b)) != n*uint64(t.Size) {
			return nil, fmt.Errorf("%w: %d elements for a selection of %d", ErrShape, v.Len(), n)
		}
		if own {
			b = append([]byte(nil), b...)
		}
		return b, nil
	}
	if b, ok := encodePartialInts(v, t, n); ok { // codecs_b.go
		return b, nil
	}
	size := uint64(t.Size)
	buf := make([]byte, n*size)
	if isList(v, t) {
		if uint64(v.Len()) != n {
			return nil, fmt.Errorf("%w: %d elements for a selection of %d", ErrShape, v.Len(), n)
		}
		for i := uint64(0); i < n; i++ {
			if err := c.encode(v.Index(int(i)), t, buf[i*size:]); err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return buf, nil
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: one value for a selection of %d elements (pass a slice)", ErrShape, n)
	}
	return buf, c.encode(v, t, buf)
}

// isList reports whether v is a list of elements rather than one element of
// type t (a string is one element; []byte is one element of a string type;
// a Go array is one element of an HDF5 array type).
func isList(v reflect.Value, t *Datatype) bool {
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 && bytesElement(t) {
			return false
		}
		if t.Class == h5core.ClassVlen && !t.VlenString && v.Type().Elem().Kind() != reflect.Slice && v.Type().Elem().Kind() != reflect.Array {
			return false
		}
		return true
	case reflect.Array:
		if t.Class != h5core.ClassArray {
			return true
		}
		et, err := TypeOf(v.Type())
		return err != nil || !et.Equal(t)
	}
	return false
}

// decodeTarget prepares dst for n elements of type t. If dst's memory can
// take the file bytes as they are, it returns that memory (direct) and the
// caller reads into it; otherwise out decodes a buffer into dst.
func (f *File) decodeTarget(dst any, t *Datatype, n uint64) (out func([]byte) error, direct []byte, err error) {
	v := reflect.ValueOf(dst)
	if !v.IsValid() {
		return nil, nil, fmt.Errorf("%w: nil destination", ErrType)
	}
	// The type check comes first, so a wrong destination is reported as
	// such before any read or allocation.
	if err := checkReadDst(t, v); err != nil {
		return nil, nil, err
	}
	c := f.codec()
	size := uint64(t.Size)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Slice && !(v.Elem().Type().Elem().Kind() == reflect.Uint8 && bytesElement(t)) && !oneSequence(t, v.Elem().Type()) {
		s := v.Elem()
		if err := checkAlloc(n, uint64(s.Type().Elem().Size()), "into "+s.Type().String()); err != nil {
			return nil, nil, err
		}
		if uint64(s.Cap()) >= n {
			s.SetLen(int(n))
		} else {
			s.Set(reflect.MakeSlice(s.Type(), int(n), int(n)))
		}
		v = s
	}
	if v.Kind() == reflect.Slice && !(v.Type().Elem().Kind() == reflect.Uint8 && bytesElement(t)) {
		if uint64(v.Len()) != n {
			return nil, nil, fmt.Errorf("%w: destination holds %d elements, the selection %d", ErrShape, v.Len(), n)
		}
		if b, ok := nativeBytes(v, t); ok {
			return nil, b, nil
		}
		if f, ok := decodePartialInts(v, t, n); ok { // codecs_b.go
			return f, nil, nil
		}
		return func(buf []byte) error {
			for i := uint64(0); i < n; i++ {
				if err := c.decode(buf[i*size:], t, v.Index(int(i))); err != nil {
					return fmt.Errorf("element %d: %w", i, err)
				}
			}
			return nil
		}, nil, nil
	}
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, nil, fmt.Errorf("%w: read into %T: pass a pointer or a slice", ErrType, dst)
	}
	if n != 1 {
		return nil, nil, fmt.Errorf("%w: %d elements into one %s (pass a pointer to a slice)", ErrShape, n, v.Elem().Type())
	}
	return func(buf []byte) error { return c.decode(buf, t, v.Elem()) }, nil, nil
}

func isStringType(t *Datatype) bool {
	return t.Class == h5core.ClassString || t.Class == h5core.ClassVlen && t.VlenString
}
