package iostats

import (
	"fmt"
	"testing"
)

// TestDatasetRecord: every dataset object of one name ends up in one
// record, whichever object counted and whenever its tally was folded
// (at Closed, at the snapshot, or when the ring is full): calls before
// and after a fold, a call under way across a fold, and a copy of an
// object's place, all count once.
func TestDatasetRecord(t *testing.T) {
	r := New(0, 1)
	f := r.File("a.h5")
	var a, b, y Dataset
	f.Direct(&a, "/x", true, KindWrite, r.Now(), 2)
	f.Direct(&b, "/x", true, KindWrite, r.Now(), 3)
	if a.take == b.take {
		t.Fatal("two objects share a tally")
	}
	op := f.Begin(&y, "/y", false) // under way across the fold
	copied := a
	f.Closed()
	f.Span(KindRead, r.Now(), 7, false)
	f.End(op, 7)
	f.Direct(&a, "/x", true, KindWrite, r.Now(), 4) // after the fold: into the record
	var c Dataset                                   // a new object after the fold
	f.Direct(&c, "/x", false, KindRead, r.Now(), 1)
	f.Direct(&copied, "/x", false, KindRead, r.Now(), 10)
	for range 2 { // a snapshot folds, and changes nothing when taken again
		s := r.Snapshot()
		ds := s.Files[0].Datasets
		if len(ds) != 2 || ds[0].Name != "/x" || ds[0].Writes != 3 || ds[0].BytesWritten != 9 || ds[0].Reads != 2 || ds[0].BytesRead != 11 ||
			ds[1].Name != "/y" || ds[1].Reads != 1 || ds[1].BytesRead != 7 {
			t.Fatalf("datasets %+v", ds)
		}
	}
}

// TestDatasetFold: the ring folds when full, objects made in the same
// order again find their records by the hint, an object whose tally was
// folded counts into its record, and names past maxDatasets count under
// OtherDatasets however the fold finds them (the hint or the index).
func TestDatasetFold(t *testing.T) {
	r := New(0, 1)
	f := r.File("a.h5")
	long := new(Dataset) // written at every step, across many folds
	for step := range 3 {
		for i := range maxDatasets + 10 {
			var d Dataset
			f.Direct(&d, fmt.Sprintf("/d%d", i), true, KindWrite, r.Now(), 1)
			if i%100 == 0 {
				f.Direct(long, "/long", true, KindWrite, r.Now(), 1)
			}
			if n := f.ds.taken - f.ds.folded; n > ringSize {
				t.Fatalf("%d tallies wait", n)
			}
		}
		f.Closed()
		if n := f.ds.n; n != maxDatasets+1 {
			t.Fatalf("step %d: %d records, want %d", step, n, maxDatasets+1)
		}
	}
	for i := maxDatasets + 9; i >= 0; i-- { // in reverse: the hint misses, the index finds
		var d Dataset
		f.Direct(&d, fmt.Sprintf("/d%d", i), true, KindWrite, r.Now(), 1)
	}
	byName := map[string]int64{}
	for _, d := range r.Snapshot().Files[0].Datasets {
		byName[d.Name] = d.Writes
	}
	if byName["/d0"] != 4 || byName["/d4094"] != 4 || byName[OtherDatasets] != 4*11 || byName["/long"] != 3*42 {
		t.Errorf("/d0 %d, /d4094 %d, other %d, /long %d", byName["/d0"], byName["/d4094"], byName[OtherDatasets], byName["/long"])
	}
}

// TestCallOp: counters found by the caller's operation code are the
// ones found by name: one entry per operation in the snapshot.
func TestCallOp(t *testing.T) {
	r := New(0, 2)
	c := r.Comm(9, 2)
	if r.Comm(9, 2) != c {
		t.Fatal("a second Comm(9) is another record")
	}
	c.CallOp(3, "Allgather", r.Now(), 10, 0)
	c.CallOp(3, "Allgather", r.Now(), 20, 0)
	c.Call("Allgather", r.Now(), 30, 0)
	c.CallOp(200, "Odd", r.Now(), 1, 0) // past the codes: by name
	c.CallOp(200, "Odd", r.Now(), 1, 0)
	s := r.Snapshot()
	if len(s.Comms) != 1 || len(s.Comms[0].Ops) != 2 {
		t.Fatalf("comms %+v", s.Comms)
	}
	for _, o := range s.Comms[0].Ops {
		want := map[string][2]int64{"Allgather": {3, 60}, "Odd": {2, 2}}[o.Op]
		if o.Calls != want[0] || o.Bytes != want[1] {
			t.Errorf("%s: %d calls, %d bytes; want %v", o.Op, o.Calls, o.Bytes, want)
		}
	}
}
