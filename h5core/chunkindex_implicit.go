package h5core

// implicitIndex is the index of an unfiltered dataset whose chunks were
// all allocated at creation, one after another: chunk i is at addr+i*size.
type implicitIndex struct {
	p chunkIndexParams
	g chunkGrid
}

func (x *implicitIndex) lookup(coords []uint64) (ChunkRecord, bool, error) {
	i, ok := x.g.index(coords)
	if !ok || x.p.addr == UndefinedAddr {
		return ChunkRecord{}, false, nil
	}
	off := i * x.g.bytes // both bounded: i < 2^40 chunks of < 4 GiB
	if x.p.addr > uint64(x.p.size) || off > uint64(x.p.size)-x.p.addr || x.g.bytes > uint64(x.p.size)-x.p.addr-off {
		return ChunkRecord{}, false, formatErr(int64(min(x.p.addr, 1<<62)), "implicitly indexed chunk lies beyond the end of the file", i)
	}
	return ChunkRecord{Coords: append([]uint64(nil), coords...), Addr: x.p.addr + off, Size: x.g.bytes}, true, nil
}

func (x *implicitIndex) all() ([]ChunkRecord, error) {
	if x.p.addr != UndefinedAddr && x.g.total > uint64(x.p.size)/max(x.g.bytes, 1) {
		return nil, formatErr(int64(min(x.p.addr, 1<<62)), "implicitly indexed chunks exceed the file", x.g.total)
	}
	var out []ChunkRecord
	err := x.g.each(func(c []uint64) error {
		r, ok, err := x.lookup(c)
		if ok {
			out = append(out, r)
		}
		return err
	})
	return out, err
}
