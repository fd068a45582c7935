package h5file

import (
	"fmt"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
)

// Attrs is the attribute set of a file, group or dataset: h5py's
// AttributeManager.
type Attrs struct{ o *object }

// Attribute is one attribute, read from the file.
type Attribute struct {
	f     *File
	Name  string
	Dtype *Datatype
	Shape []uint64 // empty: scalar
	data  []byte
	null  bool
}

// Set creates or replaces attribute name with value, typed as h5py would:
// a string is a variable-length UTF-8 str, an int is int64, a slice is a
// 1-D array of its elements' type, a struct a compound.
func (a *Attrs) Set(name string, value any) error {
	v := reflect.ValueOf(value)
	if !v.IsValid() {
		return opErrf("set attribute "+name+" of", a.o.name, "nil value: %w", ErrType)
	}
	t, err := TypeOf(v.Type())
	if err != nil {
		return opErr("set attribute "+name+" of", a.o.name, err)
	}
	var shape []uint64
	if isList(v, t) {
		shape = []uint64{uint64(v.Len())}
	}
	return a.SetTyped(name, value, t, shape)
}

// SetTyped creates or replaces attribute name of the given type and shape
// (nil: scalar) holding value (one element, or a slice in row-major order).
func (a *Attrs) SetTyped(name string, value any, dtype *Datatype, shape []uint64) error {
	return a.set(name, value, dtype, shape, nil)
}

// set is SetTyped, sharing the committed datatype named if it is set.
func (a *Attrs) set(name string, value any, dtype *Datatype, shape []uint64, named *h5core.NamedType) error {
	if dtype == nil {
		return opErrf("set attribute "+name+" of", a.o.name, "nil type: %w", ErrType)
	}
	f := a.o.f
	var args string
	if f.isParallel() {
		args = fmt.Sprintf("%s, %v, %s, named %t", dtype, shape, f.valueDigest(value, dtype, numElements(shape)), named != nil)
	}
	return f.apply(metaOp{name: "SetAttr", path: a.o.name + "@" + name, args: args, fn: func() error {
		buf, err := f.encodeValues(value, dtype, numElements(shape))
		if err != nil {
			return opErr("set attribute "+name+" of", a.o.name, err)
		}
		if err := a.o.core.SetAttr(&h5core.Attribute{Name: name, Type: dtype, Shape: shape, Data: buf, Named: named}); err != nil {
			return opErr("set attribute "+name+" of", a.o.name, err)
		}
		return nil
	}})
}

// SetEmpty creates or replaces attribute name as an empty one of type
// dtype: a null dataspace, no value (h5py's attrs[name] = h5py.Empty(dtype)).
func (a *Attrs) SetEmpty(name string, dtype *Datatype) error {
	if dtype == nil {
		return opErrf("set attribute "+name+" of", a.o.name, "nil type: %w", ErrType)
	}
	return a.o.f.apply(metaOp{name: "SetAttr", path: a.o.name + "@" + name, args: dtype.String() + ", empty", fn: func() error {
		if err := a.o.core.SetAttr(&h5core.Attribute{Name: name, Type: dtype, Null: true}); err != nil {
			return opErr("set attribute "+name+" of", a.o.name, err)
		}
		return nil
	}})
}

// Get returns attribute name.
func (a *Attrs) Get(name string) (*Attribute, error) {
	if err := a.o.f.check(); err != nil {
		return nil, err
	}
	at, ok := a.o.core.Attr(name)
	if !ok {
		return nil, opErrf("get attribute "+name+" of", a.o.name, "no such attribute: %w", ErrNotFound)
	}
	return &Attribute{f: a.o.f, Name: at.Name, Dtype: at.Type, Shape: append([]uint64(nil), at.Shape...), data: at.Data, null: at.Null}, nil
}

// Read reads attribute name into dst (a pointer, or a slice of the right length).
func (a *Attrs) Read(name string, dst any) error {
	at, err := a.Get(name)
	if err != nil {
		return err
	}
	return at.Read(dst)
}

// Names lists the attribute names in the order the file holds them.
func (a *Attrs) Names() []string {
	var out []string
	for _, at := range a.o.core.Attrs() {
		out = append(out, at.Name)
	}
	return out
}

// Contains reports whether attribute name exists.
func (a *Attrs) Contains(name string) bool {
	_, ok := a.o.core.Attr(name)
	return ok
}

// Len is the number of attributes.
func (a *Attrs) Len() int { return len(a.o.core.Attrs()) }

// Delete removes attribute name (h5py's del obj.attrs[name]).
func (a *Attrs) Delete(name string) error {
	return a.o.f.apply(metaOp{name: "DeleteAttr", path: a.o.name + "@" + name, fn: func() error {
		if err := a.o.core.DeleteAttr(name); err != nil {
			return opErr("delete attribute "+name+" of", a.o.name, err)
		}
		return nil
	}})
}

// IsEmpty reports an attribute with a null dataspace (h5py.Empty).
func (at *Attribute) IsEmpty() bool { return at.null }

// Read decodes the attribute into dst: a pointer to a value (scalar), a
// pointer to a slice, or a slice of the right length.
func (at *Attribute) Read(dst any) error {
	if err := at.f.check(); err != nil {
		return err
	}
	if at.null {
		return opErrf("read attribute", at.Name, "it is empty (h5py.Empty): %w", ErrShape)
	}
	n := numElements(at.Shape)
	if uint64(len(at.data)) < n*uint64(at.Dtype.Size) {
		return opErrf("read attribute", at.Name, "%d bytes for %d elements: %w", len(at.data), n, h5core.ErrFormat)
	}
	out, direct, err := at.f.decodeTarget(dst, at.Dtype, n)
	if err != nil {
		return opErr("read attribute", at.Name, err)
	}
	if direct != nil {
		copy(direct, at.data)
		return nil
	}
	if err := out(at.data); err != nil {
		return opErr("read attribute", at.Name, err)
	}
	return nil
}

// Value decodes the attribute into its natural Go type: a T for a scalar,
// a []T otherwise (T as goType maps the HDF5 type).
func (at *Attribute) Value() (any, error) {
	et, err := goType(at.Dtype)
	if err != nil {
		return nil, err
	}
	if len(at.Shape) == 0 {
		p := reflect.New(et)
		err := at.Read(p.Interface())
		return p.Elem().Interface(), err
	}
	p := reflect.New(reflect.SliceOf(et))
	err = at.Read(p.Interface())
	return p.Elem().Interface(), err
}

// AttrValue reads attribute name of o as a T.
func AttrValue[T any](o Object, name string) (T, error) {
	var v T
	err := o.Attrs().Read(name, &v)
	return v, err
}
