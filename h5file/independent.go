package h5file

import (
	"errors"
	"fmt"
	"path"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
)

// Ranks that create their own objects (ARCHITECTURE.md, decision 18).
// libhdf5 makes every rank repeat every create call with the same
// arguments; a rank that wants a group of its own (its particles, its
// diagnostics) must tell every other rank. Here a rank may create
// objects alone through File.Independent: the creations are logged on
// that rank, not applied, and at the next Flush or Close (collective, as
// always) the ranks allgather their logs and every rank applies every
// rank's creations in rank order (independent_merge.go decides the order
// and the collisions; independent_apply.go applies them). The model stays
// identical on every rank, and the file on disk changes only at that flush,
// so a rank killed before it leaves the file as of the flush before.

// ErrPending is returned by PendingGroup.Group and PendingDataset.Dataset
// (and the calls that need the object in the file) before the Flush or
// Close that puts this rank's own creations in the file.
var ErrPending = errors.New("h5file: created by this rank alone; in the file after the next Flush or Close")

// Independent is one rank's way to create groups, datasets and
// attributes without the other ranks: the Go of a create call that only
// this rank makes, which libhdf5 (and so h5py's mpio driver) forbids.
// Creations wait on this rank until the next Flush or Close, which every
// rank calls as always; there every rank applies every rank's creations,
// rank 0's first, then 1's, and so on. Until then the new objects are
// not in the file (other ranks, Get and h5py do not see them); after it
// they are ordinary objects on every rank.
//
// Names must differ between ranks: two ranks creating the same path (or
// the same attribute of an object) in one epoch make that Flush fail on
// every rank with a *CollisionError naming both ranks
// (errors.Is(err, ErrCollision)), and no rank's own creations of the
// epoch are applied. A rank may create objects inside a group another
// rank creates in the same epoch, and any number of ranks may create
// objects inside the same new intermediate group.
//
// Data written to a pending dataset is held in this rank's memory (a
// copy, as many bytes as written) until the flush, where it goes to the
// file like any independent write: write large data after the flush, to
// the dataset itself. A serial file (no communicator) behaves the same:
// creations wait for the next Flush or Close.
type Independent struct{ f *File }

// Independent returns this rank's handle for creating objects alone.
// Paths are relative to the root group.
func (f *File) Independent() *Independent { return &Independent{f: f} }

// indepState is a file's log of this rank's own creations since the last
// flush (File.indep).
type indepState struct {
	ops   []indepOp
	local [][]byte // the bytes of local and collective writes, by indepOp.Local
	// made maps each path this rank created to its op's kind; inside
	// lists the intermediate groups its creations need.
	made   map[string]uint8
	inside map[string]bool
	attrs  map[string]int // path@name -> its op's index
	held   uint64         // bytes held for writes (memory cost)
	epoch  *indepEpoch
}

// indepEpoch is the outcome of one epoch's merge, shared by its pending
// objects: done once a Flush or Close took the log; err if it failed.
type indepEpoch struct {
	done bool
	err  error
}

func (f *File) indepLog() *indepState {
	if f.indep == nil {
		f.indep = &indepState{made: map[string]uint8{}, inside: map[string]bool{}, attrs: map[string]int{}, epoch: &indepEpoch{}}
	}
	return f.indep
}

// pendingOps reports whether this rank holds creations for the next flush.
func (f *File) pendingOps() bool { return f.indep != nil && len(f.indep.ops) > 0 }

// HeldBytes is how many bytes of data this rank holds for its pending
// datasets until the next Flush or Close.
func (in *Independent) HeldBytes() uint64 {
	if in.f.indep == nil {
		return 0
	}
	return in.f.indep.held
}

// pending is what a pending group and dataset share.
type pending struct {
	f     *File
	name  string
	epoch *indepEpoch
}

// resolved is the object once its epoch was applied.
func (p *pending) resolved() (Object, error) {
	if err := p.f.check(); err != nil {
		return nil, err
	}
	if !p.epoch.done {
		return nil, opErr("open", p.name, ErrPending)
	}
	if p.epoch.err != nil {
		return nil, opErrf("open", p.name, "the flush that was to create it failed: %w", p.epoch.err)
	}
	return p.f.root.Get(p.name)
}

// PendingGroup is a group this rank created alone (Independent): in the
// file after the next Flush or Close.
type PendingGroup struct{ pending }

// PendingDataset is a dataset this rank created alone (Independent).
// Its data may be written before the flush (held in this rank's memory).
type PendingDataset struct {
	pending
	spec  h5core.DatasetSpec
	model *h5core.Dataset // in a scratch model: shape, layout, filters
}

// CreateGroup creates group p (and its missing intermediate groups) for
// this rank alone. It fails at once with ErrExists if the file or this
// rank's pending creations hold p.
func (in *Independent) CreateGroup(p string) (*PendingGroup, error) {
	return in.createGroup(join("/", p))
}

// CreateDataset creates a dataset for this rank alone, with
// CreateDataset's arguments and options.
func (in *Independent) CreateDataset(p string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*PendingDataset, error) {
	o := dsetOptions{dtype: dtype, shape: shape, shapeSet: true}
	for _, opt := range opts {
		opt(&o)
	}
	return in.createDataset(join("/", p), o)
}

// CreateDatasetFrom creates a dataset holding data for this rank alone,
// as Group.CreateDatasetFrom; the data is held until the flush.
func (in *Independent) CreateDatasetFrom(p string, data any, opts ...DatasetOption) (*PendingDataset, error) {
	full := join("/", p)
	o, err := fromDataOptions(full, data, opts)
	if err != nil {
		return nil, err
	}
	return in.createDataset(full, o)
}

// Attrs is the attribute set of an object the file already holds (or
// this rank created alone), for setting attributes alone.
func (in *Independent) Attrs(p string) *PendingAttrs {
	return &PendingAttrs{f: in.f, name: join("/", p)}
}

// CreateGroup creates group p inside g for this rank alone.
func (g *PendingGroup) CreateGroup(p string) (*PendingGroup, error) {
	return g.f.Independent().createGroup(join(g.name, p))
}

// CreateDataset creates a dataset inside g for this rank alone.
func (g *PendingGroup) CreateDataset(p string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*PendingDataset, error) {
	return g.f.Independent().CreateDataset(join(g.name, p), dtype, shape, opts...)
}

// CreateDatasetFrom creates a dataset holding data inside g for this
// rank alone.
func (g *PendingGroup) CreateDatasetFrom(p string, data any, opts ...DatasetOption) (*PendingDataset, error) {
	return g.f.Independent().CreateDatasetFrom(join(g.name, p), data, opts...)
}

// Attrs is the group's attribute set, set by this rank alone.
func (g *PendingGroup) Attrs() *PendingAttrs { return &PendingAttrs{f: g.f, name: g.name} }

// Name is the group's full path.
func (g *PendingGroup) Name() string { return g.name }

// Group is the group in the file, after the flush that created it.
func (g *PendingGroup) Group() (*Group, error) {
	o, err := g.resolved()
	if err != nil {
		return nil, err
	}
	gr, ok := o.(*Group)
	if !ok {
		return nil, opErrf("open group", g.name, "it is a dataset: %w", ErrType)
	}
	return gr, nil
}

// Attrs is the dataset's attribute set, set by this rank alone.
func (d *PendingDataset) Attrs() *PendingAttrs { return &PendingAttrs{f: d.f, name: d.name} }

// Name is the dataset's full path.
func (d *PendingDataset) Name() string { return d.name }

// Shape is the dataset's shape.
func (d *PendingDataset) Shape() []uint64 { return d.model.Shape() }

// Dtype is the dataset's type.
func (d *PendingDataset) Dtype() *Datatype { return d.model.Type() }

// Dataset is the dataset in the file, after the flush that created it.
func (d *PendingDataset) Dataset() (*Dataset, error) {
	o, err := d.resolved()
	if err != nil {
		return nil, err
	}
	ds, ok := o.(*Dataset)
	if !ok {
		return nil, opErrf("open dataset", d.name, "it is a group: %w", ErrType)
	}
	return ds, nil
}

// Write writes data over the whole dataset (as Dataset.Write). Before the
// flush the data is copied and held on this rank; after it, this is the
// dataset's own Write.
func (d *PendingDataset) Write(data any) error {
	return d.WriteSel(Hyperslab(h5core.All(d.model.Shape())), data)
}

// WriteSel writes data into the selected part of the dataset (as
// Dataset.WriteSel), held on this rank until the flush. A compressed
// dataset's held data is written collectively at the flush (every rank
// takes part there, without any call of its own); after the flush, write
// it as any compressed dataset (Dataset.Collective).
func (d *PendingDataset) WriteSel(sel Selection, data any) error {
	f := d.f
	if d.epoch.done {
		ds, err := d.Dataset()
		if err != nil {
			return err
		}
		return ds.WriteSel(sel, data)
	}
	if err := f.checkWrite(); err != nil {
		return err
	}
	if d.model.IsNull() {
		return opErrf("write", d.name, "the dataset is empty (h5py.Empty: no elements to write): %w", ErrShape)
	}
	shape := d.model.Shape()
	h, err := sel.hyperslab(shape)
	if err == nil {
		err = h.Check(shape)
	}
	if err != nil {
		return opErrf("write", d.name, "%w: %w", ErrShape, err)
	}
	t := d.model.Type()
	var vc vlenCapture
	buf, err := encodeWith(vc.codec(), data, t, h.NumElements(), true)
	if err != nil {
		return opErr("write", d.name, err)
	}
	if t.HasVlen() {
		if _, err := vlenOffsets(t); err != nil {
			return opErr("write", d.name, err)
		}
	}
	s := f.indepLog()
	op := indepOp{Kind: indepWrite, Path: d.name, Start: h.Start, Stride: h.Stride, Count: h.Count, Block: h.Block,
		Value: indepValue{Counts: vc.counts, Data: vc.data}}
	switch {
	case d.model.Layout() == h5core.LayoutCompact:
		op.Mode = writeShared
		op.Value.Buf = buf
	case len(d.model.Filters()) > 0:
		op.Mode = writeCollective
	default:
		op.Mode = writeLocal
	}
	if op.Mode != writeShared {
		op.Local = len(s.local)
		s.local = append(s.local, buf)
	}
	s.ops = append(s.ops, op)
	s.held += uint64(len(buf))
	for _, p := range vc.data {
		s.held += uint64(len(p))
	}
	return nil
}

// PendingAttrs sets attributes of one object for this rank alone: h5py's
// obj.attrs[name] = value, applied at the next Flush or Close.
type PendingAttrs struct {
	f    *File
	name string
}

// Set creates or replaces attribute name with value, typed as Attrs.Set
// types it.
func (a *PendingAttrs) Set(name string, value any) error {
	v := reflect.ValueOf(value)
	if !v.IsValid() {
		return opErrf("set attribute "+name+" of", a.name, "nil value: %w", ErrType)
	}
	t, err := TypeOf(v.Type())
	if err != nil {
		return opErr("set attribute "+name+" of", a.name, err)
	}
	var shape []uint64
	if isList(v, t) {
		shape = []uint64{uint64(v.Len())}
	}
	return a.SetTyped(name, value, t, shape)
}

// SetTyped creates or replaces attribute name of the given type and shape
// (nil: scalar), as Attrs.SetTyped.
func (a *PendingAttrs) SetTyped(name string, value any, dtype *Datatype, shape []uint64) error {
	f := a.f
	what := "set attribute " + name + " of"
	if err := f.checkWrite(); err != nil {
		return err
	}
	if dtype == nil {
		return opErrf(what, a.name, "nil type: %w", ErrType)
	}
	if name == "" {
		return opErrf(what, a.name, "an attribute needs a name: %w", ErrType)
	}
	s := f.indepLog()
	if _, mine := s.made[a.name]; !mine && !s.inside[a.name] && a.name != "/" {
		o, err := f.model.Root().Lookup(a.name)
		if err != nil {
			return opErrf(what, a.name, "neither the file nor this rank's own creations hold it: %w", err)
		}
		if _, ok := o.(*h5core.Group); !ok {
			if _, ok := o.(*h5core.Dataset); !ok {
				return opErrf(what, a.name, "it is neither a group nor a dataset: %w", ErrType)
			}
		}
	}
	var vc vlenCapture
	buf, err := encodeWith(vc.codec(), value, dtype, numElements(shape), true)
	if err != nil {
		return opErr(what, a.name, err)
	}
	if dtype.HasVlen() {
		if _, err := vlenOffsets(dtype); err != nil {
			return opErr(what, a.name, err)
		}
	}
	op := indepOp{Kind: indepAttr, Path: a.name, Attr: name, Type: dtype, Shape: shape,
		Value: indepValue{Buf: buf, Counts: vc.counts, Data: vc.data}}
	key := a.name + "@" + name
	if i, ok := s.attrs[key]; ok {
		s.ops[i] = op // set again in the same epoch: the last value wins, as in h5py
		return nil
	}
	s.attrs[key] = len(s.ops)
	s.ops = append(s.ops, op)
	return nil
}

// createGroup logs a group creation at full (absolute, clean).
func (in *Independent) createGroup(full string) (*PendingGroup, error) {
	s, err := in.claim("create group", full, indepGroup)
	if err != nil {
		return nil, err
	}
	s.ops = append(s.ops, indepOp{Kind: indepGroup, Path: full})
	return &PendingGroup{pending{f: in.f, name: full, epoch: s.epoch}}, nil
}

// createDataset logs a dataset creation, its spec checked now (in a
// scratch model) so that a bad argument fails here, not at the flush.
func (in *Independent) createDataset(full string, o dsetOptions) (*PendingDataset, error) {
	if o.named != nil {
		return nil, opErrf("create dataset", full, "a rank's own dataset cannot share a committed type (%s) yet: pass the type itself (its Dtype()): %w", o.named.name, h5core.ErrUnsupported)
	}
	spec, err := o.spec(full)
	if err != nil {
		return nil, err
	}
	scratch, err := h5core.NewFile().Root().CreateDataset(full, spec)
	if err != nil {
		return nil, opErr("create dataset", full, err)
	}
	s, err := in.claim("create dataset", full, indepDataset)
	if err != nil {
		return nil, err
	}
	s.ops = append(s.ops, indepOp{Kind: indepDataset, Path: full, Spec: &spec})
	d := &PendingDataset{pending: pending{f: in.f, name: full, epoch: s.epoch}, spec: spec, model: scratch}
	if o.data != nil {
		if err := d.Write(o.data); err != nil {
			in.unclaim(full)
			return nil, err
		}
	}
	return d, nil
}

// claim checks that this rank may create full now: the file does not hold
// it, this rank did not create it or a dataset above it, and every
// intermediate the file holds is a group. Other ranks' creations are
// checked at the flush.
func (in *Independent) claim(op, full string, kind uint8) (*indepState, error) {
	f := in.f
	if err := f.checkWrite(); err != nil {
		return nil, err
	}
	if full == "/" {
		return nil, opErrf(op, full, "the root group exists: %w", ErrExists)
	}
	s := f.indepLog()
	if _, ok := s.made[full]; ok || s.inside[full] {
		return nil, opErrf(op, full, "this rank already created it since the last flush: %w", ErrExists)
	}
	// Ancestors from the top: below one the file does not hold, nothing
	// is in the file (and a rank's new group of a thousand datasets costs
	// no failed lookup each).
	var up []string
	for p := path.Dir(full); p != "/"; p = path.Dir(p) {
		up = append(up, p)
	}
	inFile := true
	for i := len(up) - 1; i >= 0; i-- {
		p := up[i]
		if k, ok := s.made[p]; ok {
			if k == indepDataset {
				return nil, opErrf(op, full, "%s is a dataset this rank created: %w", p, ErrType)
			}
			inFile = false
			continue
		}
		if !inFile || s.inside[p] {
			inFile = false
			continue
		}
		o, err := f.model.Root().Lookup(p)
		if err != nil {
			if errors.Is(err, h5core.ErrNotFound) {
				inFile = false
				continue
			}
			return nil, opErr(op, full, err)
		}
		if _, ok := o.(*h5core.Group); !ok {
			return nil, opErrf(op, full, "%s is not a group: %w", p, ErrType)
		}
	}
	if inFile {
		if _, err := f.model.Root().Lookup(full); err == nil || !errors.Is(err, h5core.ErrNotFound) {
			return nil, opErrf(op, full, "the file already holds it: %w", ErrExists)
		}
	}
	s.made[full] = kind
	for p := path.Dir(full); p != "/"; p = path.Dir(p) {
		s.inside[p] = true
	}
	return s, nil
}

// unclaim takes back the last creation (CreateDatasetFrom whose data
// could not be encoded): h5py checks the data before it creates anything.
func (in *Independent) unclaim(full string) {
	s := in.f.indep
	delete(s.made, full)
	for i := len(s.ops) - 1; i >= 0; i-- {
		if s.ops[i].Path == full && s.ops[i].Kind == indepDataset {
			s.ops = append(s.ops[:i], s.ops[i+1:]...)
			break
		}
	}
	// attrs and inside are rebuilt from what is left.
	s.attrs = map[string]int{}
	for i, op := range s.ops {
		if op.Kind == indepAttr {
			s.attrs[op.Path+"@"+op.Attr] = i
		}
	}
	s.inside = map[string]bool{}
	for p := range s.made {
		for q := path.Dir(p); q != "/"; q = path.Dir(q) {
			s.inside[q] = true
		}
	}
}

// String is the op as an error message names it.
func (op *indepOp) String() string {
	switch op.Kind {
	case indepGroup:
		return fmt.Sprintf("CreateGroup(%q)", op.Path)
	case indepDataset:
		return fmt.Sprintf("CreateDataset(%q)", op.Path)
	case indepAttr:
		return fmt.Sprintf("SetAttr(%q)", op.Path+"@"+op.Attr)
	}
	return fmt.Sprintf("Write(%q)", op.Path)
}
