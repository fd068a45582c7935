package h5file

import (
	"errors"
	"fmt"
	"io"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// Two-phase collective reads, the mirror of the writes in
// parallel_twophase.go (ROMIO's collective buffering for reads). When the
// ranks' selections fall into many short runs (each rank reading back
// its block of a 3-D decomposition: one run per row of the block), every
// rank reading its own runs costs one pread per run, or a sieved read of
// up to twice its bytes; thousands of ranks doing either at restart is
// what overloads a parallel file system. Instead the ranks split the span
// they read together into one domain per rank; each aggregator reads its
// domain in a few large preads (phase one) and sends every rank the bytes
// of its selection that fall there (phase two, Alltoallv). The plan comes
// from the same Allgather of hyperslabs as a write's, so only data
// crosses the network.

// readSummary is selSummary for a read: a rank whose selection or
// destination is bad, or whose storage is not plain file bytes, says so,
// and then every rank reads its own part.
func (d *Dataset) readSummary(h h5core.Hyperslab, bad bool) (selSummary, []h5core.Run, error) {
	mine := selSummary{H: h, Unallocated: true}
	if bad || d.f.twoPhase.noReads || !d.twoPhaseReadable() {
		return mine, nil, nil
	}
	runs, ok, err := d.fileRuns(h, 0)
	if err != nil {
		return mine, nil, err
	}
	mine.Unallocated = !ok
	for _, r := range runs {
		if mine.Bytes == 0 || r.Off < mine.First {
			mine.First = r.Off
		}
		mine.Limit = max(mine.Limit, r.Off+r.Len)
		mine.Bytes += r.Len
	}
	mine.Runs = uint64(len(runs))
	return mine, runs, nil
}

// twoPhaseReadable reports whether d's data is plain bytes at known file
// offsets that any rank can read for another: contiguous storage already
// allocated, or unfiltered chunks, of fixed-size elements, outside atomic
// mode (whose locks are per rank).
func (d *Dataset) twoPhaseReadable() bool {
	dd := d.d
	if d.f.atomic || dd.IsNull() || dd.External() != nil || dd.Type().HasVlen() {
		return false
	}
	switch dd.Layout() {
	case h5core.LayoutContiguous:
		addr, _ := dd.DataAddr()
		return addr != h5core.UndefinedAddr // else: fill, no bytes to read
	case h5core.LayoutChunked:
		return len(dd.Filters()) == 0
	}
	return false
}

// readCollective reads each rank's selection h into dst, after the ranks
// agreed on the call: in two phases when the selections fall into many
// short runs, otherwise each rank reads its own. A rank whose selection
// or destination is bad still takes part in the Allgather, and makes
// every rank read its own part, so its error never leaves the others
// waiting.
func (d *Dataset) readCollective(h h5core.Hyperslab, herr error, dst any) error {
	f := d.f
	if err := f.check(); err != nil {
		return err
	}
	// This rank's writes held back for batching go to the file before any
	// aggregator reads it: the Allgather below orders them.
	if err := f.writeHeld(); err != nil {
		return f.fail(opErr("read", d.name, err))
	}
	t := d.d.Type()
	var (
		out    func([]byte) error
		direct []byte
		err    = herr
	)
	if err == nil && d.d.IsNull() {
		err = fmt.Errorf("the dataset is empty (h5py.Empty: a null dataspace, no elements): %w", ErrShape)
	}
	if err == nil {
		err = checkAlloc(h.NumElements(), uint64(t.Size), d.name)
	}
	if err == nil {
		out, direct, err = f.decodeTarget(dst, t, h.NumElements())
	}
	mine, runs, rerr := d.readSummary(h, err != nil)
	if rerr != nil {
		mine, runs = selSummary{H: h, Unallocated: true}, nil // read alone, and fail there
	}
	all, aerr := collectives.AllgatherValue(f.ctx, f.comm, mine)
	if aerr != nil {
		return f.fail(opErrf("read", d.name, "exchanging the ranks' selections: %w", aerr))
	}
	tp := planTwoPhase(all, f.comm.Rank(), f.twoPhase)
	if tp == nil {
		if err != nil {
			return opErr("read", d.name, err)
		}
		return d.read(h, dst)
	}
	f.twoPhaseReads++
	f.statsTwoPhase(tp.rounds) // iostats
	if tp.domainOf(tp.me) >= 0 {
		f.twoPhaseAggregated++
	}
	buf := direct
	if buf == nil {
		buf = make([]byte, h.NumElements()*uint64(t.Size))
	}
	mineP, agg, perr := d.twoPhasePieces(tp, runs, all, "read")
	if perr != nil {
		return f.fail(perr)
	}
	wbuf, sbuf, rbuf, release := roundBuffers(tp, agg, mineP) // parallel_twophase.go
	defer release()
	var ioErr error
	mem := onePacked(buf)
	fill := func(int, uint64) ([]byte, uint64) { return d.fillElem(), 0 }
	for k := range tp.rounds {
		if err := d.twoPhaseReadRound(tp, k, mem, fill, wbuf, sbuf, rbuf, mineP[k], agg[k], &ioErr); err != nil {
			return f.fail(err)
		}
	}
	// Every rank learns whether an aggregator failed: its data came from
	// there, so none returns values another rank failed to read.
	msg := ""
	if ioErr != nil {
		msg = ioErr.Error()
	}
	msgs, gerr := collectives.AllgatherValue(f.ctx, f.comm, msg)
	if gerr != nil {
		return f.fail(opErrf("read", d.name, "exchanging read results: %w", gerr))
	}
	if ioErr != nil {
		return ioErr
	}
	for r, m := range msgs {
		if m != "" {
			return opErrf("read", d.name, "rank %d, reading the ranks' data for them: %s", r, m)
		}
	}
	if direct == nil {
		if err := out(buf); err != nil {
			return opErr("read", d.name, err)
		}
	}
	return nil
}

// twoPhaseReadRound reads this rank's window of round k and sends each
// rank its pieces; mine are this rank's pieces per aggregator, agg the
// pieces of its window per requesting rank. A failed pread is kept in
// *ioErr and the round goes on (the others wait for this rank's bytes);
// an error returned is the communicator's. mem is this rank's destination
// (packed; one buffer per dataset of a ReadMulti), fill the fill value of
// a requester's piece (readWindow).
func (d *Dataset) twoPhaseReadRound(tp *twoPhase, k int, mem *packed, fill fillFunc, wbuf, sbuf, rbuf []byte, mine, agg [][]h5core.Run, ioErr *error) error {
	f := d.f
	wlo, _ := tp.myWindow(k)
	lo, hi := ^uint64(0), uint64(0)
	for _, ps := range agg {
		for _, p := range ps {
			lo, hi = min(lo, p.Off), max(hi, p.Off+p.Len)
		}
	}
	if *ioErr == nil && f.twoPhase.fault != nil {
		if err := f.twoPhase.fault(tp.me); err != nil {
			*ioErr = opErr("read", d.name, err)
		}
	}
	if *ioErr == nil && lo < hi {
		// One pread of the window's span, gaps included (reading is safe
		// where writing is not: nothing is written back).
		t0 := f.statsNow() // iostats
		if err := d.readWindow(wbuf[lo-wlo:hi-wlo], lo, agg, fill); err != nil {
			*ioErr = opErr("read", d.name, err)
		}
		f.statsSpan(iostats.KindRead, t0, hi-lo, true)
	}
	scounts, rcounts := make([]int, tp.n), make([]int, tp.n)
	n := 0
	for s, ps := range agg {
		for _, p := range ps {
			if s == tp.me {
				copy(mem.at(p.MemOff, p.Len), wbuf[p.Off-wlo:])
				continue
			}
			n += copy(sbuf[n:], wbuf[p.Off-wlo:p.Off-wlo+p.Len])
			scounts[s] += int(p.Len)
		}
	}
	for a, ps := range mine {
		if a == tp.me {
			continue
		}
		for _, p := range ps {
			rcounts[a] += int(p.Len)
		}
	}
	rb := rbuf[:sum(rcounts)]
	if err := collectives.Alltoallv(f.ctx, f.comm, sbuf[:n], scounts, rb, rcounts); err != nil {
		return opErrf("read", d.name, "receiving data from the ranks that read it: %w", err)
	}
	at := 0
	for a, ps := range mine {
		if a == tp.me {
			continue
		}
		for _, p := range ps {
			at += copy(mem.at(p.MemOff, p.Len), rb[at:])
		}
	}
	return nil
}

// readWindow reads file bytes [lo, lo+len(p)) into p. In a file open for
// writing, bytes past the end of the file were never written and read as
// the fill value (as readAllocated does for one rank's runs): each
// piece's byte takes the fill byte of its place in its element, which its
// offset in the requester's packed buffer gives (fill: the element and
// where its dataset's bytes begin in that buffer).
func (d *Dataset) readWindow(p []byte, lo uint64, agg [][]h5core.Run, fill fillFunc) error {
	n, err := d.f.os.ReadAt(p, int64(lo))
	if err == nil || !errors.Is(err, io.EOF) {
		return err
	}
	if d.f.readOnly {
		return fmt.Errorf("%w: %s: data at byte %d lies past the end of the file (truncated?)", h5core.ErrFormat, d.name, lo+uint64(n))
	}
	eof := lo + uint64(n)
	for s, ps := range agg {
		for _, q := range ps {
			if q.Off+q.Len <= eof {
				continue
			}
			elem, base := fill(s, q.MemOff)
			for x := max(q.Off, eof); x < q.Off+q.Len; x++ {
				p[x-lo] = elem[(q.MemOff-base+x-q.Off)%uint64(len(elem))]
			}
		}
	}
	return nil
}

// fillFunc gives the fill element of requester s's piece at offset memOff
// of its packed buffer, and where that dataset's bytes begin there.
type fillFunc func(s int, memOff uint64) (elem []byte, base uint64)
