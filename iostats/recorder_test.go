package iostats

import "testing"

// TestDatasetRecord: a dataset's record is one per name, whichever
// dataset object asks (h5file looks it up once per object and keeps it).
func TestDatasetRecord(t *testing.T) {
	r := New(0, 1)
	f := r.File("a.h5")
	a, b := f.Dataset("/x"), f.Dataset("/x")
	if a != b || f.Dataset("/y") == a {
		t.Fatal("records are not one per name")
	}
	f.Direct(a, true, KindWrite, r.Now(), 2)
	f.Direct(b, true, KindWrite, r.Now(), 3)
	s := r.Snapshot()
	if ds := s.Files[0].Datasets; len(ds) != 2 || ds[0].Writes != 2 || ds[0].BytesWritten != 5 {
		t.Errorf("datasets %+v", ds)
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
