package h5core

// openFixedArray opens a fixed array chunk index: header "FAHD" and one
// data block "FADB", whose elements are paged when there are more than
// 2^pageBits of them.
func openFixedArray(p chunkIndexParams, g chunkGrid) (chunkIndex, error) {
	c, err := readSigned(p.r, p.size, p.addr, 4+1+1+1+1+8+8+4, "FAHD", "fixed array header")
	if err != nil {
		return nil, err
	}
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	client := c.u8()
	esize := int(c.u8())
	pageBits := int(c.u8())
	n := c.u64()
	dblk := c.u64()
	if c.err != nil {
		return nil, c.err
	}
	if (client == 1) != p.filtered || esize != entrySize(p, g) {
		return nil, formatErr(int64(p.addr), "fixed array client or element size does not match the dataset", [2]int{int(client), esize})
	}
	if pageBits > 32 || n > uint64(p.size)/uint64(esize) || n != g.maxN {
		return nil, formatErr(int64(p.addr), "fixed array size", n)
	}
	x := &arrayIndex{kind: "fixed array", p: p, g: g, limit: n}
	if dblk == UndefinedAddr {
		x.elem = func(uint64) ([]byte, int64, uint64, error) { return nil, 0, n, nil }
		return x, nil
	}
	pre := uint64(4 + 1 + 1 + 8)
	pageN := uint64(1) << pageBits
	paged := n > pageN
	var bitmap uint64
	if paged {
		bitmap = ((n+pageN-1)/pageN + 7) / 8
	}
	var head *cursor
	if paged {
		head, err = readSigned(p.r, p.size, dblk, pre+bitmap+4, "FADB", "fixed array data block")
	} else {
		head, err = readSigned(p.r, p.size, dblk, pre+n*uint64(esize)+4, "FADB", "fixed array data block")
	}
	if err != nil {
		return nil, err
	}
	head.skip(2)
	if a := head.u64(); a != p.addr && head.err == nil {
		head.fail("header address", a)
	}
	if head.err != nil {
		return nil, head.err
	}
	hb := head.b[pre:]
	var bc blockCache
	x.elem = func(i uint64) ([]byte, int64, uint64, error) {
		if i >= n {
			return nil, 0, n, nil
		}
		if !paged {
			o := int(pre) + int(i)*esize
			return head.b[o : o+esize], int64(dblk) + int64(o), 0, nil
		}
		pg := i / pageN
		if hb[pg/8]&(0x80>>(pg%8)) == 0 {
			return nil, 0, (pg + 1) * pageN, nil // page never written
		}
		cnt := min(pageN, n-pg*pageN)
		full := pageN*uint64(esize) + 4
		pa := dblk + pre + bitmap + 4 + pg*full
		pc, err := bc.get(pa, func() (*cursor, error) {
			return readSigned(p.r, p.size, pa, cnt*uint64(esize)+4, "", "fixed array data block page")
		})
		if err != nil {
			return nil, 0, 0, err
		}
		o := int(i%pageN) * esize
		return pc.b[o : o+esize], int64(pa) + int64(o), 0, nil
	}
	return x, nil
}

// fixedArrayPageBits is libhdf5's default: data block pages of 1024 elements.
const fixedArrayPageBits = 10

// buildFixedArray writes a fixed array chunk index ("FAHD" and one "FADB"
// data block, paged beyond 1024 elements, every page written) holding
// recs at their linear indexes in g, and returns the header address and
// the space used.
func buildFixedArray(g chunkGrid, recs []ChunkRecord, filtered bool, alloc func(uint64) uint64, out *[]block) (uint64, []extent) {
	esize := 8
	if filtered {
		esize += chunkSizeLen(g.bytes) + 4
	}
	n := g.maxN
	byIndex := make(map[uint64]*ChunkRecord, len(recs))
	for i := range recs {
		if k, ok := g.index(recs[i].Coords); ok {
			byIndex[k] = &recs[i]
		}
	}
	client := uint8(0)
	if filtered {
		client = 1
	}
	hdrAddr := alloc(4 + 1 + 1 + 1 + 1 + 8 + 8 + 4)
	pageN := uint64(1) << fixedArrayPageBits
	db := []byte("FADB")
	db = append(db, 0, client)
	db = put64(db, hdrAddr)
	if n <= pageN {
		for i := uint64(0); i < n; i++ {
			db = encodeChunkEntry(db, byIndex[i], filtered, g.bytes)
		}
		db = put32(db, lookup3(db, 0))
	} else {
		pages := (n + pageN - 1) / pageN
		bitmap := make([]byte, (pages+7)/8)
		for p := uint64(0); p < pages; p++ {
			bitmap[p/8] |= 0x80 >> (p % 8)
		}
		db = append(db, bitmap...)
		db = put32(db, lookup3(db, 0))
		for p := uint64(0); p < pages; p++ {
			start := len(db)
			for i := p * pageN; i < min(n, (p+1)*pageN); i++ {
				db = encodeChunkEntry(db, byIndex[i], filtered, g.bytes)
			}
			db = put32(db, lookup3(db[start:], 0))
		}
	}
	dbAddr := alloc(uint64(len(db)))
	h := []byte("FAHD")
	h = append(h, 0, client, uint8(esize), fixedArrayPageBits)
	h = put64(h, n)
	h = put64(h, dbAddr)
	h = put32(h, lookup3(h, 0))
	*out = append(*out, block{hdrAddr, h}, block{dbAddr, db})
	return hdrAddr, []extent{{hdrAddr, uint64(len(h))}, {dbAddr, uint64(len(db))}}
}
