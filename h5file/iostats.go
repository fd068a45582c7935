package h5file

import (
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// The job's I/O report (gorun --iostats, package iostats): a file opened
// with a communicator whose process records statistics records its data
// calls (bytes, direct or two-phase, rounds) and where their time went
// (writing, reading, filters, metadata, and through collectives, waiting
// for peers). Off, f.stats is nil and every hook below is that one test:
// the hooks in the I/O paths are marked "iostats".

// startStats gives the file its record when c's process records
// statistics; the file's own communicator's waits become the file's.
func (f *File) startStats(c *comm.Comm) {
	if c == nil {
		return
	}
	rec := c.Stats()
	if rec == nil {
		return
	}
	f.stats = rec.File(f.path)
	if f.comm != nil {
		f.stats.UseComm(f.comm.ID(), f.comm.Size())
	}
}

// statsCall runs one data call (write or read) as one call of the
// report, which moved n elements if it succeeds; n is statsUnknown when
// the call itself finds its selection's size (statsSel). Only when on.
func (d *Dataset) statsCall(write bool, n uint64, call func() error) error {
	f := d.f
	f.statsElems = n
	op := f.stats.Begin(&d.st, d.name, write)
	err := call()
	n = f.statsElems
	if err != nil || n == statsUnknown {
		n = 0
	}
	f.stats.End(op, int64(n*uint64(d.d.Type().Size)))
	return err
}

// statsUnknown is statsElems before the call found its selection.
const statsUnknown = ^uint64(0)

// statsSel tells the call under way (statsCall) that its selection has
// n elements, once it has checked it: the first checked selection of
// the call is the call's (calls made inside it, for held writes, do not
// change it). Counting it here, not in the hook, keeps the hook from
// building the selection a second time.
func (f *File) statsSel(n uint64) {
	if f.stats != nil && f.statsElems == statsUnknown {
		f.statsElems = n
	}
}

// statsDirect records a rank's own read or write of n bytes, timed from
// t as kind k: one call of d (or, inside a collective call, its time).
// Only when on.
func (d *Dataset) statsDirect(write bool, k iostats.Kind, t int64, n int, err error) {
	if err != nil {
		n = 0
	}
	d.f.stats.Direct(&d.st, d.name, write, k, t, int64(n))
}

// statsNow starts a timed span (0 when off).
func (f *File) statsNow() int64 {
	if f.stats == nil {
		return 0
	}
	return f.stats.Now()
}

// statsSpan ends a span of kind k started at t that moved n bytes to or
// from the file (agg: as a two-phase aggregator).
func (f *File) statsSpan(k iostats.Kind, t int64, n uint64, agg bool) {
	if f.stats == nil {
		return
	}
	f.stats.Span(k, t, int64(n), agg)
}

// statsTwoPhase marks the current call as two-phase, in rounds.
func (f *File) statsTwoPhase(rounds int) {
	if f.stats == nil {
		return
	}
	f.stats.TwoPhase(rounds)
}

// readKind is what a read of d spends its time on: decoding, for
// filtered chunks (the reads under it are not told apart).
func (d *Dataset) readKind() iostats.Kind {
	if d.d.Layout() == h5core.LayoutChunked && len(d.d.Filters()) > 0 {
		return iostats.KindFilter
	}
	return iostats.KindRead
}

func runsBytes(runs []h5core.Run) (n uint64) {
	for _, r := range runs {
		n += r.Len
	}
	return n
}
