package h5core

// singleChunk is the index of a dataset stored as one chunk: the layout
// message holds its address (and, filtered, its size and filter mask).
type singleChunk struct {
	p   chunkIndexParams
	rec ChunkRecord
}

func openSingleChunk(p chunkIndexParams, g chunkGrid) (chunkIndex, error) {
	s := &singleChunk{p: p, rec: ChunkRecord{Coords: make([]uint64, len(p.shape)), Addr: p.addr, Size: g.bytes}}
	if p.flags&2 != 0 {
		c := newCursor(p.indexInfo, 0, "single chunk index")
		s.rec.Size = c.u64()
		s.rec.FilterMask = c.u32()
		if c.err != nil {
			return nil, c.err
		}
	}
	if p.addr != UndefinedAddr && (p.addr > uint64(p.size) || s.rec.Size > uint64(p.size)-p.addr) {
		return nil, formatErr(int64(min(p.addr, 1<<62)), "single chunk lies beyond the end of the file", s.rec.Size)
	}
	return s, nil
}

func (s *singleChunk) lookup(coords []uint64) (ChunkRecord, bool, error) {
	for _, v := range coords {
		if v != 0 {
			return ChunkRecord{}, false, nil
		}
	}
	if s.rec.Addr == UndefinedAddr {
		return ChunkRecord{}, false, nil
	}
	r := s.rec
	r.Coords = append([]uint64(nil), r.Coords...)
	return r, true, nil
}

func (s *singleChunk) all() ([]ChunkRecord, error) {
	r, ok, _ := s.lookup(s.rec.Coords)
	if !ok {
		return nil, nil
	}
	return []ChunkRecord{r}, nil
}
