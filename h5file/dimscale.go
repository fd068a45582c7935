package h5file

import (
	"github.com/gorun-hpc/gorun/h5core"
)

// Dimension scales as libhdf5's high-level H5DS library lays them out, and
// as h5py's dims, netCDF-4 and xarray read them:
//
//   - a scale is a dataset with CLASS = "DIMENSION_SCALE" (a 16-byte
//     NUL-terminated ASCII string) and optionally NAME (its name, a
//     NUL-terminated ASCII string of its length + 1);
//   - a dataset lists the scales of each dimension in DIMENSION_LIST: a
//     1-D attribute of rank elements, each a variable-length sequence of
//     object references;
//   - a scale lists back what it is attached to in REFERENCE_LIST: a 1-D
//     attribute of compound {dataset: object reference at 0, dimension:
//     int32 at 8}, 16 bytes (H5DS's ds_list_t with its padding);
//   - DIMENSION_LABELS holds one variable-length ASCII string per
//     dimension, NULL for an unlabelled one.
//
// All of this is attributes, so every call here is a metadata change:
// collective in a parallel file (every rank makes the same calls).

// Attribute names and the CLASS value of H5DS.
const (
	dsClass      = "CLASS"
	dsClassValue = "DIMENSION_SCALE"
	dsName       = "NAME"
	dsList       = "DIMENSION_LIST"
	dsRefList    = "REFERENCE_LIST"
	dsLabels     = "DIMENSION_LABELS"
)

// refListEntry is one REFERENCE_LIST element.
type refListEntry struct {
	Dataset   Ref   `h5:"dataset"`
	Dimension int32 `h5:"dimension"`
}

// refListType is H5DS's REFERENCE_LIST compound: 16 bytes, as libhdf5
// builds it from sizeof(ds_list_t).
func refListType() *Datatype {
	return h5core.Compound(16,
		h5core.Member{Name: "dataset", Offset: 0, Type: h5core.ObjectRefType()},
		h5core.Member{Name: "dimension", Offset: 8, Type: h5core.Int32LE})
}

// asciiString is H5DS's string attribute type: NUL-terminated ASCII of
// len(s)+1 bytes.
func asciiString(s string) *Datatype {
	return h5core.FixedString(len(s)+1, h5core.ASCII, h5core.PadNullTerm)
}

// MakeScale makes d a dimension scale called name (h5py's
// d.make_scale(name), which writes NAME even when empty).
func (d *Dataset) MakeScale(name string) error { return d.makeScale(name, true) }

// makeScale writes CLASS, and NAME if named (AttachScale makes a dataset
// a scale without a NAME, as H5DSattach_scale does).
func (d *Dataset) makeScale(name string, named bool) error {
	if d.hasAttr(dsList) {
		return opErrf("make scale", d.name, "it has dimension scales attached, and a scale cannot: %w", ErrType)
	}
	if err := d.Attrs().SetTyped(dsClass, dsClassValue, asciiString(dsClassValue), nil); err != nil {
		return err
	}
	if !named {
		return nil
	}
	return d.Attrs().SetTyped(dsName, name, asciiString(name), nil)
}

// IsScale reports whether d is a dimension scale (h5py's d.is_scale).
func (d *Dataset) IsScale() bool {
	var s string
	return d.Attrs().Read(dsClass, &s) == nil && s == dsClassValue
}

// ScaleName returns a scale's NAME ("" if it has none).
func (d *Dataset) ScaleName() string {
	var s string
	if d.Attrs().Read(dsName, &s) != nil {
		return ""
	}
	return s
}

func (d *Dataset) hasAttr(name string) bool { return d.Attrs().Contains(name) }

// Dim is one dimension of a dataset: h5py's d.dims[i].
type Dim struct {
	d *Dataset
	i int
}

// Dim returns dimension i of d (h5py's d.dims[i]).
func (d *Dataset) Dim(i int) *Dim { return &Dim{d: d, i: i} }

func (dm *Dim) check(op string) error {
	if r := len(dm.d.Shape()); dm.i < 0 || dm.i >= r {
		return opErrf(op, dm.d.name, "dimension %d of rank %d: %w", dm.i, r, ErrShape)
	}
	return nil
}

// AttachScale attaches the scale s to this dimension (h5py's
// d.dims[i].attach_scale(s)). A dataset that is not a scale yet becomes
// one without a NAME, as H5DSattach_scale does. Attaching twice is a no-op.
func (dm *Dim) AttachScale(s *Dataset) error {
	if err := dm.check("attach a scale to"); err != nil {
		return err
	}
	d := dm.d
	if d.f != s.f {
		return opErrf("attach scale", d.name, "scale %s is in another file", s.name)
	}
	if d.d == s.d {
		return opErrf("attach scale", d.name, "a dataset cannot be its own scale: %w", ErrType)
	}
	if d.IsScale() {
		return opErrf("attach scale", d.name, "scale %s: %s is itself a scale: %w", s.name, d.name, ErrType)
	}
	if sl := s.Shape(); len(sl) != 1 {
		// H5DS allows any rank, netCDF and xarray want 1-D; so do we.
		return opErrf("attach scale", d.name, "scale %s: a scale must be 1-D (shape %v): %w", s.name, sl, ErrShape)
	}
	if !s.IsScale() {
		if err := s.makeScale("", false); err != nil {
			return err
		}
	}
	sref, err := s.Ref()
	if err != nil {
		return err
	}
	dref, err := d.Ref()
	if err != nil {
		return err
	}
	list, err := d.dimList()
	if err != nil {
		return err
	}
	for _, r := range list[dm.i] {
		if r == sref {
			return nil
		}
	}
	list[dm.i] = append(list[dm.i], sref)
	back, err := s.refList()
	if err != nil {
		return err
	}
	back = append(back, refListEntry{Dataset: dref, Dimension: int32(dm.i)})
	if err := d.Attrs().SetTyped(dsList, list, VlenOf(RefType), []uint64{uint64(len(list))}); err != nil {
		return err
	}
	return s.Attrs().SetTyped(dsRefList, back, refListType(), []uint64{uint64(len(back))})
}

// DetachScale detaches s from this dimension (h5py's
// d.dims[i].detach_scale(s)); the attributes go when they become empty,
// as H5DSdetach_scale removes them.
func (dm *Dim) DetachScale(s *Dataset) error {
	if err := dm.check("detach a scale from"); err != nil {
		return err
	}
	d := dm.d
	sref, err := s.Ref()
	if err != nil {
		return err
	}
	dref, err := d.Ref()
	if err != nil {
		return err
	}
	list, err := d.dimList()
	if err != nil {
		return err
	}
	found := false
	kept := list[dm.i][:0]
	for _, r := range list[dm.i] {
		if r == sref {
			found = true
			continue
		}
		kept = append(kept, r)
	}
	if !found {
		return opErrf("detach scale", d.name, "scale %s is not attached to dimension %d: %w", s.name, dm.i, h5core.ErrNotFound)
	}
	list[dm.i] = kept
	empty := true
	for _, l := range list {
		empty = empty && len(l) == 0
	}
	if empty {
		err = d.Attrs().Delete(dsList)
	} else {
		err = d.Attrs().SetTyped(dsList, list, VlenOf(RefType), []uint64{uint64(len(list))})
	}
	if err != nil {
		return err
	}
	back, err := s.refList()
	if err != nil {
		return err
	}
	keptBack := back[:0]
	for _, e := range back {
		if e.Dataset != dref || int(e.Dimension) != dm.i {
			keptBack = append(keptBack, e)
		}
	}
	if len(keptBack) == 0 {
		if s.hasAttr(dsRefList) {
			return s.Attrs().Delete(dsRefList)
		}
		return nil
	}
	return s.Attrs().SetTyped(dsRefList, keptBack, refListType(), []uint64{uint64(len(keptBack))})
}

// Scales lists the scales attached to this dimension, in attach order
// (h5py's d.dims[i].values()).
func (dm *Dim) Scales() ([]*Dataset, error) {
	if err := dm.check("list the scales of"); err != nil {
		return nil, err
	}
	list, err := dm.d.dimList()
	if err != nil {
		return nil, err
	}
	var out []*Dataset
	for _, r := range list[dm.i] {
		o, err := dm.d.f.Deref(r)
		if err != nil {
			return nil, opErrf("dimension scales", dm.d.name, "dimension %d: %w", dm.i, err)
		}
		s, ok := o.(*Dataset)
		if !ok {
			return nil, opErrf("dimension scales", dm.d.name, "dimension %d: its scale %s is a group: %w", dm.i, o.Name(), h5core.ErrFormat)
		}
		out = append(out, s)
	}
	return out, nil
}

// SetLabel labels this dimension (h5py's d.dims[i].label = label).
func (dm *Dim) SetLabel(label string) error {
	if err := dm.check("label"); err != nil {
		return err
	}
	labels := make([]string, len(dm.d.Shape()))
	if dm.d.hasAttr(dsLabels) {
		if err := dm.d.Attrs().Read(dsLabels, &labels); err != nil {
			return opErrf("label", dm.d.name, "dimension %d: %w", dm.i, err)
		}
		if len(labels) != len(dm.d.Shape()) {
			labels = append(labels, make([]string, len(dm.d.Shape()))...)[:len(dm.d.Shape())]
		}
	}
	labels[dm.i] = label
	return dm.d.Attrs().SetTyped(dsLabels, labels, h5core.VlenString(h5core.ASCII), []uint64{uint64(len(labels))})
}

// Label returns this dimension's label, "" if it has none (h5py's
// d.dims[i].label).
func (dm *Dim) Label() (string, error) {
	if err := dm.check("read the label of"); err != nil {
		return "", err
	}
	if !dm.d.hasAttr(dsLabels) {
		return "", nil
	}
	var labels []string
	if err := dm.d.Attrs().Read(dsLabels, &labels); err != nil {
		return "", opErrf("label", dm.d.name, "dimension %d: %w", dm.i, err)
	}
	if dm.i >= len(labels) {
		return "", nil
	}
	return labels[dm.i], nil
}

// dimList reads DIMENSION_LIST, one (possibly empty) list per dimension.
func (d *Dataset) dimList() ([][]Ref, error) {
	rank := len(d.Shape())
	list := make([][]Ref, rank)
	if !d.hasAttr(dsList) {
		return list, nil
	}
	var got [][]Ref
	if err := d.Attrs().Read(dsList, &got); err != nil {
		return nil, opErrf("dimension scales", d.name, "%s: %w", dsList, err)
	}
	if len(got) != rank {
		return nil, opErrf("dimension scales", d.name, "%s has %d entries for rank %d: %w", dsList, len(got), rank, h5core.ErrFormat)
	}
	copy(list, got)
	return list, nil
}

// refList reads a scale's REFERENCE_LIST (nil if it has none).
func (d *Dataset) refList() ([]refListEntry, error) {
	if !d.hasAttr(dsRefList) {
		return nil, nil
	}
	var out []refListEntry
	if err := d.Attrs().Read(dsRefList, &out); err != nil {
		return nil, opErrf("dimension scales", d.name, "%s: %w", dsRefList, err)
	}
	return out, nil
}
