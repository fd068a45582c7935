package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// Atomic mode (h5py's f.atomic = True, MPI_File_set_atomicity): a write is
// visible to every rank's read as soon as it returns (true of pwrite on one
// host's page cache in any mode), and writes that overlap never interleave
// bytes, nor does a read see half of a write. Each write takes an
// exclusive byte-range lock over the file span it touches, each read a
// shared one (Linux open file description locks, which belong to the
// rank's own open file, so ranks in one process exclude each other too).
// A collective write into filtered chunks ends, in atomic mode, with an
// exchange after the chunk owners' writes, so it too is visible to every
// rank when it returns (without atomic mode, as in MPI-IO, a Barrier is
// needed before another rank reads).

// SetAtomic turns atomic mode on or off. In a parallel file it is
// collective (a check point), as MPI_File_set_atomicity is.
func (f *File) SetAtomic(on bool) error {
	if err := f.check(); err != nil {
		return err
	}
	if err := f.agree(f.ctx, fmt.Sprintf("SetAtomic(%v)", on)); err != nil {
		return err
	}
	if on && !lockingSupported {
		return errUnsupportedLocks // atomic_lock_other.go: names the system
	}
	f.atomic = on
	return nil
}

// Atomic reports whether atomic mode is on.
func (f *File) Atomic() bool { return f.atomic }

// lockSpan locks the file span that selection h of d touches, if the
// file is in atomic mode, and returns the unlock function.
func (d *Dataset) lockSpan(h h5core.Hyperslab, write bool) (func(), error) {
	if !d.f.atomic || h.NumElements() == 0 {
		return func() {}, nil
	}
	lo, hi, ok, err := d.span(h)
	if err != nil || !ok {
		return func() {}, err
	}
	return lockRange(d.f.os, int64(lo), int64(hi-lo), write)
}

// span is the smallest file byte range [lo, hi) holding the selection's
// elements in contiguous or chunked storage (a filtered chunk counts
// whole: it is decoded whole); ok is false for compact data (metadata) and
// storage not yet allocated. A filtered chunk's rewrite goes to new space,
// locked by its writer (writeChunkAt).
func (d *Dataset) span(h h5core.Hyperslab) (lo, hi uint64, ok bool, err error) {
	shape := d.d.Shape()
	es := uint64(d.d.Type().Size)
	lo = ^uint64(0)
	grow := func(a, b uint64) {
		lo, hi, ok = min(lo, a), max(hi, b), true
	}
	switch d.d.Layout() {
	case h5core.LayoutContiguous:
		addr, _ := d.d.DataAddr()
		if addr == h5core.UndefinedAddr {
			return 0, 0, false, nil
		}
		err = h5core.ContiguousRuns(shape, es, h, func(r h5core.Run) error {
			grow(addr+r.Off, addr+r.Off+r.Len)
			return nil
		})
	case h5core.LayoutChunked:
		filtered := len(d.d.Filters()) > 0
		err = h5core.ChunkRuns(shape, d.d.ChunkShape(), es, h, func(coords []uint64, runs []h5core.Run) error {
			rec, found, err := d.d.Chunk(coords)
			if err != nil || !found || rec.Addr == h5core.UndefinedAddr {
				return err
			}
			if filtered {
				// A filtered chunk is read (and written) whole.
				if rec.Size > 0 {
					grow(rec.Addr, rec.Addr+rec.Size)
				}
				return nil
			}
			for _, r := range runs {
				grow(rec.Addr+r.Off, rec.Addr+r.Off+r.Len)
			}
			return nil
		})
	}
	return lo, hi, ok, err
}

// lockChunk locks one stored chunk's bytes in atomic mode (a filtered
// chunk's owner reading its previous contents before merging).
func (d *Dataset) lockChunk(coords []uint64, write bool) (func(), error) {
	if !d.f.atomic {
		return func() {}, nil
	}
	rec, found, err := d.d.Chunk(coords)
	if err != nil || !found || rec.Addr == h5core.UndefinedAddr || rec.Size == 0 {
		return func() {}, err
	}
	return lockRange(d.f.os, int64(rec.Addr), int64(rec.Size), write)
}
