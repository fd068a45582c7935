package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// A shrink keeps the chunks that still hold elements of the new shape,
// whole: the elements of such a chunk beyond the new shape keep their
// bytes in it. libhdf5 overwrites them with the fill value when it
// shrinks (H5D__chunk_prune_by_extent), so that growing the dataset again
// shows the fill value there, not the old data; fillCutOff does the same.

// fillCutOff writes the fill value over the part of every kept chunk that
// lies beyond the new shape, after a Resize from old. In a parallel file
// rank 0 writes unfiltered chunks and the ranks then agree (the barrier
// before anyone writes there again); filtered chunks are rewritten by
// every rank alike, as any filtered write is.
func (d *Dataset) fillCutOff(old []uint64) error {
	if d.d.Layout() != h5core.LayoutChunked {
		return nil
	}
	shape, chunk := d.d.Shape(), d.d.ChunkShape()
	cut := false
	for i := range shape {
		cut = cut || shape[i] < old[i] && shape[i]%chunk[i] != 0
	}
	if !cut {
		return nil
	}
	recs, err := d.d.Chunks()
	if err != nil {
		return err
	}
	filtered := len(d.d.Filters()) > 0
	rank0 := d.f.par == nil || d.f.comm.Rank() == 0
	es := uint64(d.d.Type().Size)
	fill := d.fillElem()
	var ferr error
	for _, r := range recs {
		partial := false
		for i, c := range r.Coords {
			partial = partial || shape[i] < old[i] && c+chunk[i] > shape[i]
		}
		if !partial || !filtered && !rank0 {
			continue
		}
		buf, err := d.d.ReadChunk(d.f.os, r.Coords)
		if err != nil {
			ferr = err
			break
		}
		forEachOutside(r.Coords, chunk, shape, func(i uint64) { copy(buf[i*es:(i+1)*es], fill) })
		if filtered {
			coords := r.Coords
			ferr = d.f.apply(metaOp{name: "FillCutOff", path: d.name, args: fmt.Sprint(coords), fn: func() error {
				return d.d.WriteChunk(d.f.os, coords, buf)
			}})
		} else {
			_, ferr = d.f.os.WriteAt(buf, int64(r.Addr))
		}
		if ferr != nil {
			break
		}
	}
	if d.f.par != nil && !filtered {
		call := fmt.Sprintf("FillCutOff(%q)", d.name)
		if ferr != nil {
			call += " -> error"
		}
		if err := d.f.checkpoint(call); err != nil {
			return err
		}
	}
	if ferr != nil {
		return opErrf("resize", d.name, "writing the fill value beyond the new shape: %w", ferr)
	}
	return nil
}

// forEachOutside calls fn with the row-major index, within the chunk at
// coords, of every element of the chunk outside shape.
func forEachOutside(coords, chunk, shape []uint64, fn func(i uint64)) {
	rank := len(chunk)
	idx := make([]uint64, rank)
	for i := uint64(0); ; i++ {
		for j := 0; j < rank; j++ {
			if coords[j]+idx[j] >= shape[j] {
				fn(i)
				break
			}
		}
		j := rank - 1
		for ; j >= 0; j-- {
			idx[j]++
			if idx[j] < chunk[j] {
				break
			}
			idx[j] = 0
		}
		if j < 0 {
			return
		}
	}
}
