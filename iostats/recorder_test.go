package iostats

import "testing"

// TestFoldRecords: a program that reopens one dataset again and again
// makes a record per dataset object (File.Dataset, no lookup by name);
// past maxRecords they fold by name, so the file holds a bounded number,
// the totals stay exact, and an object whose record was folded keeps
// counting into the record it was folded into.
func TestFoldRecords(t *testing.T) {
	r := New(0, 1)
	f := r.File("a.h5")
	first := f.Dataset("/x")
	op := f.Begin(first, true)
	f.End(op, 3)
	const opens = 3 * maxRecords
	for i := range opens {
		d := f.Dataset("/x")
		if i%2 == 1 {
			d = f.Dataset("/y")
		}
		f.Direct(d, true, KindWrite, r.Now(), 2)
		if len(f.recs) > maxRecords {
			t.Fatalf("after %d opens the file holds %d records (at most %d)", i+1, len(f.recs), maxRecords)
		}
	}
	// The first object's record was folded long ago (into itself: it is
	// the first of its name); a later one's was folded into it.
	late := f.Dataset("/y")
	f.Direct(late, false, KindRead, r.Now(), 5)
	f.foldLocked()
	f.Direct(late, false, KindRead, r.Now(), 7) // counts after its fold
	op = f.Begin(first, true)
	f.End(op, 11)
	s := r.Snapshot()
	ds := s.Files[0].Datasets
	if len(ds) != 2 || ds[0].Name != "/x" || ds[1].Name != "/y" {
		t.Fatalf("datasets %+v", ds)
	}
	if x := ds[0].Counters; x.Writes != 2+opens/2 || x.BytesWritten != 3+11+2*opens/2 {
		t.Errorf("/x: %d writes of %d bytes, want %d of %d", x.Writes, x.BytesWritten, 2+opens/2, 3+11+2*opens/2)
	}
	if y := ds[1].Counters; y.Writes != opens/2 || y.BytesWritten != 2*opens/2 || y.Reads != 2 || y.BytesRead != 12 {
		t.Errorf("/y: %+v", y)
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
