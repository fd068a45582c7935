package h5file

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

// object is what groups and datasets share: the file, the path they were
// reached by, and their attributes.
type object struct {
	f    *File
	name string
	core h5core.Object
}

// Name is the object's full path in the file ("/a/b").
func (o *object) Name() string { return o.name }

// File is the file the object lives in.
func (o *object) File() *File { return o.f }

// Attrs is the object's attribute set: h5py's obj.attrs.
func (o *object) Attrs() *Attrs { return &Attrs{o: o} }

// Group is an HDF5 group: h5py's Group.
type Group struct {
	object
	g *h5core.Group
}

func join(base, name string) string {
	if strings.HasPrefix(name, "/") {
		return path.Clean(name)
	}
	return path.Clean(base + "/" + name)
}

// CreateGroup creates a group at path (relative to g, or absolute), and
// the missing intermediate groups of a/b/c, as h5py and CreateDataset do.
// It fails with ErrExists if path exists; RequireGroup does not.
func (g *Group) CreateGroup(p string) (*Group, error) {
	var ng *h5core.Group
	err := g.f.apply(metaOp{name: "CreateGroup", path: join(g.name, p), fn: func() error {
		var err error
		ng, err = g.g.CreateGroup(p)
		if err != nil {
			return opErr("create group", join(g.name, p), err)
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	return g.f.newGroup(join(g.name, p), ng), nil
}

// RequireGroup returns the group at path, creating it and any missing
// intermediate groups (h5py's require_group, applied to every level).
func (g *Group) RequireGroup(p string) (*Group, error) {
	if o, err := g.g.Lookup(p); err == nil {
		if cg, ok := o.(*h5core.Group); ok {
			if err := g.f.check(); err != nil {
				return nil, err
			}
			return g.f.newGroup(join(g.name, p), cg), nil
		}
		return nil, opErrf("require group", join(g.name, p), "a dataset has that name: %w", ErrExists)
	}
	var ng *h5core.Group
	err := g.f.apply(metaOp{name: "RequireGroup", path: join(g.name, p), fn: func() error {
		var err error
		ng, err = g.g.RequireGroup(p)
		if err != nil {
			return opErr("require group", join(g.name, p), err)
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	return g.f.newGroup(join(g.name, p), ng), nil
}

func (f *File) newGroup(name string, g *h5core.Group) *Group {
	return &Group{object: object{f: f, name: name, core: g}, g: g}
}

func (f *File) newDataset(name string, d *h5core.Dataset) *Dataset {
	return &Dataset{object: object{f: f, name: name, core: d}, d: d}
}

// Group returns the group at path.
func (g *Group) Group(p string) (*Group, error) {
	o, err := g.Get(p)
	if err != nil {
		return nil, err
	}
	sg, ok := o.(*Group)
	if !ok {
		return nil, opErrf("open group", join(g.name, p), "it is a dataset, not a group: %w", ErrType)
	}
	return sg, nil
}

// Dataset returns the dataset at path.
func (g *Group) Dataset(p string) (*Dataset, error) {
	o, err := g.Get(p)
	if err != nil {
		return nil, err
	}
	d, ok := o.(*Dataset)
	if !ok {
		return nil, opErrf("open dataset", join(g.name, p), "it is a group, not a dataset: %w", ErrType)
	}
	return d, nil
}

// Object is a *Group, a *Dataset, a *NamedType (a committed datatype) or,
// from Visit, an *Unreadable.
type Object interface {
	Name() string
	Attrs() *Attrs
	ObjectID() uint64
}

// Get returns the object at path (h5py's g[path]): a *Group, *Dataset or
// *NamedType.
// Soft and external links are followed (extlink.go).
func (g *Group) Get(p string) (Object, error) { return g.get(p, 0) }

// get is Get after hops external links.
func (g *Group) get(p string, hops int) (Object, error) {
	if err := g.f.check(); err != nil {
		return nil, err
	}
	o, err := g.g.Lookup(p)
	var el *h5core.ExternalLinkError
	if errors.As(err, &el) {
		return g.followExternal(el, hops)
	}
	if err != nil {
		return nil, opErr("get", join(g.name, p), err)
	}
	switch x := o.(type) {
	case *h5core.Group:
		return g.f.newGroup(join(g.name, p), x), nil
	case *h5core.Dataset:
		return g.f.newDataset(join(g.name, p), x), nil
	case *h5core.NamedType:
		return g.f.newNamedType(join(g.name, p), x), nil
	}
	return nil, opErrf("get", join(g.name, p), "an object of a kind h5file does not handle: %w", h5core.ErrUnsupported)
}

// Contains reports whether path names an object (h5py's `path in g`); a
// link whose target is missing (a dangling soft or external link) names
// none.
func (g *Group) Contains(p string) bool {
	if g.f.closed {
		return false
	}
	_, err := g.g.Lookup(p)
	if errors.Is(err, h5core.ErrExternalLink) {
		_, err = g.Get(p)
	}
	return err == nil
}

// Keys lists the group's member names in libhdf5's (bytewise) order.
func (g *Group) Keys() ([]string, error) {
	if err := g.f.check(); err != nil {
		return nil, err
	}
	return g.g.Members(), nil
}

// Len is the number of members.
func (g *Group) Len() int { return len(g.g.Members()) }

// Delete unlinks path (h5py's del g[path]); its space is freed at the
// next flush.
func (g *Group) Delete(p string) error {
	return g.f.apply(metaOp{name: "Delete", path: join(g.name, p), fn: func() error {
		if err := g.g.Unlink(p); err != nil {
			return opErr("delete", join(g.name, p), err)
		}
		return nil
	}})
}

// Move renames src to dst (h5py's g.move).
func (g *Group) Move(src, dst string) error {
	return g.f.apply(metaOp{name: "Move", path: join(g.name, src), args: fmt.Sprintf("%q", join(g.name, dst)), fn: func() error {
		if err := g.g.Move(src, dst); err != nil {
			return opErrf("move", join(g.name, src), "to %s: %w", join(g.name, dst), err)
		}
		return nil
	}})
}

// SoftLink makes p a soft link to target (h5py's g[p] = SoftLink(target)).
func (g *Group) SoftLink(p, target string) error {
	return g.f.apply(metaOp{name: "SoftLink", path: join(g.name, p), args: fmt.Sprintf("%q", target), fn: func() error {
		if err := g.g.CreateSoftLink(p, target); err != nil {
			return opErrf("create soft link", join(g.name, p), "to %s: %w", target, err)
		}
		return nil
	}})
}

// Visit calls fn for every object below g, parents before children (h5py's
// visititems); returning an error stops the walk with that error. An
// object h5file cannot read comes as an *Unreadable holding the reason.
func (g *Group) Visit(fn func(name string, o Object) error) error {
	if err := g.f.check(); err != nil {
		return err
	}
	return g.g.Walk(func(p string, o h5core.Object) error {
		full := join(g.name, p)
		switch x := o.(type) {
		case *h5core.Group:
			return fn(p, g.f.newGroup(full, x))
		case *h5core.Dataset:
			return fn(p, g.f.newDataset(full, x))
		case *h5core.NamedType:
			return fn(p, g.f.newNamedType(full, x))
		case *h5core.Unreadable:
			return fn(p, g.f.newUnreadable(full, x))
		}
		return nil
	})
}

// IsNotFound reports whether err says a path names nothing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// LinkTarget returns the target path of the soft link name in g, and false
// if name is not a soft link.
func (g *Group) LinkTarget(name string) (string, bool) { return g.g.SoftLink(name) }

// ObjectID identifies the object in its file: two hard links to one object
// have the same ID (h5py compares obj.id). It is the object header's
// address, which never changes once the object has been flushed. An
// object created since the last flush has a provisional ID (bit 63 set),
// unique in the file and the same on every rank, which becomes its
// address at the next flush: compare IDs taken after the same flush.
func (o *object) ObjectID() uint64 { return h5core.ObjectID(o.core) }
