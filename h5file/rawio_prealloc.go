package h5file

import (
	"errors"
	"fmt"
)

// Long runs of raw data written into new storage on ext4 are preallocated
// with fallocate(2) before their pwrite (decision 49 of ARCHITECTURE.md,
// bench/parallel/RESULTS.md). A buffered write into a hole goes through
// ext4's delayed allocation block by block: for every 4 KiB it reserves
// space and quota and records a delayed extent, under the inode lock that
// every rank writing the same file waits for. Into blocks fallocate has
// already given the file (unwritten extents) the same write only looks
// them up. Measured on this project's machine (ext4, 2 vCPUs; 4 MiB runs
// of 320 MiB from 2 processes into one new file, alternating, medians of
// 15-21): 39-50 ms with a fallocate per run against 67-80 ms without;
// 256 KiB runs 62 against 77 ms; 64 KiB runs 102 against 92 (no gain),
// hence preallocMin. Rewrites of allocated blocks cost no more (fallocate
// finds the blocks there and returns).
//
// Nothing about the file changes: the same bytes land in the same page
// cache pages, the file grows to the run's end as the pwrite would grow
// it (fallocate mode 0), a full disk is fallocate's ENOSPC instead of the
// pwrite's, and a reader sees zeros (the zero fill; storage with another
// fill value is filled when allocated) where a run is not yet written.
// The blocks are marked unwritten until the page cache writes them back,
// as the mapped path's are (rawio_map.go).

// preallocMin is the shortest group of adjacent bytes worth a fallocate
// before its write (see above: 256 KiB gained, 64 KiB did not).
const preallocMin = 256 << 10

// preallocState is a file's preallocation status.
type preallocState uint8

const (
	preallocUnknown preallocState = iota // not yet asked
	preallocOn                           // ext4, writable, Linux
	preallocOff                          // another file system, refused, or WithPreallocation(false)
)

// WithPreallocation turns the preallocation of long runs on or off: on
// ext4 (Linux) gorun fallocates each group of at least 256 KiB of
// adjacent raw data before writing it, which makes writes into new
// storage ~1.5x faster there (the page cache no longer reserves the
// blocks one by one). It is on by default and takes effect only on ext4;
// the file's bytes are the same either way.
func WithPreallocation(on bool) Option {
	return func(o *options) { o.noPrealloc = !on }
}

// preallocating reports whether f's long runs get fallocated before
// their writes, asking the file system once.
func (f *File) preallocating() bool {
	if f.prealloc == preallocUnknown {
		f.prealloc = preallocOff
		if f.os != nil && !f.readOnly && preallocFS(f.os) {
			f.prealloc = preallocOn
		}
	}
	return f.prealloc == preallocOn
}

// preallocate gives bytes [off, off+n) of f blocks before they are
// written, when f preallocates and the range is long enough. A file
// system that refuses the call turns preallocation off for the file (the
// write goes on without it); other failures (ENOSPC, EIO) are the
// write's.
func (f *File) preallocate(off, n int64) error {
	if n < preallocMin || !f.preallocating() {
		return nil
	}
	if err := allocate(f.os, uint64(off), uint64(n)); err != nil {
		if errors.Is(err, errMapRefused) {
			f.prealloc = preallocOff
			return nil
		}
		return fmt.Errorf("allocating bytes %d-%d of %s before writing them: %w", off, off+n, f.path, err)
	}
	f.preallocs++
	return nil
}
