package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// NamedType is a committed datatype: a datatype stored in the file under
// a name, with attributes of its own (h5py's Datatype, made by
// f['t'] = numpy.dtype(...); the user-defined types of netCDF-4).
// Datasets and attributes made with it share it: h5dump shows their type
// as the path of the NamedType, and h5py's dtype.committed() is true.
type NamedType struct {
	object
	t *h5core.NamedType
}

// Dtype returns the committed datatype.
func (t *NamedType) Dtype() *Datatype { return t.t.Type() }

// CommitType stores dtype in the file at path p (h5py's g[p] = dtype),
// creating missing intermediate groups. Collective in a parallel file.
func (g *Group) CommitType(p string, dtype *Datatype) (*NamedType, error) {
	if dtype == nil {
		return nil, opErrf("commit type", join(g.name, p), "nil type: %w", ErrType)
	}
	var nt *h5core.NamedType
	err := g.f.apply(metaOp{name: "CommitType", path: join(g.name, p), args: dtype.String(), fn: func() error {
		var err error
		nt, err = g.g.CommitType(p, dtype)
		if err != nil {
			return opErr("commit type", join(g.name, p), err)
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	return g.f.newNamedType(join(g.name, p), nt), nil
}

// NamedType returns the committed datatype at path p.
func (g *Group) NamedType(p string) (*NamedType, error) {
	o, err := g.Get(p)
	if err != nil {
		return nil, err
	}
	t, ok := o.(*NamedType)
	if !ok {
		return nil, opErrf("open committed type", join(g.name, p), "%s is not a committed datatype", kindOf(o))
	}
	return t, nil
}

func (f *File) newNamedType(name string, t *h5core.NamedType) *NamedType {
	return &NamedType{object: object{f: f, name: name, core: t}, t: t}
}

// WithNamedType makes the dataset share the committed datatype t (h5py's
// create_dataset(..., dtype=f['t'])): its type is t's, stored as a
// reference to t. t must belong to the same file.
func WithNamedType(t *NamedType) DatasetOption {
	return func(o *dsetOptions) {
		if t == nil {
			o.err = fmt.Errorf("WithNamedType(nil): %w", ErrType)
			return
		}
		o.dtype, o.named = t.Dtype(), t
	}
}

// SetNamed creates or replaces attribute name of the committed datatype t
// and the given shape (nil: scalar), holding value (h5py's
// attrs.create(name, data, dtype=f['t'])).
func (a *Attrs) SetNamed(name string, value any, t *NamedType, shape []uint64) error {
	if t == nil {
		return opErrf("set attribute "+name+" of", a.o.name, "nil committed type: %w", ErrType)
	}
	return a.set(name, value, t.Dtype(), shape, t.t)
}

// kindOf names what an Object is, for errors.
func kindOf(o Object) string {
	switch o.(type) {
	case *Group:
		return "a group"
	case *Dataset:
		return "a dataset"
	case *NamedType:
		return "a committed datatype"
	}
	return "an object h5file cannot read"
}
