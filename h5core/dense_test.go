package h5core

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDenseStorageWritten: in the newer family, a group of more than 8
// links and an object of more than 8 attributes (or one larger than
// 64 KiB) go to dense storage (fractal heap + v2 B-tree name index), as
// libhdf5 stores them. h5py reads them, then changes them (libhdf5 adds
// and deletes links and attributes in our heaps and B-trees), and h5dump
// and our reader read the result.
func TestDenseStorageWritten(t *testing.T) {
	needH5py(t)
	for _, n := range []int{9, 300, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dense.h5")
			w, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f := NewFile(WithLibver(LibverLatest))
			g, _ := f.Root().CreateGroup("many")
			for i := range n {
				if i%2 == 0 {
					_, err = g.CreateGroup(fmt.Sprintf("g%05d", i))
				} else {
					_, err = g.CreateDataset(fmt.Sprintf("d%05d", i), DatasetSpec{Type: Int32LE})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			g.CreateSoftLink("soft", "/many/g00000")
			d, _ := f.Root().CreateDataset("attrs", DatasetSpec{Type: Int32LE, Shape: []uint64{2}})
			for i := range n {
				d.SetAttr(&Attribute{Name: fmt.Sprintf("a%05d", i), Type: Int32LE, Data: int32s(int32(i))})
			}
			big := make([]byte, 100000)
			for i := range big {
				big[i] = byte(i % 251)
			}
			if err := f.Root().SetAttr(&Attribute{Name: "big", Type: Uint8LE, Shape: []uint64{uint64(len(big))}, Data: big}); err != nil {
				t.Fatal(err)
			}
			if err := f.Flush(w); err != nil {
				t.Fatal(err)
			}
			w.Close()
			out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys, numpy as np
n = int(sys.argv[2])
with h5py.File(sys.argv[1], 'r') as f:
    g = f['many']
    names = sorted(g.keys())
    want = sorted(['g%05d' % i if i % 2 == 0 else 'd%05d' % i for i in range(n)] + ['soft'])
    assert names == want, (len(names), names[:5])
    a = f['attrs'].attrs
    assert sorted(a.keys()) == ['a%05d' % i for i in range(n)], (len(a.keys()), list(a.keys())[:5])
    assert all(int(a['a%05d' % i]) == i for i in range(n))
    assert (f.attrs['big'] == np.arange(100000) % 251).all()
    assert g.get('soft', getlink=True).path == '/many/g00000' and f['many/soft'] == f['many/g00000']
with h5py.File(sys.argv[1], 'r+') as f:
    g = f['many']
    g.create_group('zz_added')
    del g['g00000']
    f['attrs'].attrs['added'] = 7
    del f['attrs'].attrs['a00001']
with h5py.File(sys.argv[1], 'r') as f:
    print(len(f['many']), len(f['attrs'].attrs), int(f['attrs'].attrs['added']), 'zz_added' in f['many'])
`, path, fmt.Sprint(n)).CombinedOutput()
			want := fmt.Sprintf("%d %d 7 True", n+1, n)
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Fatalf("h5py: %v\n%s\nwant %s", err, out, want)
			}
			needH5dump(t)
			h5dump(t, "-H", path)
			b, _ := os.ReadFile(path)
			f2, err := Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if m := mustGroup(t, f2.Root(), "many").Members(); len(m) != n+1 {
				t.Errorf("our reader: %d members after h5py, want %d", len(m), n+1)
			}
			if a, ok := f2.Root().Attr("big"); !ok || !bytes.Equal(a.Data, big) {
				t.Errorf("our reader: big attribute lost")
			}
		})
	}
}

// TestDenseStorageRewritten: dense storage this package wrote is written
// anew when it changes and freed after the next flush; a group that
// shrinks to 8 links goes back to link messages.
func TestDenseStorageRewritten(t *testing.T) {
	needH5dump(t)
	m := &memFile{}
	f := NewFile(WithLibver(LibverLatest))
	g, _ := f.Root().CreateGroup("g")
	for i := range 20 {
		g.CreateGroup(fmt.Sprintf("m%02d", i))
	}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	if g.linfo.heap == UndefinedAddr {
		t.Fatal("20 links are not in dense storage")
	}
	for i := range 12 {
		if err := g.Unlink(fmt.Sprintf("m%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	if g.linfo.heap != UndefinedAddr || len(g.denseSpace) != 0 {
		t.Fatal("8 links still in dense storage")
	}
	path := filepath.Join(t.TempDir(), "shrunk.h5")
	os.WriteFile(path, append(m.b, make([]byte, f.EOF()-uint64(len(m.b)))...), 0o644)
	out := h5dump(t, "-H", path)
	if strings.Count(out, "GROUP \"m") != 8 || !strings.Contains(out, `GROUP "m19"`) {
		t.Fatalf("h5dump:\n%s", out)
	}
}

// TestTrackOrderWritten: with WithTrackOrder (h5py's track_order=True),
// h5py lists links and attributes in creation order, compact and dense,
// in both families (libhdf5 gives such objects version 2 headers even in
// a superblock 0 file).
func TestTrackOrderWritten(t *testing.T) {
	needH5py(t)
	for _, v := range []Libver{LibverEarliest, LibverLatest} {
		for _, n := range []int{3, 20} {
			path := filepath.Join(t.TempDir(), "order.h5")
			w, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f := NewFile(WithLibver(v), WithTrackOrder())
			g, _ := f.Root().CreateGroup("g")
			var names []string
			for i := range n {
				name := fmt.Sprintf("n%02d", (i*7)%n) // not in name order
				names = append(names, "'"+name+"'")
				if _, err := g.CreateGroup(name); err != nil {
					t.Fatal(err)
				}
				if err := g.SetAttr(&Attribute{Name: name, Type: Int32LE, Data: int32s(int32(i))}); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Flush(w); err != nil {
				t.Fatal(err)
			}
			w.Close()
			out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    g = f['g']
    g.create_group('added')
    g.attrs['added'] = 1
with h5py.File(sys.argv[1], 'r') as f:
    g = f['g']
    print(list(g.keys()))
    print(list(g.attrs.keys()))
`, path).CombinedOutput()
			want := "[" + strings.Join(names, ", ") + ", 'added']"
			if err != nil || strings.TrimSpace(string(out)) != want+"\n"+want {
				t.Fatalf("family %d, %d links: h5py: %v\n%s\nwant\n%s\n%s", v, n, err, out, want, want)
			}
		}
	}
}
