package h5core

import "math/bits"

// openExtArray opens an extensible array chunk index: header "EAHD", index
// block "EAIB" (a few elements, then data block and super block
// addresses), super blocks "EASB" and data blocks "EADB" (paged when
// large).
func openExtArray(p chunkIndexParams, g chunkGrid) (chunkIndex, error) {
	c, err := readSigned(p.r, p.size, p.addr, 4+1+1+6+6*8+8+4, "EAHD", "extensible array header")
	if err != nil {
		return nil, err
	}
	if v := c.u8(); v != 0 {
		c.fail("version", v)
	}
	client := c.u8()
	esize := int(c.u8())
	maxBits := int(c.u8())
	idxElmts := uint64(c.u8())
	dblkMin := uint64(c.u8())
	sblkMinPtrs := uint64(c.u8())
	pageBits := int(c.u8())
	c.skip(4 * 8)
	maxIdx := c.u64() // one past the highest element index ever set
	c.skip(8)
	iblk := c.u64()
	if c.err != nil {
		return nil, c.err
	}
	if (client == 1) != p.filtered || esize != entrySize(p, g) {
		return nil, formatErr(int64(p.addr), "extensible array client or element size does not match the dataset", [2]int{int(client), esize})
	}
	lmin, ok1 := log2exact(dblkMin)
	lptr, ok2 := log2exact(sblkMinPtrs)
	if !ok1 || !ok2 || maxBits < lmin || maxBits > 64 || pageBits > 32 {
		return nil, formatErr(int64(p.addr), "extensible array creation parameters", [4]int{maxBits, int(dblkMin), int(sblkMinPtrs), pageBits})
	}
	limit := g.total
	if len(g.order) > 0 {
		hi, lo := bits.Mul64(g.counts[g.order[0]], g.down[0])
		if hi == 0 {
			limit = lo
		}
	}
	x := &arrayIndex{kind: "extensible array", p: p, g: g, limit: min(limit, maxIdx)}
	if iblk == UndefinedAddr {
		x.elem = func(uint64) ([]byte, int64, uint64, error) { return nil, 0, ^uint64(0), nil }
		return x, nil
	}
	// Geometry as libhdf5 derives it (H5EA__hdr_init, H5EA__iblock_alloc).
	nsblks := 1 + maxBits - lmin
	type sblkInfo struct{ ndblks, dblkN, start, startDblk uint64 }
	info := make([]sblkInfo, nsblks)
	var start, startDblk uint64
	for u := range info {
		info[u] = sblkInfo{ndblks: 1 << (u / 2), dblkN: (1 << ((u + 1) / 2)) * dblkMin, start: start, startDblk: startDblk}
		start += info[u].ndblks * info[u].dblkN
		startDblk += info[u].ndblks
	}
	ibNsblks := 2 * lptr
	ndblkAddrs := 2 * (sblkMinPtrs - 1)
	nsblkAddrs := uint64(max(0, nsblks-ibNsblks))
	offSize := (maxBits + 7) / 8
	pageN := uint64(1) << pageBits
	pre := uint64(4 + 1 + 1 + 8)
	ib, err := readSigned(p.r, p.size, iblk, pre+idxElmts*uint64(esize)+(ndblkAddrs+nsblkAddrs)*8+4, "EAIB", "extensible array index block")
	if err != nil {
		return nil, err
	}
	ib.skip(2)
	if a := ib.u64(); a != p.addr && ib.err == nil {
		ib.fail("header address", a)
	}
	if ib.err != nil {
		return nil, ib.err
	}
	addrAt := func(cu *cursor, o uint64) uint64 {
		cc := newCursor(cu.b[o:o+8], cu.base+int64(o), cu.what)
		return cc.u64()
	}
	var sbCache, dbCache blockCache
	// dataBlock returns element e of the data block at da holding n elements.
	// dataBlock returns element e of the data block at da holding n
	// elements; skip (when not nil bytes) is how many elements from e on
	// are surely unset.
	dataBlock := func(da, n, e uint64, bitmap []byte) (b []byte, off int64, skip uint64, err error) {
		if da == UndefinedAddr {
			return nil, 0, n - e, nil
		}
		dpre := pre + uint64(offSize)
		if n > pageN {
			pg := e / pageN
			if bitmap != nil && bitmap[pg/8]&(0x80>>(pg%8)) == 0 {
				return nil, 0, pageN - e%pageN, nil
			}
			pa := da + dpre + 4 + pg*(pageN*uint64(esize)+4)
			pc, err := dbCache.get(pa, func() (*cursor, error) {
				return readSigned(p.r, p.size, pa, pageN*uint64(esize)+4, "", "extensible array data block page")
			})
			if err != nil {
				return nil, 0, 0, err
			}
			o := (e % pageN) * uint64(esize)
			return pc.b[o : o+uint64(esize)], pc.base + int64(o), 0, nil
		}
		dc, err := dbCache.get(da, func() (*cursor, error) {
			return readSigned(p.r, p.size, da, dpre+n*uint64(esize)+4, "EADB", "extensible array data block")
		})
		if err != nil {
			return nil, 0, 0, err
		}
		o := dpre + e*uint64(esize)
		return dc.b[o : o+uint64(esize)], dc.base + int64(o), 0, nil
	}
	x.elem = func(i uint64) ([]byte, int64, uint64, error) {
		if maxBits < 64 && i >= 1<<maxBits {
			return nil, 0, ^uint64(0), nil
		}
		if i < idxElmts {
			o := pre + i*uint64(esize)
			return ib.b[o : o+uint64(esize)], ib.base + int64(o), 0, nil
		}
		j := i - idxElmts
		s := uint64(bits.Len64(j/dblkMin+1) - 1)
		if s >= uint64(nsblks) {
			return nil, 0, ^uint64(0), nil
		}
		si := info[s]
		e := j - si.start
		if e >= si.ndblks*si.dblkN { // geometry overflowed: nothing further
			return nil, 0, ^uint64(0), nil
		}
		at := func(b []byte, off int64, skip uint64, err error) ([]byte, int64, uint64, error) {
			return b, off, i + skip, err
		}
		if s < uint64(ibNsblks) {
			d := si.startDblk + e/si.dblkN
			if d >= ndblkAddrs {
				return nil, 0, ^uint64(0), nil
			}
			da := addrAt(ib, pre+idxElmts*uint64(esize)+d*8)
			return at(dataBlock(da, si.dblkN, e%si.dblkN, nil))
		}
		sa := addrAt(ib, pre+idxElmts*uint64(esize)+ndblkAddrs*8+(s-uint64(ibNsblks))*8)
		if sa == UndefinedAddr {
			return nil, 0, i + (si.ndblks*si.dblkN - e), nil
		}
		var initSize uint64
		if si.dblkN > pageN {
			initSize = (si.dblkN/pageN + 7) / 8
		}
		spre := pre + uint64(offSize)
		sc, err := sbCache.get(sa, func() (*cursor, error) {
			return readSigned(p.r, p.size, sa, spre+si.ndblks*initSize+si.ndblks*8+4, "EASB", "extensible array super block")
		})
		if err != nil {
			return nil, 0, 0, err
		}
		d := e / si.dblkN
		var bm []byte
		if initSize > 0 {
			bm = sc.b[spre+d*initSize : spre+(d+1)*initSize]
		}
		da := addrAt(sc, spre+si.ndblks*initSize+d*8)
		return at(dataBlock(da, si.dblkN, e%si.dblkN, bm))
	}
	return x, nil
}
