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
// before Flush.
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
	if s, ok := w.(interface {
		Stat() (fs.FileInfo, error)
		Truncate(int64) error
	}); ok {
		if st, err := s.Stat(); err == nil && st.Size() < int64(f.eof) {
			if err := s.Truncate(int64(f.eof)); err != nil {
				return fmt.Errorf("h5core: extend file to %d bytes: %w", f.eof, err)
			}
		}
	}
	g := f.root
	root := symbolEntry{addr: g.addr}
	if g.heap != 0 {
		root.cacheType, root.scratch = 1, groupScratch(g.btree, g.heap)
	}
	if _, err := w.WriteAt(encodeSuperblock(f.eof, root, f.leafK, f.groupK, f.istoreK), 0); err != nil {
		return fmt.Errorf("h5core: write superblock: %w", err)
	}
	for _, b := range inPlace {
		if _, err := w.WriteAt(b.data, int64(b.addr)); err != nil {
			return fmt.Errorf("h5core: rewrite object header at %d: %w", b.addr, err)
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
	for i := range g.links {
		g.resolveLoaded(i) // links not followed yet, to objects loaded since (lazy.go)
		switch c := g.links[i].obj.(type) {
		case *Group:
			f.countLinks(c, refs, live)
		case *Dataset:
			refs[c.obj()]++
			live[c.obj()] = c
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
		for _, c := range ob.hdr.chunks {
			f.release(c.addr, c.size)
		}
		switch t := o.(type) {
		case *Group:
			for _, e := range t.table {
				f.release(e.addr, e.size)
			}
		case *Dataset:
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
		if err := w.writeGroupTable(t); err != nil {
			return err
		}
		msgs = append(msgs, RawMessage{Type: MsgSymbolTable, Data: encodeSymbolTableMsg(t.btree, t.heap)})
	case *Dataset:
		if t.chunkDirty {
			w.writeChunkIndex(t)
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
	for _, a := range ob.attrs {
		b, err := a.encode()
		if err != nil {
			return err
		}
		msgs = append(msgs, RawMessage{Type: MsgAttribute, Data: b})
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
	if ob.hdr.chunks == nil {
		head, cont, err := encodeHeaderV1(msgs, ob.refCount, 0, alloc)
		if err != nil {
			return err
		}
		ob.addr = f.alloc(uint64(len(head)))
		ob.hdr = headerSpace{version: 1, chunks: []extent{{ob.addr, uint64(len(head))}}}
		*w.out = append(*w.out, block{ob.addr, head})
		if cont != nil { // only if a message outgrows a fresh header: never today
			ob.hdr.chunks = append(ob.hdr.chunks, extent{contAddr, uint64(len(cont))})
			*w.out = append(*w.out, block{contAddr, cont})
		}
		return nil
	}
	first := ob.hdr.chunks[0]
	head, cont, err := encodeHeaderV1(msgs, ob.refCount, first.size, alloc)
	if err != nil {
		return fmt.Errorf("h5core: object header at %d: %w", ob.addr, err)
	}
	for _, c := range ob.hdr.chunks[1:] {
		f.release(c.addr, c.size)
	}
	ob.hdr = headerSpace{version: 1, chunks: []extent{first}}
	if cont != nil {
		ob.hdr.chunks = append(ob.hdr.chunks, extent{contAddr, uint64(len(cont))})
		*w.out = append(*w.out, block{contAddr, cont})
	}
	*w.inPlace = append(*w.inPlace, block{ob.addr, head})
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
		case *Dataset:
			e.addr = c.addr
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
func (w *flushWriter) writeChunkIndex(d *Dataset) {
	for _, e := range d.btreeSpace {
		w.f.release(e.addr, e.size)
	}
	d.btreeSpace = nil
	recs := d.sortedChunks()
	if len(recs) == 0 {
		d.btreeAddr = UndefinedAddr
		return
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
}

// messages returns a dataset's header messages in libhdf5's order.
func (d *Dataset) messages() ([]RawMessage, error) {
	space := encodeDataspace(d.shape, d.maxShape)
	if d.null {
		space = []byte{2, 0, 0, 2} // version 2, rank 0, no flags, type null (as attributes)
	}
	msgs := []RawMessage{{Type: MsgDataspace, Data: space}}
	if d.rawType != nil {
		msgs = append(msgs, *d.rawType)
	} else {
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
