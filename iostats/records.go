package iostats

import (
	"hash/maphash"
	"unsafe"
)

// records is a file's per-name dataset records, kept outside the
// garbage-collected heap (decision 47): counters, names and the index
// that finds a name's record are pointer-free arrays in anonymous
// mappings. Why: a rank's live heap is small (bench/parallel's ranks
// keep about 1 MiB), so its collector runs at its minimum heap, and
// every byte kept alive brings each cycle closer and leaves the runtime
// less to reuse; the records of the meta case's 1000 datasets (~220 KiB
// on the heap, with their names and a map) made the ranks take 30-70%
// more page faults, which the same bytes of plain garbage kept alive
// made too, and which the records outside the heap do not.
type records struct {
	recs  offSlice[Counters] // a record's counters, by index
	keys  offSlice[recKey]   // a record's name, by index
	names offSlice[byte]     // the names' bytes, one after another
	table offSlice[int32]    // open addressing: 1 + index of a record, 0 empty
	n     int                // records in use
	used  int                // bytes of names in use
	seed  maphash.Seed
}

// recKey is where a record's name is in the names, and its hash.
type recKey struct {
	hash uint64
	off  uint32
	len  uint32
}

// name is record i's name; the string aliases the names' memory, so it
// is only compared, never kept (nameString copies it).
func (rs *records) name(i int) string {
	k := rs.keys.s[i]
	return unsafe.String(unsafe.SliceData(rs.names.s[k.off:]), int(k.len))
}

// nameString is record i's name, copied onto the heap to be kept.
func (rs *records) nameString(i int) string {
	k := rs.keys.s[i]
	return string(rs.names.s[k.off : k.off+k.len])
}

// find is the index of name's record, or -1.
func (rs *records) find(name string) int {
	if rs.n == 0 {
		return -1
	}
	h := maphash.String(rs.seed, name)
	mask := uint64(len(rs.table.s) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := rs.table.s[i]
		if e == 0 {
			return -1
		}
		if k := rs.keys.s[e-1]; k.hash == h && int(k.len) == len(name) && rs.name(int(e-1)) == name {
			return int(e - 1)
		}
	}
}

// add makes a record for name (not there yet) and returns its index.
func (rs *records) add(name string) int {
	if rs.n == 0 && len(rs.table.s) == 0 {
		rs.seed = maphash.MakeSeed()
	}
	i := rs.n
	rs.n++
	rs.recs.ensure(rs.n)
	rs.keys.ensure(rs.n)
	rs.names.ensure(rs.used + len(name))
	copy(rs.names.s[rs.used:], name)
	h := maphash.String(rs.seed, name)
	rs.keys.s[i] = recKey{hash: h, off: uint32(rs.used), len: uint32(len(name))}
	rs.used += len(name)
	if 2*rs.n > len(rs.table.s) {
		rs.rehash(max(64, 4*rs.n))
	} else {
		rs.place(h, i)
	}
	return i
}

// place puts record i, of hash h, in the table.
func (rs *records) place(h uint64, i int) {
	mask := uint64(len(rs.table.s) - 1)
	j := h & mask
	for rs.table.s[j] != 0 {
		j = (j + 1) & mask
	}
	rs.table.s[j] = int32(i + 1)
}

// rehash makes the table size slots (rounded up to a power of two) and
// places every record in it again.
func (rs *records) rehash(size int) {
	n := 1
	for n < size {
		n *= 2
	}
	rs.table.reset(n)
	for i := range rs.n {
		rs.place(rs.keys.s[i].hash, i)
	}
}

// offSlice is a growable array of the pointer-free T, in an anonymous
// mapping (offHeap) where the system gives one, else on the heap. s is
// at full capacity; its length grows only.
type offSlice[T any] struct {
	s      []T
	mapped bool
}

// ensure makes s hold at least n values, keeping those it holds.
func (o *offSlice[T]) ensure(n int) {
	if n <= len(o.s) {
		return
	}
	o.replace(max(n, 2*len(o.s)), true)
}

// reset makes s exactly n zero values.
func (o *offSlice[T]) reset(n int) { o.replace(n, false) }

func (o *offSlice[T]) replace(n int, keep bool) {
	var t T
	size := max(int(unsafe.Sizeof(t)), 1)
	n = (n*size + 4095) / 4096 * 4096 / size // whole pages
	s, mapped := offHeap[T](n), true
	if s == nil {
		s, mapped = make([]T, n), false
	}
	if keep {
		copy(s, o.s)
	}
	if o.mapped {
		freeOffHeap(o.s)
	}
	o.s, o.mapped = s, mapped
}
