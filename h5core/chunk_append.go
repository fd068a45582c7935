package h5core

import "sort"

// Appending chunks to an opened file's chunk index (btree1_append.go).
//
// A chunked dataset read from a file with a version 1 B-tree index (every
// netCDF-4 file, h5py's default format) does not load its index to grow:
// chunks allocated after every chunk the index holds are kept in
// newChunks (toAppend: those not in the file yet) and go down the tree's
// right edge at the next flush. Lookups find them there, and the tree as
// opened below its last chunk, so no rank reads back what this model
// wrote (its reads would race rank 0's writes). The first change
// that is not such an append (a chunk before the last one, a filtered
// chunk rewritten, a shrink) loads the index and has it written anew, as
// before. The choice depends only on the file and the collective calls
// made, never on what a rank happened to read, so every rank of a
// parallel file makes the same one and allocates the same addresses.

// appendIndex returns the dataset's B-tree if chunks can still be appended
// to it.
func (d *Dataset) appendIndex() (*btree1Index, bool) {
	x, ok := d.index.(*btree1Index)
	if !ok || d.rewriteIndex || d.useV4 || d.layout != LayoutChunked {
		return nil, false
	}
	return x, true
}

// afterIndex reports whether coords follows every chunk of x.
func afterIndex(x *btree1Index, coords []uint64) (bool, error) {
	last, ok, err := x.maxCoords()
	if err != nil || !ok {
		return err == nil, err
	}
	return cmpCoords(coords, last) > 0, nil
}

// allocAppended is AllocChunk for a dataset in append mode: done says it
// placed the chunk; otherwise the dataset has left append mode and
// AllocChunk goes on as for any dataset.
func (d *Dataset) allocAppended(coords []uint64, size uint64, mask uint32) (addr uint64, done bool, err error) {
	x, ok := d.appendIndex()
	if !ok {
		return 0, false, nil
	}
	k := chunkKey(coords)
	if r, ok := d.newChunks[k]; ok {
		if len(d.filters) > 0 && !d.toAppend[k] {
			// Already in the tree: its entry would change, which an
			// append cannot do.
			d.rewriteIndex = true
			return 0, false, nil
		}
		d.f.mix("AllocChunk", d.ident(), coords, size, mask)
		if len(d.filters) > 0 { // a filtered chunk written again goes to new space
			d.f.release(r.Addr, r.Size)
			r.Addr, r.Size, r.FilterMask = d.f.alloc(size), size, mask
			d.chunkDirty = true
		}
		return r.Addr + d.f.base, true, nil
	}
	rec, exists, err := x.lookup(coords)
	if err != nil {
		return 0, false, err
	}
	if exists && len(d.filters) == 0 {
		d.f.mix("AllocChunk", d.ident(), coords, size, mask)
		return rec.Addr + d.f.base, true, nil
	}
	after := false
	if !exists {
		if after, err = afterIndex(x, coords); err != nil {
			return 0, false, err
		}
	}
	if !after {
		d.rewriteIndex = true
		return 0, false, nil
	}
	d.f.mix("AllocChunk", d.ident(), coords, size, mask)
	d.addAppended(&ChunkRecord{Coords: append([]uint64(nil), coords...), Addr: d.f.alloc(size), Size: size, FilterMask: mask})
	return d.newChunks[k].Addr + d.f.base, true, nil
}

// addAppended records a chunk allocated in append mode.
func (d *Dataset) addAppended(r *ChunkRecord) {
	if d.newChunks == nil {
		d.newChunks = map[string]*ChunkRecord{}
	}
	if d.toAppend == nil {
		d.toAppend = map[string]bool{}
	}
	k := chunkKey(r.Coords)
	d.newChunks[k], d.toAppend[k] = r, true
	if d.chunks != nil {
		d.chunks[k] = r
	}
	d.chunkDirty = true
}

// resizeAppended is Resize for a dataset in append mode that only grows:
// done says it resized; otherwise the dataset has left append mode and
// Resize goes on as for any dataset. An unfiltered dataset gets storage
// for the chunks the growth adds, as allocate gives it at creation.
func (d *Dataset) resizeAppended(shape []uint64) (bool, error) {
	x, ok := d.appendIndex()
	if !ok {
		return false, nil
	}
	for i, s := range shape {
		if s < d.shape[i] {
			d.rewriteIndex = true
			return false, nil
		}
	}
	var fresh [][]uint64
	if len(d.filters) == 0 {
		fresh = newRegionChunks(d.shape, shape, d.chunk)
		for _, c := range fresh {
			if _, ok := d.newChunks[chunkKey(c)]; ok {
				continue
			}
			after, err := afterIndex(x, c)
			if err != nil {
				return false, err
			}
			if !after {
				d.rewriteIndex = true
				return false, nil
			}
		}
	}
	d.f.mix("Resize", d.ident(), shape)
	d.shape = append([]uint64{}, shape...)
	d.dirty = true
	d.resized = nil
	d.reused = false
	cb := d.ChunkBytes()
	for _, c := range fresh {
		if _, ok := d.newChunks[chunkKey(c)]; ok {
			continue
		}
		addr, reused := d.f.allocReused(cb)
		d.reused = d.reused || reused
		r := &ChunkRecord{Coords: c, Addr: addr, Size: cb}
		d.addAppended(r)
		d.resized = append(d.resized, *r)
	}
	return true, nil
}

// newRegionChunks lists, in index order, the chunks that cover shape but
// not old: for each dimension i, the box of chunks beyond old in i and
// within old's chunks in every dimension before it.
func newRegionChunks(old, shape, chunk []uint64) [][]uint64 {
	rank := len(shape)
	var out [][]uint64
	for i := 0; i < rank; i++ {
		lo := make([]uint64, rank)
		hi := make([]uint64, rank)
		for j := 0; j < rank; j++ {
			covered := (old[j] + chunk[j] - 1) / chunk[j] * chunk[j]
			switch {
			case j < i:
				hi[j] = min(covered, shape[j])
			case j == i:
				lo[j], hi[j] = covered, shape[j]
			default:
				hi[j] = shape[j]
			}
		}
		empty := false
		for j := range lo {
			empty = empty || lo[j] >= hi[j]
		}
		if empty {
			continue
		}
		c := append([]uint64(nil), lo...)
		for {
			out = append(out, append([]uint64(nil), c...))
			j := rank - 1
			for ; j >= 0; j-- {
				c[j] += chunk[j]
				if c[j] < hi[j] {
					break
				}
				c[j] = lo[j]
			}
			if j < 0 {
				break
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return cmpCoords(out[a], out[b]) < 0 })
	return out
}

// ResizedChunks returns the chunks the last Resize gave storage (in the
// whole file's addresses): the ones a nonzero fill value must be written
// into.
func (d *Dataset) ResizedChunks() []ChunkRecord {
	out := append([]ChunkRecord(nil), d.resized...)
	for i := range out {
		out[i].Addr += d.f.base
	}
	return out
}

// writeAppended writes the chunks appended since the last flush down the
// index's right edge; false means the index must be written anew.
func (w *flushWriter) writeAppended(d *Dataset) (bool, error) {
	x, ok := d.appendIndex()
	if !ok {
		return false, nil
	}
	if len(d.toAppend) == 0 {
		return true, nil
	}
	recs := make([]ChunkRecord, 0, len(d.toAppend))
	for k := range d.toAppend {
		recs = append(recs, *d.newChunks[k])
	}
	sort.Slice(recs, func(a, b int) bool { return cmpCoords(recs[a].Coords, recs[b].Coords) < 0 })
	if x.addr == UndefinedAddr {
		return false, nil // no tree yet: written whole, from the new chunks
	}
	last := recs[len(recs)-1].Coords
	upper := make([]uint64, len(last))
	for i := range upper {
		upper[i] = last[i] + d.chunk[i]
	}
	root, err := x.appendRecords(w, &d.btreeSpace, recs, encodeChunkKey(0, 0, upper))
	if err != nil {
		return false, err
	}
	d.rawLayout = nil
	d.btreeAddr = root
	d.toAppend = nil // in the tree now; newChunks keeps them for lookups
	return true, nil
}
