package h5file

import (
	"errors"
	"slices"
	"sort"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/internal/scratch"
	"github.com/gorun-hpc/gorun/iostats"
)

// Two-phase collective writes (ROMIO's collective buffering). When the
// ranks' selections of a contiguous or unfiltered chunked dataset fall
// into many short runs in
// the file (the blocks of a 2-D or 3-D domain decomposition: one run per
// row of each block), writing them as they are costs one pwrite per run,
// and on one file those serialize in the kernel. Instead the ranks split
// the file span they write together into one domain per rank, send each
// aggregator the bytes that fall into its domain (phase one, Alltoallv),
// and each aggregator writes its domain in a few large pwrites (phase
// two). Every rank learns every selection from one Allgather of the
// hyperslabs, so only data crosses the network: no offset lists.

// twoPhaseConfig is a file's two-phase knobs: the defaults, or a test's
// (withTwoPhase, withTwoPhaseFault).
type twoPhaseConfig struct {
	// maxRun: collective writes whose runs average less than this use
	// two-phase I/O. Moving a byte to another rank costs about as much as
	// a pwrite of it, so it pays only where the per-call cost of a pwrite
	// (some microseconds) outweighs copying the run once more.
	maxRun uint64
	// buffer bounds each aggregator's buffer (ROMIO's cb_buffer_size): a
	// domain larger than this is written in rounds.
	buffer uint64
	// aggregators is the number of ranks that read and write for the
	// others (ROMIO's cb_nodes); 0: every rank.
	aggregators int
	// noReads: collective reads never go in two phases
	// (WithTwoPhaseReads(false), ROMIO's romio_cb_read=disable).
	noReads bool
	// fault, when set (tests), fails the aggregator writes and reads of
	// the ranks it returns an error for.
	fault func(rank int) error
}

var defaultTwoPhase = twoPhaseConfig{maxRun: 16 << 10, buffer: 32 << 20}

// withTwoPhase sets a file's two-phase run threshold and aggregator
// buffer (tests: small buffers make many rounds).
func withTwoPhase(maxRun, buffer uint64) Option {
	return func(o *options) { o.twoPhase.maxRun, o.twoPhase.buffer = maxRun, buffer }
}

// withTwoPhaseFault makes the aggregator writes of the ranks fault
// returns an error for fail (tests).
func withTwoPhaseFault(fault func(rank int) error) Option {
	return func(o *options) { o.twoPhase.fault = fault }
}

// twoPhaseMaxSpread: a write whose span is more than this many times the
// bytes it writes is sparse; its rounds would move mostly nothing, so it
// goes the direct way.
const twoPhaseMaxSpread = 8

// twoPhaseAlign: domain boundaries fall on multiples of this, so no two
// aggregators write into one file-system block.
const twoPhaseAlign = 4096

// selSummary is what each rank tells the others about its part of a
// collective write.
type selSummary struct {
	H            h5core.Hyperslab
	Runs, Bytes  uint64
	First, Limit uint64 // file byte span [First, Limit) of its runs
	Unallocated  bool   // it touches a chunk with no storage: all write directly
}

// twoPhase is one collective I/O's plan, the same on every rank.
type twoPhase struct {
	lo, dom, win uint64 // span start, domain size, window (round) size
	rounds       int
	n, me        int
	// nagg is the number of domains, each an aggregator's (ROMIO's
	// cb_nodes); 0 means every rank. Domain i is rank i*n/nagg's, so
	// aggregators spread over the ranks (and hosts, ranks being placed
	// host by host).
	nagg int
}

// aggRank is the rank that aggregates domain i.
func (tp *twoPhase) aggRank(i int) int {
	if tp.nagg == 0 || tp.nagg == tp.n {
		return i
	}
	return i * tp.n / tp.nagg
}

// domainOf is rank r's domain, or -1 if it aggregates none.
func (tp *twoPhase) domainOf(r int) int {
	if tp.nagg == 0 || tp.nagg == tp.n {
		return r
	}
	for i := range tp.nagg {
		if tp.aggRank(i) == r {
			return i
		}
	}
	return -1
}

// window returns domain i's byte range in round k.
func (tp *twoPhase) window(i, k int) (lo, hi uint64) {
	dlo := tp.lo + uint64(i)*tp.dom
	lo = dlo + uint64(k)*tp.win
	return lo, min(lo+tp.win, dlo+tp.dom)
}

// myWindow is this rank's window in round k (empty for a rank that
// aggregates nothing).
func (tp *twoPhase) myWindow(k int) (lo, hi uint64) {
	i := tp.domainOf(tp.me)
	if i < 0 {
		return 0, 0
	}
	return tp.window(i, k)
}

// place is where byte x of the span goes: its aggregator (a rank), round,
// and the end of that window.
func (tp *twoPhase) place(x uint64) (a, k int, end uint64) {
	i := int((x - tp.lo) / tp.dom)
	k = int((x - tp.lo - uint64(i)*tp.dom) / tp.win)
	_, end = tp.window(i, k)
	return tp.aggRank(i), k, end
}

// split cuts runs at window boundaries and calls fn for each piece.
func (tp *twoPhase) split(runs []h5core.Run, fn func(a, k int, r h5core.Run)) {
	for _, r := range runs {
		for r.Len > 0 {
			a, k, end := tp.place(r.Off)
			n := min(r.Len, end-r.Off)
			fn(a, k, h5core.Run{Off: r.Off, MemOff: r.MemOff, Len: n})
			r.Off, r.MemOff, r.Len = r.Off+n, r.MemOff+n, r.Len-n
		}
	}
}

// writeCollectiveRuns writes each rank's packed selection h (buf) of a
// contiguous or unfiltered chunked dataset, after the ranks agreed on the
// call: straight to the file when the runs are long, in two phases when
// they are short.
func (d *Dataset) writeCollectiveRuns(h h5core.Hyperslab, buf []byte) error {
	f := d.f
	runs, ok, err := d.fileRuns(h, 0)
	if err != nil {
		return f.fail(opErr("write", d.name, err))
	}
	mine := selSummary{H: h, Runs: uint64(len(runs)), Unallocated: !ok}
	for _, r := range runs {
		if mine.Bytes == 0 || r.Off < mine.First {
			mine.First = r.Off
		}
		mine.Limit = max(mine.Limit, r.Off+r.Len)
		mine.Bytes += r.Len
	}
	all, err := collectives.AllgatherValue(f.ctx, f.comm, mine)
	if err != nil {
		return f.fail(opErrf("write", d.name, "exchanging the ranks' selections: %w", err))
	}
	tp := planTwoPhase(all, f.comm.Rank(), f.twoPhase)
	if tp == nil {
		t0 := f.statsNow() // iostats
		err := d.writeRaw(h, buf)
		f.statsSpan(iostats.KindWrite, t0, uint64(len(buf)), false)
		if err != nil {
			return opErr("write", d.name, err)
		}
		return nil
	}
	f.twoPhaseWrites++
	f.statsTwoPhase(tp.rounds) // iostats
	if tp.domainOf(tp.me) >= 0 {
		f.twoPhaseAggregated++
	}
	// Data held back by earlier small writes goes first: an aggregator's
	// writes below must land after it.
	werr := f.writeHeld()
	if werr != nil {
		werr = opErr("write", d.name, werr)
	}
	send, recv, err := d.twoPhasePieces(tp, runs, all, "write")
	if err != nil {
		return f.fail(err)
	}
	wbuf, sbuf, rbuf, release := roundBuffers(tp, send, recv)
	defer release()
	mem := onePacked(buf)
	for k := range tp.rounds {
		if err := d.twoPhaseRound(tp, k, mem, wbuf, sbuf, rbuf, send[k], recv[k], &werr); err != nil {
			return f.fail(err)
		}
	}
	// Every rank returns the first failure of any aggregator, so none
	// reports success for data another rank failed to write.
	msg := ""
	if werr != nil {
		msg = werr.Error()
	}
	msgs, err := collectives.AllgatherValue(f.ctx, f.comm, msg)
	if err != nil {
		return f.fail(opErrf("write", d.name, "exchanging write results: %w", err))
	}
	if werr != nil {
		return werr
	}
	for r, m := range msgs {
		if m != "" {
			return opErrf("write", d.name, "rank %d, writing the ranks' data for them: %s", r, m)
		}
	}
	return nil
}

// twoPhaseRound moves round k's bytes to their aggregators and writes
// this rank's window; sbuf and rbuf are scratch of the round's sizes. This
// rank's own pieces go straight into its window. A failed pwrite is kept
// in *werr and the round goes on (the others wait for this rank's data);
// an error returned is the communicator's. mem is this rank's packed
// bytes (one buffer, or one per dataset of a WriteMulti).
func (d *Dataset) twoPhaseRound(tp *twoPhase, k int, mem *packed, wbuf, sbuf, rbuf []byte, send, recv [][]h5core.Run, werr *error) error {
	f := d.f
	scounts, rcounts := make([]int, tp.n), make([]int, tp.n)
	n := 0
	for a, ps := range send {
		if a == tp.me {
			continue
		}
		for _, p := range ps {
			n += copy(sbuf[n:], mem.at(p.MemOff, p.Len))
			scounts[a] += int(p.Len)
		}
	}
	sbuf = sbuf[:n]
	for s, ps := range recv {
		if s == tp.me {
			continue
		}
		for _, p := range ps {
			rcounts[s] += int(p.Len)
		}
	}
	rbuf = rbuf[:sum(rcounts)]
	if err := collectives.Alltoallv(f.ctx, f.comm, sbuf, scounts, rbuf, rcounts); err != nil {
		return opErrf("write", d.name, "sending data to the ranks that write it: %w", err)
	}
	wlo, _ := tp.myWindow(k)
	var spans []h5core.Run // Off and Len only: the window's written bytes
	at := 0
	for s, ps := range recv { // rank order: a later rank's bytes win an overlap
		src := rbuf
		for _, p := range ps {
			if s == tp.me {
				copy(wbuf[p.Off-wlo:p.Off-wlo+p.Len], mem.at(p.MemOff, p.Len))
			} else {
				copy(wbuf[p.Off-wlo:p.Off-wlo+p.Len], src[at:])
				at += int(p.Len)
			}
			spans = append(spans, h5core.Run{Off: p.Off, Len: p.Len})
		}
	}
	if *werr == nil && f.twoPhase.fault != nil {
		if err := f.twoPhase.fault(tp.me); err != nil {
			*werr = opErr("write", d.name, err)
		}
	}
	if *werr != nil {
		return nil
	}
	t0, merged := f.statsNow(), coalesce(spans) // iostats: t0
	for _, s := range merged {
		if err := f.preallocate(int64(s.Off), int64(s.Len)); err != nil { // rawio_prealloc.go
			*werr = opErr("write", d.name, err)
			return nil
		}
		if _, err := f.os.WriteAt(wbuf[s.Off-wlo:s.Off-wlo+s.Len], int64(s.Off)); err != nil {
			*werr = opErr("write", d.name, err)
			return nil
		}
	}
	if f.stats != nil { // iostats
		f.statsSpan(iostats.KindWrite, t0, runsBytes(merged), true)
	}
	return nil
}

// twoPhasePieces splits a two-phase plan's runs into pieces: what this
// rank sends (writes) or receives (reads), per round and aggregator, from
// its own runs; and what it handles as an aggregator, per round and
// requesting rank, in each requester's order, from the runs of every
// rank's selection that falls into its domain (all, from the Allgather).
// Both sides split the same runs the same way, so the lists match piece
// for piece without any offsets crossing the network.
func (d *Dataset) twoPhasePieces(tp *twoPhase, runs []h5core.Run, all []selSummary, op string) (mine, agg [][][]h5core.Run, err error) {
	mine = make([][][]h5core.Run, tp.rounds)
	agg = make([][][]h5core.Run, tp.rounds)
	for k := range tp.rounds {
		mine[k], agg[k] = make([][]h5core.Run, tp.n), make([][]h5core.Run, tp.n)
	}
	tp.split(runs, func(a, k int, r h5core.Run) { mine[k][a] = append(mine[k][a], r) })
	for k := range tp.rounds {
		agg[k][tp.me] = mine[k][tp.me] // this rank's own pieces in its domain
	}
	for s, sum := range all {
		if s == tp.me || sum.Bytes == 0 || sum.Limit <= tp.window0() || sum.First >= tp.domainEnd() {
			continue // nothing of it falls into this rank's domain
		}
		theirs, ok, err := d.fileRuns(sum.H, sum.Runs)
		if err == nil && !ok {
			err = errors.New("it touches a chunk with no storage")
		}
		if err != nil {
			return nil, nil, opErrf(op, d.name, "rank %d's selection: %w", s, err)
		}
		tp.split(theirs, func(a, k int, r h5core.Run) {
			if a == tp.me {
				agg[k][s] = append(agg[k][s], r)
			}
		})
	}
	return mine, agg, nil
}

// piecesBytes is the bytes of pieces per rank, less rank skip's.
// roundBuffers returns the window buffer (a window never exceeds win) and
// one send and one receive buffer for all rounds, as large as the largest
// round needs (growing them per round cost more than the exchange
// itself); release gives them back.
func roundBuffers(tp *twoPhase, send, recv [][][]h5core.Run) (wbuf, sbuf, rbuf []byte, release func()) {
	var smax, rmax uint64
	for k := range tp.rounds {
		smax = max(smax, piecesBytes(send[k], tp.me))
		rmax = max(rmax, piecesBytes(recv[k], tp.me))
	}
	wbuf, wdone := scratch.Get[byte](int(tp.win))
	sbuf, sdone := scratch.Get[byte](int(smax))
	rbuf, rdone := scratch.Get[byte](int(rmax))
	return wbuf, sbuf, rbuf, func() { rdone(); sdone(); wdone() }
}

func piecesBytes(per [][]h5core.Run, skip int) uint64 {
	var n uint64
	for r, ps := range per {
		if r == skip {
			continue
		}
		for _, p := range ps {
			n += p.Len
		}
	}
	return n
}

// planTwoPhase decides, from every rank's summary (so every rank decides
// the same), whether a collective write goes in two phases, and plans it;
// nil means each rank writes its own runs.
func planTwoPhase(all []selSummary, me int, cfg twoPhaseConfig) *twoPhase {
	var runs, bytes uint64
	lo, hi := ^uint64(0), uint64(0)
	for _, s := range all {
		if s.Unallocated {
			return nil
		}
		if s.Bytes == 0 {
			continue
		}
		runs += s.Runs
		bytes += s.Bytes
		lo, hi = min(lo, s.First), max(hi, s.Limit)
	}
	n := len(all)
	if n < 2 || runs <= uint64(n) || bytes/runs >= cfg.maxRun || hi-lo > twoPhaseMaxSpread*bytes {
		return nil
	}
	nagg := n
	if cfg.aggregators > 0 {
		nagg = min(cfg.aggregators, n)
	}
	lo -= lo % twoPhaseAlign
	dom := (hi - lo + uint64(nagg) - 1) / uint64(nagg)
	dom = (dom + twoPhaseAlign - 1) / twoPhaseAlign * twoPhaseAlign
	win := min(dom, max(cfg.buffer/twoPhaseAlign*twoPhaseAlign, twoPhaseAlign))
	tp := &twoPhase{lo: lo, dom: dom, win: win, rounds: int((dom + win - 1) / win), n: n, me: me}
	if nagg < n {
		tp.nagg = nagg
	}
	return tp
}

// window0 and domainEnd are this rank's domain (empty if it has none).
func (tp *twoPhase) window0() uint64 {
	lo, _ := tp.myWindow(0)
	return lo
}

func (tp *twoPhase) domainEnd() uint64 {
	i := tp.domainOf(tp.me)
	if i < 0 {
		return 0
	}
	return tp.lo + uint64(i+1)*tp.dom
}

// fileRuns lists the runs of selection h in the file (absolute offsets),
// in the order of its packed buffer; hint is their number, if known. It
// reports false if h touches a chunk with no storage yet (a libhdf5 file
// with late allocation), which only the direct path writes.
func (d *Dataset) fileRuns(h h5core.Hyperslab, hint uint64) ([]h5core.Run, bool, error) {
	shape, es := d.d.Shape(), uint64(d.d.Type().Size)
	runs := make([]h5core.Run, 0, min(hint, 1<<24))
	if d.d.Layout() == h5core.LayoutContiguous {
		addr, err := d.storageAddr()
		if err != nil {
			return nil, false, err
		}
		err = h5core.ContiguousRuns(shape, es, h, func(r h5core.Run) error {
			r.Off += addr
			runs = append(runs, r)
			return nil
		})
		return runs, true, err
	}
	allocated := true
	err := h5core.ChunkRuns(shape, d.d.ChunkShape(), es, h, func(coords []uint64, rs []h5core.Run) error {
		rec, ok, err := d.d.Chunk(coords)
		if err != nil || !ok {
			allocated = allocated && ok
			return err
		}
		for _, r := range rs {
			r.Off += rec.Addr
			runs = append(runs, r)
		}
		return nil
	})
	return runs, allocated, err
}

// coalesce sorts spans and merges those that touch or overlap, so a
// window written whole by many ranks is one pwrite.
func coalesce(spans []h5core.Run) []h5core.Run {
	slices.SortFunc(spans, func(a, b h5core.Run) int {
		switch {
		case a.Off < b.Off:
			return -1
		case a.Off > b.Off:
			return 1
		}
		return 0
	})
	var out []h5core.Run
	for _, s := range spans {
		if n := len(out); n > 0 && s.Off <= out[n-1].Off+out[n-1].Len {
			out[n-1].Len = max(out[n-1].Len, s.Off+s.Len-out[n-1].Off)
			continue
		}
		out = append(out, s)
	}
	return out
}

// packed is a rank's packed bytes in a two-phase I/O: one buffer, or one
// per dataset of a WriteMulti/ReadMulti, the pieces' MemOff indexing
// their concatenation (a piece never spans two buffers).
type packed struct {
	bufs   [][]byte
	starts []uint64 // starts[i]: where bufs[i] begins in the concatenation
}

func onePacked(b []byte) *packed { return &packed{bufs: [][]byte{b}, starts: []uint64{0}} }

// at is bytes [off, off+n) of the concatenation.
func (p *packed) at(off, n uint64) []byte {
	i := 0
	if len(p.bufs) > 1 {
		i = sort.Search(len(p.starts), func(i int) bool { return p.starts[i] > off }) - 1
	}
	o := off - p.starts[i]
	return p.bufs[i][o : o+n]
}

func sum(v []int) int {
	t := 0
	for _, x := range v {
		t += x
	}
	return t
}
