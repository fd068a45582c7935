package h5file

import (
	"fmt"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
)

// CopyOption configures Copy and CopyObject: h5py's copy keywords.
type CopyOption func(*copyOptions)

type copyOptions struct {
	shallow, withoutAttrs, expandSoft, expandExternal bool
}

// Shallow copies a group and its immediate members only: member groups are
// copied empty (h5py's shallow=True).
func Shallow() CopyOption { return func(o *copyOptions) { o.shallow = true } }

// WithoutAttrs copies no attributes (h5py's without_attrs=True).
func WithoutAttrs() CopyOption { return func(o *copyOptions) { o.withoutAttrs = true } }

// ExpandSoftLinks copies the objects soft links point to instead of the
// links (h5py's expand_soft=True).
func ExpandSoftLinks() CopyOption { return func(o *copyOptions) { o.expandSoft = true } }

// ExpandExternalLinks copies the objects external links point to instead
// of the links (h5py's expand_external=True).
func ExpandExternalLinks() CopyOption { return func(o *copyOptions) { o.expandExternal = true } }

// Copy copies the object at src to dst, both paths relative to g (h5py's
// g.copy(src, dst)): a group with everything below it, a dataset with its
// type, shape, chunks, filters, fill value, attributes and data, or a
// committed datatype. Objects hard-linked twice inside the copied tree
// stay one object in the copy. In a parallel file Copy is collective:
// every rank calls it, and each writes a share of the data.
func (g *Group) Copy(src, dst string, opts ...CopyOption) error {
	o, err := g.Get(src)
	if err != nil {
		return opErrf("copy", join(g.name, src), "to %s: %w", join(g.name, dst), err)
	}
	parent, name, err := g.copyParent(dst)
	if err != nil {
		return err
	}
	return CopyObject(o, parent, name, opts...)
}

// copyParent returns the group that will hold dst (created if missing)
// and the last element of dst.
func (g *Group) copyParent(dst string) (*Group, string, error) {
	dir, name := splitLast(dst)
	if name == "" {
		return nil, "", opErrf("copy", join(g.name, dst), "the destination needs a name")
	}
	if dir == "" {
		return g, name, nil
	}
	p, err := g.RequireGroup(dir)
	if err != nil {
		return nil, "", err
	}
	return p, name, nil
}

// splitLast splits "a/b/c" into "a/b" and "c" ("/c" into "/" and "c").
func splitLast(p string) (dir, name string) {
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			if i == 0 {
				return "/", p[1:]
			}
			return p[:i], p[i+1:]
		}
	}
	return "", p
}

// CopyObject copies o, an object of any open file, to name in group dst
// (h5py's dst_group.copy(obj, name)), as Copy does. Copies between files
// move the data through memory a slab at a time; object references in
// the data are copied as they are and only mean something in o's file.
func CopyObject(o Object, dst *Group, name string, opts ...CopyOption) error {
	if o == nil || dst == nil {
		return opErrf("copy", name, "nil source or destination: %w", ErrType)
	}
	if err := dst.f.checkWrite(); err != nil {
		return err
	}
	c := &copier{made: map[h5core.Object]bool{}, done: map[h5core.Object]Object{}}
	for _, fn := range opts {
		fn(&c.opts)
	}
	if _, err := c.object(o, dst, name, 0); err != nil {
		return opErrf("copy", o.Name(), "to %s: %w", join(dst.name, name), err)
	}
	return nil
}

// copier copies one tree. done maps each source object copied to its
// copy, so a second hard link to it becomes a hard link to the copy; made
// holds the copies, so copying a group into itself does not copy the copy.
type copier struct {
	opts copyOptions
	done map[h5core.Object]Object
	made map[h5core.Object]bool
}

// coreOf is the model object behind o.
func coreOf(o Object) h5core.Object {
	switch x := o.(type) {
	case *Group:
		return x.g
	case *Dataset:
		return x.d
	case *NamedType:
		return x.t
	}
	return nil
}

func (c *copier) object(o Object, dst *Group, name string, depth int) (Object, error) {
	if prev, ok := c.done[coreOf(o)]; ok {
		if err := dst.HardLink(name, prev); err != nil {
			return nil, err
		}
		return prev, nil
	}
	var out Object
	switch x := o.(type) {
	case *Group:
		ng, err := dst.CreateGroup(name)
		if err != nil {
			return nil, err
		}
		c.made[ng.g], c.done[x.g] = true, ng
		if err := c.attrs(x, ng); err != nil {
			return nil, err
		}
		if err := c.members(x, ng, depth); err != nil {
			return nil, err
		}
		out = ng
	case *Dataset:
		nd, err := c.dataset(x, dst, name)
		if err != nil {
			return nil, err
		}
		c.made[nd.d], c.done[x.d] = true, nd
		if err := c.attrs(x, nd); err != nil {
			return nil, err
		}
		out = nd
	case *NamedType:
		nt, err := dst.CommitType(name, x.Dtype())
		if err != nil {
			return nil, err
		}
		c.made[nt.t], c.done[x.t] = true, nt
		if err := c.attrs(x, nt); err != nil {
			return nil, err
		}
		out = nt
	default:
		return nil, fmt.Errorf("%s is %s, which cannot be copied: %w", o.Name(), kindOf(o), h5core.ErrUnsupported)
	}
	return out, nil
}

// members copies the links of group src into dst: hard links by copying
// what they lead to, soft and external links as links unless told to
// expand them.
func (c *copier) members(src, dst *Group, depth int) error {
	keys, err := src.Keys()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if target, ok := src.LinkTarget(k); ok && !c.opts.expandSoft {
			if err := dst.SoftLink(k, target); err != nil {
				return err
			}
			continue
		}
		if file, target, ok := src.ExternalLink(k); ok && !c.opts.expandExternal {
			if err := dst.CreateExternalLink(k, file, target); err != nil {
				return err
			}
			continue
		}
		o, err := src.Get(k)
		if err != nil {
			return err
		}
		if c.made[coreOf(o)] {
			continue // the copy itself, made inside the group being copied
		}
		if g, ok := o.(*Group); ok && c.opts.shallow && depth >= 0 {
			if _, seen := c.done[g.g]; !seen {
				ng, err := dst.CreateGroup(k)
				if err != nil {
					return err
				}
				c.made[ng.g], c.done[g.g] = true, ng
				if err := c.attrs(g, ng); err != nil {
					return err
				}
				continue
			}
		}
		if _, err := c.object(o, dst, k, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// attrs copies every attribute of src to dst, values decoded and encoded
// again so that variable-length values land in dst's file.
func (c *copier) attrs(src, dst Object) error {
	if c.opts.withoutAttrs {
		return nil
	}
	for _, name := range src.Attrs().Names() {
		a, err := src.Attrs().Get(name)
		if err != nil {
			return err
		}
		t := a.Dtype
		if a.IsEmpty() {
			if err := dst.Attrs().SetEmpty(name, t); err != nil {
				return err
			}
			continue
		}
		if !t.HasVlen() {
			if err := dst.Attrs().SetTyped(name, fileBytes(a.data), t, a.Shape); err != nil {
				return err
			}
			continue
		}
		v, err := a.Value()
		if err != nil {
			return err
		}
		if err := dst.Attrs().SetTyped(name, v, t, a.Shape); err != nil {
			return err
		}
	}
	return nil
}

// copySlabBytes bounds the data one step of a dataset copy holds.
const copySlabBytes = 16 << 20

// dataset creates a dataset like src in dst and copies its data: a slab
// of whole rows at a time, rank r of a parallel file taking every size-th
// slab (through the collective write, so filtered chunks and
// variable-length data are placed as every rank agrees).
func (c *copier) dataset(src *Dataset, dst *Group, name string) (*Dataset, error) {
	sd := src.d
	t := sd.Type()
	o := dsetOptions{dtype: t, shape: sd.Shape(), shapeSet: true}
	if sd.IsNull() {
		o.empty = true
	}
	if sd.Layout() == h5core.LayoutChunked {
		o.chunks = sd.ChunkShape()
		if ms := sd.MaxShape(); !equalDims(ms, o.shape) {
			o.maxShape = ms
		}
		o.codecs.filters = sd.Filters()
	}
	if sd.Layout() == h5core.LayoutCompact {
		o.compact = true
	}
	if fv := sd.Fill().Value; fv != nil && !t.HasVlen() {
		o.rawFill = fv
	}
	nd, err := dst.createDataset(name, o)
	if err != nil {
		return nil, err
	}
	if sd.IsNull() {
		return nd, nil
	}
	shape := sd.Shape()
	rows, rowElems := uint64(1), uint64(1)
	if len(shape) > 0 {
		rows = shape[0]
		for _, n := range shape[1:] {
			rowElems *= n
		}
	}
	step := max(1, copySlabBytes/max(1, rowElems*uint64(t.Size)))
	rank, size := dst.f.rankSize()
	var goElem reflect.Type
	if t.HasVlen() {
		if goElem, err = goType(t); err != nil {
			return nil, err
		}
	}
	for k, lo := uint64(0), uint64(0); lo < rows || k == 0; k, lo = k+1, lo+step {
		// Every rank takes part in every round of a parallel file (an
		// empty selection when the slab is another rank's).
		hi := min(rows, lo+step)
		h := slab(shape, lo, hi)
		if len(shape) > 0 && int(k)%size != rank {
			h = emptySlab(len(shape))
		}
		var data any
		if goElem != nil {
			v := reflect.New(reflect.SliceOf(goElem))
			if h.NumElements() > 0 {
				if err := src.read(h, v.Interface()); err != nil {
					return nil, err
				}
			} else {
				v.Elem().Set(reflect.MakeSlice(v.Elem().Type(), 0, 0))
			}
			data = v.Elem().Interface()
		} else {
			buf := make([]byte, h.NumElements()*uint64(t.Size))
			if len(buf) > 0 {
				if err := src.readRaw(h, buf); err != nil {
					return nil, err
				}
			}
			data = fileBytes(buf)
		}
		if err := nd.Collective().WriteSel(Hyperslab(h), data); err != nil {
			return nil, err
		}
		if len(shape) == 0 {
			break
		}
	}
	return nd, nil
}

// slab selects rows [lo, hi) of a dataset of the given shape (all of a
// scalar).
func slab(shape []uint64, lo, hi uint64) h5core.Hyperslab {
	h := h5core.All(shape)
	if len(shape) > 0 {
		h.Start[0], h.Count[0] = lo, hi-lo
	}
	return h
}

// rankSize is this rank and the number of ranks writing the file (0 and
// 1 for a serial file).
func (f *File) rankSize() (int, int) {
	if f.comm == nil {
		return 0, 1
	}
	return f.comm.Rank(), f.comm.Size()
}

// fileBytes is data already in a dataset's file layout (a copy's raw
// elements): written as it is.
type fileBytes []byte
