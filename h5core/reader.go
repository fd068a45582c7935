package h5core

import (
	"fmt"
	"io"
	"slices"
)

// LinkInfo is one link of a group stored in the newer format (link
// messages or dense link storage), as the new-format decoders return it.
type LinkInfo struct {
	Name     string
	Addr     uint64 // hard link target; UndefinedAddr for soft and external links
	Soft     string // soft link target path
	External [2]string
	Crt      uint64 // creation index, if the group tracks creation order
}

// maxGroupDepth bounds nesting so a hostile file cannot exhaust the stack.
const maxGroupDepth = 512

// Open reads the file's superblock and root group into a model; the rest
// is read when first touched (lazy.go, ARCHITECTURE.md decision 7). Every
// length and address is checked against size before it is used, and a
// damaged structure found later is reported by the call that touched it.
// The file keeps its format family: a flush rewrites opened objects in
// their own format.
func Open(r io.ReaderAt, size int64) (*File, error) {
	if r == nil || size < 0 {
		return nil, fmt.Errorf("h5core: Open needs a reader and a size >= 0 (got size %d)", size)
	}
	f := &File{r: r, size: size}
	sb, err := f.readSuperblock()
	if err != nil {
		return nil, err
	}
	f.sbVersion = sb.version
	f.leafK, f.groupK, f.istoreK = sb.leafK, sb.groupK, sb.istoreK
	if sb.version >= 2 {
		f.family, f.sb2 = LibverLatest, sb.v2
	}
	switch {
	case sb.driver != UndefinedAddr:
		f.readOnly = fmt.Errorf("file with a driver information block (family or multi driver): %w", ErrReadOnly)
	}
	if f.base != 0 && sb.eof >= f.base {
		sb.eof -= f.base // libhdf5 stores base+eof (superblock.go)
	}
	f.eof = max(sb.eof, uint64(f.size))
	o := &opener{f: f, objs: map[uint64]Object{}, seen: map[uint64]uint32{}}
	f.lazy = o
	f.live = map[*object]Object{}
	root, err := o.load(sb.rootAddr, 0)
	if err != nil {
		return nil, err
	}
	g, ok := root.(*Group)
	if !ok {
		return nil, formatErr(0, "root object is not a group", sb.rootAddr)
	}
	f.root = g
	return f, nil
}

// opener loads objects of an opened file on demand (lazy.go).
type opener struct {
	f    *File
	objs map[uint64]Object // loaded objects by header address: hard links share one model object
	// seen counts, per header address of an object not loaded yet, the
	// hard links to it in loaded groups, so that when it loads the links
	// in groups not loaded yet are known (object.ext).
	seen map[uint64]uint32
}

// load reads the object whose header is at addr, or returns it if loaded
// already. A group's links are read with it; the objects they point to
// are not.
func (o *opener) load(addr uint64, depth int) (Object, error) {
	if ob, ok := o.objs[addr]; ok {
		return ob, nil
	}
	if depth > maxGroupDepth {
		return nil, formatErr(int64(min(addr, 1<<62)), "groups nested too deeply", depth)
	}
	f := o.f
	msgs, refCount, hs, err := f.readHeader(addr)
	if err != nil {
		return nil, err
	}
	base := object{f: f, addr: addr, refCount: refCount, id: loadedID(addr), hdr: hs}
	var isGroup, isDataset, isType, newLinks bool
	var attrInfo bool
	kept := msgs[:0:0]
	for _, m := range msgs {
		switch m.Type {
		case MsgSymbolTable:
			isGroup = true
		case MsgLinkInfo, MsgLink, MsgGroupInfo:
			isGroup, newLinks = true, true
		case MsgDataLayout:
			isDataset = true
		case MsgDatatype:
			isType = true
		case MsgAttributeInfo:
			ai, err := decodeAttrInfo(m)
			if err != nil {
				return nil, err
			}
			attrInfo = attrInfo || ai.heap != UndefinedAddr
			base.ainfo, base.denseAttrs = &ai, ai.heap != UndefinedAddr
		case MsgRefCount:
			if hs.version == 2 {
				c := newCursor(m.Data, m.Off, "reference count message")
				if v := c.u8(); v != 0 {
					c.fail("version", v)
				}
				base.refCount = c.u32()
				if c.err != nil {
					return nil, c.err
				}
				continue
			}
		}
		kept = append(kept, m)
	}
	msgs = kept
	// Links in groups not loaded yet: the count on disk (a version 2
	// header keeps one above 1 in a message) less the links seen.
	base.ext = base.refCount - min(base.refCount, o.seen[addr])
	delete(o.seen, addr)
	attrMsgs := []RawMessage{}
	denseN := 0
	for _, m := range msgs {
		if m.Type == MsgAttribute {
			attrMsgs = append(attrMsgs, m)
		}
	}
	if attrInfo {
		dense, err := decodeDenseAttrs(f.r, f.size, msgs)
		if err != nil {
			return nil, fmt.Errorf("attributes of object at %d: %w", addr, err)
		}
		attrMsgs = append(attrMsgs, dense...)
		denseN = len(dense)
	}
	for i, m := range attrMsgs {
		if m.Flags&msgFlagShared != 0 {
			return nil, fmt.Errorf("shared attribute message at offset %d: %w", m.Off, ErrUnsupported)
		}
		a, err := decodeAttributeShared(m.Data, m.Off, func(at uint64) (*NamedType, error) { return o.named(at, depth) })
		if err != nil {
			return nil, err
		}
		a.crt = m.crt
		if i >= len(attrMsgs)-denseN && base.ainfo != nil {
			// Dense attributes come in creation order (when indexed so):
			// number them after the compact ones.
			a.crt = uint16(i)
		}
		base.appendAttr(a)
	}
	switch {
	case isGroup:
		g := &Group{object: base, depth: depth}
		o.objs[addr] = g
		for i, m := range msgs {
			switch m.Type {
			case MsgLinkInfo:
				li, err := decodeLinkInfo(m)
				if err != nil {
					return nil, err
				}
				g.linfo, g.denseLinks = li, li.heap != UndefinedAddr
			case MsgGroupInfo:
				g.ginfo = &msgs[i]
			case MsgSymbolTable, MsgAttribute, MsgLink, MsgAttributeInfo:
			default:
				g.extra = append(g.extra, m)
			}
		}
		g.linkMsgs = newLinks
		if newLinks {
			err = o.loadNewLinks(g, msgs)
		} else {
			err = o.loadSymbolTable(g, msgs)
		}
		if err != nil {
			delete(o.objs, addr)
			return nil, err
		}
		f.live[g.obj()] = g
		return g, nil
	case isDataset:
		d, err := o.loadDataset(base, msgs, depth)
		if err != nil {
			return nil, fmt.Errorf("dataset at %d: %w", addr, err)
		}
		o.objs[addr] = d
		f.live[d.obj()] = d
		return d, nil
	case isType:
		t, err := o.loadNamedType(base, msgs)
		if err != nil {
			return nil, fmt.Errorf("committed datatype at %d: %w", addr, err)
		}
		o.objs[addr] = t
		f.live[t.obj()] = t
		return t, nil
	}
	return nil, fmt.Errorf("object at %d is neither a group, a dataset nor a committed datatype: %w", addr, ErrUnsupported)
}

// loadNamedType models a committed datatype: its datatype message (kept
// verbatim) and the messages it does not know (kept as they are).
func (o *opener) loadNamedType(base object, msgs []RawMessage) (*NamedType, error) {
	t := &NamedType{object: base}
	for i, m := range msgs {
		switch m.Type {
		case MsgDatatype:
			if m.Flags&msgFlagShared != 0 {
				return nil, formatErr(m.Off, "committed datatype whose own type is shared", m.Flags)
			}
			dt, err := decodeDatatype(m.Data, m.Off)
			if err != nil {
				return nil, err
			}
			t.dtype, t.raw = dt, &msgs[i]
		case MsgAttribute, MsgAttributeInfo:
		default:
			t.extra = append(t.extra, m)
		}
	}
	return t, nil
}

// named returns the committed datatype whose header is at addr, for a
// user (an attribute) of an object at depth: loaded once, shared by every
// user. A chain of types whose attributes use types is bounded as nested
// groups are.
func (o *opener) named(addr uint64, depth int) (*NamedType, error) {
	if depth >= maxGroupDepth {
		return nil, formatErr(int64(min(addr, 1<<62)), "committed datatypes nested too deeply", depth+1)
	}
	ob, err := o.load(addr, depth+1)
	if err != nil {
		return nil, err
	}
	t, ok := ob.(*NamedType)
	if !ok {
		return nil, formatErr(int64(min(addr, 1<<62)), "shared message pointing at an object that is not a committed datatype", addr)
	}
	return t, nil
}

func (o *opener) loadNewLinks(g *Group, msgs []RawMessage) error {
	ls, err := decodeLinks(o.f.r, o.f.size, msgs)
	if err != nil {
		return err
	}
	g.links = slices.Grow(g.links, len(ls))
	for _, l := range ls {
		if l.External[0] != "" || l.External[1] != "" {
			ext := l.External
			g.links = append(g.links, link{name: l.Name, external: &ext, crt: l.Crt})
			continue
		}
		if l.Addr == UndefinedAddr {
			g.links = append(g.links, link{name: l.Name, soft: l.Soft, crt: l.Crt})
			continue
		}
		hl := o.hardLink(l.Name, l.Addr)
		hl.crt = l.Crt
		g.links = append(g.links, hl)
	}
	sortLinks(g.links)
	for i := 1; i < len(g.links); i++ {
		if g.links[i].name == g.links[i-1].name {
			return formatErr(int64(min(g.addr, 1<<62)), "duplicate link name in group", g.links[i].name)
		}
	}
	return nil
}

func (o *opener) loadSymbolTable(g *Group, msgs []RawMessage) error {
	f := o.f
	for _, m := range msgs {
		if m.Type != MsgSymbolTable {
			continue
		}
		var err error
		if g.btree, g.heap, err = decodeSymbolTableMsg(m); err != nil {
			return err
		}
		break
	}
	seg, err := f.readLocalHeap(g.heap)
	if err != nil {
		return err
	}
	// Each symbol node's entries become links as the node is read: a
	// group of 100k members never holds all its entries twice.
	err = f.walkBTree1(g.btree, btreeGroup, 8, 0, map[uint64]bool{}, func(snod uint64, _, _ []byte) error {
		es, err := f.readSymbolNode(snod)
		if err != nil {
			return err
		}
		if n := len(g.links) + len(es); n > cap(g.links) {
			// Doubling: append grows a large slice by a quarter, which
			// for 100k links allocates five times their size.
			g.links = slices.Grow(g.links, max(len(es), cap(g.links)))
		}
		for _, e := range es {
			name, err := heapString(seg, e.nameOff, int64(g.heap))
			if err != nil {
				return err
			}
			if e.cacheType == 2 {
				off := uint64(e.scratch[0]) | uint64(e.scratch[1])<<8 | uint64(e.scratch[2])<<16 | uint64(e.scratch[3])<<24
				target, err := heapString(seg, off, int64(g.heap))
				if err != nil {
					return err
				}
				g.links = append(g.links, link{name: name, soft: target})
				continue
			}
			g.links = append(g.links, o.hardLink(name, e.addr))
		}
		return nil
	})
	if err != nil {
		o.unseeLinks(g.links)
		return fmt.Errorf("group at %d: %w", g.addr, err)
	}
	sortLinks(g.links)
	for i := 1; i < len(g.links); i++ {
		if g.links[i].name == g.links[i-1].name {
			return formatErr(int64(g.btree), "duplicate link name in group", g.links[i].name)
		}
	}
	return nil
}

func (o *opener) loadDataset(base object, msgs []RawMessage, depth int) (*Dataset, error) {
	f := o.f
	d := &Dataset{object: base, dataAddr: UndefinedAddr, btreeAddr: UndefinedAddr}
	var space *dataspace
	var lay *layoutMsg
	haveFill := false
	for i := range msgs {
		m := msgs[i]
		var err error
		switch m.Type {
		case MsgDataspace:
			var ds dataspace
			ds, err = decodeDataspace(m.Data, m.Off)
			space = &ds
		case MsgDatatype:
			data := m.Data
			if m.Flags&msgFlagShared != 0 {
				// The committed type is loaded as an object: its
				// reference count counts this use, which a delete of
				// the dataset gives back (freeUnlinked).
				addr, err := decodeSharedRef(m.Data, m.Off)
				if err != nil {
					return nil, err
				}
				nt, err := o.named(addr, depth)
				if err != nil {
					return nil, err
				}
				d.diskNamed = nt
				if nt.raw != nil {
					data = nt.raw.Data
				} else if data, err = nt.dtype.encode(); err != nil {
					return nil, err
				}
			}
			d.dtype, err = decodeDatatype(data, m.Off)
			d.rawType = &msgs[i]
		case MsgFillValue:
			d.fill, err = decodeFillValue(m.Data, m.Off)
			d.rawFill = &msgs[i]
			haveFill = true
		case MsgFillValueOld:
			d.rawFillOld = &msgs[i]
			if !haveFill {
				d.fill.Value = decodeFillValueOld(m.Data, m.Off)
			}
		case MsgDataLayout:
			lay, err = decodeLayout(m.Data, m.Off)
			if err == nil && lay.class == LayoutVirtual {
				d.rawLayout = &msgs[i]
			}
			if err == nil && lay.class == LayoutChunked && lay.version >= 4 {
				d.rawLayout, d.useV4 = &msgs[i], true
			}
		case MsgFilterPipeline:
			d.filters, err = decodePipeline(m.Data, m.Off)
			d.rawPipeline = &msgs[i]
		case MsgExternalFiles:
			d.external, err = f.decodeExternal(m)
			d.extra = append(d.extra, m) // written back as it is
		case MsgAttribute, MsgAttributeInfo:
		default:
			d.extra = append(d.extra, m)
		}
		if err != nil {
			return nil, err
		}
	}
	if space == nil || d.dtype == nil || lay == nil {
		return nil, formatErr(int64(min(base.addr, 1<<62)), "dataset header lacks a dataspace, datatype or layout message", nil)
	}
	if d.dtype.Size == 0 {
		return nil, formatErr(int64(base.addr), "datatype of size 0", nil)
	}
	d.null = space.null
	d.shape, d.maxShape = space.shape, space.maxShape
	n, ok := numElements(d.shape)
	if d.null {
		n = 0
	}
	if !ok || n > ^uint64(0)/uint64(d.dtype.Size) {
		return nil, formatErr(int64(base.addr), "dataset too large", d.shape)
	}
	nbytes := n * uint64(d.dtype.Size)
	d.layout = lay.class
	switch lay.class {
	case LayoutCompact:
		if uint64(len(lay.compact)) != nbytes {
			return nil, formatErr(int64(base.addr), "compact data size does not match the dataspace", len(lay.compact))
		}
		d.compact = lay.compact
	case LayoutContiguous:
		d.dataAddr, d.size = lay.addr, lay.size
		if lay.addr != UndefinedAddr && (lay.addr > f.eof || lay.size > f.eof-lay.addr) {
			return nil, formatErr(int64(base.addr), "contiguous data lies beyond the end of the file", lay.addr)
		}
		if lay.size < nbytes && d.external == nil {
			return nil, formatErr(int64(base.addr), "contiguous data smaller than the dataspace", lay.size)
		}
		if d.external != nil && lay.addr != UndefinedAddr {
			return nil, formatErr(int64(base.addr), "dataset with both external and internal storage", lay.addr)
		}
	case LayoutVirtual:
		b, err := f.GetVlen(VlenRef{Len: 1, Addr: lay.addr, Index: lay.heapIndex})
		if err != nil {
			return nil, fmt.Errorf("virtual dataset mappings: %w", err)
		}
		if d.virtual, err = decodeVirtual(b, int64(min(lay.addr, 1<<62))); err != nil {
			return nil, err
		}
	case LayoutChunked:
		rank := len(d.shape)
		if len(lay.chunk) != rank+1 {
			return nil, formatErr(int64(base.addr), "chunk rank does not match the dataspace", len(lay.chunk))
		}
		cb := uint64(d.dtype.Size)
		for _, c := range lay.chunk[:rank] {
			d.chunk = append(d.chunk, uint64(c))
			cb *= uint64(c) // at most 2^32 * 2^32: checked each step
			if cb > 0xffffffff {
				return nil, formatErr(int64(base.addr), "chunk of 4 GiB or more", d.chunk)
			}
		}
		if lay.version == 3 {
			d.btreeAddr = lay.addr
			d.index = &btree1Index{f: f, addr: lay.addr, diskRoot: lay.addr, rank: rank, chunk: d.chunk}
		} else {
			idx, err := openIndexV4(chunkIndexParams{
				r: f.r, size: f.size, shape: d.shape, maxShape: d.maxShape, chunk: d.chunk,
				elemSize: d.dtype.Size, filtered: len(d.filters) > 0, flags: lay.flags,
				indexType: lay.indexType, indexInfo: lay.indexInfo, addr: lay.addr,
			})
			if err != nil {
				return nil, err
			}
			d.index = idx
		}
	}
	return d, nil
}
