package iostats

// A file's datasets are counted in two places (decision 47). A dataset
// object (h5file makes one per Create or Open of a dataset) counts its
// calls into a tally taken from a small ring of tallies at its first data
// call: the ring is the file's and reused, so a call touches memory it
// touched a moment ago and nothing is allocated. The report wants one
// record per dataset name, so the tallies are folded into their names'
// records in one pass when the ring is full, at the file's Close
// (File.Closed) and at the snapshot; an object whose tally was folded
// counts into its name's record from then on, found once by name.
//
// Why: looking up each object's record by name at its first call, and
// adding to the record there, was most of what the report cost
// bench/parallel's meta case (1000 datasets made and written once each
// per run): the map's bucket, the name it compared and the record had
// last been touched a run earlier, three cache misses per write. In one
// pass the lookups mostly find the next record in line (hint) and walk
// the records in order, which the processor prefetches. A tally
// allocated per object (tried first, and in decision 36) cost as much in
// garbage collection as the misses: the ranks' live heap is small, so
// the collector runs at its minimum heap and every allocated byte brings
// the next cycle closer. The records are one pointer-free slice, which
// the collector does not scan.

// Dataset is a dataset object's place in its file's record: the caller
// keeps one per dataset object (the zero value: no calls yet) and passes
// it, with the dataset's name, to the object's calls (Begin, Direct).
type Dataset struct {
	take uint64 // its tally is the take-th taken in the file (0: none yet)
	at   int32  // 1 + the index of its name's record, once its tally was folded
}

// tally is one dataset object's counts until they are folded.
type tally struct {
	name string
	c    Counters
}

// ringSize is how many tallies wait to be folded at most: a fold every
// ringSize new dataset objects.
const ringSize = 64

// datasets is a file's per-name records and the tallies not yet folded
// into them.
type datasets struct {
	records // outside the heap (records.go)
	// hint is where a fold looks first for a tally's record: the one
	// after the last it found. A program that makes its datasets in the
	// same order each time step finds every record there.
	hint int
	ring [ringSize]tally
	// Tallies taken and folded so far: the ring holds the takes
	// folded+1 ... taken, take t at ring[(t-1) % ringSize].
	taken, folded uint64
}

// counters is where dataset object d (of the dataset name) counts now:
// its tally (taken now at its first call), or once that was folded, its
// name's record. The caller holds the lock.
func (f *File) counters(d *Dataset, name string) *Counters {
	ds := &f.ds
	switch {
	case d.at != 0:
		return &ds.recs.s[d.at-1]
	case d.take > ds.folded:
		return &ds.ring[(d.take-1)%ringSize].c
	case d.take != 0: // folded since its last call
		d.at = f.recordLocked(name) + 1
		return &ds.recs.s[d.at-1]
	}
	if ds.taken-ds.folded == ringSize {
		f.foldLocked()
	}
	ds.taken++
	d.take = ds.taken
	t := &ds.ring[(d.take-1)%ringSize]
	t.name = name
	return &t.c
}

// Closed tells the record that a handle of the file was closed: the
// tallies of its dataset objects are folded into their names' records
// now, so that the ring does not keep their names.
func (f *File) Closed() {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	f.foldLocked()
}

// foldLocked adds every waiting tally into its name's record.
func (f *File) foldLocked() {
	ds := &f.ds
	for t := ds.folded + 1; t <= ds.taken; t++ {
		e := &ds.ring[(t-1)%ringSize]
		i := f.recordLocked(e.name)
		ds.recs.s[i].Add(e.c)
		*e = tally{}
	}
	ds.folded = ds.taken
}

// recordLocked is the index of name's record, made if new: past
// maxDatasets names, the record of OtherDatasets.
func (f *File) recordLocked(name string) int32 {
	ds := &f.ds
	if i := ds.hint; i < ds.n && int(ds.keys.s[i].len) == len(name) && ds.name(i) == name {
		ds.hint++
		return int32(i)
	}
	i := ds.find(name)
	if i < 0 && ds.n >= maxDatasets {
		name = OtherDatasets
		i = ds.find(name)
	}
	if i < 0 {
		i = ds.add(name)
	}
	ds.hint = i + 1
	return int32(i)
}

// snapshotLocked is the file's datasets for a snapshot, every tally
// folded first.
func (f *File) snapshotLocked() []DatasetSnap {
	f.foldLocked()
	ds := &f.ds
	if ds.n == 0 {
		return nil
	}
	out := make([]DatasetSnap, ds.n)
	for i := range out {
		out[i] = DatasetSnap{Name: ds.nameString(i), Counters: ds.recs.s[i]}
	}
	return out
}
