package h5file

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/gorun-hpc/gorun/collectives"
)

// Small independent writes of a parallel file (a rank writing its element
// of each of a thousand small datasets) cost a pwrite each: in the
// metadata benchmark, a third of every rank's time. With
// WithSmallWriteBatching (off by default) a rank holds
// contiguous-data writes of up to smallWriteMax bytes until the next
// Flush or Close, which gathers them at rank 0; rank 0 merges the ones
// that touch into single writes (ranks' elements of one dataset are
// neighbours) and writes them before the metadata. Only small writes go
// through rank 0 (rule 3 of ARCHITECTURE.md is about bulk data), and at most
// smallBufferMax bytes per rank: past that, and before anything this rank
// reads or writes otherwise (a read, a write that is not small, a
// collective data operation, a switch to atomic mode), the rank writes
// its held writes itself. Visibility keeps MPI-IO's non-atomic rule: a
// write is visible to other ranks after Flush or Close. Atomic mode holds
// nothing back.

const (
	smallWriteMax  = 512     // bytes of one write held back
	smallBufferMax = 1 << 20 // bytes held per rank before writing them itself
)

// heldWrites are this rank's writes not yet in the file, in order:
// data[i] goes at off[i]. The data slices share one buffer (buf).
type heldWrites struct {
	off  []int64
	data [][]byte
	buf  []byte
	size int
}

// holdWrite keeps p (copied) for offset off if the file holds small
// writes back, reporting whether it did.
func (f *File) holdWrite(p []byte, off int64) (bool, error) {
	if f.par == nil || !f.smallBatch || f.atomic || len(p) > smallWriteMax {
		return false, nil
	}
	h := &f.par.held
	if h.size+len(p) > smallBufferMax {
		if err := f.writeHeld(); err != nil {
			return false, err
		}
	}
	if len(h.buf)+len(p) > cap(h.buf) {
		// A new block: earlier data keeps the old one.
		h.buf = make([]byte, 0, max(4096, 2*cap(h.buf), len(p)))
	}
	start := len(h.buf)
	h.buf = append(h.buf, p...)
	h.off = append(h.off, off)
	h.data = append(h.data, h.buf[start:len(h.buf):len(h.buf)])
	h.size += len(p)
	return true, nil
}

// writeHeld writes this rank's held writes itself, in order.
func (f *File) writeHeld() error {
	if f.par == nil || len(f.par.held.off) == 0 {
		return nil
	}
	h := &f.par.held
	off, data := h.off, h.data
	*h = heldWrites{}
	for i, p := range data {
		if _, err := f.os.WriteAt(p, off[i]); err != nil {
			return fmt.Errorf("h5file: %s: writing data held back at byte %d: %w", f.path, off[i], err)
		}
	}
	return nil
}

// encode packs held writes as (offset, length, bytes) records.
func (h *heldWrites) encode() []byte {
	b := make([]byte, 0, h.size+12*len(h.off))
	for i, p := range h.data {
		b = binary.LittleEndian.AppendUint64(b, uint64(h.off[i]))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

// decodeHeld appends the records of b to h.
func decodeHeld(b []byte, h *heldWrites) error {
	for len(b) > 0 {
		if len(b) < 12 {
			return fmt.Errorf("h5file: held writes: %d bytes left, a record needs 12", len(b))
		}
		off := binary.LittleEndian.Uint64(b)
		n := binary.LittleEndian.Uint32(b[8:])
		b = b[12:]
		if uint64(n) > uint64(len(b)) || off > 1<<62 {
			return fmt.Errorf("h5file: held writes: a record of %d bytes at %d, %d bytes left", n, off, len(b))
		}
		h.off = append(h.off, int64(off))
		h.data = append(h.data, b[:n])
		b = b[n:]
	}
	return nil
}

// gatherHeld is the part of a collective Flush that puts every rank's
// held writes into the file: rank 0 gathers them, merges the ones that
// touch or overlap (applying them in rank order, each rank's in its
// order, so a rank's later write wins) and writes each merged run once.
// It returns rank 0's write error (the flush reports it); a gather error
// makes the file unusable.
func (f *File) gatherHeld() (werr, err error) {
	mine := f.par.held.encode()
	f.par.held = heldWrites{}
	all, err := collectives.GatherValue(f.ctx, f.comm, mine, 0)
	if err != nil {
		return nil, f.fail(opErrf("flush", f.path, "gathering held writes at rank 0: %w", err))
	}
	if f.comm.Rank() != 0 {
		return nil, nil
	}
	var h heldWrites
	for r, b := range all {
		if err := decodeHeld(b, &h); err != nil {
			return opErrf("flush", f.path, "from rank %d: %w", r, err), nil
		}
	}
	if len(h.off) == 0 {
		return nil, nil
	}
	// Runs of touching writes, by offset.
	order := make([]int, len(h.off))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return h.off[order[a]] < h.off[order[b]] })
	type run struct {
		lo, hi int64
		buf    []byte
	}
	var runs []run
	for _, i := range order {
		lo, hi := h.off[i], h.off[i]+int64(len(h.data[i]))
		if n := len(runs); n > 0 && lo <= runs[n-1].hi {
			runs[n-1].hi = max(runs[n-1].hi, hi)
			continue
		}
		runs = append(runs, run{lo: lo, hi: hi})
	}
	for i := range runs {
		runs[i].buf = make([]byte, runs[i].hi-runs[i].lo)
	}
	for i, p := range h.data {
		k := sort.Search(len(runs), func(k int) bool { return runs[k].hi > h.off[i] })
		copy(runs[k].buf[h.off[i]-runs[k].lo:], p)
	}
	for _, r := range runs {
		if _, err := f.os.WriteAt(r.buf, r.lo); err != nil {
			return opErrf("flush", f.path, "writing the ranks' small writes at byte %d: %w", r.lo, err), nil
		}
	}
	return nil, nil
}
