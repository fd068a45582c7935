package h5file

import (
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// Links and the h5py calls built on them: require_dataset, g[name] = obj
// (a second hard link) and visit_links.

// RequireDataset returns the dataset at path if it has type dtype and shape
// shape, and creates it (with opts) if path names nothing (h5py's
// require_dataset). A dataset of another type or shape, or a group, at
// path is an error matching ErrExists: the caller asked for something the
// file does not hold. Types must encode identically (h5py's exact=True):
// h5file does not convert between types on read.
func (g *Group) RequireDataset(p string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*Dataset, error) {
	full := join(g.name, p)
	if err := g.f.check(); err != nil {
		return nil, err
	}
	if _, err := g.g.Lookup(p); err == nil || !errors.Is(err, h5core.ErrNotFound) {
		o, err := g.Get(p)
		if err != nil {
			return nil, err
		}
		d, ok := o.(*Dataset)
		if !ok {
			return nil, opErrf("require dataset", full, "a group has that name: %w", ErrExists)
		}
		if !equalDims(d.Shape(), shape) {
			return nil, opErrf("require dataset", full, "it has shape %v, not %v: %w", d.Shape(), shape, ErrExists)
		}
		if dtype == nil || !d.Dtype().Equal(dtype) {
			return nil, opErrf("require dataset", full, "it has type %v, not %v: %w", d.Dtype(), dtype, ErrExists)
		}
		return d, nil
	}
	return g.CreateDataset(p, dtype, shape, opts...)
}

// HardLink makes path a second name of the object o of the same file
// (h5py's g[path] = obj): both names open the same object, with the same
// ObjectID, and the object lives while either name does. Missing
// intermediate groups of path are created. A link that would put a group
// inside itself is refused.
func (g *Group) HardLink(p string, o Object) error {
	full := join(g.name, p)
	var core h5core.Object
	var of *File
	switch x := o.(type) {
	case *Group:
		core, of = x.g, x.f
	case *Dataset:
		core, of = x.d, x.f
	case *NamedType:
		core, of = x.t, x.f
	case *File:
		core, of = x.root.g, x
	default:
		return opErrf("hard link", full, "to %T: only a *Group, *Dataset, *NamedType or *File can be linked: %w", o, ErrType)
	}
	if of != g.f {
		return opErrf("hard link", full, "to %s of another file: use an external link: %w", o.Name(), ErrType)
	}
	return g.f.apply(metaOp{name: "HardLink", path: full, args: fmt.Sprintf("%q", o.Name()), fn: func() error {
		if err := g.g.Link(p, core); err != nil {
			return opErrf("hard link", full, "to %s: %w", o.Name(), err)
		}
		return nil
	}})
}

// LinkKind says what a link is: h5py's HardLink, SoftLink or ExternalLink.
type LinkKind int

const (
	// LinkHard names an object of this file.
	LinkHard LinkKind = iota
	// LinkSoft names a path, resolved when followed.
	LinkSoft
	// LinkExternal names a path in another file.
	LinkExternal
)

// String is "hard", "soft" or "external".
func (k LinkKind) String() string {
	switch k {
	case LinkHard:
		return "hard"
	case LinkSoft:
		return "soft"
	case LinkExternal:
		return "external"
	}
	return fmt.Sprintf("LinkKind(%d)", int(k))
}

// Link is one link as VisitLinks reports it. Path is the soft link's
// target or the external link's path in File; both are empty for a hard
// link.
type Link struct {
	Kind LinkKind
	File string // external links: the file name as stored
	Path string // soft and external links: the target path
}

// VisitLinks calls fn for every link below g, soft and external ones
// included and not followed, in libhdf5's order (by name, a group's links
// right after the group's own link), as h5py's visit_links does. A group
// reached by several hard links is entered once; each of its links is
// still reported. Returning an error from fn stops the walk with it.
func (g *Group) VisitLinks(fn func(name string, l Link) error) error {
	if err := g.f.check(); err != nil {
		return err
	}
	seen := map[*h5core.Group]bool{g.g: true}
	var walk func(prefix string, grp *h5core.Group) error
	walk = func(prefix string, grp *h5core.Group) error {
		for _, name := range grp.Members() {
			p := prefix + name
			if target, ok := grp.SoftLink(name); ok {
				if err := fn(p, Link{Kind: LinkSoft, Path: target}); err != nil {
					return err
				}
				continue
			}
			if file, path, ok := grp.ExternalLink(name); ok {
				if err := fn(p, Link{Kind: LinkExternal, File: file, Path: path}); err != nil {
					return err
				}
				continue
			}
			if err := fn(p, Link{Kind: LinkHard}); err != nil {
				return err
			}
			// An object h5core cannot model has no members to visit.
			o, err := grp.Lookup(name)
			if c, ok := o.(*h5core.Group); err == nil && ok && !seen[c] {
				seen[c] = true
				if err := walk(p+"/", c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk("", g.g)
}
