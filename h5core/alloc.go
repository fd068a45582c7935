package h5core

import "sort"

// extent is a range of file space.
type extent struct{ addr, size uint64 }

// The allocator hands out 8-byte aligned space: first from the free list
// (lowest address that fits), else at the end of the file. Space is
// freed in two steps so that a crash never leaves the on-disk superblock
// pointing into reused space: release puts an extent on the pending list;
// only after a Flush has written its superblock (which no longer refers
// to the extent) does commitFree make it allocatable. Every step depends
// only on the sequence of model calls, so ranks stay in step.

// alloc reserves n bytes and returns their address.
func (f *File) alloc(n uint64) uint64 {
	n = (n + 7) &^ 7
	for i, e := range f.free {
		if e.size >= n {
			a := e.addr
			if e.size == n {
				f.free = append(f.free[:i], f.free[i+1:]...)
			} else {
				f.free[i] = extent{e.addr + n, e.size - n}
			}
			return a
		}
	}
	f.eof = (f.eof + 7) &^ 7
	a := f.eof
	f.eof += n
	return a
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
