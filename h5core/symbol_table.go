package h5core

// The old-style group storage (spec III.B, III.C and IV.A.2.r): a symbol
// table message naming a version 1 B-tree and a local heap, the B-tree's
// leaves pointing at symbol table nodes ("SNOD"), each holding up to 2K
// symbol table entries. Both directions live here.

// symbolEntry is a symbol table entry (40 bytes with 8-byte offsets).
type symbolEntry struct {
	nameOff   uint64
	addr      uint64
	cacheType uint32
	scratch   [16]byte
}

const symbolEntrySize = 40

func (e symbolEntry) encode(b []byte) []byte {
	b = put64(b, e.nameOff)
	b = put64(b, e.addr)
	b = put32(b, e.cacheType)
	b = put32(b, 0)
	return append(b, e.scratch[:]...)
}

func decodeSymbolEntry(c *cursor) symbolEntry {
	var e symbolEntry
	e.nameOff = c.u64()
	e.addr = c.u64()
	e.cacheType = c.u32()
	c.skip(4)
	copy(e.scratch[:], c.bytes(16))
	return e
}

// groupScratch is the cached B-tree and heap addresses libhdf5 stores in
// a group's symbol table entry (cache type 1).
func groupScratch(btree, heap uint64) [16]byte {
	var s [16]byte
	copy(s[:], put64(put64(nil, btree), heap))
	return s
}

// encodeSymbolTableMsg returns the body of a symbol table message: the
// group's B-tree and local heap addresses.
func encodeSymbolTableMsg(btree, heap uint64) []byte {
	return put64(put64(nil, btree), heap)
}

// decodeSymbolTableMsg reads the body of a symbol table message.
func decodeSymbolTableMsg(m RawMessage) (btree, heap uint64, err error) {
	c := newCursor(m.Data, m.Off, "symbol table message")
	btree, heap = c.u64(), c.u64()
	return btree, heap, c.err
}

// symbolNodeSize is the size of a symbol table node holding up to per
// entries: libhdf5 always writes (and allocates) the full 2K entries.
func symbolNodeSize(per int) int { return 8 + per*symbolEntrySize }

// encodeSymbolNode returns a symbol table node of the given entries,
// zero-padded to symbolNodeSize(per).
func encodeSymbolNode(ents []symbolEntry, per int) []byte {
	size := symbolNodeSize(per)
	b := make([]byte, 0, size)
	b = append(b, "SNOD"...)
	b = append(b, 1, 0) // version 1, reserved
	b = put16(b, uint16(len(ents)))
	for _, e := range ents {
		b = e.encode(b)
	}
	for len(b) < size {
		b = append(b, 0)
	}
	return b
}

// readSymbolNode reads the entries of the symbol table node at addr. The
// entry count is checked against the file's size before it is read.
func (f *File) readSymbolNode(addr uint64) ([]symbolEntry, error) {
	// A node takes room for 2K entries (libhdf5 allocates it whole; so
	// does the writer): one read of that much, when the file holds it,
	// gets the header and the entries (a group of 100k members read as
	// 25k reads instead of 50k, with libhdf5's K of 4).
	full := 8 + 2*uint64(f.leafK)*symbolEntrySize
	var hb []byte
	var err error
	if f.leafK > 0 && addr < uint64(f.size) && full <= uint64(f.size)-addr {
		hb, err = f.readAt(addr, full, "symbol table node")
	} else {
		hb, err = f.readAt(addr, 8, "symbol table node")
	}
	if err != nil {
		return nil, err
	}
	c := newCursor(hb[:8], int64(addr), "symbol table node")
	if string(c.bytes(4)) != "SNOD" {
		return nil, formatErr(int64(addr), "symbol table node signature", nil)
	}
	c.skip(2)
	n := uint64(c.u16())
	b := hb[8:]
	if n*symbolEntrySize <= uint64(len(b)) {
		b = b[:n*symbolEntrySize]
	} else if b, err = f.readAt(addr+8, n*symbolEntrySize, "symbol table node"); err != nil {
		return nil, err
	}
	c = newCursor(b, int64(addr)+8, "symbol table entry")
	ents := make([]symbolEntry, 0, n)
	for i := uint64(0); i < n; i++ {
		ents = append(ents, decodeSymbolEntry(c))
	}
	return ents, c.err
}
