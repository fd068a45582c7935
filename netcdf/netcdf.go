package netcdf

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gorun-hpc/gorun/h5file"
)

// Unlimited as a dimension's length in DefDim makes it netCDF's unlimited
// (record) dimension: it starts at 0 and grows with Grow.
const Unlimited = 0

// noVarName is netCDF-C's NAME for a dimension without a coordinate
// variable (DIM_WITHOUT_VARIABLE), followed by the length in %10d.
const noVarName = "This is a netCDF dimension but not a netCDF variable."

// Attribute names netCDF-C gives meaning to.
const (
	attrDimID      = "_Netcdf4Dimid"
	attrCoords     = "_Netcdf4Coordinates"
	attrProperties = "_NCProperties"
	attrFill       = "_FillValue"
)

// properties is this package's _NCProperties: netCDF-C's provenance
// syntax (version=2, then key=value pairs).
const properties = "version=2,gorun=netcdf"

// ErrNotNetCDF is matched by errors about a file that lacks what a
// netCDF-4 file has (a variable dimension without a scale, a scale
// without a name).
var ErrNotNetCDF = errors.New("netcdf: not a netCDF-4 file this package can modify")

// File is a netCDF-4 file being written or appended to.
type File struct {
	h5     *h5file.File
	dims   []*Dim // in dimension id order
	vars   []*Var // in definition (or file) order
	ended  bool   // EndDef done: scales exist and are attached
	opened bool   // opened, not created: the scales exist already
}

// Dim is a netCDF dimension.
type Dim struct {
	Name      string
	unlimited bool
	length    uint64
	id        int
	coord     *Var            // its coordinate variable, if any
	scale     *h5file.Dataset // the dimension scale, once it exists
}

// Unlimited reports whether d is the unlimited (record) dimension.
func (d *Dim) Unlimited() bool { return d.unlimited }

// Len is the dimension's current length.
func (d *Dim) Len() uint64 { return d.length }

// Var is a netCDF variable: an HDF5 dataset with named dimensions.
type Var struct {
	Name string
	Dims []*Dim
	ds   *h5file.Dataset
}

// Dataset is the variable's HDF5 dataset: write its data with WriteSel or
// Collective().WriteSel, read it with ReadSel.
func (v *Var) Dataset() *h5file.Dataset { return v.ds }

// Attrs are the variable's attributes (numbers and arrays as h5file writes
// them; use SetText for netCDF text).
func (v *Var) Attrs() *h5file.Attrs { return v.ds.Attrs() }

// SetText sets a text attribute as netCDF-C writes one (NC_CHAR: a
// fixed-length ASCII string), so ncdump shows `name = "value"`.
func (v *Var) SetText(name, value string) error { return setText(v.ds.Attrs(), name, value) }

// SetText sets a global text attribute (netCDF's NC_GLOBAL).
func (f *File) SetText(name, value string) error { return setText(f.h5.Attrs(), name, value) }

// Attrs are the file's global attributes.
func (f *File) Attrs() *h5file.Attrs { return f.h5.Attrs() }

func setText(a *h5file.Attrs, name, value string) error {
	n := max(len(value), 1) // HDF5 has no zero-size string type
	return a.SetTyped(name, value, textType(n), nil)
}

// textType is netCDF-C's NC_CHAR attribute type: H5T_C_S1 of n bytes,
// NUL-terminated padding, ASCII.
func textType(n int) *h5file.Datatype {
	t := h5file.FixedString(n, false)
	t.Pad = 0 // H5T_STR_NULLTERM
	return t
}

// H5 is the underlying HDF5 file (for groups, attributes and data that
// netCDF has no word for).
func (f *File) H5() *h5file.File { return f.h5 }

// Create creates a netCDF-4 file at path (mode "w" truncates, "w-" fails
// if it exists); opts are h5file's (WithComm for a parallel file).
func Create(path, mode string, opts ...h5file.Option) (*File, error) {
	h, err := h5file.Create(path, mode, opts...)
	if err != nil {
		return nil, err
	}
	f := &File{h5: h}
	if err := setText(h.Attrs(), attrProperties, properties); err != nil {
		h.Close()
		return nil, err
	}
	return f, nil
}

// DefDim defines a dimension of the given length, or Unlimited.
func (f *File) DefDim(name string, length uint64) (*Dim, error) {
	if f.ended {
		return nil, fmt.Errorf("netcdf: define dimension %s after EndDef", name)
	}
	if name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("netcdf: dimension name %q: names are non-empty and hold no '/'", name)
	}
	if f.Dim(name) != nil {
		return nil, fmt.Errorf("netcdf: dimension %s: %w", name, h5file.ErrExists)
	}
	d := &Dim{Name: name, unlimited: length == Unlimited, length: length, id: len(f.dims)}
	f.dims = append(f.dims, d)
	return d, nil
}

// Dim returns the dimension called name, nil if there is none.
func (f *File) Dim(name string) *Dim {
	for _, d := range f.dims {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Var returns the variable called name, nil if there is none.
func (f *File) Var(name string) *Var {
	for _, v := range f.vars {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Dims lists the dimensions in id order; Vars the variables.
func (f *File) Dims() []*Dim { return append([]*Dim(nil), f.dims...) }

// Vars lists the variables in definition (or, opened, name) order.
func (f *File) Vars() []*Var { return append([]*Var(nil), f.vars...) }

// VarOption configures DefVar.
type VarOption func(*varOptions)

type varOptions struct {
	fill   any
	chunks []uint64
	gzip   int
}

// FillValue sets the variable's _FillValue (attribute and HDF5 fill value).
func FillValue(v any) VarOption { return func(o *varOptions) { o.fill = v } }

// Chunks sets the chunk shape (default: one record along the unlimited
// dimension, whole along the others, at most about 4 MiB).
func Chunks(dims ...uint64) VarOption { return func(o *varOptions) { o.chunks = dims } }

// Deflate compresses the variable at level 1..9 (netCDF's nc_def_var_deflate).
func Deflate(level int) VarOption { return func(o *varOptions) { o.gzip = level } }

// DefVar defines a variable of HDF5 type dtype (h5file.Float32LE, ...)
// over the named dimensions (outermost first). A 1-D variable named after
// its dimension is that dimension's coordinate variable.
func (f *File) DefVar(name string, dtype *h5file.Datatype, dims []string, opts ...VarOption) (*Var, error) {
	if f.ended {
		return nil, fmt.Errorf("netcdf: define variable %s after EndDef", name)
	}
	var o varOptions
	for _, opt := range opts {
		opt(&o)
	}
	v := &Var{Name: name}
	for _, dn := range dims {
		d := f.Dim(dn)
		if d == nil {
			return nil, fmt.Errorf("netcdf: variable %s: no dimension %s (DefDim it first): %w", name, dn, h5file.ErrNotFound)
		}
		v.Dims = append(v.Dims, d)
	}
	if d := f.Dim(name); d != nil {
		if len(v.Dims) != 1 || v.Dims[0] != d {
			return nil, fmt.Errorf("netcdf: variable %s has a dimension's name but is not its coordinate variable %s(%s)", name, name, name)
		}
		d.coord = v
	}
	shape, maxShape, unlimited := f.shapes(v.Dims)
	hopts := []h5file.DatasetOption{}
	if unlimited || o.chunks != nil || o.gzip > 0 {
		chunks := o.chunks
		if chunks == nil {
			chunks = defaultChunks(v.Dims, dtype.Size)
		}
		hopts = append(hopts, h5file.MaxShape(maxShape...), h5file.Chunks(chunks...))
	}
	if o.gzip > 0 {
		hopts = append(hopts, h5file.Gzip(o.gzip))
	}
	if o.fill != nil {
		hopts = append(hopts, h5file.FillValue(o.fill))
	}
	ds, err := f.h5.CreateDataset(name, dtype, shape, hopts...)
	if err != nil {
		return nil, err
	}
	v.ds = ds
	if o.fill != nil {
		if err := ds.Attrs().SetTyped(attrFill, o.fill, dtype, []uint64{1}); err != nil {
			return nil, err
		}
	}
	if d := f.Dim(name); d != nil {
		d.scale = ds
		if err := ds.MakeScale(name); err != nil {
			return nil, err
		}
		if err := ds.Attrs().Set(attrDimID, int32(d.id)); err != nil {
			return nil, err
		}
	}
	f.vars = append(f.vars, v)
	return v, nil
}

// shapes is the current and maximum shape of a variable over dims.
func (f *File) shapes(dims []*Dim) (shape, maxShape []uint64, unlimited bool) {
	for _, d := range dims {
		shape = append(shape, d.length)
		if d.unlimited {
			maxShape = append(maxShape, h5file.Unlimited)
			unlimited = true
		} else {
			maxShape = append(maxShape, d.length)
		}
	}
	return shape, maxShape, unlimited
}

// defaultChunks is one record along unlimited dimensions (1024 for a 1-D
// record variable, as netCDF-C), whole along the others, halved from the
// outermost fixed dimension while the chunk is over 4 MiB.
func defaultChunks(dims []*Dim, size uint32) []uint64 {
	c := make([]uint64, len(dims))
	for i, d := range dims {
		c[i] = max(d.length, 1)
		if d.unlimited {
			c[i] = 1
			if len(dims) == 1 {
				c[i] = 1024
			}
		}
	}
	bytes := func() uint64 {
		n := uint64(size)
		for _, x := range c {
			n *= x
		}
		return n
	}
	for i := 0; i < len(c) && bytes() > 4<<20; {
		if c[i] > 1 {
			c[i] = (c[i] + 1) / 2
		} else {
			i++
		}
	}
	return c
}

// EndDef ends the definitions: it makes the scale of every dimension that
// has no coordinate variable and attaches every variable's dimensions.
// Close calls it if it was not called.
func (f *File) EndDef() error {
	if f.ended {
		return nil
	}
	for _, d := range f.dims {
		if d.scale != nil {
			continue
		}
		_, maxShape, unlimited := f.shapes([]*Dim{d})
		opts := []h5file.DatasetOption{}
		if unlimited {
			opts = append(opts, h5file.MaxShape(maxShape...), h5file.Chunks(1024))
		}
		ds, err := f.h5.CreateDataset(d.Name, h5file.Float32BE, []uint64{d.length}, opts...)
		if err != nil {
			return err
		}
		if err := ds.MakeScale(fmt.Sprintf("%s%10d", noVarName, d.length)); err != nil {
			return err
		}
		if err := ds.Attrs().Set(attrDimID, int32(d.id)); err != nil {
			return err
		}
		d.scale = ds
	}
	for _, v := range f.vars {
		// The dimension ids of each variable, as netCDF-C 4.9 writes them
		// for every variable (it reads them instead of matching scales).
		ids := make([]int32, len(v.Dims))
		for i, d := range v.Dims {
			ids[i] = int32(d.id)
		}
		if len(ids) > 0 {
			if err := v.ds.Attrs().Set(attrCoords, ids); err != nil {
				return err
			}
		}
		if len(v.Dims) == 1 && v.Dims[0].coord == v {
			continue // a scale is not attached to itself
		}
		for i, d := range v.Dims {
			if err := v.ds.Dim(i).AttachScale(d.scale); err != nil {
				return err
			}
		}
	}
	f.ended = true
	return nil
}

// Grow sets the length of the unlimited dimension name to n (collective):
// every variable over it is resized, new records reading as the fill
// value until written.
func (f *File) Grow(name string, n uint64) error {
	d := f.Dim(name)
	if d == nil {
		return fmt.Errorf("netcdf: grow %s: no such dimension: %w", name, h5file.ErrNotFound)
	}
	if !d.unlimited {
		return fmt.Errorf("netcdf: grow %s: a fixed dimension of length %d cannot grow", name, d.length)
	}
	if n < d.length {
		return fmt.Errorf("netcdf: grow %s to %d: it has %d records, and netCDF never shrinks a dimension", name, n, d.length)
	}
	if err := f.EndDef(); err != nil {
		return err
	}
	for _, v := range f.vars {
		shape := v.ds.Shape()
		changed := false
		for i, vd := range v.Dims {
			if vd == d && shape[i] != n {
				shape[i] = n
				changed = true
			}
		}
		if changed {
			if err := v.ds.Resize(shape...); err != nil {
				return err
			}
		}
	}
	if d.coord == nil && d.scale != nil && d.scale.Shape()[0] != n {
		if err := d.scale.Resize(n); err != nil {
			return err
		}
	}
	d.length = n
	return nil
}

// Close ends the definitions if needed and closes the file (collective).
func (f *File) Close() error {
	if err := f.EndDef(); err != nil {
		f.h5.Close()
		return err
	}
	return f.h5.Close()
}

// Open opens an existing netCDF-4 file (mode "r" or "r+") and reads its
// root group's dimensions and variables from the dimension scales,
// whichever tool wrote it. opts are h5file's (WithComm for a parallel
// job: every rank opens it).
func Open(path, mode string, opts ...h5file.Option) (*File, error) {
	h, err := h5file.Open(path, mode, opts...)
	if err != nil {
		return nil, err
	}
	f := &File{h5: h, ended: true, opened: true}
	if err := f.load(); err != nil {
		h.Close()
		return nil, fmt.Errorf("netcdf: open %s: %w", path, err)
	}
	return f, nil
}

// load finds the root group's dimensions (scales) and variables.
func (f *File) load() error {
	names, err := f.h5.Keys()
	if err != nil {
		return err
	}
	type scale struct {
		ds *h5file.Dataset
		id int
	}
	var scales []scale
	var others []*h5file.Dataset
	for _, n := range names {
		o, err := f.h5.Get(n)
		if err != nil {
			continue // what this package cannot read is no variable of ours
		}
		ds, ok := o.(*h5file.Dataset)
		if !ok {
			continue
		}
		if !ds.IsScale() {
			others = append(others, ds)
			continue
		}
		id := -1
		if v, err := h5file.AttrValue[int32](ds, attrDimID); err == nil {
			id = int(v)
		}
		scales = append(scales, scale{ds, id})
	}
	// Dimension ids: _Netcdf4Dimid where present, then the others in
	// name order (as netCDF-C numbers a pure HDF5 file's scales).
	sort.SliceStable(scales, func(a, b int) bool {
		ia, ib := scales[a].id, scales[b].id
		if (ia < 0) != (ib < 0) {
			return ia >= 0
		}
		return ia < ib
	})
	byScale := map[h5file.Ref]*Dim{}
	for i, s := range scales {
		shape := s.ds.Shape()
		if len(shape) != 1 {
			return fmt.Errorf("dimension scale %s is %d-D: %w", s.ds.Name(), len(shape), ErrNotNetCDF)
		}
		d := &Dim{Name: strings.TrimPrefix(s.ds.Name(), "/"), length: shape[0], id: i, scale: s.ds,
			unlimited: s.ds.MaxShape()[0] == h5file.Unlimited}
		if !strings.HasPrefix(s.ds.ScaleName(), noVarName) {
			v := &Var{Name: d.Name, Dims: []*Dim{d}, ds: s.ds}
			d.coord = v
			f.vars = append(f.vars, v)
		}
		r, err := s.ds.Ref()
		if err != nil {
			return err
		}
		byScale[r] = d
		f.dims = append(f.dims, d)
	}
	for _, ds := range others {
		v := &Var{Name: strings.TrimPrefix(ds.Name(), "/"), ds: ds}
		for i := range ds.Shape() {
			ss, err := ds.Dim(i).Scales()
			if err != nil {
				return err
			}
			if len(ss) == 0 {
				return fmt.Errorf("dimension %d of variable %s has no dimension scale (a phony dimension): %w", i, v.Name, ErrNotNetCDF)
			}
			r, err := ss[0].Ref()
			if err != nil {
				return err
			}
			d := byScale[r]
			if d == nil {
				return fmt.Errorf("dimension %d of variable %s is scale %s, outside the root group: %w", i, v.Name, ss[0].Name(), ErrNotNetCDF)
			}
			v.Dims = append(v.Dims, d)
		}
		f.vars = append(f.vars, v)
	}
	// An unlimited dimension is as long as its longest variable
	// (netCDF-C's rule): a dimension without a variable may lag.
	for _, v := range f.vars {
		for i, d := range v.Dims {
			if d.unlimited {
				d.length = max(d.length, v.ds.Shape()[i])
			}
		}
	}
	return nil
}
