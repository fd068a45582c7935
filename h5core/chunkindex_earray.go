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
	// bitmap, when not nil, is the super block's page initialization
	// bits: one string for all its data blocks, bit d*pages+page (libhdf5's
	// page_init_idx), bit0 the first data block's first page.
	dataBlock := func(da, n, e uint64, bitmap []byte, bit0 uint64) (b []byte, off int64, skip uint64, err error) {
		if da == UndefinedAddr {
			return nil, 0, n - e, nil
		}
		dpre := pre + uint64(offSize)
		if n > pageN {
			pg := e / pageN
			if k := bit0 + pg; bitmap != nil && (k/8 >= uint64(len(bitmap)) || bitmap[k/8]&(0x80>>(k%8)) == 0) {
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
			return at(dataBlock(da, si.dblkN, e%si.dblkN, nil, 0))
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
			bm = sc.b[spre : spre+si.ndblks*initSize]
		}
		da := addrAt(sc, spre+si.ndblks*initSize+d*8)
		return at(dataBlock(da, si.dblkN, e%si.dblkN, bm, d*(si.dblkN/pageN)))
	}
	return x, nil
}

// libhdf5's creation parameters for extensible array chunk indexes
// (H5D_EARRAY_*): 2^32 elements at most, 4 in the index block, data
// blocks of at least 16, super blocks of at least 4 data block pointers,
// data block pages of 1024 elements.
const (
	eaMaxBits     = 32
	eaIdxElmts    = 4
	eaDblkMin     = 16
	eaSblkMinPtrs = 4
	eaPageBits    = 10
)

// buildExtArray writes an extensible array chunk index holding recs at
// their linear indexes in g (unlimited dimension first): header "EAHD",
// index block "EAIB", and the super blocks "EASB" and data blocks "EADB"
// that hold set elements (the others stay unallocated, as libhdf5 leaves
// them). It returns the header address and the space used.
func buildExtArray(g chunkGrid, recs []ChunkRecord, filtered bool, alloc func(uint64) uint64, out *[]block) (uint64, []extent) {
	esize := uint64(8)
	client := uint8(0)
	if filtered {
		esize += uint64(chunkSizeLen(g.bytes)) + 4
		client = 1
	}
	byIndex := make(map[uint64]*ChunkRecord, len(recs))
	maxIdx := uint64(0)
	for i := range recs {
		if k, ok := g.index(recs[i].Coords); ok {
			byIndex[k] = &recs[i]
			maxIdx = max(maxIdx, k+1)
		}
	}
	entry := func(b []byte, i uint64) []byte { return encodeChunkEntry(b, byIndex[i], filtered, g.bytes) }
	anySet := func(lo, hi uint64) bool {
		for i := lo; i < hi && i < maxIdx; i++ {
			if byIndex[i] != nil {
				return true
			}
		}
		return false
	}
	const offSize = (eaMaxBits + 7) / 8
	const pageN = uint64(1) << eaPageBits
	var space []extent
	var stats struct{ nsblks, sblkSize, ndblks, dblkSize, nelmts uint64 }
	stats.nelmts = eaIdxElmts
	hdrAddr := alloc(72)
	space = append(space, extent{hdrAddr, 72})
	put := func(b []byte) uint64 {
		a := alloc(uint64(len(b)))
		space = append(space, extent{a, uint64(len(b))})
		*out = append(*out, block{a, b})
		return a
	}
	prefix := func(sig string) []byte {
		b := append([]byte(sig), 0, client)
		return put64(b, hdrAddr)
	}
	// dataBlock writes the data block of n elements whose first element
	// has array index first (block offset off), if any of them is set.
	dataBlock := func(first, n, off uint64) uint64 {
		if !anySet(first, first+n) {
			return UndefinedAddr
		}
		b := appendUint(prefix("EADB"), off, offSize)
		if n <= pageN {
			for i := first; i < first+n; i++ {
				b = entry(b, i)
			}
			b = put32(b, lookup3(b, 0))
		} else {
			b = put32(b, lookup3(b, 0))
			for p := uint64(0); p < n/pageN; p++ {
				start := len(b)
				for i := first + p*pageN; i < first+(p+1)*pageN; i++ {
					b = entry(b, i)
				}
				b = put32(b, lookup3(b[start:], 0))
			}
		}
		stats.ndblks++
		stats.dblkSize += uint64(len(b))
		stats.nelmts += n
		return put(b)
	}
	lmin, _ := log2exact(eaDblkMin)
	lptr, _ := log2exact(eaSblkMinPtrs)
	nsblks := 1 + eaMaxBits - lmin
	ibNsblks := 2 * lptr
	ib := prefix("EAIB")
	for i := uint64(0); i < eaIdxElmts; i++ {
		ib = entry(ib, i)
	}
	var start uint64
	for u := 0; u < nsblks; u++ {
		ndblks := uint64(1) << (u / 2)
		dblkN := (uint64(1) << ((u + 1) / 2)) * eaDblkMin
		first := eaIdxElmts + start
		if u < ibNsblks {
			for d := uint64(0); d < ndblks; d++ {
				ib = put64(ib, dataBlock(first+d*dblkN, dblkN, start+d*dblkN))
			}
		} else {
			sa := UndefinedAddr
			if anySet(first, first+ndblks*dblkN) {
				sb := appendUint(prefix("EASB"), start, offSize)
				addrs := make([]uint64, ndblks)
				for d := range addrs {
					addrs[d] = dataBlock(first+uint64(d)*dblkN, dblkN, start+uint64(d)*dblkN)
				}
				if dblkN > pageN {
					// One bit string for all data blocks: bit d*pages+p
					// (libhdf5's page_init_idx), in ndblks*initSize bytes.
					pages := dblkN / pageN
					bm := make([]byte, ndblks*((pages+7)/8))
					for d, a := range addrs {
						for p := uint64(0); a != UndefinedAddr && p < pages; p++ {
							k := uint64(d)*pages + p
							bm[k/8] |= 0x80 >> (k % 8)
						}
					}
					sb = append(sb, bm...)
				}
				for _, a := range addrs {
					sb = put64(sb, a)
				}
				sb = put32(sb, lookup3(sb, 0))
				stats.nsblks++
				stats.sblkSize += uint64(len(sb))
				sa = put(sb)
			}
			ib = put64(ib, sa)
		}
		start += ndblks * dblkN
	}
	ib = put32(ib, lookup3(ib, 0))
	ibAddr := put(ib)
	h := []byte("EAHD")
	h = append(h, 0, client, uint8(esize), eaMaxBits, eaIdxElmts, eaDblkMin, eaSblkMinPtrs, eaPageBits)
	h = put64(h, stats.nsblks)
	h = put64(h, stats.sblkSize)
	h = put64(h, stats.ndblks)
	h = put64(h, stats.dblkSize)
	h = put64(h, maxIdx)
	h = put64(h, stats.nelmts)
	h = put64(h, ibAddr)
	h = put32(h, lookup3(h, 0))
	*out = append(*out, block{hdrAddr, h})
	return hdrAddr, space
}
