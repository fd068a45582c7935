package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
)

// allocateLate gives storage, at open, to every dataset a libhdf5 file
// left without (h5py allocates contiguous storage and chunks late, on
// first write). Serially a first write allocates; in a parallel file that
// would be a metadata call made only by the ranks that write, and ranks
// writing fill values over each other's data. So, as libhdf5 does for
// parallel files (early allocation), every rank allocates the same
// storage here, in the same order, and rank 0 writes nonzero fill values.
// Which datasets need it is rank 0's walk (lateStorage): the others load
// only those, not the whole file.
func (f *File) allocateLate(paths []string) error {
	for _, p := range paths {
		o, err := f.root.g.Lookup(p)
		if err != nil {
			return opErrf("open", f.path, "loading %s to allocate its storage: %w", p, err)
		}
		hd, ok := o.(*h5core.Dataset)
		if !ok {
			return opErrf("open", f.path, "%s is not a dataset on this rank (rank 0 found one there): %w", p, ErrMismatch)
		}
		d := f.newDataset(join("/", p), hd)
		var had map[string]bool
		if d.d.Layout() == h5core.LayoutChunked {
			had = map[string]bool{}
			recs, err := d.d.Chunks()
			if err != nil {
				return opErrf("open", f.path, "reading the chunk index of %s: %w", d.name, err)
			}
			for _, r := range recs {
				had[fmt.Sprint(r.Coords)] = true
			}
		}
		if err := f.apply(metaOp{name: "AllocStorage", path: d.name, fn: d.d.AllocStorage}); err != nil {
			return opErrf("open", f.path, "allocating storage of %s: %w", d.name, err)
		}
		if f.comm.Rank() == 0 {
			if err := d.writeFill(had); err != nil {
				return opErrf("open", f.path, "writing the fill value of %s: %w", d.name, err)
			}
		}
	}
	return nil
}

// lateMsg is rank 0's list of datasets without storage.
type lateMsg struct {
	Paths []string
	Err   string
}

// lateStorage is the paths of the datasets allocateLate allocates, found
// by rank 0 (the one rank that walks the file: its reads are the ones it
// would serve anyway) and broadcast. ok false: this rank's open failed;
// it still takes part.
func (f *File) lateStorage(ok bool) ([]string, error) {
	var msg lateMsg
	if f.comm.Rank() == 0 && ok {
		paths, err := f.findLate()
		msg.Paths = paths
		if err != nil {
			msg.Err = err.Error()
		}
	}
	if err := collectives.BcastValue(f.ctx, f.comm, &msg, 0); err != nil {
		return nil, opErrf("open", f.path, "receiving the datasets to allocate from rank 0: %w", err)
	}
	if msg.Err != "" {
		return nil, opErrf("open", f.path, "finding storage to allocate (rank 0): %s", msg.Err)
	}
	return msg.Paths, nil
}

// findLate walks the file for datasets without storage, in the order
// every rank allocates them.
func (f *File) findLate() ([]string, error) {
	var late []string
	err := f.root.g.Visit(func(p string, o h5core.Object) error {
		d, ok := o.(*h5core.Dataset)
		if !ok || len(d.Filters()) > 0 || d.IsNull() || d.External() != nil { // nothing to allocate
			return nil
		}
		switch d.Layout() {
		case h5core.LayoutContiguous:
			if addr, _ := d.DataAddr(); addr == h5core.UndefinedAddr {
				late = append(late, p)
			}
		case h5core.LayoutChunked:
			recs, err := d.Chunks()
			if err != nil {
				return err
			}
			if uint64(len(recs)) < chunkCount(d.Shape(), d.ChunkShape()) {
				late = append(late, p)
			}
		}
		return nil
	})
	return late, err
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
		fv := d.d.Fill().Value
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
	if f.par == nil || allZero(d.d.Fill().Value) {
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
