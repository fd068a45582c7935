package h5core

import (
	"fmt"
	"io"
	"io/fs"
	"sort"
)

// Flush writes every changed piece of metadata to w, in the order that
// keeps every prefix of it a file libhdf5 opens (ARCHITECTURE.md decision
// 5): first everything new (B-trees, heaps, symbol table nodes, chunk
// indexes, continuation chunks, new object headers, global heap
// collections), all in space nothing on disk refers to; then the
// superblock with the new end of file; then the changed object headers,
// each rewritten in place at the address it was first given, children
// before parents, one write each. A crash leaves each object as of the
// previous Flush or as of this one. Raw data must be written by the caller
// before Flush. A w that is a Publisher hears when the superblock and
// in-place writes begin and end (snapshot.go, decision 28).
//
// If w has Stat and Truncate methods (an *os.File) and is shorter than
// EOF, it is extended to EOF so libhdf5 does not report a truncated file.
func (f *File) Flush(w io.WriterAt) error {
	if w == nil {
		return fmt.Errorf("h5core: Flush needs a writer")
	}
	if f.readOnly != nil {
		return f.readOnly
	}
	if f.failed != nil {
		return fmt.Errorf("h5core: an earlier flush failed, so the model no longer matches the file; reopen it: %w", f.failed)
	}
	if f.base != 0 {
		// Every address in the file is relative to the superblock, which
		// follows the user block (userblock.go).
		w = &baseWriter{w: w, base: int64(f.base)}
	}
	if err := f.flush(w); err != nil {
		f.failed = err
		return err
	}
	return nil
}

func (f *File) flush(w io.WriterAt) error {
	f.mix("Flush")
	f.flushes++
	refs := map[*object]uint32{} // lookup only: link counts
	live := map[*object]Object{}
	f.countLinks(f.root, refs, live)
	f.freeUnlinked(live)
	for _, o := range f.linkedElsewhere(refs) {
		countTypeUsers(o, refs, live)
	}
	var blocks, inPlace []block
	fw := &flushWriter{f: f, refs: refs, out: &blocks, inPlace: &inPlace}
	if err := fw.flushObject(f.root); err != nil {
		return err
	}
	for _, o := range f.linkedElsewhere(refs) {
		if err := fw.flushObject(o); err != nil {
			return err
		}
	}
	if f.snapAddr != 0 && f.flushes == 1 {
		blocks = append(blocks, block{f.snapAddr, EncodeSnapshotBlock(0)}) // snapshot.go; the writer's Publisher advances it
	}
	if len(blocks) == 0 && len(inPlace) == 0 && f.flushes > 1 && !f.gheapDirty() {
		return nil
	}
	for _, b := range coalesceBlocks(blocks) {
		if _, err := w.WriteAt(b.data, int64(b.addr)); err != nil {
			return fmt.Errorf("h5core: write metadata at %d: %w", b.addr, err)
		}
	}
	for _, c := range f.gheap.cols {
		if c.dirty {
			if _, err := w.WriteAt(c.encode(), int64(c.addr)); err != nil {
				return fmt.Errorf("h5core: write global heap at %d: %w", c.addr, err)
			}
			c.dirty = false
			c.written = true
		}
	}
	inner := w
	if bw, ok := w.(*baseWriter); ok {
		inner = bw.w
	}
	if s, ok := inner.(interface {
		Stat() (fs.FileInfo, error)
		Truncate(int64) error
	}); ok {
		end := int64(f.base + f.eof) // the user block, then the HDF5 data
		if st, err := s.Stat(); err == nil && st.Size() < end {
			if err := s.Truncate(end); err != nil {
				return fmt.Errorf("h5core: extend file to %d bytes: %w", end, err)
			}
		}
	}
	// From here on the flush changes bytes a reader of the previous one
	// may be reading (snapshot.go): the superblock, then headers in place.
	pub := publisher(w)
	if pub != nil {
		if err := pub.BeginPublish(); err != nil {
			return fmt.Errorf("h5core: begin publishing the flush: %w", err)
		}
	}
	g := f.root
	var sb []byte
	if f.sbVersion >= 2 {
		sb = encodeSuperblockV2(f.sb2, f.base, f.eof, g.addr)
	} else {
		root := symbolEntry{addr: g.addr}
		if g.heap != 0 {
			root.cacheType, root.scratch = 1, groupScratch(g.btree, g.heap)
		}
		sb = encodeSuperblock(f.base, f.eof, root, f.leafK, f.groupK, f.istoreK)
	}
	if _, err := w.WriteAt(sb, 0); err != nil {
		return fmt.Errorf("h5core: write superblock: %w", err)
	}
	for _, b := range inPlace {
		if _, err := w.WriteAt(b.data, int64(b.addr)); err != nil {
			return fmt.Errorf("h5core: rewrite object header at %d: %w", b.addr, err)
		}
	}
	if pub != nil {
		if err := pub.EndPublish(); err != nil {
			return fmt.Errorf("h5core: end publishing the flush: %w", err)
		}
	}
	f.commitFree()
	return nil
}

// maxCoalesced bounds one merged metadata write.
const maxCoalesced = 4 << 20

// coalesceBlocks merges blocks that follow each other in the file (up to
// the allocator's 8-byte padding, which belongs to the block before) into
// one write each: a thousand new object headers are one pwrite instead of
// a thousand. Padding is written as zeros.
func coalesceBlocks(blocks []block) []block {
	if len(blocks) < 2 {
		return blocks
	}
	sorted := append([]block(nil), blocks...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].addr < sorted[j].addr })
	var out []block
	for i := 0; i < len(sorted); {
		j, end, size := i+1, sorted[i].addr+uint64(len(sorted[i].data)), uint64(len(sorted[i].data))
		for j < len(sorted) {
			next := sorted[j]
			if next.addr < end || next.addr != (end+7)&^7 || size+uint64(len(next.data)) > maxCoalesced {
				break
			}
			end = next.addr + uint64(len(next.data))
			size = end - sorted[i].addr
			j++
		}
		if j == i+1 {
			out = append(out, sorted[i])
			i = j
			continue
		}
		buf := make([]byte, end-sorted[i].addr)
		for _, b := range sorted[i:j] {
			copy(buf[b.addr-sorted[i].addr:], b.data)
		}
		out = append(out, block{sorted[i].addr, buf})
		i = j
	}
	return out
}

func (f *File) gheapDirty() bool {
	for _, c := range f.gheap.cols {
		if c.dirty {
			return true
		}
	}
	return false
}

func (f *File) countLinks(g *Group, refs map[*object]uint32, live map[*object]Object) {
	o := g.obj()
	if refs[o] > 0 {
		refs[o]++
		return
	}
	refs[o] = 1
	live[o] = g
	countTypeUsers(g, refs, live)
	for i := range g.links {
		g.resolveLoaded(i) // links not followed yet, to objects loaded since (lazy.go)
		switch c := g.links[i].obj.(type) {
		case *Group:
			f.countLinks(c, refs, live)
		case *Dataset, *NamedType:
			ob := c.obj()
			refs[ob]++
			if _, ok := live[ob]; !ok {
				live[ob] = c
				countTypeUsers(c, refs, live)
			}
		}
	}
}

// countTypeUsers counts o's uses of committed datatypes that this model
// made (its dataset type, its attributes' types) as references to those
// types, as libhdf5 does; uses read from the file are in the types'
// on-disk counts already (object.ext). A type reached only through its
// users is live.
func countTypeUsers(o Object, refs map[*object]uint32, live map[*object]Object) {
	use := func(nt *NamedType) {
		ob := nt.obj()
		refs[ob]++
		if _, ok := live[ob]; !ok {
			live[ob] = nt
			countTypeUsers(nt, refs, live)
		}
	}
	if d, ok := o.(*Dataset); ok && d.named != nil {
		use(d.named)
	}
	for _, a := range o.obj().attrs {
		if a.Named != nil && !a.namedOnDisk {
			use(a.Named)
		}
	}
}

// freeUnlinked releases the space of objects that were in the tree at the
// last flush and are no longer reachable (h5py's del): headers, group
// tables, chunk indexes and raw data. Release order does not matter: the
// pending list is sorted when committed.
func (f *File) freeUnlinked(live map[*object]Object) {
	for ob, o := range f.live {
		if _, ok := live[ob]; ok {
			continue
		}
		if ob.ext > 0 {
			live[ob] = o // still linked from a group not loaded (lazy.go)
			continue
		}
		ob.deleted = true
		ob.dropDiskTypeUses()
		for _, c := range ob.hdr.chunks {
			f.release(c.addr, c.size)
		}
		switch t := o.(type) {
		case *Group:
			for _, e := range t.table {
				f.release(e.addr, e.size)
			}
		case *Dataset:
			if nt := t.diskNamed; nt != nil {
				if b := nt.obj(); b.ext > 0 {
					b.ext--
				}
				t.diskNamed = nil
			}
			for _, e := range t.btreeSpace {
				f.release(e.addr, e.size)
			}
			if t.layout == LayoutContiguous && t.dataAddr != UndefinedAddr {
				f.release(t.dataAddr, t.size)
			}
			if t.layout == LayoutChunked && t.loadChunks() == nil {
				for _, r := range t.chunks {
					f.release(r.Addr, r.Size)
				}
			}
			t.dataAddr, t.chunks, t.index = UndefinedAddr, map[string]*ChunkRecord{}, nil
		}
	}
	f.live = live
}

// dropDiskTypeUses gives back the uses of committed datatypes that ob,
// read from the file, made (its dataset type, its attributes' types):
// the types' counts on disk include them (object.ext), and ob is deleted.
func (ob *object) dropDiskTypeUses() {
	for _, a := range ob.attrs {
		a.dropDiskUse()
	}
}

// dropDiskUse gives back a's use of its committed datatype, if the
// type's count on disk includes it (a read from the file), as libhdf5
// does when the attribute goes.
func (a *Attribute) dropDiskUse() {
	if a.Named != nil && a.namedOnDisk {
		a.namedOnDisk = false
		if b := a.Named.obj(); b.ext > 0 {
			b.ext--
		}
	}
}

type flushWriter struct {
	f       *File
	refs    map[*object]uint32
	out     *[]block // new space: written before the superblock
	inPlace *[]block // headers rewritten where they are: after it, children first
}

// flushObject writes o's header if o changed, after its members'.
// A header keeps its address, so a parent is rewritten only when its own
// messages change (a link added or removed, a new member's first
// address), never because a member's header was rewritten.
func (w *flushWriter) flushObject(o Object) error {
	ob := o.obj()
	if ob.seen == w.f.flushes {
		return nil
	}
	ob.seen = w.f.flushes
	if rc := w.refs[ob] + ob.ext; rc != ob.refCount {
		ob.refCount = rc
		ob.dirty = true
	}
	var msgs []RawMessage
	switch t := o.(type) {
	case *Group:
		for _, l := range t.ordered() {
			if l.obj == nil {
				continue
			}
			if err := w.flushObject(l.obj); err != nil {
				return err
			}
		}
		if !t.dirty {
			return nil
		}
		if t.linkMsgs {
			ginfo := RawMessage{Type: MsgGroupInfo, Flags: msgFlagConstant, Data: defaultGroupInfo}
			if t.ginfo != nil {
				ginfo = *t.ginfo
			}
			if !t.denseLinks {
				if err := w.writeLinkStorage(t, ginfo); err != nil {
					return err
				}
			}
			msgs = append(msgs, RawMessage{Type: MsgLinkInfo, Data: t.linfo.encode()}, ginfo)
			break
		}
		if err := w.writeGroupTable(t); err != nil {
			return err
		}
		msgs = append(msgs, RawMessage{Type: MsgSymbolTable, Data: encodeSymbolTableMsg(t.btree, t.heap)})
	case *NamedType:
		if !t.dirty {
			return nil
		}
		var err error
		if msgs, err = t.messages(); err != nil {
			return err
		}
	case *Dataset:
		if t.named != nil {
			if err := w.flushObject(t.named); err != nil { // its address goes in t's datatype message
				return err
			}
		}
		if t.chunkDirty {
			if err := w.writeChunkIndex(t); err != nil {
				return err
			}
			t.chunkDirty = false
			t.dirty = true
		}
		if !t.dirty {
			return nil
		}
		var err error
		if msgs, err = t.messages(); err != nil {
			return err
		}
	}
	v2 := ob.hdr.version == 2 || ob.hdr.chunks == nil && (w.f.family == LibverLatest || ob.ainfo != nil)
	if ob.ainfo == nil && v2 && len(ob.attrs) > 0 && !ob.denseAttrs {
		// libhdf5 gives every object of the newer family that has
		// attributes an attribute info message.
		ob.ainfo = &attrInfoMsg{heap: UndefinedAddr, nameIndex: UndefinedAddr, orderIndex: UndefinedAddr}
	}
	var attrMsgs []RawMessage
	if !ob.denseAttrs {
		for _, a := range ob.attrs {
			if a.Named != nil {
				if err := w.flushObject(a.Named); err != nil {
					return err
				}
			}
			b, err := a.encode()
			if err != nil {
				return err
			}
			attrMsgs = append(attrMsgs, RawMessage{Type: MsgAttribute, Data: b, crt: a.crt})
		}
		if ob.ainfo != nil && v2 { // libhdf5 reads dense attributes only through version 2 headers
			if err := w.writeAttrStorage(ob, attrMsgs); err != nil {
				return err
			}
		}
	}
	if ob.ainfo != nil {
		msgs = append(msgs, RawMessage{Type: MsgAttributeInfo, Data: ob.ainfo.encode()})
	}
	if ob.ainfo == nil || ob.ainfo.heap == UndefinedAddr {
		msgs = append(msgs, attrMsgs...)
	}
	if g, ok := o.(*Group); ok && g.linkMsgs && g.linfo.heap == UndefinedAddr {
		track := g.linfo.flags&linkTrackOrder != 0
		for _, l := range g.links {
			addr := UndefinedAddr
			switch {
			case l.obj != nil:
				addr = l.obj.Addr()
			case l.opaque != nil:
				addr = l.opaque.addr
			}
			msgs = append(msgs, RawMessage{Type: MsgLink, Data: encodeLinkMsg(l, addr, track)})
		}
	}
	msgs = append(msgs, ob.extra...)
	if err := w.writeHeader(ob, msgs); err != nil {
		return err
	}
	ob.dirty = false
	return nil
}

// writeHeader encodes ob's header. A new object gets its address here,
// once; an object already on disk is rewritten in its first chunk, and
// what does not fit goes to a continuation chunk in new space (the old
// continuation chunks are freed after this flush).
func (w *flushWriter) writeHeader(ob *object, msgs []RawMessage) error {
	f := w.f
	var contAddr uint64
	alloc := func(n uint64) uint64 { contAddr = f.alloc(n); return contAddr }
	isNew := ob.hdr.chunks == nil
	if isNew {
		ob.hdr = headerSpace{version: 1}
		// libhdf5 gives objects that track attribute creation order
		// version 2 headers in either family.
		if f.family == LibverLatest || ob.ainfo != nil {
			ob.hdr.version = 2
			if ob.ainfo != nil && ob.ainfo.flags&attrTrackOrder != 0 {
				ob.hdr.flags |= ohdrCrtOrder
			}
		}
	}
	var capacity uint64
	if !isNew {
		capacity = ob.hdr.chunks[0].size
	}
	var head, cont []byte
	var err error
	if ob.hdr.version == 2 {
		if ob.refCount > 1 { // version 2 headers keep a count above 1 in a message
			msgs = append(msgs, RawMessage{Type: MsgRefCount, Data: put32([]byte{0}, ob.refCount)})
		}
		head, cont, err = encodeHeaderV2(msgs, &ob.hdr, capacity, alloc)
	} else {
		head, cont, err = encodeHeaderV1(msgs, ob.refCount, capacity, alloc)
	}
	if err != nil {
		if isNew {
			return err
		}
		return fmt.Errorf("h5core: object header at %d: %w", ob.addr, err)
	}
	if isNew {
		ob.addr = f.alloc(uint64(len(head)))
		ob.hdr.chunks = []extent{{ob.addr, uint64(len(head))}}
		*w.out = append(*w.out, block{ob.addr, head})
	} else {
		for _, c := range ob.hdr.chunks[1:] {
			f.release(c.addr, c.size)
		}
		ob.hdr.chunks = ob.hdr.chunks[:1]
		*w.inPlace = append(*w.inPlace, block{ob.addr, head})
	}
	if cont != nil { // never for a new header: it is sized to hold every message
		ob.hdr.chunks = append(ob.hdr.chunks, extent{contAddr, uint64(len(cont))})
		*w.out = append(*w.out, block{contAddr, cont})
	}
	return nil
}

// linkAddr is the object address a link message names.
func linkAddr(l link) uint64 {
	switch {
	case l.obj != nil:
		return l.obj.Addr()
	case l.opaque != nil:
		return l.opaque.addr
	}
	return UndefinedAddr
}

// writeLinkStorage chooses a group's link storage as libhdf5 does: link
// messages in the header up to the group's maximum compact count (8 by
// default), dense storage beyond it (a fractal heap of link messages
// indexed by a v2 B-tree of name hashes, and of creation order when the
// group indexes it). Dense storage is written anew in new space.
func (w *flushWriter) writeLinkStorage(g *Group, ginfo RawMessage) error {
	for _, e := range g.denseSpace {
		w.f.release(e.addr, e.size)
	}
	g.denseSpace = nil
	g.linfo.heap, g.linfo.nameIndex, g.linfo.orderIndex = UndefinedAddr, UndefinedAddr, UndefinedAddr
	maxCompact, _ := groupInfoPhase(ginfo)
	if len(g.links) <= maxCompact {
		return nil
	}
	track := g.linfo.flags&linkTrackOrder != 0
	objs := make([][]byte, len(g.links))
	for i, l := range g.links {
		objs[i] = encodeLinkMsg(l, linkAddr(l), track)
	}
	alloc := w.f.alloc
	heap, ids, space, err := buildFractalHeap(objs, heapParams{idLen: 7, maxIndex: 32}, alloc, w.out)
	if err != nil {
		return fmt.Errorf("h5core: links of group at %d: %w", g.addr, err)
	}
	byName := make([]int, len(g.links))
	for i := range byName {
		byName[i] = i
	}
	hashes := make([]uint32, len(g.links))
	for i, l := range g.links {
		hashes[i] = lookup3([]byte(l.name), 0)
	}
	sort.Slice(byName, func(a, b int) bool {
		i, j := byName[a], byName[b]
		if hashes[i] != hashes[j] {
			return hashes[i] < hashes[j]
		}
		return g.links[i].name < g.links[j].name
	})
	recs := make([][]byte, len(byName))
	for k, i := range byName {
		recs[k] = append(put32(nil, hashes[i]), ids[i]...)
	}
	names, nspace, err := buildBTree2(bt2LinkName, 4+7, recs, alloc, w.out)
	if err != nil {
		return err
	}
	space = append(space, nspace...)
	g.linfo.heap, g.linfo.nameIndex = heap, names
	if g.linfo.flags&linkIndexOrder != 0 {
		byCrt := append([]int(nil), byName...)
		sort.Slice(byCrt, func(a, b int) bool { return g.links[byCrt[a]].crt < g.links[byCrt[b]].crt })
		recs := make([][]byte, len(byCrt))
		for k, i := range byCrt {
			recs[k] = append(put64(nil, g.links[i].crt), ids[i]...)
		}
		order, ospace, err := buildBTree2(bt2LinkCrtOrder, 8+7, recs, alloc, w.out)
		if err != nil {
			return err
		}
		space = append(space, ospace...)
		g.linfo.orderIndex = order
	}
	g.denseSpace = space
	return nil
}

// groupInfoPhase returns a group info message's link phase change values
// (libhdf5's defaults, 8 and 6, unless the message stores others).
func groupInfoPhase(m RawMessage) (maxCompact, minDense int) {
	c := newCursor(m.Data, m.Off, "group info message")
	c.u8()
	if flags := c.u8(); flags&1 != 0 {
		maxCompact, minDense = int(c.u16()), int(c.u16())
		if c.err == nil {
			return maxCompact, minDense
		}
	}
	return 8, 6
}

// maxCompactAttrs is libhdf5's default attribute phase change: more
// attributes than this go to dense storage.
const maxCompactAttrs = 8

// writeAttrStorage chooses an object's attribute storage (objects with an
// attribute info message: the newer family): messages in the header up
// to 8 attributes each of which fits a header message, else dense
// storage (a fractal heap of attribute messages indexed by a v2 B-tree of
// name hashes, and of creation order when the object indexes it). This is
// also how an attribute larger than 64 KiB is stored.
func (w *flushWriter) writeAttrStorage(ob *object, msgs []RawMessage) error {
	for _, e := range ob.attrSpace {
		w.f.release(e.addr, e.size)
	}
	ob.attrSpace = nil
	ai := ob.ainfo
	ai.heap, ai.nameIndex, ai.orderIndex = UndefinedAddr, UndefinedAddr, UndefinedAddr
	dense := len(msgs) > maxCompactAttrs
	for _, m := range msgs {
		dense = dense || len(m.Data) > 0xffff
	}
	if !dense {
		return nil
	}
	objs := make([][]byte, len(msgs))
	for i, m := range msgs {
		objs[i] = m.Data
	}
	alloc := w.f.alloc
	heap, ids, space, err := buildFractalHeap(objs, heapParams{idLen: 8, maxIndex: 32}, alloc, w.out)
	if err != nil {
		return fmt.Errorf("h5core: attributes of object at %d: %w", ob.addr, err)
	}
	idx := make([]int, len(msgs))
	hashes := make([]uint32, len(msgs))
	for i, a := range ob.attrs {
		idx[i] = i
		hashes[i] = lookup3([]byte(a.Name), 0)
	}
	sort.Slice(idx, func(x, y int) bool {
		i, j := idx[x], idx[y]
		if hashes[i] != hashes[j] {
			return hashes[i] < hashes[j]
		}
		return ob.attrs[i].Name < ob.attrs[j].Name
	})
	rec := func(i int) []byte {
		r := append(append([]byte(nil), ids[i]...), msgs[i].Flags)
		return put32(r, uint32(ob.attrs[i].crt))
	}
	recs := make([][]byte, len(idx))
	for k, i := range idx {
		recs[k] = put32(rec(i), hashes[i])
	}
	names, nspace, err := buildBTree2(bt2AttrName, 8+1+4+4, recs, alloc, w.out)
	if err != nil {
		return err
	}
	space = append(space, nspace...)
	ai.heap, ai.nameIndex = heap, names
	if ai.flags&attrIndexOrder != 0 {
		sort.SliceStable(idx, func(x, y int) bool { return ob.attrs[idx[x]].crt < ob.attrs[idx[y]].crt })
		recs := make([][]byte, len(idx))
		for k, i := range idx {
			recs[k] = rec(i)
		}
		order, ospace, err := buildBTree2(bt2AttrCrtOrder, 8+1+4, recs, alloc, w.out)
		if err != nil {
			return err
		}
		space = append(space, ospace...)
		ai.orderIndex = order
	}
	ob.attrSpace = space
	return nil
}

// writeGroupTable writes a group's local heap, symbol table nodes and
// B-tree, all in new space.
func (w *flushWriter) writeGroupTable(g *Group) error {
	f := w.f
	heap := newLocalHeap()
	type ent struct {
		e    symbolEntry
		name string
	}
	ents := make([]ent, len(g.links))
	for i, l := range g.links {
		e := symbolEntry{nameOff: heap.add(l.name)}
		switch c := l.obj.(type) {
		case *Group:
			// No cached table (cache type 0): the member's table moves
			// when the member changes, and its entry here is not rewritten
			// then (libhdf5 reads a member's table from its header).
			e.addr = c.addr
		case *Dataset, *NamedType:
			e.addr = c.Addr()
		case nil:
			if l.opaque != nil {
				e.addr = l.opaque.addr
				break
			}
			e.addr = UndefinedAddr
			e.cacheType = 2
			copy(e.scratch[:], put32(nil, uint32(heap.add(l.soft))))
		}
		ents[i] = ent{e, l.name}
	}
	for _, e := range g.table {
		f.release(e.addr, e.size)
	}
	g.table = g.table[:0]
	hb := heap.encode(0)
	g.heap = f.alloc(uint64(len(hb)))
	g.table = append(g.table, extent{g.heap, uint64(len(hb))})
	*w.out = append(*w.out, block{g.heap, heap.encode(g.heap)})

	per := 2 * f.leafK
	snodSize := symbolNodeSize(per)
	var children []uint64
	keys := [][]byte{put64(nil, 0)}
	for lo := 0; lo < len(ents); lo += per {
		hi := min(lo+per, len(ents))
		node := make([]symbolEntry, 0, hi-lo)
		for _, e := range ents[lo:hi] {
			node = append(node, e.e)
		}
		b := encodeSymbolNode(node, per)
		a := f.alloc(uint64(snodSize))
		g.table = append(g.table, extent{a, uint64(snodSize)})
		*w.out = append(*w.out, block{a, b})
		children = append(children, a)
		keys = append(keys, put64(nil, ents[hi-1].e.nameOff))
	}
	g.btree = f.writeBTree1(w.out, &g.table, btreeGroup, f.groupK, 8, children, keys)
	return nil
}

// writeChunkIndex writes a dataset's chunk B-tree in new space.
func (w *flushWriter) writeChunkIndex(d *Dataset) error {
	if done, err := w.writeAppended(d); done || err != nil {
		return err // chunk_append.go
	}
	if err := d.loadChunks(); err != nil {
		return err
	}
	d.rawLayout = nil
	for _, e := range d.btreeSpace {
		w.f.release(e.addr, e.size)
	}
	d.btreeSpace = nil
	d.v4 = nil
	recs := d.sortedChunks()
	if d.useV4 {
		done, err := w.writeChunkIndexV4(d, recs)
		if done || err != nil {
			return err
		}
	}
	if len(recs) == 0 {
		d.btreeAddr = UndefinedAddr
		d.indexRewritten()
		return nil
	}
	rank := len(d.chunk)
	children := make([]uint64, len(recs))
	keys := make([][]byte, 0, len(recs)+1)
	for i, r := range recs {
		children[i] = r.Addr
		keys = append(keys, encodeChunkKey(uint32(r.Size), r.FilterMask, r.Coords))
	}
	last := recs[len(recs)-1].Coords
	upper := make([]uint64, rank)
	for i := range upper {
		upper[i] = last[i] + d.chunk[i]
	}
	keys = append(keys, encodeChunkKey(0, 0, upper))
	d.btreeAddr = w.f.writeBTree1(w.out, &d.btreeSpace, btreeChunk, w.f.istoreK, chunkKeySize(rank), children, keys)
	d.indexRewritten()
	return nil
}

// indexRewritten notes that the chunk index was written whole from the
// loaded chunks: they are the truth from now on, and the dataset stays
// out of append mode (chunk_append.go) for this model's life.
func (d *Dataset) indexRewritten() {
	d.newChunks, d.toAppend = nil, nil
	if _, ok := d.index.(*btree1Index); ok {
		d.rewriteIndex = true
	}
}

// writeChunkIndexV4 writes a layout 4 chunk index of the kind libhdf5
// would choose for d, and reports false for the implicit index (chunks
// allocated early in one block, which this package does not do), which
// gets a version 1 B-tree and layout 3 instead: libhdf5 reads that in any
// file.
func (w *flushWriter) writeChunkIndexV4(d *Dataset, recs []ChunkRecord) (bool, error) {
	filtered := len(d.filters) > 0
	kind := chooseChunkIndex(d.maxShape, d.chunk, filtered, d.fill.AllocTime == AllocEarly)
	g, err := newChunkGrid(chunkIndexParams{shape: d.shape, maxShape: d.maxShape, chunk: d.chunk, elemSize: d.dtype.Size, indexType: kind})
	if err != nil {
		return false, err
	}
	l := &layoutV4{indexType: kind, addr: UndefinedAddr}
	switch kind {
	case ChunkIndexSingle:
		if filtered {
			l.flags |= 2
			var size uint64
			var mask uint32
			if len(recs) == 1 {
				size, mask = recs[0].Size, recs[0].FilterMask
			}
			l.info = put32(put64(nil, size), mask)
		}
		if len(recs) == 1 {
			l.addr = recs[0].Addr
		}
	case ChunkIndexFixedArray:
		l.info = []byte{fixedArrayPageBits}
		if len(recs) > 0 {
			l.addr, d.btreeSpace = buildFixedArray(g, recs, filtered, w.f.alloc, w.out)
		}
	case ChunkIndexExtArray:
		l.info = []byte{eaMaxBits, eaIdxElmts, eaSblkMinPtrs, eaDblkMin, eaPageBits}
		if len(recs) > 0 {
			l.addr, d.btreeSpace = buildExtArray(g, recs, filtered, w.f.alloc, w.out)
		}
	case ChunkIndexBTree2:
		l.info = append(put32(nil, chunkBTree2NodeSize), 100, 40)
		if len(recs) > 0 {
			if l.addr, d.btreeSpace, err = buildChunkBTree2(d.chunk, g.bytes, recs, filtered, w.f.alloc, w.out); err != nil {
				return false, err
			}
		}
	default:
		return false, nil
	}
	d.v4 = l
	return true, nil
}

// messages returns a dataset's header messages in libhdf5's order.
func (d *Dataset) messages() ([]RawMessage, error) {
	space := encodeDataspace(d.shape, d.maxShape)
	if d.null {
		space = []byte{2, 0, 0, 2} // version 2, rank 0, no flags, type null (as attributes)
	}
	msgs := []RawMessage{{Type: MsgDataspace, Data: space}}
	switch {
	case d.rawType != nil:
		msgs = append(msgs, *d.rawType)
	case d.named != nil:
		msgs = append(msgs, RawMessage{Type: MsgDatatype, Flags: msgFlagConstant | msgFlagShared, Data: encodeSharedRef(d.named.addr)})
	default:
		dt, err := d.dtype.encode()
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, RawMessage{Type: MsgDatatype, Flags: msgFlagConstant, Data: dt})
	}
	opened := d.rawType != nil
	switch {
	case d.rawFill != nil:
		msgs = append(msgs, *d.rawFill)
	case !opened:
		msgs = append(msgs, RawMessage{Type: MsgFillValue, Flags: msgFlagConstant, Data: d.fill.encode()})
	}
	switch {
	case d.rawFillOld != nil:
		msgs = append(msgs, *d.rawFillOld)
	case !opened && d.fill.Value != nil:
		msgs = append(msgs, RawMessage{Type: MsgFillValueOld, Flags: msgFlagConstant, Data: d.fill.encodeOld()})
	}
	if d.rawPipeline != nil {
		msgs = append(msgs, *d.rawPipeline)
	} else if len(d.filters) > 0 {
		msgs = append(msgs, RawMessage{Type: MsgFilterPipeline, Flags: msgFlagConstant, Data: encodePipeline(d.filters)})
	}
	if d.rawLayout != nil {
		return append(msgs, *d.rawLayout), nil
	}
	if d.v4 != nil {
		return append(msgs, RawMessage{Type: MsgDataLayout, Data: encodeLayoutV4(*d.v4, d.chunk, d.dtype.Size)}), nil
	}
	l := layoutMsg{class: d.layout, addr: d.dataAddr, size: d.size, compact: d.compact}
	if d.layout == LayoutChunked {
		l.addr = d.btreeAddr
		for _, c := range d.chunk {
			l.chunk = append(l.chunk, uint32(c))
		}
		l.chunk = append(l.chunk, d.dtype.Size)
	}
	if d.rawLayout != nil {
		// A virtual layout (version 4 only) points at its mappings in the
		// global heap, which stay where they are.
		return append(msgs, *d.rawLayout), nil
	}
	msgs = append(msgs, RawMessage{Type: MsgDataLayout, Data: l.encode()})
	return msgs, nil
}
