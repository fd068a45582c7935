package h5core

import "sort"

// btree2Index is the chunk index of datasets with more than one unlimited
// dimension: a version 2 B-tree of records type 10 (unfiltered) or 11
// (filtered) holding the chunk address and scaled coordinates.
type btree2Index struct {
	p     chunkIndexParams
	g     chunkGrid
	recs  []ChunkRecord
	byKey map[string]int
}

func (x *btree2Index) all() ([]ChunkRecord, error) {
	if x.byKey != nil {
		return x.recs, nil
	}
	typ := uint8(bt2ChunkPlain)
	if x.p.filtered {
		typ = bt2ChunkFiltered
	}
	t, err := openBTree2(x.p.r, x.p.size, x.p.addr, typ)
	if err != nil {
		return nil, err
	}
	rank := len(x.p.shape)
	want := entrySize(x.p, x.g) + 8*rank
	if t.recSize != want {
		return nil, formatErr(int64(x.p.addr), "chunk B-tree record size does not match the dataset", t.recSize)
	}
	var recs []ChunkRecord
	byKey := map[string]int{}
	err = t.walk(func(b []byte, off int64) error {
		c := newCursor(b[entrySize(x.p, x.g):], off+int64(entrySize(x.p, x.g)), "chunk B-tree record")
		coords := make([]uint64, rank)
		for i := range coords {
			s := c.u64()
			if s > (1<<63)/x.g.chunk[i] {
				c.fail("scaled chunk offset", s)
			}
			coords[i] = s * x.g.chunk[i]
		}
		if c.err != nil {
			return c.err
		}
		r, ok, err := decodeChunkEntry(b, off, x.p.filtered, x.g, coords, x.p.size)
		if err != nil || !ok {
			return err
		}
		k := chunkKey(coords)
		if _, dup := byKey[k]; dup {
			return formatErr(off, "chunk B-tree holds a chunk twice", coords)
		}
		byKey[k] = len(recs)
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	x.recs, x.byKey = recs, byKey
	return recs, nil
}

func (x *btree2Index) lookup(coords []uint64) (ChunkRecord, bool, error) {
	recs, err := x.all()
	if err != nil {
		return ChunkRecord{}, false, err
	}
	if i, ok := x.byKey[chunkKey(coords)]; ok {
		return recs[i], true, nil
	}
	return ChunkRecord{}, false, nil
}

// chunkBTree2NodeSize is libhdf5's node size for chunk B-trees
// (H5D_BT2_NODE_SIZE), with split and merge percentages 100 and 40.
const chunkBTree2NodeSize = 2048

// buildChunkBTree2 writes recs as a version 2 B-tree chunk index (records
// type 10, or 11 when filtered: the array element, then the scaled chunk
// offsets), in libhdf5's key order (scaled offsets, first dimension most
// significant). It returns the header address and the space used.
func buildChunkBTree2(chunk []uint64, chunkBytes uint64, recs []ChunkRecord, filtered bool, alloc func(uint64) uint64, out *[]block) (uint64, []extent, error) {
	typ := uint8(bt2ChunkPlain)
	if filtered {
		typ = bt2ChunkFiltered
	}
	sorted := append([]ChunkRecord(nil), recs...)
	sort.Slice(sorted, func(i, j int) bool { return coordsLess(sorted[i].Coords, sorted[j].Coords) })
	var raw [][]byte
	for i := range sorted {
		b := encodeChunkEntry(nil, &sorted[i], filtered, chunkBytes)
		for d, c := range sorted[i].Coords {
			b = put64(b, c/chunk[d])
		}
		raw = append(raw, b)
	}
	size := 8 + 8*len(chunk)
	if filtered {
		size += chunkSizeLen(chunkBytes) + 4
	}
	return buildBTree2Sized(typ, size, chunkBTree2NodeSize, raw, alloc, out)
}
