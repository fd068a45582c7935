package h5file

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
)

// Rule 2 of a parallel file (ARCHITECTURE.md): every rank applies each metadata
// call to its own model, and ranks check that they agree by exchanging a
// digest of the calls, in batches. Each call through File.apply is logged
// as text (CreateGroup("/x")); at a check point (Flush, Close, Resize,
// before a collective data operation, and every checkEvery calls) the ranks
// allgather a 32-byte record: the number of calls, a hash of the calls
// since the last agreement, h5core's digest of the model calls and the
// phase. Only when the records differ do the ranks exchange their logs,
// so that every rank can name the first call they disagree on.
//
// Every collective this file makes goes through the same Allgather of
// records, so ranks at different check points (one in Flush, one in
// Close) still meet in the same collective and find the difference by
// content instead of by a collectives mismatch.

// checkEvery is how many logged calls a rank makes between agreements. A
// loop of creates meets the other ranks only every checkEvery calls (the
// log costs ~100 bytes a call until then): on oversubscribed cores each
// meeting makes every rank wait for the slowest one's time slice (the
// measurements behind 4096: bench/parallel/RESULTS.md, "Decisions
// measured"). A mismatch is still found before any collective data
// operation, Resize, Flush or Close, which all agree first.
const checkEvery = 4096

// Phases of an exchanged record.
const (
	phaseCheck = 1 // a check point: records compared
	phaseDone  = 2 // after rank 0 wrote the metadata: status compared
)

// parallel is the state of a file opened with a communicator of more than
// one rank.
type parallel struct {
	// ops counts the calls logged since the file was opened; log holds the
	// ones since the last agreement, numbered ops-len(log)+1 .. ops.
	ops uint64
	log []logEntry
	// checks counts agreements, for tests.
	checks int
	// held are this rank's small writes not yet in the file
	// (parallel_meta_small.go).
	held heldWrites
	// indepAny: at the last exchange some rank held creations of its own
	// (independent_apply.go).
	indepAny bool
}

// logEntry is one logged call. It is kept in pieces and formatted only
// when ranks disagree: formatting every call (fmt, %q) was a tenth of a
// rank's time in the metadata benchmark.
type logEntry struct {
	name, path, args string
	// text, when set, is the whole call (a check point's: "Flush").
	text string
	// lazy gives arguments that only a mismatch report needs as text
	// (a dataset's spec): the model's digest already covers them.
	lazy   func() string
	failed bool
}

// String is the call as the op log and a mismatch error show it:
// CreateGroup("/x") or Resize("/d", [8 4]) -> error.
func (e logEntry) String() string {
	if e.text != "" {
		return e.text
	}
	args := e.args
	if e.lazy != nil {
		args = e.lazy()
	}
	s := e.name + "(" + strconv.Quote(e.path)
	if args != "" {
		s += ", " + args
	}
	s += ")"
	if e.failed {
		s += " -> error"
	}
	return s
}

// record logs one call and returns its index in log.
func (p *parallel) record(e logEntry) int {
	p.ops++
	p.log = append(p.log, e)
	return len(p.log) - 1
}

// recordCall logs a call given as text (a check point's own call).
func (p *parallel) recordCall(call string) int {
	return p.record(logEntry{text: call})
}

// FNV-1a, over strings without converting them to byte slices.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	h = fnvUint(h, uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func fnvUint(h, v uint64) uint64 {
	for range 8 {
		h = (h ^ (v & 0xff)) * fnvPrime
		v >>= 8
	}
	return h
}

// logDigest hashes the calls since the last agreement: names, paths, the
// eager arguments and outcomes (lazy arguments are in the model digest).
func (p *parallel) logDigest() uint64 {
	h := uint64(fnvOffset)
	for _, e := range p.log {
		h = fnvString(h, e.text)
		h = fnvString(h, e.name)
		h = fnvString(h, e.path)
		h = fnvString(h, e.args)
		if e.failed {
			h = fnvUint(h, 1)
		} else {
			h = fnvUint(h, 0)
		}
	}
	return h
}

// calls formats the log for a mismatch exchange.
func (p *parallel) calls() []string {
	out := make([]string, len(p.log))
	for i, e := range p.log {
		out[i] = e.String()
	}
	return out
}

// isParallel reports whether the file has a communicator of more than one rank.
func (f *File) isParallel() bool { return f.par != nil }

// agree is the check point before a collective data operation: the ranks
// compare the metadata calls made so far, plus this one (why, a call such
// as WriteCollective("/x")). It returns a *MismatchError (on every rank)
// if they differ, after which the file is unusable. Serial files agree
// with themselves.
func (f *File) agree(ctx context.Context, why string) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.par == nil {
		return nil
	}
	return f.checkpointCtx(ctx, why)
}

func (f *File) checkpoint(call string) error { return f.checkpointCtx(f.ctx, call) }

// checkpointCtx logs call (unless empty) and compares every rank's record.
// A named check point is also the barrier after which ranks may write
// over each other's data (a fill, CreateDatasetFrom's data): this rank's
// held writes go to the file before it. The periodic check of apply
// (call "") orders nothing, so they stay held.
func (f *File) checkpointCtx(ctx context.Context, call string) error {
	if call == "" || f.failed != nil {
		return f.exchangeRecords(ctx, call)
	}
	// A failed write still meets the others (as a call that differs),
	// so that no rank waits for this one.
	werr := f.writeHeld()
	if werr != nil {
		call += " -> error"
	}
	if err := f.exchangeRecords(ctx, call); err != nil {
		return errors.Join(err, werr)
	}
	return werr
}

// exchangeRecords is checkpointCtx without writing held writes: Flush
// and Close gather them at rank 0 after it (gatherHeld).
func (f *File) exchangeRecords(ctx context.Context, call string) error {
	if st := f.stats; st != nil { // iostats: a metadata step
		defer st.MetaEnd(st.MetaBegin())
	}
	p := f.par
	if f.failed != nil {
		return f.failed
	}
	if call != "" {
		p.recordCall(call)
	}
	mine := [4]uint64{p.ops, p.logDigest(), f.model.OpDigest(), phaseCheck | f.indepBit()}
	all, err := f.exchange(ctx, mine)
	if err != nil {
		return f.fail(fmt.Errorf("h5file: %s: agreeing on metadata with the other ranks: %w", f.path, err))
	}
	p.checks++
	p.indepAny = false
	for r := range all {
		p.indepAny = p.indepAny || all[r][3]&phaseIndep != 0
		all[r][3] &^= phaseIndep
	}
	same := true
	for r := range all {
		if all[r] != all[0] {
			same = false
		}
	}
	if same {
		p.log = p.log[:0]
		return nil
	}
	for r := range all {
		if all[r][3] != phaseCheck {
			return f.fail(fmt.Errorf("h5file: %s: rank %d is finishing a flush while this rank is at a check point (%s): %w", f.path, r, call, ErrMismatch))
		}
	}
	// Ranks disagree: every rank saw the same records, so every rank takes
	// this path and the logs exchange below is collective too.
	type segment struct {
		First uint64
		Calls []string
	}
	segs, err := collectives.AllgatherValue(ctx, f.comm, segment{First: p.ops - uint64(len(p.log)) + 1, Calls: p.calls()})
	if err != nil {
		return f.fail(fmt.Errorf("h5file: %s: ranks disagree on the metadata calls, and exchanging the calls failed: %w", f.path, err))
	}
	logs := make([][]string, len(segs))
	first := segs[0].First
	for _, s := range segs {
		first = min(first, s.First)
	}
	for r, s := range segs {
		logs[r] = s.Calls
		// Segments start at the same number (the last agreement had equal
		// counts); align them anyway rather than trust the network.
		if pad := s.First - first; pad > 0 && pad <= checkEvery {
			logs[r] = append(make([]string, pad), s.Calls...)
		}
	}
	models := make([]uint64, len(all))
	for r := range all {
		models[r] = all[r][2]
	}
	return f.fail(newMismatch(f.path, first, logs, models))
}

// exchange allgathers one record per rank.
func (f *File) exchange(ctx context.Context, rec [4]uint64) ([][4]uint64, error) {
	n := f.comm.Size()
	recv := make([]uint64, 4*n)
	if err := collectives.Allgather(ctx, f.comm, rec[:], recv); err != nil {
		return nil, err
	}
	out := make([][4]uint64, n)
	for r := range out {
		copy(out[r][:], recv[4*r:])
	}
	return out, nil
}

// flushed tells every rank whether rank 0's metadata write (and every
// rank's model Flush) succeeded, and is the barrier after it: no rank's
// Flush returns before the metadata is on disk.
func (f *File) flushed(ctx context.Context, ferr error) error {
	status := uint64(0)
	if ferr != nil {
		status = 1
	}
	all, err := f.exchange(ctx, [4]uint64{f.par.ops, 0, 0, phaseDone | status<<8})
	if err != nil {
		return f.fail(opErrf("flush", f.path, "waiting for the other ranks: %w", err))
	}
	if ferr != nil {
		return f.fail(ferr)
	}
	for r, rec := range all {
		if rec[3]&0xff != phaseDone {
			return f.fail(opErrf("flush", f.path, "rank %d is at a check point while this rank finishes a flush: %w", r, ErrMismatch))
		}
		if rec[3]>>8 != 0 {
			return f.fail(opErrf("flush", f.path, "rank %d could not flush (its error says why); the file on disk is as of the last good flush: %w", r, ErrFlush))
		}
	}
	return nil
}

// fail makes err the answer to every later call on the file: after ranks
// disagreed, no rank writes metadata again, so the file on disk stays as
// of the last good flush.
func (f *File) fail(err error) error {
	if f.failed == nil {
		f.failed = err
	}
	return err
}

// dupComm gives the file a communicator of its own (MPI-IO dups too), so
// the file's collectives never meet the caller's on the same communicator.
func dupComm(ctx context.Context, c *comm.Comm) (*comm.Comm, error) {
	d, err := c.Dup(ctx)
	if err != nil {
		return nil, fmt.Errorf("h5file: duplicating the communicator: %w", err)
	}
	return d, nil
}

// filterIDs summarises a filter pipeline for the op log.
func filterIDs(fs []h5core.Filter) string {
	var b []byte
	for i, fl := range fs {
		if i > 0 {
			b = append(b, ' ')
		}
		b = fmt.Appendf(b, "%d%v", fl.ID, fl.ClientData)
	}
	return "[" + string(b) + "]"
}

// specArgs summarises a dataset's creation arguments for the op log:
// `f64le, [8], max=[0], chunks=[4]`, leaving out what is unset.
func specArgs(s h5core.DatasetSpec) string {
	b := fmt.Appendf(nil, "%s, %v", s.Type, s.Shape)
	if s.MaxShape != nil {
		b = fmt.Appendf(b, ", max=%v", s.MaxShape)
	}
	if s.Chunk != nil {
		b = fmt.Appendf(b, ", chunks=%v", s.Chunk)
	}
	if s.Compact {
		b = append(b, ", compact"...)
	}
	if len(s.Filters) > 0 {
		b = fmt.Appendf(b, ", filters=%s", filterIDs(s.Filters))
	}
	if s.Fill != nil {
		b = fmt.Appendf(b, ", fill=%x", s.Fill)
	}
	return string(b)
}

// abandon is what a rank does when its file context is cancelled: the
// file is unusable here, and the other ranks, which would wait for this
// one at the next check point, are told at once (their pending and next
// collectives on the file's communicator fail, naming this rank).
func (f *File) abandon(err error) {
	if f.failed != nil {
		return
	}
	f.fail(err)
	f.comm.Revoke(fmt.Errorf("h5file: rank %d gave up on %s: %w", f.comm.Rank(), f.path, err))
}
