package h5core

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadWriteH5pyFile opens a file h5py wrote, changes it through the
// model (new group and dataset, attributes, resize of an unlimited
// dataset, a new vlen string) and checks the result with h5py.
func TestReadWriteH5pyFile(t *testing.T) {
	path := h5pyFile(t, h5pyScript)
	rw, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	st, _ := rw.Stat()
	f, err := Open(rw, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	root := f.Root()
	d, err := root.CreateDataset("new/data", DatasetSpec{Type: Int32LE, Shape: []uint64{3}})
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, rw, d, int32s(4, 5, 6))
	if err := root.SetAttr(&Attribute{Name: "added", Type: VlenString(UTF8), Data: vlenRefs(t, f, "yes")}); err != nil {
		t.Fatal(err)
	}
	if err := root.DeleteAttr("n"); err != nil {
		t.Fatal(err)
	}
	u := mustDataset(t, root, "u")
	if err := u.Resize([]uint64{5}); err != nil {
		t.Fatal(err)
	}
	writeAll(t, rw, u, int32s(1, 2, 3, 4, 5))
	fv := mustDataset(t, root, "fv")
	if err := fv.AllocStorage(); err != nil {
		t.Fatal(err)
	}
	writeAll(t, rw, fv, []byte{1, 0, 2, 0, 3, 0})
	c := mustDataset(t, root, "c")
	c.SetAttr(&Attribute{Name: "note", Type: FixedString(2, ASCII, PadNull), Data: []byte("ok")})
	if err := f.Flush(rw); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
print(list(f['new/data'][:]), f.attrs['added'], 'n' in f.attrs, list(f['u'][:]), list(f['fv'][:]))
print(f['c'][2, 3], f['c'].attrs['note'], f['vs'][1], f.attrs['s'], f['soft'][0])
`, path).CombinedOutput()
	want := "[4, 5, 6] yes False [1, 2, 3, 4, 5] [1, 2, 3]\n11.0 b'ok' b'bc' hello 3"
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v\n%s\nwant\n%s", err, out, want)
	}
	needH5dump(t)
	h5dump(t, path)
}

// TestRoundTrip opens a file h5core wrote, checks the model matches, then
// changes and reflushes it.
func TestRoundTrip(t *testing.T) {
	path := t.TempDir() + "/rt.h5"
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f := buildFeatures(t, w)
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	st, _ := w.Stat()
	f2, err := Open(w, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"types/compound", "types/enum", "types/vlenint", "gzip", "grow", "compact", "rank32", "fillv"} {
		a := mustDataset(t, f.Root(), p)
		b := mustDataset(t, f2.Root(), p)
		if !a.Type().Equal(b.Type()) || len(a.Shape()) != len(b.Shape()) || a.Layout() != b.Layout() {
			t.Errorf("%s: model differs after reopen", p)
		}
		ca, _ := a.Chunks()
		cb, _ := b.Chunks()
		if len(ca) != len(cb) {
			t.Errorf("%s: %d chunks, reopened %d", p, len(ca), len(cb))
		}
		for i := range ca {
			if ca[i].Addr != cb[i].Addr || ca[i].Size != cb[i].Size {
				t.Errorf("%s chunk %d: %+v vs %+v", p, i, ca[i], cb[i])
			}
		}
	}
	if b := mustDataset(t, f2.Root(), "compact"); string(b.CompactData()) != string(int32s(0, 1, 2, 3, 4)) {
		t.Errorf("compact data %v", b.CompactData())
	}
	a, ok := f2.Root().Attr("title")
	if !ok {
		t.Fatal("no title")
	}
	ref, _ := DecodeVlenRef(a.Data)
	if s, _ := f2.GetVlen(ref); string(s) != "features" {
		t.Errorf("title %q", s)
	}
	// Modify the reopened model and flush again.
	g, err := f2.Root().RequireGroup("a/b/c")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateGroup("d"); err != nil {
		t.Fatal(err)
	}
	if err := f2.Flush(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	needH5dump(t)
	if out := h5dump(t, "-g", "/a/b/c/d", path); !strings.Contains(out, `GROUP "/a/b/c/d"`) {
		t.Errorf("h5dump:\n%s", out)
	}
}

// TestCommittedDatatypeKept opens an h5py file with a committed datatype,
// changes the file, and checks the datatype and the dataset using it
// survive.
func TestCommittedDatatypeKept(t *testing.T) {
	path := h5pyFile(t, `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f['mytype'] = np.dtype('<i2')
    f.create_dataset('d', data=np.arange(3, dtype='<i2'), dtype=f['mytype'])
`)
	rw, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	st, _ := rw.Stat()
	f, err := Open(rw, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if o, err := f.Root().Lookup("mytype"); err != nil || !o.(*NamedType).Type().Equal(Int16LE) {
		t.Fatalf("Lookup(mytype) = %v, %v, want the committed int16", o, err)
	}
	d := mustDataset(t, f.Root(), "d")
	if !d.Type().Equal(Int16LE) {
		t.Fatalf("d type %v", d.Type())
	}
	d.SetAttr(&Attribute{Name: "x", Type: Int16LE, Data: []byte{1, 0}})
	f.Root().CreateGroup("new")
	if err := f.Flush(rw); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
print(list(f['d'][:]), f['d'].attrs['x'], f['mytype'].dtype, f['d'].dtype, sorted(f))
`, path).CombinedOutput()
	if want := "[0, 1, 2] 1 int16 int16 ['d', 'mytype', 'new']"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v\n%s\nwant %s", err, out, want)
	}
}

// TestCustomBTreeK writes with non-default B-tree K values (as a file
// opened with them would be rewritten; superblock version 1), then lets
// libhdf5 read and extend the file.
func TestCustomBTreeK(t *testing.T) {
	needH5py(t)
	path := filepath.Join(t.TempDir(), "k.h5")
	rw, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	f := NewFile()
	f.leafK, f.groupK, f.istoreK = 8, 2, 4
	for i := 0; i < 60; i++ {
		f.Root().CreateGroup(fmt.Sprintf("h%02d", i))
	}
	c, _ := f.Root().CreateDataset("c", DatasetSpec{Type: Int32LE, Shape: []uint64{200}, MaxShape: []uint64{Unlimited}, Chunk: []uint64{3}})
	vals := make([]int32, 200)
	for i := range vals {
		vals[i] = int32(i)
	}
	writeAll(t, rw, c, int32s(vals...))
	if err := f.Flush(rw); err != nil {
		t.Fatal(err)
	}
	st, _ := rw.Stat()
	f2, err := Open(rw, st.Size())
	if err != nil || f2.SuperblockVersion() != 1 || f2.istoreK != 4 || f2.leafK != 8 {
		t.Fatalf("reopen: %v", err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r+')
print(len(f), f['c'][199], f['c'][50])
f.create_group('zz')
for i in range(30): f['h00'].create_group(str(i))
f['c'].resize((400,)); f['c'][399] = 5
f.close()
f = h5py.File(sys.argv[1], 'r')
print(len(f), len(f['h00']), f['c'][399])
`, path).CombinedOutput()
	if want := "61 199 50\n62 30 5"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v\n%s\nwant %s", err, out, want)
	}
}

// TestEmptyAttribute round-trips h5py.Empty (a null dataspace) both ways.
func TestEmptyAttribute(t *testing.T) {
	path := h5pyFile(t, `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['e'] = h5py.Empty('f8')
`)
	f, _ := openPath(t, path)
	a, ok := f.Root().Attr("e")
	if !ok || !a.Null || len(a.Data) != 0 {
		t.Fatalf("attr e: %+v", a)
	}
	f2 := NewFile()
	f2.Root().SetAttr(&Attribute{Name: "e", Type: Float64LE, Null: true})
	p2 := writeFile(t, f2, nil)
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
print(repr(h5py.File(sys.argv[1], 'r').attrs['e']))
`, p2).CombinedOutput()
	if want := "Empty(dtype=dtype('<f8'))"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v %s", err, out)
	}
}

// TestReferencesSurviveRewrite changes a file holding an object
// reference, including the referenced group's header: headers keep their
// addresses, so the reference still names the group.
func TestReferencesSurviveRewrite(t *testing.T) {
	path := h5pyFile(t, `
import h5py, sys
with h5py.File(sys.argv[1], 'w') as f:
    g = f.create_group('g')
    f.attrs['ref'] = g.ref
`)
	f, r := openPath(t, path)
	defer r.Close() // the model reads what it has not loaded yet through r
	g := mustGroup(t, f.Root(), "g")
	if _, err := g.CreateGroup("inner"); err != nil {
		t.Fatal(err)
	}
	if err := g.SetAttr(&Attribute{Name: "k", Type: Int32LE, Data: int32s(7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Root().CreateGroup("h"); err != nil {
		t.Fatal(err)
	}
	flushPath(t, f, path)
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
o = f[f.attrs['ref']]
print(o.name, list(o.keys()), o.attrs['k'], sorted(f.keys()))
`, path).CombinedOutput()
	if want := "/g ['inner'] 7 ['g', 'h']"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v %s, want %s", err, out, want)
	}
}

// TestTrackOrderAttributes reads compact attributes of an object with an
// attribute info message (h5py track_order=True).
func TestTrackOrderAttributes(t *testing.T) {
	path := h5pyFile(t, `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    d = f.create_dataset('d', data=np.arange(3), track_order=True)
    d.attrs['z'] = 1
    d.attrs['a'] = 2
`)
	f, _ := openPath(t, path)
	d := mustDataset(t, f.Root(), "d")
	if at := d.Attrs(); len(at) != 2 || at[0].Name != "z" || at[1].Name != "a" {
		t.Fatalf("attrs %+v", at)
	}
}

// TestManyChunks reads a libhdf5 chunk B-tree of several levels, and
// writes one that libhdf5 reads.
func TestManyChunks(t *testing.T) {
	path := h5pyFile(t, `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('c', data=np.arange(10000, dtype='<i4'), chunks=(1,))
`)
	f, r := openPath(t, path)
	c := mustDataset(t, f.Root(), "c")
	recs, err := c.Chunks()
	if err != nil || len(recs) != 10000 {
		t.Fatalf("%d chunks, %v", len(recs), err)
	}
	rec, ok, err := c.Chunk([]uint64{7777})
	buf := make([]byte, 4)
	r.ReadAt(buf, int64(rec.Addr))
	if !ok || err != nil || string(buf) != string(int32s(7777)) {
		t.Fatalf("chunk 7777: %v %v %v", ok, err, buf)
	}

	ours := NewFile()
	d, _ := ours.Root().CreateDataset("c", DatasetSpec{Type: Int32LE, Shape: []uint64{100, 100}, Chunk: []uint64{1, 1}})
	vals := make([]int32, 10000)
	for i := range vals {
		vals[i] = int32(i)
	}
	p2 := writeFile(t, ours, func(w *os.File) { writeAll(t, w, d, int32s(vals...)) })
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys, numpy as np
d = h5py.File(sys.argv[1], 'r')['c']
print(bool((d[...] == np.arange(10000).reshape(100, 100)).all()), d.chunks)
`, p2).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "True (1, 1)" {
		t.Fatalf("h5py: %v %s", err, out)
	}
}

func TestHardLinkCycle(t *testing.T) {
	f := NewFile()
	g, _ := f.Root().CreateGroup("a/b")
	a, _ := f.Root().Lookup("a")
	if err := g.Link("up", a); err == nil {
		t.Fatal("cycle accepted")
	}
	d, _ := f.Root().CreateDataset("d", DatasetSpec{Type: Int32LE})
	if err := g.Link("d2", d); err != nil {
		t.Fatal(err)
	}
	path := h5pyFile(t, `
import h5py, sys
with h5py.File(sys.argv[1], 'w') as f:
    g = f.create_group('g')
    g['loop'] = g
`)
	f2, r := openPath(t, path)
	defer r.Close()
	if _, err := f2.Root().Lookup("g/loop/loop/loop"); err != nil {
		t.Fatal(err)
	}
	// A group that contains itself is rewritten in place like any other.
	if _, err := f2.Root().CreateDataset("g/loop/d", DatasetSpec{Type: Int32LE}); err != nil {
		t.Fatal(err)
	}
	flushPath(t, f2, path)
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
print(sorted(f['g/loop/loop'].keys()), f['g'] == f['g/loop'])
`, path).CombinedOutput()
	if want := "['d', 'loop'] True"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v %s, want %s", err, out, want)
	}
}
