package h5core

import (
	"errors"
	"fmt"
	"sort"
)

// Lazy loading (ARCHITECTURE.md decision 7). Open reads the superblock and
// the root group. Reading a group reads its header and its links (names
// and header addresses); the object a hard link points to is read when the
// link is first followed (Lookup, Visit, Walk, ObjectAt, Move), then kept.
// Until then the link is an opaque with a nil error: the writer writes it
// back as the address it is, and never reads what it points to, so a flush
// neither reads nor rewrites what was never touched.
//
// Link counts: an object's header holds the number of hard links to it.
// A flush counts the links in loaded groups; the links in groups not
// loaded yet are object.ext, worked out when the object loads (its count
// on disk less the links to it already seen in loaded groups) and lowered
// as more groups load. So a flush writes the true count without reading
// the whole file, and never frees an object that a group not loaded still
// links to.

// loadedID is the digest identity of an object read from the file: its
// header address, marked so it cannot equal the counter new objects get.
// It does not depend on the order objects were loaded in, so ranks that
// touched different objects still agree on the digest.
func loadedID(addr uint64) uint64 { return addr | 1<<63 }

// hardLink returns the link name to the object at addr: the loaded object
// if it is loaded, else a link to be resolved when first followed.
func (o *opener) hardLink(name string, addr uint64) link {
	if ob, ok := o.objs[addr]; ok {
		if b := ob.obj(); b.ext > 0 {
			b.ext--
		}
		return link{name: name, obj: ob}
	}
	o.seen[addr]++
	return link{name: name, opaque: &opaque{addr: addr}}
}

// unseeLinks undoes hardLink for the links of a group whose loading
// failed: the group stays unloaded, so its links are not links seen.
func (o *opener) unseeLinks(ls []link) {
	for _, l := range ls {
		switch {
		case l.opaque != nil:
			if o.seen[l.opaque.addr] > 1 {
				o.seen[l.opaque.addr]--
			} else {
				delete(o.seen, l.opaque.addr)
			}
		case l.obj != nil:
			l.obj.obj().ext++
		}
	}
}

// unloaded reports whether l is a hard link whose object was not read yet.
func (l *link) unloaded() bool { return l.opaque != nil && l.opaque.err == nil }

// resolve returns g.links[i], reading the object it points to first if it
// was not read yet. An object h5core cannot model becomes an opaque link
// (kept as it is); a damaged one is an error for the caller, and the link
// stays unresolved, so asking again reports it again.
func (g *Group) resolve(i int) (link, error) {
	l := &g.links[i]
	if !l.unloaded() {
		return *l, nil
	}
	if g.depth >= maxGroupDepth {
		return link{}, formatErr(int64(min(l.opaque.addr, 1<<62)), "groups nested too deeply", g.depth+1)
	}
	ob, err := g.f.lazy.load(l.opaque.addr, g.depth+1)
	switch {
	case errors.Is(err, ErrUnsupported):
		l.opaque = &opaque{l.opaque.addr, err}
	case err != nil:
		return link{}, fmt.Errorf("%q: %w", l.name, err)
	default:
		l.obj, l.opaque = ob, nil
	}
	return *l, nil
}

// resolveLoaded resolves g.links[i] if it points to an object loaded since
// g was read (through another link), without reading anything: a flush
// then counts it among the object's links and keeps the object live.
func (g *Group) resolveLoaded(i int) {
	l := &g.links[i]
	if !l.unloaded() || g.f.lazy == nil {
		return
	}
	if ob, ok := g.f.lazy.objs[l.opaque.addr]; ok {
		l.obj, l.opaque = ob, nil
	}
}

// linkedElsewhere returns the loaded objects that no loaded group links
// to but a group not loaded does (object.ext), by address: a flush
// rewrites them if their link count changed. The order is the same on
// every rank, as the space a rewrite allocates must be.
func (f *File) linkedElsewhere(refs map[*object]uint32) []Object {
	var out []Object
	for ob, o := range f.live {
		if refs[ob] == 0 && ob.ext > 0 && !ob.deleted {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr() < out[j].Addr() })
	return out
}

// loadForUnlink loads what the link g.links[i] leads to, the whole
// subtree of a group, before the link is removed: a flush frees the space
// of what is no longer linked, and it only knows what is loaded (as all
// of it was before loading was lazy). A part that cannot be read stays in
// the file, unreclaimed.
func (g *Group) loadForUnlink(i int) {
	l, err := g.resolve(i)
	if err != nil {
		return
	}
	if c, ok := l.obj.(*Group); ok {
		_ = c.Visit(func(string, Object) error { return nil })
	}
}
