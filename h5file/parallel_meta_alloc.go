package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// Storage a libhdf5 file never allocated (h5py allocates contiguous
// storage and chunks late, on first write). Serially the first write
// allocates (storageAddr, rawio.go). In a parallel file that would be a
// metadata change made only by the ranks that write, and ranks writing
// fill values over each other's data; libhdf5 allocates such storage at
// H5Dopen in a parallel file, which makes opening an object that will be
// modified collective. Here the allocation waits for the first write of
// the dataset (ARCHITECTURE.md decision 42): the open reads nothing
// beyond the root group, and a write of a dataset that has all its
// storage (everything gorun or h5py wrote data to) stays local. The first
// write of a dataset without storage is a collective step: every rank
// writes it (independently or collectively, each its own part, an empty
// one to take part without data) as its first write of that dataset
// after the same collective calls; a rank writing it alone fails at that
// step's agreement, on every rank, before any data is written.

// lateDone records, per dataset of a parallel file opened for writing,
// that its storage is complete: the check (a chunk index read) is made
// once per dataset.
type lateDone map[*h5core.Dataset]bool

// allocateLate gives d its storage, on every rank alike, if a libhdf5
// file left it without: rank 0 writes a nonzero fill value, then a check
// point (the barrier before any rank writes data there). Every rank calls
// it at the same point (see above); a dataset with its storage costs
// nothing.
func (d *Dataset) allocateLate() error {
	f := d.f
	if f.par == nil || f.late == nil || f.late[d.d] {
		return nil
	}
	late, err := needsStorage(d.d)
	if err != nil {
		return opErrf("write", d.name, "reading its chunk index to find storage to allocate: %w", err)
	}
	if !late {
		f.late[d.d] = true
		return nil
	}
	call := fmt.Sprintf("AllocateLate(%q)", d.name)
	if err := f.checkpoint(call); err != nil {
		return fmt.Errorf("%w (the first write of a dataset a libhdf5 file left without storage allocates it: every rank writes it, an empty selection to take part without data)", err)
	}
	var had map[string]bool
	if d.d.Layout() == h5core.LayoutChunked {
		had = map[string]bool{}
		recs, err := d.d.Chunks()
		if err != nil {
			return opErrf("write", d.name, "reading the chunk index: %w", err)
		}
		for _, r := range recs {
			had[fmt.Sprint(r.Coords)] = true
		}
	}
	if err := f.apply(metaOp{name: "AllocStorage", path: d.name, fn: d.d.AllocStorage}); err != nil {
		return opErrf("write", d.name, "allocating its storage: %w", err)
	}
	if err := d.fillNew(had); err != nil {
		return opErrf("write", d.name, "writing the fill value: %w", err)
	}
	f.late[d.d] = true
	return nil
}

// needsStorage reports whether d is a dataset a libhdf5 file left
// without (all its) storage, which a parallel write must allocate first.
func needsStorage(d *h5core.Dataset) (bool, error) {
	if len(d.Filters()) > 0 || d.IsNull() || d.External() != nil { // nothing to allocate
		return false, nil
	}
	switch d.Layout() {
	case h5core.LayoutContiguous:
		addr, _ := d.DataAddr()
		return addr == h5core.UndefinedAddr, nil
	case h5core.LayoutChunked:
		recs, err := d.Chunks()
		if err != nil {
			return false, err
		}
		return uint64(len(recs)) < chunkCount(d.Shape(), d.ChunkShape()), nil
	}
	return false, nil
}

// chunkCount is how many chunks cover shape.
func chunkCount(shape, chunk []uint64) uint64 {
	n := uint64(1)
	for i, s := range shape {
		if i >= len(chunk) || chunk[i] == 0 {
			return 0
		}
		n *= (s + chunk[i] - 1) / chunk[i]
	}
	return n
}

// fillNew writes a nonzero fill value into storage just allocated by a
// collective call (CreateDataset, Resize). Serially it is writeFill. In a
// parallel file every rank would write the same fill bytes, and a slow
// rank's fill could land on data a fast rank already wrote; so rank 0
// alone writes them and the ranks then agree (a check point, which is
// also the barrier before anyone writes data there).
func (d *Dataset) fillNew(skip map[string]bool) error {
	return d.fillBy(func() error { return d.writeFill(skip) })
}

// fillNewChunks is fillNew for the unfiltered chunks recs (the ones a
// Resize allocated), the others untouched: an append does not rewrite
// what is there.
func (d *Dataset) fillNewChunks(recs []h5core.ChunkRecord) error {
	return d.fillBy(func() error {
		fv := d.fillElem()
		for _, r := range recs {
			if err := writeRepeated(d, r.Addr, d.d.ChunkBytes(), fv); err != nil {
				return err
			}
		}
		return nil
	})
}

// fillBy runs write, which writes fill values, as fillNew says: serially
// as it is, in a parallel file on rank 0 then a check point.
func (d *Dataset) fillBy(write func() error) error {
	f := d.f
	if f.par == nil || !d.needsFill() {
		return write()
	}
	var ferr error
	if f.comm.Rank() == 0 {
		ferr = write()
	}
	call := fmt.Sprintf("Fill(%q)", d.name)
	if ferr != nil {
		call += " -> error"
	}
	if err := f.checkpoint(call); err != nil {
		return err
	}
	return ferr
}

// writeInitial writes the data given to CreateDatasetFrom. It is part of a
// collective call, so every rank passes the same data: in a parallel file
// rank 0 alone writes it (through the collective path for vlen and
// compact data, where the others contribute nothing), then the ranks
// agree on a digest of it, which is also the barrier before any rank
// writes its own part over it.
func (d *Dataset) writeInitial(data any) error {
	f := d.f
	if f.par == nil {
		return d.Write(data)
	}
	t := d.d.Type()
	all := h5core.All(d.d.Shape())
	var werr error
	if t.HasVlen() || d.d.Layout() == h5core.LayoutCompact {
		h := all
		if f.comm.Rank() != 0 {
			h = emptySlab(len(d.d.Shape()))
		}
		if err := d.writeVlenCollective(h, data); err != nil {
			return err
		}
	} else if d.d.Layout() == h5core.LayoutChunked && len(d.d.Filters()) > 0 {
		h, buf := emptySlab(len(d.d.Shape())), []byte(nil)
		var eerr error
		if f.comm.Rank() == 0 {
			h = all
			buf, eerr = f.encodeValues(data, t, all.NumElements())
		}
		if err := d.writeFilteredCollective(h, buf, eerr); err != nil {
			return err
		}
	} else if f.comm.Rank() == 0 {
		werr = d.Write(data)
	}
	call := fmt.Sprintf("WriteData(%q, %s)", d.name, f.valueDigest(data, t, all.NumElements()))
	if werr != nil {
		call += " -> error"
	}
	if err := f.checkpoint(call); err != nil {
		return err
	}
	return werr
}

// emptySlab selects nothing in a dataset of rank dims.
func emptySlab(dims int) h5core.Hyperslab {
	z := make([]uint64, dims)
	return h5core.Hyperslab{Start: z, Count: z}
}
