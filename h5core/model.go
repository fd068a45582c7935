package h5core

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ErrExists is matched by errors about creating a link or attribute whose
// name is already taken.
var ErrExists = errors.New("h5core: name already exists")

// ErrNotFound is matched by errors about a link, object or attribute that
// does not exist.
var ErrNotFound = errors.New("h5core: not found")

// ErrDeleted is matched by errors about an object that was unlinked and
// whose space has been freed by a flush.
var ErrDeleted = errors.New("h5core: object was unlinked and its space freed")

// ErrReadOnly is matched when a change is asked of a file whose format this
// package can read but not rewrite (today: a file with a driver information
// block, written by the family or multi driver).
var ErrReadOnly = errors.New("h5core: file format is read-only here")

// File is the in-memory model of one HDF5 file. All changes are applied to
// the model; Flush writes the changed metadata. Raw data is never held: the
// caller writes it at the addresses the model hands out (Dataset.DataAddr,
// Dataset.Chunk), which are fixed when storage is allocated.
//
// A File is not safe for concurrent use.
type File struct {
	eof uint64 // allocator: first unallocated address
	// alignMin, alignTo: SetAlignment's threshold and alignment (alloc.go);
	// alignTo 0 means the defaults.
	alignMin, alignTo uint64
	root              *Group
	r                 io.ReaderAt // set by Open; nil for NewFile
	size              int64       // of the file after its user block
	base              uint64      // user block size: addresses are relative to it (userblock.go)
	sbVersion         uint8
	readOnly          error // non-nil: the model can be read but not flushed
	gheap             globalHeap
	flushes           int
	failed            error // a Flush failed part-way: the model's addresses may not be on disk

	// B-tree K values: libhdf5's defaults, or those of an opened file
	// (its untouched nodes were sized with them).
	leafK, groupK, istoreK int

	live map[*object]Object // objects reachable at the last flush (or loaded since); lookup only
	lazy *opener            // loads the objects of an opened file when first touched (lazy.go)

	digest uint64 // running hash of model-changing calls (digest.go)
	nextID uint64 // object identities, in creation (or load) order

	free        []extent // allocatable space, by address (alloc.go)
	pendingFree []extent // space to free once the next superblock is written

	family     Libver       // the format family new objects take (ARCHITECTURE.md decision 6)
	trackOrder bool         // new objects track and index link and attribute creation order
	sb2        superblockV2 // the superblock of a LibverLatest file
	snapBlock  bool         // WithSnapshotBlock: reserve the snapshot block (snapshot.go)
	snapAddr   uint64       // its address; 0: none
}

// Libver is a format family, as h5py's libver names them: the objects a
// file gets, and its superblock. A file keeps its family: objects of an
// opened file are rewritten in their own format, new ones take the file's.
type Libver int

const (
	// LibverEarliest is the classic family every HDF5 reader opens:
	// superblock 0, version 1 object headers, symbol table groups,
	// layout 3 with version 1 B-tree chunk indexes. The default.
	LibverEarliest Libver = iota
	// LibverLatest is what libhdf5 1.10 writes with libver='latest':
	// superblock 3 and version 2 object headers with checksums, groups of
	// link messages. Readers need libhdf5 1.8 or later.
	LibverLatest
)

// Option configures NewFile.
type Option func(*File)

// WithLibver selects the format family of a new file (h5py's libver;
// LibverEarliest when not given).
func WithLibver(v Libver) Option { return func(f *File) { f.family = v } }

// WithTrackOrder makes every new group track and index the creation
// order of its links, and every new object that of its attributes (h5py's
// track_order=True, set for the whole file as h5py's
// h5.get_config().track_order does). As with libhdf5, such objects get
// version 2 headers and groups of link messages in either family.
func WithTrackOrder() Option { return func(f *File) { f.trackOrder = true } }

// superblockSize is the size of a version 0 superblock with 8-byte
// offsets and lengths, root symbol table entry included.
const superblockSize = 96

// NewFile returns an empty file: a root group and nothing else. Nothing is
// written until Flush.
func NewFile(opts ...Option) *File {
	f := &File{eof: superblockSize, leafK: groupLeafK, groupK: groupBTreeK, istoreK: chunkBTreeK}
	for _, o := range opts {
		o(f)
	}
	f.mix("NewFile", uint64(f.family)) // ranks that chose different families disagree at the first check
	if f.family == LibverLatest {
		f.eof, f.sbVersion = superblockV2Size, 3
		f.sb2 = superblockV2{version: 3, ext: UndefinedAddr}
	}
	if f.snapBlock {
		f.reserveSnapshotBlock()
	}
	f.root = f.newGroup()
	return f
}

// Family returns the file's format family.
func (f *File) Family() Libver { return f.family }

// Root returns the root group. File-level attributes (h5py's f.attrs) are
// the root group's attributes.
func (f *File) Root() *Group { return f.root }

// EOF returns the end-of-file address: the file must be at least this long
// once data and metadata are written (the caller truncates or extends it).
func (f *File) EOF() uint64 { return f.eof }

// SuperblockVersion returns the superblock version (for files made by
// NewFile: 0, or 3 with LibverLatest).
func (f *File) SuperblockVersion() uint8 { return f.sbVersion }

// Writable returns nil if the model can be flushed, or an error matching
// ErrReadOnly that says why not.
func (f *File) Writable() error { return f.readOnly }

// Object is a *Group or a *Dataset.
type Object interface {
	Attrs() []*Attribute
	Attr(name string) (*Attribute, bool)
	SetAttr(a *Attribute) error
	DeleteAttr(name string) error
	Addr() uint64
	obj() *object
}

// object is what groups and datasets share: the object header.
type object struct {
	f       *File
	addr    uint64 // object header address; UndefinedAddr until first flushed
	dirty   bool   // the header must be rewritten at the next flush
	attrs   []*Attribute
	attrIdx map[string]int // name -> position in attrs, once there are attrIndexMin (attr_index.go)
	extra   []RawMessage   // messages kept verbatim from an opened file
	seen    int            // flush number that last visited this object

	id         uint64       // identity for the operation digest: same on every rank
	deleted    bool         // unlinked from the tree at a flush: its space was freed
	refCount   uint32       // hard links to this object at the last flush
	ext        uint32       // of those, links in groups not loaded (lazy.go)
	hdr        headerSpace  // where the header is on disk; rewritten there in place
	ainfo      *attrInfoMsg // attribute info message: objects of the newer family
	denseAttrs bool         // attributes are in the dense storage ainfo names, unchanged since Open
	attrSpace  []extent     // the dense attribute storage this model wrote
}

func (o *object) obj() *object { return o }

func (o *object) ident() uint64 { return o.id }

// provisionalID marks an ObjectID that is not an address (bit 63: no
// file of ours reaches 2^63 bytes).
const provisionalID = 1 << 63

// ObjectID identifies o in its file: its object header's address once the
// object has been flushed (or was read from the file), which hard links
// share and which never changes; before that, a provisional ID, unique
// among the model's objects, the same on every rank, with bit 63 set. So
// two new objects never compare equal, but an object's ID changes once,
// at its first flush: compare IDs taken after the same flush.
func ObjectID(o Object) uint64 {
	ob := o.obj()
	if ob.addr != UndefinedAddr {
		return ob.addr
	}
	return provisionalID | ob.id
}

// newObject returns the header state of a new object with the next identity.
func (f *File) newObject() object {
	f.nextID++
	o := object{f: f, addr: UndefinedAddr, dirty: true, id: f.nextID}
	if f.trackOrder {
		o.ainfo = &attrInfoMsg{flags: attrTrackOrder | attrIndexOrder, heap: UndefinedAddr, nameIndex: UndefinedAddr, orderIndex: UndefinedAddr}
	}
	return o
}

// Addr returns the object header address, UndefinedAddr before the object
// is first flushed. Once given, it never changes (ARCHITECTURE.md decision
// 5): object references and dimension scales name objects by it.
func (o *object) Addr() uint64 { return o.addr }

// Attrs returns the object's attributes in libhdf5's (and h5py's)
// iteration order: creation order on objects that track it (h5py's
// track_order=True), by name otherwise. The slice is a copy; the
// attributes themselves must not be modified (use SetAttr).
func (o *object) Attrs() []*Attribute {
	as := append([]*Attribute(nil), o.attrs...)
	if o.ainfo != nil && o.ainfo.flags&attrTrackOrder != 0 {
		sort.SliceStable(as, func(i, j int) bool { return as[i].crt < as[j].crt })
	} else {
		sort.SliceStable(as, func(i, j int) bool { return as[i].Name < as[j].Name })
	}
	return as
}

// Attr returns the attribute called name.
func (o *object) Attr(name string) (*Attribute, bool) {
	if i, ok := o.attrPos(name); ok {
		return o.attrs[i], true
	}
	return nil, false
}

// SetAttr creates the attribute a.Name, or replaces it in place (h5py's
// attrs[name] = value). The model keeps a copy.
func (o *object) SetAttr(a *Attribute) error {
	if err := o.mutable(); err != nil {
		return err
	}
	if err := a.check(); err != nil {
		return err
	}
	if _, err := a.Type.encode(); err != nil {
		return err
	}
	var namedID uint64
	if nt := a.Named; nt != nil {
		if nt.f != o.f || nt.deleted {
			return fmt.Errorf("h5core: attribute %q: its committed datatype is not an object of this file", a.Name)
		}
		if !a.Type.Equal(nt.dtype) {
			return fmt.Errorf("h5core: attribute %q: type %v differs from its committed datatype's %v", a.Name, a.Type, nt.dtype)
		}
		namedID = nt.ident()
	}
	inline := *a
	inline.Named = nil // the size limits are checked on the inline form, a little larger than the shared one
	b, err := inline.encode()
	if err != nil {
		return err
	}
	if len(b) > maxMessageSize && !o.denseCapable() {
		return fmt.Errorf("h5core: attribute %q is %d bytes; an object of the classic format family holds at most %d (a file made with LibverLatest stores larger ones densely): %w", a.Name, len(b), maxMessageSize, ErrUnsupported)
	}
	o.f.mix("SetAttr", o.ident(), b, namedID)
	c := *a
	c.Type = a.Type.Clone()
	c.Shape = append([]uint64(nil), a.Shape...)
	c.Data = append([]byte(nil), a.Data...)
	c.namedOnDisk = false // counted in Named's reference count at each flush
	o.attrsChanged()
	if i, ok := o.attrPos(a.Name); ok {
		c.crt = o.attrs[i].crt
		o.attrs[i].dropDiskUse()
		o.attrs[i] = &c
		return nil
	}
	if o.ainfo != nil && o.ainfo.flags&attrTrackOrder != 0 {
		c.crt = o.ainfo.maxCrt
		o.ainfo.maxCrt++
	}
	o.appendAttr(&c)
	return nil
}

// DeleteAttr removes the attribute called name.
func (o *object) DeleteAttr(name string) error {
	if err := o.mutable(); err != nil {
		return err
	}
	if i, ok := o.attrPos(name); ok {
		o.f.mix("DeleteAttr", o.ident(), name)
		o.attrs[i].dropDiskUse()
		o.removeAttr(i)
		o.attrsChanged()
		return nil
	}
	return fmt.Errorf("attribute %q: %w", name, ErrNotFound)
}

// mutable returns why the object cannot be changed, if it cannot.
func (o *object) mutable() error {
	if o.deleted {
		return ErrDeleted
	}
	return o.f.writable()
}

func (f *File) writable() error {
	if f.readOnly != nil {
		return f.readOnly
	}
	return nil
}

// Group is a group: a set of named links to objects.
type Group struct {
	object
	links    []link         // by name once ordered (link_index.go)
	unsorted bool           // links are out of name order
	linkIdx  map[string]int // name -> position in links, from linkIndexMin links
	depth    int            // nesting below the root, bounded by maxGroupDepth (lazy.go)

	btree, heap uint64   // symbol table B-tree and local heap written at the last flush
	table       []extent // space of the heap, nodes and B-tree this model wrote

	// Groups of the newer family keep their links in link messages
	// (link_msg.go) instead of a symbol table.
	linkMsgs   bool
	linfo      linkInfoMsg // flags, next creation index, dense storage addresses
	denseLinks bool        // links are in the dense storage linfo names, unchanged since Open
	denseSpace []extent    // the dense link storage this model wrote
	ginfo      *RawMessage // group info message as read, written back unchanged
}

// link is one member of a group: a hard link to obj, a soft link, or a
// hard link to an object this package cannot model (kept as is).
type link struct {
	name     string
	crt      uint64     // creation index, in groups that track link creation order
	obj      Object     // nil for soft, external and opaque links
	soft     string     // soft link target path
	opaque   *opaque    // object read from a file that h5core cannot represent
	external *[2]string // external link: file name, path in that file
}

// opaque is an object in an opened file that h5core does not model (a
// committed datatype, a virtual dataset, ...). Its link is written back
// unchanged; Lookup reports err.
type opaque struct {
	addr uint64
	err  error
}

// Members returns the member names in libhdf5's (and h5py's) iteration
// order: creation order in a group that tracks it (h5py's
// track_order=True), by name (bytewise) otherwise.
func (g *Group) Members() []string {
	ls := g.ordered()
	if g.linkMsgs && g.linfo.flags&linkTrackOrder != 0 {
		ls = append([]link(nil), ls...)
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].crt < ls[j].crt })
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.name
	}
	return names
}

// SoftLink returns the target of the soft link name, if name is one.
func (g *Group) SoftLink(name string) (string, bool) {
	if i, ok := g.find(name); ok && g.links[i].obj == nil && g.links[i].opaque == nil && g.links[i].external == nil {
		return g.links[i].soft, true
	}
	return "", false
}

// ExternalLink returns the file name and the path in that file of the
// external link name, if name is one (h5py's ExternalLink). The file name
// is as stored: the caller resolves it (see h5file).
func (g *Group) ExternalLink(name string) (file, path string, ok bool) {
	if i, found := g.find(name); found && g.links[i].external != nil {
		return g.links[i].external[0], g.links[i].external[1], true
	}
	return "", "", false
}

// Lookup resolves a path relative to g ("a/b/c"; a leading "/" starts at
// the root) to a *Group or *Dataset. Soft links are followed.
func (g *Group) Lookup(path string) (Object, error) {
	budget := maxSoftLinks
	return g.lookup(path, &budget)
}

// maxSoftLinks bounds the soft links one Lookup follows, as libhdf5's
// H5L_NUM_LINKS does, so link chains cannot make a lookup exponential.
const maxSoftLinks = 16

func (g *Group) lookup(path string, budget *int) (Object, error) {
	if *budget <= 0 {
		return nil, fmt.Errorf("path %q: too many levels of soft links: %w", path, ErrNotFound)
	}
	cur := g
	if strings.HasPrefix(path, "/") {
		cur = g.f.root
	}
	parts := splitPath(path)
	var o Object = cur
	for i, p := range parts {
		grp, ok := o.(*Group)
		if !ok {
			return nil, fmt.Errorf("path %q: %q is not a group: %w", path, strings.Join(parts[:i], "/"), ErrNotFound)
		}
		j, ok := grp.find(p)
		if !ok {
			return nil, fmt.Errorf("path %q: no member %q: %w", path, p, ErrNotFound)
		}
		l, err := grp.resolve(j)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", path, err)
		}
		if l.opaque != nil {
			return nil, fmt.Errorf("path %q: %w", path, l.opaque.err)
		}
		if l.external != nil {
			return nil, &ExternalLinkError{Path: path, Link: strings.Join(parts[:i+1], "/"),
				File: l.external[0], Target: l.external[1], Rest: strings.Join(parts[i+1:], "/")}
		}
		if l.obj == nil {
			*budget--
			t, err := grp.lookup(l.soft, budget)
			var el *ExternalLinkError
			if errors.As(err, &el) && i+1 < len(parts) {
				// The soft link's target crosses an external link: what
				// is left of path lies below it too.
				el.Path = path
				el.Rest = strings.Trim(el.Rest+"/"+strings.Join(parts[i+1:], "/"), "/")
			}
			if err != nil {
				return nil, err
			}
			o = t
			continue
		}
		o = l.obj
	}
	return o, nil
}

func splitPath(path string) []string {
	var parts []string
	for _, p := range strings.Split(path, "/") {
		if p != "" && p != "." {
			parts = append(parts, p)
		}
	}
	return parts
}

// parentOf walks to the group that will hold the last component of path,
// creating intermediate groups if create is true (h5py creates them for
// create_group and create_dataset).
func (g *Group) parentOf(path string, create bool) (*Group, string, error) {
	if err := g.mutable(); err != nil {
		return nil, "", err
	}
	if path != "" && path != "." && strings.IndexByte(path, '/') < 0 {
		return g, path, nil // one component, the common case: no split
	}
	parts := splitPath(path)
	if len(parts) == 0 {
		return nil, "", fmt.Errorf("h5core: empty name %q", path)
	}
	cur := g
	if strings.HasPrefix(path, "/") {
		cur = g.f.root
	}
	for _, p := range parts[:len(parts)-1] {
		o, err := cur.Lookup(p)
		if errors.Is(err, ErrNotFound) && create {
			ng, err := cur.newGroup(p)
			if err != nil {
				return nil, "", err
			}
			cur = ng
			continue
		}
		if err != nil {
			return nil, "", err
		}
		ng, ok := o.(*Group)
		if !ok {
			return nil, "", fmt.Errorf("path %q: %q is a dataset, not a group: %w", path, p, ErrExists)
		}
		cur = ng
	}
	return cur, parts[len(parts)-1], nil
}

func (g *Group) insert(l link) error {
	if len(l.name) > 65535 || strings.ContainsRune(l.name, 0) {
		return fmt.Errorf("h5core: invalid link name %q (NUL or longer than 65535 bytes)", l.name)
	}
	if _, ok := g.find(l.name); ok {
		return fmt.Errorf("link %q: %w", l.name, ErrExists)
	}
	if g.linfo.flags&linkTrackOrder != 0 {
		l.crt = g.linfo.maxCrt
		g.linfo.maxCrt++
	}
	g.addLink(l)
	g.linksChanged()
	return nil
}

// denseCapable reports whether o's header is (or will be, when first
// written) a version 2 header, which can hold an attribute info message
// and so dense attribute storage.
func (o *object) denseCapable() bool {
	return o.hdr.version == 2 || o.hdr.chunks == nil && (o.f.family == LibverLatest || o.ainfo != nil)
}

// linksChanged marks g for rewriting after a link was added or removed.
// Links read from dense storage are then written as link messages.
func (g *Group) linksChanged() {
	g.dirty = true
	if g.denseLinks {
		g.denseLinks = false
		g.linfo.heap, g.linfo.nameIndex, g.linfo.orderIndex = UndefinedAddr, UndefinedAddr, UndefinedAddr
	}
}

// attrsChanged marks o for rewriting after an attribute was set or
// deleted. Attributes read from dense storage are then written in the
// header.
func (o *object) attrsChanged() {
	o.dirty = true
	if o.denseAttrs {
		o.denseAttrs = false
		o.ainfo.heap, o.ainfo.nameIndex, o.ainfo.orderIndex = UndefinedAddr, UndefinedAddr, UndefinedAddr
	}
}

// newGroup returns a new group in the file's family.
func (f *File) newGroup() *Group {
	g := &Group{object: f.newObject()}
	if f.family == LibverLatest || f.trackOrder {
		g.linkMsgs = true
		g.linfo = linkInfoMsg{heap: UndefinedAddr, nameIndex: UndefinedAddr, orderIndex: UndefinedAddr}
	}
	if f.trackOrder {
		g.linfo.flags = linkTrackOrder | linkIndexOrder
	}
	return g
}

func (g *Group) newGroup(name string) (*Group, error) {
	ng := g.f.newGroup()
	if err := g.insert(link{name: name, obj: ng}); err != nil {
		return nil, err
	}
	return ng, nil
}

// CreateGroup creates a new group at path (relative to g), creating
// missing intermediate groups. It fails with ErrExists if path exists.
func (g *Group) CreateGroup(path string) (*Group, error) {
	if g.mutable() == nil {
		g.f.mix("CreateGroup", g.ident(), path)
	}
	parent, name, err := g.parentOf(path, true)
	if err != nil {
		return nil, err
	}
	return parent.newGroup(name)
}

// RequireGroup returns the group at path, creating it and any missing
// intermediate groups (h5py's require_group).
func (g *Group) RequireGroup(path string) (*Group, error) {
	o, err := g.Lookup(path)
	if err == nil {
		if ng, ok := o.(*Group); ok {
			return ng, nil
		}
		return nil, fmt.Errorf("path %q is a dataset, not a group: %w", path, ErrExists)
	}
	return g.CreateGroup(path)
}

// Link adds a hard link name to an existing object (h5py's g[name] = obj).
// A link that would make a group contain itself is refused: a new group's
// header address is given when it is first flushed, after its members',
// and a cycle has no such order.
func (g *Group) Link(path string, o Object) error {
	if o == nil || o.obj().f != g.f {
		return fmt.Errorf("h5core: Link to an object of another file")
	}
	if o.obj().deleted {
		return ErrDeleted
	}
	parent, name, err := g.parentOf(path, true)
	if err != nil {
		return err
	}
	if og, ok := o.(*Group); ok {
		in, err := og.contains(parent, map[*Group]bool{})
		if err != nil {
			return fmt.Errorf("h5core: link %q: %w", path, err)
		}
		if in {
			return fmt.Errorf("h5core: linking %q would make a group contain itself", path)
		}
	}
	g.f.mix("Link", g.ident(), path, o.obj().ident())
	return parent.insert(link{name: name, obj: o})
}

// contains reports whether target is g or in g's subtree. Members not
// loaded yet are loaded (a cycle may pass through them); one that cannot
// be read is an error, as the answer is then unknown.
func (g *Group) contains(target *Group, seen map[*Group]bool) (bool, error) {
	if g == target {
		return true, nil
	}
	if seen[g] {
		return false, nil
	}
	seen[g] = true
	for i := range g.links {
		l, err := g.resolve(i)
		if err != nil {
			return false, err
		}
		if c, ok := l.obj.(*Group); ok {
			if in, err := c.contains(target, seen); in || err != nil {
				return in, err
			}
		}
	}
	return false, nil
}

// CreateSoftLink adds a soft link at path pointing at target (h5py's SoftLink).
func (g *Group) CreateSoftLink(path, target string) error {
	parent, name, err := g.parentOf(path, true)
	if err != nil {
		return err
	}
	g.f.mix("SoftLink", g.ident(), path, target)
	return parent.insert(link{name: name, soft: target})
}

// Unlink removes the link at path. The object's storage is not reclaimed.
func (g *Group) Unlink(path string) error {
	parent, name, err := g.parentOf(path, false)
	if err != nil {
		return err
	}
	i, ok := parent.find(name)
	if !ok {
		return fmt.Errorf("link %q: %w", path, ErrNotFound)
	}
	g.f.mix("Unlink", g.ident(), path)
	parent.loadForUnlink(i)
	parent.removeLink(i)
	parent.linksChanged()
	return nil
}

// Move renames the link at src to dst (h5py's Group.move); intermediate
// groups of dst are created.
func (g *Group) Move(src, dst string) error {
	sp, sname, err := g.parentOf(src, false)
	if err != nil {
		return err
	}
	i, ok := sp.find(sname)
	if !ok {
		return fmt.Errorf("link %q: %w", src, ErrNotFound)
	}
	l, err := sp.resolve(i) // a group's subtree is checked below
	if err != nil {
		return fmt.Errorf("link %q: %w", src, err)
	}
	dp, dname, err := g.parentOf(dst, true)
	if err != nil {
		return err
	}
	if _, ok := dp.find(dname); ok {
		return fmt.Errorf("link %q: %w", dst, ErrExists)
	}
	if og, ok := l.obj.(*Group); ok {
		if in, err := og.contains(dp, map[*Group]bool{}); err != nil {
			return fmt.Errorf("h5core: move %q: %w", src, err)
		} else if in {
			return fmt.Errorf("h5core: cannot move %q into itself", src)
		}
	}
	g.f.mix("Move", g.ident(), src, dst)
	i, _ = sp.find(sname) // dp may be sp: find again after creating intermediates
	sp.removeLink(i)
	sp.linksChanged()
	l.name = dname
	return dp.insert(l)
}

// Visit calls fn for every object below g, depth first in member order,
// with its path relative to g, each object once (h5py's visititems).
// Soft links and objects h5core cannot model are skipped. A non-nil error
// from fn stops the walk and is returned.
func (g *Group) Visit(fn func(path string, o Object) error) error {
	seen := map[*object]bool{g.obj(): true}
	var walk func(prefix string, grp *Group) error
	walk = func(prefix string, grp *Group) error {
		for i := range grp.ordered() {
			l, err := grp.resolve(i)
			if err != nil {
				return fmt.Errorf("%s%s: %w", prefix, grp.links[i].name, err)
			}
			if l.obj == nil || seen[l.obj.obj()] {
				continue
			}
			seen[l.obj.obj()] = true
			p := prefix + l.name
			if err := fn(p, l.obj); err != nil {
				return err
			}
			if c, ok := l.obj.(*Group); ok {
				if err := walk(p+"/", c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk("", g)
}
