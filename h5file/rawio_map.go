package h5file

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"

	"github.com/gorun-hpc/gorun/h5core"
)

// Independent writes of a selection that falls into many short runs of
// contiguous storage (a rank's 3-D block: ~100 000 rows of 1.3 KiB, never
// adjacent in the file, since the gap between two rows belongs to another
// rank) cost one pwrite each, ~5 µs of system call and inode locking per
// run: 580 ms for a 128 MiB block where the copy itself takes 20. On a
// local file system gorun copies such runs straight into the page cache
// through a shared mapping of the file instead, and so do rewrites of
// short runs in allocated unfiltered chunks (decision 41 of
// ARCHITECTURE.md, bench/parallel/RESULTS.md):
//
//  1. fallocate the pages the runs touch: the blocks exist before any
//     byte is copied, so a full disk is an error of this call (ENOSPC)
//     and not a fault in the middle of a copy, and the file grows to the
//     end of the last run, as the pwrites would grow it;
//  2. map a window of at most mapWindow bytes MAP_SHARED, fault its
//     touched pages in with one madvise(MADV_POPULATE_WRITE) per group
//     of adjacent pages, copy the runs, unmap.
//
// A MAP_SHARED mapping writes into the same page cache pages as pwrite:
// the data is visible to every process of the host when the call
// returns, survives the process being killed, and Flush's fsync writes it
// to disk; nothing about crash consistency changes. A fault during the
// copy (an I/O error reading a page, a file truncated underneath) is a
// SIGBUS; the copy runs with debug.SetPanicOnFault, so it becomes this
// call's error, never a crash. Network file systems (netfs.go: each host
// caches on its own, and mappings there have their own rules) and
// systems without the calls (rawio_map_other.go) keep pwrite, and so
// does a file system that refuses fallocate or mmap (the first refusal
// turns the path off for the file).

const (
	// mapMinRuns is the fewest runs worth a mapping: below it the
	// mmap/munmap pair and the page faults cost more than the pwrites.
	mapMinRuns = 64
	// mapPagesPerRun bounds the pages the runs touch per run, on average:
	// a page faulted in costs ~1 µs (allocation, page_mkwrite) and a
	// pwrite ~5 µs plus its own page allocation. Measured (2 processes,
	// interleaved runs, every page of the range faulted in by both): 2
	// pages per run 0.5x pwrite's time, 4 pages 1.5-6x, 8 pages 1.1-2.6x;
	// the tiles case touches 0.6 pages per run. Longer runs go through
	// pwrite.
	mapPagesPerRun = 2
	// mapRunsPerSpan: each group of adjacent touched pages costs a
	// fallocate and a madvise, so the runs must be at least this many
	// times the groups (a column of a 3-D array, each element on its own
	// page, keeps its pwrites).
	mapRunsPerSpan = 8
	// mapWindow bounds one mapping (address space and page tables).
	mapWindow = 64 << 20
)

// mapState is a file's mapped-write status.
type mapState uint8

const (
	mapUnknown mapState = iota // not yet asked
	mapOn                      // local file system, calls available
	mapOff                     // network file system, refused, or WithMappedWrites(false)
)

// WithMappedWrites turns the mapped write path (writes of many short runs
// copied into the page cache through a shared mapping instead of a
// pwrite each) on or off. It is on by default and chosen per write where
// it is faster and safe: independent writes to contiguous datasets (and
// to allocated unfiltered chunks) whose selection falls into many short
// runs, on a local Linux file system.
// Off, every run is its own pwrite.
func WithMappedWrites(on bool) Option {
	return func(o *options) { o.noMap = !on }
}

// pageSpan is a byte range [lo, hi) of the file.
type pageSpan struct{ lo, hi uint64 }

// mapPlan is what a first pass over a selection's runs learns: how many,
// and which pages they touch, merged into sorted ranges.
type mapPlan struct {
	runs  int
	pages uint64     // pages touched
	end   uint64     // file offset of the last run's end
	spans []pageSpan // touched pages, page-aligned, sorted, disjoint
}

// planMap walks the runs (file offsets addr+r.Off) and returns their
// plan; ok is false when runs go backwards or overlap (not a regular
// hyperslab in order: pwrite keeps the order of such writes).
func planMap(addr, page uint64, walk func(func(h5core.Run) error) error) (p mapPlan, ok bool) {
	ok = true
	var last uint64
	err := walk(func(r h5core.Run) error {
		lo, hi := addr+r.Off, addr+r.Off+r.Len
		if p.runs > 0 && lo < last {
			ok = false
			return errStopPlan
		}
		p.runs++
		last, p.end = hi, hi
		plo, phi := lo/page*page, (hi+page-1)/page*page
		if n := len(p.spans); n > 0 && plo <= p.spans[n-1].hi {
			p.pages += (phi - max(plo, p.spans[n-1].hi)) / page
			p.spans[n-1].hi = max(phi, p.spans[n-1].hi)
			return nil
		}
		p.pages += (phi - plo) / page
		p.spans = append(p.spans, pageSpan{plo, phi})
		return nil
	})
	return p, ok && err == nil
}

var errStopPlan = errors.New("h5file: stop planning")

// mapWorth decides whether runs touching pages, in spans groups of
// adjacent pages, are cheaper copied through a mapping than written one
// pwrite each (the constants above).
func mapWorth(runs int, pages uint64, spans int) bool {
	return runs >= mapMinRuns && pages <= uint64(runs)*mapPagesPerRun && spans*mapRunsPerSpan <= runs
}

// mapping reports whether f may take the mapped write path, asking the
// file system once.
func (f *File) mapping() bool {
	if f.mapState == mapUnknown {
		f.mapState = mapOff
		if mapSupported && f.os != nil && !f.readOnly && !sharedFS(f.os) {
			f.mapState = mapOn
		}
	}
	return f.mapState == mapOn
}

// writeMapped writes a contiguous dataset's runs (storage at addr) of
// buf through a mapping of the file when that is worth it; done is false
// when it wrote nothing and the caller writes with pwrite.
func (d *Dataset) writeMapped(addr uint64, walk func(func(h5core.Run) error) error, buf []byte) (done bool, err error) {
	f := d.f
	if !f.mapping() {
		return false, nil
	}
	page := uint64(os.Getpagesize())
	p, ok := planMap(addr, page, walk)
	if !ok || !mapWorth(p.runs, p.pages, len(p.spans)) {
		return false, nil
	}
	// Data held back for a later batched write goes first, in order.
	if err := f.writeHeld(); err != nil {
		return true, err
	}
	// 1. Allocate every touched page before copying anything.
	for i, s := range p.spans {
		hi := min(s.hi, p.end) // the file grows to the last run's end, as with pwrite
		if err := allocate(f.os, s.lo, hi-s.lo); err != nil {
			if i == 0 && errors.Is(err, errMapRefused) {
				// The file system cannot (some FUSE, old tmpfs): pwrite,
				// from now on.
				f.mapState = mapOff
				return false, nil
			}
			return true, fmt.Errorf("allocating bytes %d-%d of %s before a mapped write: %w", s.lo, hi, f.path, err)
		}
	}
	// 2. Map window by window, fault in, copy, unmap.
	m := &mapWriter{f: f, page: page, spans: p.spans, end: p.end, window: mapWindow, hook: f.testHookMapped}
	if f.testMapWindow != 0 {
		m.window = f.testMapWindow
	}
	err = m.run(func() error {
		return walk(func(r h5core.Run) error {
			return m.copyRun(addr+r.Off, buf[r.MemOff:r.MemOff+r.Len])
		})
	})
	if uerr := m.unmap(); err == nil {
		err = uerr
	}
	if err != nil && !m.copied && errors.Is(err, errMapRefused) {
		f.mapState = mapOff
		return false, nil
	}
	f.mappedWrites++
	return true, err
}

// writeMappedChunks is writeMapped for an unfiltered chunked dataset
// whose touched chunks are all allocated (rewrites, and chunks written
// whole before): the runs of every chunk, in file order (chunks lie in
// the file in allocation order, and no two runs of one selection
// overlap, so order does not change the result). done is false when it
// wrote nothing: a chunk not yet allocated (its allocation is metadata,
// the caller's path) or runs not worth a mapping.
func (d *Dataset) writeMappedChunks(shape, chunk []uint64, es uint64, h h5core.Hyperslab, buf []byte) (done bool, err error) {
	if !d.f.mapping() {
		return false, nil
	}
	var runs []h5core.Run
	allocated := true
	err = h5core.ChunkRuns(shape, chunk, es, h, func(coords []uint64, rs []h5core.Run) error {
		rec, ok, err := d.d.Chunk(coords)
		if err != nil {
			return err
		}
		if !ok {
			allocated = false
			return errStopPlan
		}
		for _, r := range rs {
			runs = append(runs, h5core.Run{Off: rec.Addr + r.Off, MemOff: r.MemOff, Len: r.Len})
		}
		return nil
	})
	if !allocated || len(runs) < mapMinRuns {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	slices.SortFunc(runs, func(a, b h5core.Run) int { return cmp.Compare(a.Off, b.Off) })
	return d.writeMapped(0, func(fn func(h5core.Run) error) error {
		for _, r := range runs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}, buf)
}

// errMapRefused marks a call the file system or kernel refuses
// (EOPNOTSUPP, ENODEV, EACCES, EINVAL): before anything was copied the
// write falls back to pwrite.
var errMapRefused = errors.New("refused by the file system")

// mapWriter is one mapped write's current window.
type mapWriter struct {
	f      *File
	page   uint64
	spans  []pageSpan // touched pages not yet behind the window
	end    uint64
	window uint64 // bytes mapped at a time (mapWindow)
	win    []byte // the mapping of [wlo, wlo+len(win))
	wlo    uint64
	at     uint64 // file offset being copied (for a fault's error)
	copied bool
	hook   func() // tests: called after each window is mapped
	noPop  bool   // MADV_POPULATE_WRITE refused (kernel before 5.14): fault on touch
}

// run runs the copies of fn with memory faults turned into errors: a
// SIGBUS on a mapped page (an I/O error reading it, the file truncated
// underneath) panics under debug.SetPanicOnFault instead of crashing the
// process, and the panic becomes this write's error. Other panics are
// not ours to hide.
func (m *mapWriter) run(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			fault, ok := r.(interface{ Addr() uintptr })
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("writing %s at byte %d through a mapping: the page could not be written (I/O error, or the file shrank underneath; fault at %#x): %w", m.f.path, m.at, fault.Addr(), errMapFault)
		}
	}()
	return fn()
}

// errMapFault marks a memory fault during a mapped copy.
var errMapFault = errors.New("memory fault on a mapped file page")

// copyRun copies p to file offset off, mapping the windows it needs.
func (m *mapWriter) copyRun(off uint64, p []byte) error {
	for len(p) > 0 {
		if m.win == nil || off < m.wlo || off >= m.wlo+uint64(len(m.win)) {
			if err := m.next(off); err != nil {
				return err
			}
		}
		m.at = off
		n := copy(m.win[off-m.wlo:], p)
		m.copied = true
		off, p = off+uint64(n), p[n:]
	}
	return nil
}

// next unmaps the current window and maps the one holding off: from
// off's page, at most mapWindow bytes, not past the last run.
func (m *mapWriter) next(off uint64) error {
	if err := m.unmap(); err != nil {
		return err
	}
	lo := off / m.page * m.page
	hi := min(lo+m.window, m.end)
	win, err := mapFile(m.f.os, lo, hi-lo)
	if err != nil {
		return fmt.Errorf("mapping bytes %d-%d of %s: %w", lo, hi, m.f.path, err)
	}
	m.win, m.wlo = win, lo
	// Fault the touched pages in, a group of adjacent ones per call.
	for len(m.spans) > 0 && m.spans[0].lo < hi {
		s := m.spans[0]
		plo, phi := max(s.lo, lo), min(s.hi, (hi+m.page-1)/m.page*m.page)
		if !m.noPop && phi > plo {
			if err := populate(win[plo-lo : min(phi, hi)-lo]); errors.Is(err, errMapRefused) {
				m.noPop = true
			}
			// Other errors: the copy faults the page itself and reports
			// what it finds.
		}
		if s.hi > phi {
			m.spans[0].lo = phi // the rest is in the next window
			break
		}
		m.spans = m.spans[1:]
	}
	if m.hook != nil {
		m.hook()
	}
	return nil
}

// unmap releases the current window.
func (m *mapWriter) unmap() error {
	if m.win == nil {
		return nil
	}
	win := m.win
	m.win = nil
	if err := unmapFile(win); err != nil {
		return fmt.Errorf("unmapping a window of %s: %w", m.f.path, err)
	}
	return nil
}
