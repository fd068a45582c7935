package h5core

import (
	"fmt"
	"sort"
)

// extent is a range of file space.
type extent struct{ addr, size uint64 }

// The allocator hands out 8-byte aligned space: first from the free list
// (lowest address that fits), else at the end of the file. Space is
// freed in two steps so that a crash never leaves the on-disk superblock
// pointing into reused space: release puts an extent on the pending list;
// only after a Flush has written its superblock (which no longer refers
// to the extent) does commitFree make it allocatable. Every step depends
// only on the sequence of model calls, so ranks stay in step.

// Allocations of alignThreshold bytes or more (in practice the raw data
// of a dataset of 1 MiB or more) start on an alignment boundary, as
// libhdf5's H5Pset_alignment(threshold, alignment) places them: large
// pwrites then start on page boundaries. The space skipped to get there
// (under 4 KiB a dataset) stays unused, so that what follows a large
// dataset in the file still follows it. SetAlignment changes both for
// one file.
const (
	alignThreshold = 1 << 20
	alignment      = 4096
)

// SetAlignment makes every later allocation of threshold bytes or more
// start on a multiple of alignment (libhdf5's H5Pset_alignment; the
// default is 1 MiB and 4 KiB). An alignment of 0 or 1 turns alignment
// off; it must otherwise be a multiple of 8 (h5core's allocation unit)
// no larger than 1 GiB. Ranks that set different alignments disagree at
// the next check.
func (f *File) SetAlignment(threshold, align uint64) error {
	if align <= 1 {
		threshold, align = ^uint64(0), 8
	}
	if align%8 != 0 || align > 1<<30 {
		return fmt.Errorf("%w: alignment %d: want 0, 1 or a multiple of 8 up to 1 GiB", ErrUnsupported, align)
	}
	f.alignMin, f.alignTo = threshold, align
	f.mix("SetAlignment", threshold, align)
	return nil
}

// alignFor is the alignment of an allocation of n bytes.
func (f *File) alignFor(n uint64) uint64 {
	if f.alignTo == 0 { // the default
		if n >= alignThreshold {
			return alignment
		}
		return 8
	}
	if n >= f.alignMin {
		return f.alignTo
	}
	return 8
}

// roundUp rounds x up to a multiple of align; ok is false on overflow.
func roundUp(x, align uint64) (uint64, bool) {
	r := (x + align - 1) / align * align
	return r, r >= x
}

// alloc reserves n bytes and returns their address.
func (f *File) alloc(n uint64) uint64 {
	a, _ := f.allocReused(n)
	return a
}

// allocReused is alloc, also saying whether the space came from the free
// list: freed space holds old bytes (metadata moves to new space at every
// flush, so a fresh file's free list is full of old object headers and
// heaps), where space at the end of the file reads as zeros. Raw data
// storage that reused space must be filled even with a zero fill value.
func (f *File) allocReused(n uint64) (addr uint64, reused bool) {
	n = (n + 7) &^ 7
	align := f.alignFor(n)
	for i, e := range f.free {
		a, ok := roundUp(e.addr, align)
		if !ok || a-e.addr > e.size || e.size-(a-e.addr) < n {
			continue
		}
		var rest []extent
		if a > e.addr {
			rest = append(rest, extent{e.addr, a - e.addr})
		}
		if end := e.addr + e.size; a+n < end {
			rest = append(rest, extent{a + n, end - a - n})
		}
		f.free = append(f.free[:i], append(rest, f.free[i+1:]...)...)
		return a, true
	}
	f.eof = (f.eof + 7) &^ 7
	a, _ := roundUp(f.eof, align)
	f.eof = a + n
	return a, false
}

// release marks space this model allocated as unused once the next
// superblock is written.
func (f *File) release(addr, n uint64) {
	if n == 0 || addr == UndefinedAddr {
		return
	}
	f.pendingFree = append(f.pendingFree, extent{addr, (n + 7) &^ 7})
}

// commitFree moves pending extents to the free list, merging neighbours.
func (f *File) commitFree() {
	if len(f.pendingFree) == 0 {
		return
	}
	all := append(f.free, f.pendingFree...)
	f.pendingFree = nil
	sort.Slice(all, func(i, j int) bool { return all[i].addr < all[j].addr })
	merged := all[:0]
	for _, e := range all {
		if n := len(merged); n > 0 && merged[n-1].addr+merged[n-1].size >= e.addr {
			if end := e.addr + e.size; end > merged[n-1].addr+merged[n-1].size {
				merged[n-1].size = end - merged[n-1].addr
			}
			continue
		}
		merged = append(merged, e)
	}
	f.free = merged
}
