package h5file

import (
	"encoding/binary"
	"fmt"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
)

// Ref is an object reference: h5py's Reference, stored with h5py.ref_dtype
// (H5T_STD_REF_OBJ). Its value is the address of the object's header,
// which never changes (ARCHITECTURE.md, decision 5), so a Ref stays valid
// across flushes and reopens. The zero Ref is a null reference. Datasets
// and attributes of Ref (or []Ref) values are datasets and attributes of
// references; File.Deref turns one back into an object.
type Ref uint64

// IsNull reports a null reference (h5py's bool(ref) is False).
func (r Ref) IsNull() bool { return r == 0 }

// RegionRef is a dataset region reference: h5py's RegionReference, stored
// with h5py.regionref_dtype (H5T_STD_REF_DSETREG). It names a global heap
// object that holds the dataset's address and the selection. The zero
// RegionRef is a null reference. File.DerefRegion reads it back.
type RegionRef struct{ r h5core.RegionRef }

// IsNull reports a null region reference.
func (r RegionRef) IsNull() bool { return r.r == (h5core.RegionRef{}) }

// Reference datatypes, for WithDtype and SetTyped (Go's Ref and RegionRef
// map to them by themselves).
var (
	RefType       = h5core.ObjectRefType()
	RegionRefType = h5core.RegionRefType()
)

// Ref returns a reference to the object (h5py's obj.ref). An object created
// since the file was last flushed has no header address yet, so Ref
// flushes the metadata first; in a parallel file that makes Ref collective
// (every rank calls it, in the same order, as every metadata call).
func (o *object) Ref() (Ref, error) {
	if err := o.f.check(); err != nil {
		return 0, err
	}
	if a := o.core.Addr(); a != h5core.UndefinedAddr {
		return Ref(a), nil
	}
	if o.f.readOnly {
		return 0, opErrf("reference", o.name, "the object has no address in a read-only file (it was never flushed)")
	}
	if err := o.f.flush("Ref"); err != nil {
		return 0, err
	}
	a := o.core.Addr()
	if a == h5core.UndefinedAddr {
		return 0, opErrf("reference", o.name, "the object is no longer in the file: %w", h5core.ErrNotFound)
	}
	return Ref(a), nil
}

// Deref returns the object r refers to (h5py's f[ref]): a *Group or a
// *Dataset, named by one of its paths.
func (f *File) Deref(r Ref) (Object, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	o, p, err := f.model.ObjectAt(uint64(r))
	if err != nil {
		return nil, opErrf("dereference", f.path, "reference %#x: %w", uint64(r), err)
	}
	switch x := o.(type) {
	case *h5core.Group:
		return f.newGroup(p, x), nil
	case *h5core.Dataset:
		return f.newDataset(p, x), nil
	case *h5core.NamedType:
		return f.newNamedType(p, x), nil
	}
	return nil, opErrf("dereference", f.path, "reference %#x: %w", uint64(r), h5core.ErrUnsupported)
}

// RegionRef returns a reference to the selected part of the dataset
// (h5py's dset.regionref[...]). It stores the selection in the file's
// global heap, a metadata change: collective in a parallel file.
func (d *Dataset) RegionRef(sel Selection) (RegionRef, error) {
	h, err := sel.hyperslab(d.d.Shape())
	if err != nil {
		return RegionRef{}, opErr("region reference", d.name, err)
	}
	addr, err := d.Ref()
	if err != nil {
		return RegionRef{}, err
	}
	reg := h5core.Region{Dataset: uint64(addr), Kind: h5core.SelBlocks, Rank: len(h.Start)}
	switch n := numElements(h.Count); {
	case n == 0:
		reg.Kind = h5core.SelNone
	case n <= maxListedBlocks:
		reg.Blocks = hyperslabBlocks(h)
	default:
		// As a regular hyperslab (a version 2 selection, which libhdf5
		// reads from 1.10 on) rather than a list of blocks as long as
		// the selection: h5py's every-other-element of a large dataset.
		reg.Regular = &h5core.Hyperslab{Start: h.Start, Stride: orOnes(h.Stride, len(h.Start)), Count: h.Count, Block: orOnes(h.Block, len(h.Start))}
	}
	var out RegionRef
	err = d.f.apply(metaOp{name: "RegionRef", path: d.name, args: fmt.Sprint(h), fn: func() error {
		r, err := d.f.model.PutRegion(reg)
		out = RegionRef{r}
		return err
	}})
	return out, err
}

// maxListedBlocks is the most blocks a region reference lists one by one
// (a version 1 selection, which every libhdf5 reads).
const maxListedBlocks = 4096

func orOnes(s []uint64, n int) []uint64 {
	if s != nil {
		return s
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

func clone(s []uint64) []uint64 { return append([]uint64(nil), s...) }

// hyperslabBlocks lists a hyperslab's blocks as inclusive corners, in C
// order, merging nothing: what libhdf5 stores for a hyperslab selection.
func hyperslabBlocks(h h5core.Hyperslab) [][2][]uint64 {
	rank := len(h.Start)
	total := uint64(1)
	for _, c := range h.Count {
		total *= c
	}
	if total == 0 {
		return nil
	}
	at := func(s []uint64, j int) uint64 {
		if s == nil {
			return 1
		}
		return s[j]
	}
	var out [][2][]uint64
	idx := make([]uint64, rank)
	for n := uint64(0); n < total; n++ {
		lo, hi := make([]uint64, rank), make([]uint64, rank)
		for j := 0; j < rank; j++ {
			lo[j] = h.Start[j] + idx[j]*at(h.Stride, j)
			hi[j] = lo[j] + at(h.Block, j) - 1
		}
		out = append(out, [2][]uint64{lo, hi})
		for j := rank - 1; j >= 0; j-- {
			if idx[j]++; idx[j] < h.Count[j] {
				break
			}
			idx[j] = 0
		}
	}
	return out
}

// Region is what a region reference names: a dataset and a selection of
// its elements, which may be any union of blocks or a list of points.
type Region struct {
	Dataset *Dataset
	r       h5core.Region
}

// DerefRegion returns the dataset and selection r names (h5py's
// f[regref] and dset[regref]).
func (f *File) DerefRegion(r RegionRef) (*Region, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	reg, err := f.model.GetRegion(r.r)
	if err != nil {
		return nil, opErr("dereference region", f.path, err)
	}
	o, err := f.Deref(Ref(reg.Dataset))
	if err != nil {
		return nil, err
	}
	d, ok := o.(*Dataset)
	if !ok {
		return nil, opErrf("dereference region", f.path, "the region names %s, a group: %w", o.Name(), h5core.ErrFormat)
	}
	if reg.Kind != h5core.SelAll && reg.Kind != h5core.SelNone && reg.Rank != len(d.Shape()) {
		return nil, opErrf("dereference region", f.path, "a rank %d selection of %s, of rank %d: %w", reg.Rank, d.name, len(d.Shape()), h5core.ErrFormat)
	}
	return &Region{Dataset: d, r: reg}, nil
}

// Elements lists the coordinates of the selected elements in the order
// h5py's dset[regref] returns them (C order; points as given).
func (r *Region) Elements() ([][]uint64, error) {
	shape := r.Dataset.Shape()
	if last, ok := r.r.Last(); ok && !inside(last, shape) {
		return nil, opErrf("read region", r.Dataset.name, "the region reaches %v, outside the shape %v: %w", last, shape, h5core.ErrFormat)
	}
	return r.r.SortedElements(shape, numElements(shape))
}

func inside(p, shape []uint64) bool {
	if len(p) != len(shape) {
		return false
	}
	for j := range p {
		if p[j] >= shape[j] {
			return false
		}
	}
	return true
}

// ReadRegion reads the elements a region selects, in Elements' order
// (h5py's dset[regref], flattened). It reads their bounding box, so a
// region of far-apart points reads everything between them.
func ReadRegion[T any](r *Region) ([]T, error) {
	els, err := r.Elements()
	if err != nil || len(els) == 0 {
		return nil, err
	}
	rank := len(r.Dataset.Shape())
	if rank == 0 {
		return ReadAll[T](r.Dataset)
	}
	lo := append([]uint64(nil), els[0]...)
	hi := append([]uint64(nil), els[0]...)
	for _, e := range els {
		for j := range e {
			lo[j], hi[j] = min(lo[j], e[j]), max(hi[j], e[j])
		}
	}
	count := make([]uint64, rank)
	for j := range count {
		count[j] = hi[j] - lo[j] + 1
	}
	box, err := ReadSlice[T](r.Dataset, Hyperslab{Start: lo, Count: count})
	if err != nil {
		return nil, err
	}
	out := make([]T, len(els))
	for i, e := range els {
		k := uint64(0)
		for j := range e {
			k = k*count[j] + (e[j] - lo[j])
		}
		out[i] = box[k]
	}
	return out, nil
}

var (
	refGoType       = reflect.TypeFor[Ref]()
	regionRefGoType = reflect.TypeFor[RegionRef]()
)

// refGoTypeOf is the Go type references of type t read into, nil for a
// kind h5file does not handle (libhdf5 1.12's opaque H5R_ref_t).
func refGoTypeOf(t *Datatype) reflect.Type {
	switch {
	case t.RefType == h5core.RefObject && t.Size == h5core.ObjectRefSize:
		return refGoType
	case t.RefType == h5core.RefRegion && t.Size == h5core.RegionRefSize:
		return regionRefGoType
	}
	return nil
}

// encodeRef writes a Ref or RegionRef into one element of reference type t.
func encodeRef(v reflect.Value, t *Datatype, b []byte) error {
	want := refGoTypeOf(t)
	if want == nil || v.Type() != want {
		return fmt.Errorf("%w: cannot store Go %s in an HDF5 %s", ErrType, v.Type(), refKind(t))
	}
	switch r := v.Interface().(type) {
	case Ref:
		binary.LittleEndian.PutUint64(b, uint64(r))
	case RegionRef:
		r.r.Encode(b)
	}
	return nil
}

// decodeRef reads one element of reference type t into v (a Ref or a
// RegionRef).
func decodeRef(b []byte, t *Datatype, v reflect.Value) error {
	want := refGoTypeOf(t)
	if want == nil || v.Type() != want {
		return fmt.Errorf("%w: cannot read %s data into Go %s (use h5file.Ref or h5file.RegionRef)", ErrType, refKind(t), v.Type())
	}
	if want == refGoType {
		v.Set(reflect.ValueOf(Ref(binary.LittleEndian.Uint64(b))))
		return nil
	}
	r, err := h5core.DecodeRegionRef(b)
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(RegionRef{r}))
	return nil
}

func refKind(t *Datatype) string {
	switch {
	case t.RefType == h5core.RefObject && t.Size == h5core.ObjectRefSize:
		return "object reference"
	case t.RefType == h5core.RefRegion && t.Size == h5core.RegionRefSize:
		return "region reference"
	}
	return fmt.Sprintf("reference of kind %d and %d bytes", t.RefType, t.Size)
}

// Hyperslab returns the region as one Hyperslab when it is one (a single
// block, or the whole dataset), for ReadSel and WriteSel; false for
// unions of blocks, points and empty regions (use Elements or ReadRegion).
func (r *Region) Hyperslab() (Hyperslab, bool) {
	switch {
	case r.r.Kind == h5core.SelAll:
		shape := r.Dataset.Shape()
		return Hyperslab{Start: make([]uint64, len(shape)), Count: append([]uint64(nil), shape...)}, true
	case r.r.Kind == h5core.SelBlocks && r.r.Regular != nil:
		if last, _ := r.r.Last(); !inside(last, r.Dataset.Shape()) {
			return Hyperslab{}, false
		}
		h := r.r.Regular
		return Hyperslab{Start: clone(h.Start), Stride: clone(h.Stride), Count: clone(h.Count), Block: clone(h.Block)}, true
	case r.r.Kind == h5core.SelBlocks && len(r.r.Blocks) == 1:
		b := r.r.Blocks[0]
		if !inside(b[1], r.Dataset.Shape()) {
			return Hyperslab{}, false
		}
		count := make([]uint64, len(b[0]))
		for j := range count {
			count[j] = b[1][j] - b[0][j] + 1
		}
		return Hyperslab{Start: append([]uint64(nil), b[0]...), Count: count}, true
	}
	return Hyperslab{}, false
}
