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
