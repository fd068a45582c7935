package h5file

import "fmt"

// CreateExternalLink makes path an external link to target in the file
// named file (h5py's g[path] = h5py.ExternalLink(file, target)). Nothing
// is opened or checked now: as in libhdf5, the link is resolved when
// followed, relative to this file's directory first. Missing intermediate
// groups of path are created. In a parallel file every rank must make the
// same call, like every other metadata change.
func (g *Group) CreateExternalLink(p, file, target string) error {
	full := join(g.name, p)
	return g.f.apply(metaOp{name: "CreateExternalLink", path: full, args: fmt.Sprintf("%q %q", file, target), fn: func() error {
		if err := g.g.CreateExternalLink(p, file, target); err != nil {
			return opErrf("create external link", full, "to %s:%s: %w", file, target, err)
		}
		return nil
	}})
}
