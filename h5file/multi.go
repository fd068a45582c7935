package h5file

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
)

// Multi-dataset I/O: libhdf5 1.14's H5Dwrite_multi and H5Dread_multi.
// Simulation output is many variables per step; written one collective
// call at a time, each variable costs its own agreement, its own exchange
// of selections and, when its runs are short, its own two-phase rounds.
// WriteMulti and ReadMulti do all the datasets of one call with one
// agreement, one exchange of selections and one two-phase plan over the
// file span of all of them, as ROMIO's one MPI_File_write_all over
// libhdf5's combined file type does.

// MultiWrite is one dataset's part of File.WriteMulti: a selection (nil:
// the whole dataset) and its elements in row-major order, as for
// Collective().WriteSel.
type MultiWrite struct {
	D    *Dataset
	Sel  Selection
	Data any
}

// MultiRead is one dataset's part of File.ReadMulti: a selection (nil:
// the whole dataset) and its destination, as for Collective().ReadSel.
type MultiRead struct {
	D   *Dataset
	Sel Selection
	Dst any
}

// WriteMulti writes the selections of several datasets of f in one
// collective call (H5Dwrite_multi). Every rank of the file's
// communicator calls it with the same datasets in the same order, each
// with its own selections (an empty one, such as S(Range(0, 0)), to take
// part without data). The ranks agree once on the whole call (different
// dataset lists on different ranks are a *MismatchError, on every rank);
// then contiguous and unfiltered chunked datasets are written together:
// each rank writes its parts straight to the file, or, when the parts of
// all the datasets fall into many short runs, in one two-phase exchange
// planned over all of them (Collective's doc). Filtered (compressed),
// variable-length and compact datasets are then written one by one, each
// as Collective().WriteSel would, in the order given.
//
// A rank whose selection or data is bad makes every rank's WriteMulti
// fail, naming that rank and dataset, before anything is written; the
// file stays usable. A failed write on any rank is reported on every
// rank. Where a dataset appears twice, its later part wins an overlap.
//
// Serially (no communicator, or one rank) it writes each part in turn.
func (f *File) WriteMulti(ws ...MultiWrite) error {
	if err := f.checkWrite(); err != nil {
		return err
	}
	es := make([]multiEntry, len(ws))
	for i, w := range ws {
		es[i] = f.multiEntry(w.D, w.Sel)
		if e := &es[i]; e.bad == nil && e.err == nil && (e.d.d.IsNull() || e.d.d.External() != nil || e.d.d.Layout() == h5core.LayoutVirtual) {
			e.err = opErrf("write", e.d.name, "writing a dataset with external or virtual storage, or an empty one, is not supported (write a new dataset instead): %w", h5core.ErrUnsupported)
		}
	}
	if !f.isParallel() {
		for i, e := range es {
			if e.err != nil {
				return e.err
			}
			if err := e.d.write(e.h, ws[i].Data); err != nil {
				return err
			}
		}
		return nil
	}
	if err := f.agreeMulti("WriteMulti", es); err != nil {
		return err
	}
	// Pack each part's elements (vlen and compact data is packed by its
	// own collective below).
	for i := range es {
		e := &es[i]
		e.kind = e.d.multiKind(true)
		if e.err == nil && e.kind != multiVlen {
			e.buf, e.err = f.encodeValues(ws[i].Data, e.d.d.Type(), e.h.NumElements())
			if e.err != nil {
				e.err = opErr("write", e.d.name, e.err)
			}
		}
	}
	for _, e := range es { // every rank, the same datasets in the same order
		if e.d != nil && e.kind == multiRaw {
			if err := e.d.allocateLate(); err != nil { // parallel_meta_alloc.go
				return err
			}
		}
	}
	if err := f.writeMultiRaw(es); err != nil {
		return err
	}
	for i, e := range es {
		var err error
		switch e.kind {
		case multiFiltered:
			err = e.d.writeFilteredCollective(e.h, e.buf, nil)
		case multiVlen:
			err = e.d.writeVlenCollective(e.h, ws[i].Data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadMulti reads the selections of several datasets of f in one
// collective call (H5Dread_multi): the mirror of WriteMulti. Contiguous
// and unfiltered chunked datasets are read together, each rank reading
// its own parts, or, when they fall into many short runs, in one
// two-phase exchange planned over all of them; the others (filtered,
// variable-length, compact, external, virtual) each rank reads itself.
// A rank whose selection or destination is bad, or whose read fails,
// makes every rank's ReadMulti fail, naming it.
func (f *File) ReadMulti(rs ...MultiRead) error {
	if err := f.check(); err != nil {
		return err
	}
	es := make([]multiEntry, len(rs))
	for i, r := range rs {
		es[i] = f.multiEntry(r.D, r.Sel)
	}
	if !f.isParallel() {
		for i, e := range es {
			if e.err != nil {
				return e.err
			}
			if err := e.d.read(e.h, rs[i].Dst); err != nil {
				return err
			}
		}
		return nil
	}
	if err := f.agreeMulti("ReadMulti", es); err != nil {
		return err
	}
	// Held writes reach the file before any aggregator reads it (the
	// Allgather below orders them).
	if err := f.writeHeld(); err != nil {
		return f.fail(opErrf("read", f.path, "ReadMulti: %w", err))
	}
	outs := make([]func([]byte) error, len(es))
	direct := make([]bool, len(es))
	for i := range es {
		e := &es[i]
		e.kind = e.d.multiKind(false)
		if e.err != nil {
			continue
		}
		t := e.d.d.Type()
		n := e.h.NumElements()
		if e.d.d.IsNull() {
			e.err = opErrf("read", e.d.name, "the dataset is empty (h5py.Empty: a null dataspace, no elements): %w", ErrShape)
			continue
		}
		if err := checkAlloc(n, uint64(t.Size), e.d.name); err != nil {
			e.err = err
			continue
		}
		out, buf, err := f.decodeTarget(rs[i].Dst, t, n)
		if err != nil {
			e.err = opErr("read", e.d.name, err)
			continue
		}
		outs[i], direct[i] = out, buf != nil
		if buf == nil {
			buf = make([]byte, n*uint64(t.Size))
		}
		e.buf = buf
	}
	if err := f.readMultiRaw(es); err != nil {
		return err
	}
	for i, e := range es {
		if !direct[i] {
			if err := outs[i](e.buf); err != nil {
				return opErr("read", e.d.name, err)
			}
		}
	}
	return nil
}

// multiEntry is one part of a WriteMulti or ReadMulti on this rank.
type multiEntry struct {
	d    *Dataset
	h    h5core.Hyperslab
	buf  []byte // packed elements (writes: the data; reads: the destination)
	kind multiKind
	err  error // this rank's error for this part
	// bad: not a dataset of this file (nil, closed, another file's): the
	// call's name says so, and after the agreement every rank fails.
	bad error
}

type multiKind int

const (
	multiRaw      multiKind = iota // contiguous or unfiltered chunks: in the one exchange
	multiFiltered                  // writes: Collective().WriteSel's filtered path
	multiVlen                      // writes: the vlen and compact path
	multiOwn                       // reads: each rank reads its own part
)

// multiKind classifies d for a multi-dataset write or read. It depends on
// the dataset alone, so after the agreement every rank classifies alike.
func (d *Dataset) multiKind(write bool) multiKind {
	dd := d.d
	if write {
		switch {
		case dd.Type().HasVlen() || dd.Layout() == h5core.LayoutCompact:
			return multiVlen
		case dd.Layout() == h5core.LayoutChunked && len(dd.Filters()) > 0:
			return multiFiltered
		}
		return multiRaw
	}
	if d.twoPhaseReadable() {
		return multiRaw
	}
	return multiOwn
}

// multiEntry resolves one part's dataset and selection on this rank.
func (f *File) multiEntry(d *Dataset, sel Selection) multiEntry {
	if d == nil || d.d == nil {
		return multiEntry{bad: opErrf("multi", f.path, "a part names no dataset (D is nil)")}
	}
	if d.f != f {
		return multiEntry{d: d, bad: opErrf("multi", d.name, "the dataset belongs to %s, not to %s (one call reads or writes datasets of one file)", d.f.path, f.path)}
	}
	e := multiEntry{d: d}
	if sel == nil {
		e.h = h5core.All(d.d.Shape())
		return e
	}
	h, err := sel.hyperslab(d.d.Shape())
	if err == nil {
		err = h.Check(d.d.Shape())
	}
	if err != nil {
		e.h = emptySlab(len(d.d.Shape()))
		e.err = opErrf("multi", d.name, "%w: %w", ErrShape, err)
		return e
	}
	e.h = h
	return e
}

// agreeMulti is the call's one agreement: its name lists the datasets, so
// ranks that pass different lists disagree. Parts that name no dataset of
// f are in the name too, and fail on every rank after it.
func (f *File) agreeMulti(op string, es []multiEntry) error {
	var b strings.Builder
	b.WriteString(op + "(")
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case e.d == nil:
			b.WriteString("<nil>")
		case e.bad != nil:
			fmt.Fprintf(&b, "%q of %s", e.d.name, e.d.f.path)
		default:
			fmt.Fprintf(&b, "%q", e.d.name)
		}
	}
	b.WriteString(")")
	if err := f.agree(f.ctx, b.String()); err != nil {
		return err
	}
	for _, e := range es {
		if e.bad != nil {
			return e.bad
		}
	}
	return nil
}

// multiSummary is what each rank tells the others about its part of a
// multi-dataset I/O: its first error (then nobody writes or reads), and
// one summary per part that goes into the exchange.
type multiSummary struct {
	Err   string
	Parts []selSummary
}

// multiParts is the parts of a call that go into the one exchange: their
// entries' indexes in the call, and this rank's runs of each.
type multiParts struct {
	idx  []int
	runs [][]h5core.Run
}

// summarize computes this rank's summary: the runs of the parts that go
// into the exchange (for writes, allocating contiguous storage on every
// rank alike, whatever the selections), and its first error.
func (f *File) summarize(es []multiEntry, op string) (multiSummary, multiParts) {
	var sum multiSummary
	var raw multiParts
	for i := range es {
		e := &es[i]
		if e.kind != multiRaw {
			continue
		}
		raw.idx = append(raw.idx, i)
		h := e.h
		if e.err != nil {
			h = emptySlab(len(e.d.d.Shape()))
		}
		runs, ok, err := e.d.fileRuns(h, 0)
		if err != nil && e.err == nil {
			e.err = opErr(op, e.d.name, err)
		}
		s := selSummary{H: h, Runs: uint64(len(runs)), Unallocated: !ok || f.atomic}
		for _, r := range runs {
			if s.Bytes == 0 || r.Off < s.First {
				s.First = r.Off
			}
			s.Limit = max(s.Limit, r.Off+r.Len)
			s.Bytes += r.Len
		}
		raw.runs = append(raw.runs, runs)
		sum.Parts = append(sum.Parts, s)
	}
	for _, e := range es {
		if e.err != nil {
			sum.Err = e.err.Error()
			break
		}
	}
	return sum, raw
}

// exchangeMulti allgathers the summaries. A rank's error becomes every
// rank's: its own error on it, the others naming it.
func (f *File) exchangeMulti(op string, mine multiSummary, es []multiEntry) ([]multiSummary, error) {
	all, err := collectives.AllgatherValue(f.ctx, f.comm, mine)
	if err != nil {
		return nil, f.fail(opErrf(op, f.path, "exchanging the ranks' selections: %w", err))
	}
	for _, e := range es {
		if e.err != nil {
			return nil, e.err
		}
	}
	for r, s := range all {
		if s.Err != "" {
			return nil, opErrf(op, f.path, "rank %d's part of the multi-dataset call: %s (nothing was done)", r, s.Err)
		}
		if len(s.Parts) != len(mine.Parts) {
			return nil, f.fail(opErrf(op, f.path, "rank %d has %d parts in the exchange, this rank %d: %w", r, len(s.Parts), len(mine.Parts), ErrMismatch))
		}
	}
	return all, nil
}

// combined is each rank's parts as one summary, for planTwoPhase.
func combined(all []multiSummary) []selSummary {
	out := make([]selSummary, len(all))
	for r, s := range all {
		var c selSummary
		for _, p := range s.Parts {
			c.Unallocated = c.Unallocated || p.Unallocated
			if p.Bytes == 0 {
				continue
			}
			if c.Bytes == 0 || p.First < c.First {
				c.First = p.First
			}
			c.Limit = max(c.Limit, p.Limit)
			c.Runs += p.Runs
			c.Bytes += p.Bytes
		}
		out[r] = c
	}
	return out
}

// starts is where each part's bytes begin in a rank's concatenation.
func starts(parts []selSummary) []uint64 {
	out := make([]uint64, len(parts))
	var at uint64
	for j, p := range parts {
		out[j] = at
		at += p.Bytes
	}
	return out
}

// multiPieces is twoPhasePieces over the parts of every dataset: this
// rank's pieces per round and aggregator, and, as an aggregator, each
// requester's pieces of its domain, MemOff indexing the requester's
// concatenation of its parts.
func multiPieces(tp *twoPhase, es []multiEntry, raw multiParts, all []multiSummary, op string) (mine, agg [][][]h5core.Run, err error) {
	mine = make([][][]h5core.Run, tp.rounds)
	agg = make([][][]h5core.Run, tp.rounds)
	for k := range tp.rounds {
		mine[k], agg[k] = make([][]h5core.Run, tp.n), make([][]h5core.Run, tp.n)
	}
	at := starts(all[tp.me].Parts)
	for j, runs := range raw.runs {
		shifted := make([]h5core.Run, len(runs))
		for i, r := range runs {
			shifted[i] = h5core.Run{Off: r.Off, MemOff: r.MemOff + at[j], Len: r.Len}
		}
		tp.split(shifted, func(a, k int, r h5core.Run) { mine[k][a] = append(mine[k][a], r) })
	}
	for k := range tp.rounds {
		agg[k][tp.me] = mine[k][tp.me]
	}
	for s, sum := range all {
		if s == tp.me {
			continue
		}
		at := starts(sum.Parts)
		for j, p := range sum.Parts {
			if p.Bytes == 0 || p.Limit <= tp.window0() || p.First >= tp.domainEnd() {
				continue
			}
			d := es[raw.idx[j]].d
			theirs, ok, err := d.fileRuns(p.H, p.Runs)
			if err == nil && !ok {
				err = errors.New("it touches a chunk with no storage")
			}
			if err != nil {
				return nil, nil, opErrf(op, d.name, "rank %d's selection: %w", s, err)
			}
			for i := range theirs {
				theirs[i].MemOff += at[j]
			}
			tp.split(theirs, func(a, k int, r h5core.Run) {
				if a == tp.me {
					agg[k][s] = append(agg[k][s], r)
				}
			})
		}
	}
	return mine, agg, nil
}

// packedOf is this rank's buffers of the exchanged parts.
func packedOf(es []multiEntry, raw multiParts, parts []selSummary) *packed {
	p := &packed{starts: starts(parts)}
	for _, i := range raw.idx {
		p.bufs = append(p.bufs, es[i].buf)
	}
	return p
}

// agreeResult tells every rank whether any rank's I/O failed, so none
// reports success for data another rank failed to write or read.
func (f *File) agreeResult(op string, ioErr error) error {
	msg := ""
	if ioErr != nil {
		msg = ioErr.Error()
	}
	msgs, err := collectives.AllgatherValue(f.ctx, f.comm, msg)
	if err != nil {
		return f.fail(opErrf(op, f.path, "exchanging the results of a multi-dataset call: %w", err))
	}
	if ioErr != nil {
		return ioErr
	}
	for r, m := range msgs {
		if m != "" {
			return opErrf(op, f.path, "rank %d, in a multi-dataset call: %s", r, m)
		}
	}
	return nil
}

// writeMultiRaw writes the parts of contiguous and unfiltered chunked
// datasets: directly, or in one two-phase exchange over all of them.
func (f *File) writeMultiRaw(es []multiEntry) error {
	mine, raw := f.summarize(es, "write")
	all, err := f.exchangeMulti("write", mine, es)
	if err != nil {
		return err
	}
	if len(raw.idx) == 0 {
		return nil
	}
	var tp *twoPhase
	if !f.atomic {
		tp = planTwoPhase(combined(all), f.comm.Rank(), f.twoPhase)
	}
	var werr error
	if tp == nil {
		for _, i := range raw.idx {
			if err := es[i].d.writeRaw(es[i].h, es[i].buf); err != nil {
				werr = opErr("write", es[i].d.name, err)
				break
			}
		}
		return f.agreeResult("write", werr)
	}
	f.twoPhaseWrites++
	if tp.domainOf(tp.me) >= 0 {
		f.twoPhaseAggregated++
	}
	for _, i := range raw.idx {
		es[i].d.dropChunkCache()
	}
	d0 := es[raw.idx[0]].d // names the call's communicator errors
	if werr = f.writeHeld(); werr != nil {
		werr = opErr("write", d0.name, werr)
	}
	send, recv, err := multiPieces(tp, es, raw, all, "write")
	if err != nil {
		return f.fail(err)
	}
	wbuf, sbuf, rbuf, release := roundBuffers(tp, send, recv) // parallel_twophase.go
	defer release()
	mem := packedOf(es, raw, all[tp.me].Parts)
	for k := range tp.rounds {
		if err := d0.twoPhaseRound(tp, k, mem, wbuf, sbuf, rbuf, send[k], recv[k], &werr); err != nil {
			return f.fail(err)
		}
	}
	return f.agreeResult("write", werr)
}

// readMultiRaw reads every part: those of plain file bytes directly or in
// one two-phase exchange, the others each rank itself.
func (f *File) readMultiRaw(es []multiEntry) error {
	mine, raw := f.summarize(es, "read")
	all, err := f.exchangeMulti("read", mine, es)
	if err != nil {
		return err
	}
	var ioErr error
	for i := range es { // parts outside the exchange: each rank its own
		if es[i].kind != multiRaw && ioErr == nil {
			if err := es[i].d.readRaw(es[i].h, es[i].buf); err != nil {
				ioErr = opErr("read", es[i].d.name, err)
			}
		}
	}
	var tp *twoPhase
	if len(raw.idx) > 0 {
		tp = planTwoPhase(combined(all), f.comm.Rank(), f.twoPhase)
	}
	if tp == nil {
		for _, i := range raw.idx {
			if ioErr != nil {
				break
			}
			if err := es[i].d.readRaw(es[i].h, es[i].buf); err != nil {
				ioErr = opErr("read", es[i].d.name, err)
			}
		}
		return f.agreeResult("read", ioErr)
	}
	f.twoPhaseReads++
	if tp.domainOf(tp.me) >= 0 {
		f.twoPhaseAggregated++
	}
	d0 := es[raw.idx[0]].d
	mineP, agg, err := multiPieces(tp, es, raw, all, "read")
	if err != nil {
		return f.fail(err)
	}
	wbuf, sbuf, rbuf, release := roundBuffers(tp, agg, mineP) // parallel_twophase.go
	defer release()
	mem := packedOf(es, raw, all[tp.me].Parts)
	at := make([][]uint64, len(all))
	for s := range all {
		at[s] = starts(all[s].Parts)
	}
	// The fill of requester s's piece: the part its offset falls in.
	fill := func(s int, memOff uint64) ([]byte, uint64) {
		j := sort.Search(len(at[s]), func(j int) bool { return at[s][j] > memOff }) - 1
		return es[raw.idx[j]].d.fillElem(), at[s][j]
	}
	for k := range tp.rounds {
		if err := d0.twoPhaseReadRound(tp, k, mem, fill, wbuf, sbuf, rbuf, mineP[k], agg[k], &ioErr); err != nil {
			return f.fail(err)
		}
	}
	return f.agreeResult("read", ioErr)
}
