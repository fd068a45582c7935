package h5file

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

// External links (h5py's ExternalLink) name an object in another file.
// Get, Group, Dataset and Contains follow them as libhdf5 does: the target
// file is opened read-only on first use, kept open, and closed with the
// file that holds the link. Each rank of a parallel file opens it on its
// own (a read-only file needs no agreement).

// maxExternalHops bounds the external links one lookup follows (chains
// and cycles of files), as libhdf5's H5L_NUM_LINKS does.
const maxExternalHops = 16

// ExternalLink returns the file name (as stored) and the path in that file
// of the external link name in g, and false if name is not one.
func (g *Group) ExternalLink(name string) (file, path string, ok bool) {
	return g.g.ExternalLink(name)
}

// followExternal finishes a lookup that reached an external link: it
// opens the link's file and looks up the target and the rest of the path
// there.
func (g *Group) followExternal(el *h5core.ExternalLinkError, hops int) (Object, error) {
	where := join(g.name, el.Link)
	if hops >= maxExternalHops {
		return nil, opErrf("follow external link", where, "more than %d external links in a row (a cycle of files?): %w", maxExternalHops, ErrNotFound)
	}
	ext, err := g.f.openExternal(el.File)
	if err != nil {
		return nil, opErrf("follow external link", where, "to %s:%s: %w", el.File, el.Target, err)
	}
	target := el.Target
	if el.Rest != "" {
		target = strings.TrimSuffix(target, "/") + "/" + el.Rest
	}
	return ext.Root().get(target, hops+1)
}

// openExternal returns the linked file name, opened read-only: from the
// files this one has opened already, or found and opened now.
func (f *File) openExternal(name string) (*File, error) {
	p, err := f.findExternal(name)
	if err != nil {
		return nil, err
	}
	if x, ok := f.external[p]; ok {
		return x, nil
	}
	x, err := Open(p, "r", WithContext(f.ctx))
	if err != nil {
		return nil, err
	}
	if f.external == nil {
		f.external = map[string]*File{}
	}
	f.external[p] = x
	return x, nil
}

// findExternal finds the file an external link names where libhdf5 looks
// for it: an absolute name as it is; then the name (the base name of an
// absolute one) under each directory of HDF5_EXT_PREFIX (a ':' list, where
// $ORIGIN is this file's directory), beside this file, and in the working
// directory.
func (f *File) findExternal(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty file name: %w", ErrNotFound)
	}
	var tried []string
	try := func(p string) bool {
		tried = append(tried, p)
		st, err := os.Stat(p)
		return err == nil && st.Mode().IsRegular()
	}
	rel := name
	if filepath.IsAbs(name) {
		if try(name) {
			return name, nil
		}
		rel = filepath.Base(name)
	}
	origin := filepath.Dir(f.path)
	for _, dir := range filepath.SplitList(os.Getenv("HDF5_EXT_PREFIX")) {
		if dir == "" {
			continue
		}
		if p := filepath.Join(strings.ReplaceAll(dir, "$ORIGIN", origin), rel); try(p) {
			return p, nil
		}
	}
	if p := filepath.Join(origin, rel); try(p) {
		return p, nil
	}
	if try(rel) {
		return rel, nil
	}
	return "", fmt.Errorf("file %s not found (looked for %s; set HDF5_EXT_PREFIX to add directories): %w", name, strings.Join(tried, ", "), ErrNotFound)
}

// closeExternal closes the files external links opened.
func (f *File) closeExternal() error {
	var errs []error
	for _, x := range f.external {
		errs = append(errs, x.Close())
	}
	f.external = nil
	return errors.Join(errs...)
}
