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

func mustGroup(t *testing.T, g *Group, path string) *Group {
	t.Helper()
	o, err := g.Lookup(path)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := o.(*Group)
	if !ok {
		t.Fatalf("%s is not a group", path)
	}
	return c
}

// flushPath flushes f into the file at path, opened for writing.
func flushPath(t *testing.T, f *File, path string) {
	t.Helper()
	w, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := f.Flush(w); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// TestHeaderAddressesStable: a header keeps its first address through
// flushes that grow it past its first chunk (continuation chunks), shrink
// it again, and change its members; the parent is not rewritten when only
// a member's header changes.
func TestHeaderAddressesStable(t *testing.T) {
	m := &memFile{}
	f := NewFile()
	g, _ := f.Root().CreateGroup("g")
	d, err := g.CreateDataset("d", DatasetSpec{Type: Int32LE, Shape: []uint64{4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	addrs := [3]uint64{f.Root().Addr(), g.Addr(), d.Addr()}
	for step := range 6 {
		// Grow d's header well past its first chunk, then shrink it.
		for i := range 20 {
			name := fmt.Sprintf("a%02d", i)
			if step%3 == 2 {
				d.DeleteAttr(name)
				continue
			}
			d.SetAttr(&Attribute{Name: name, Type: Int32LE, Shape: []uint64{uint64(step + 1)}, Data: make([]byte, 4*(step+1))})
		}
		rec := &recorder{w: m}
		if err := f.Flush(rec); err != nil {
			t.Fatal(err)
		}
		if now := [3]uint64{f.Root().Addr(), g.Addr(), d.Addr()}; now != addrs {
			t.Fatalf("step %d: header addresses %v, first %v", step, now, addrs)
		}
		for _, wr := range rec.writes {
			if wr.off == int64(g.Addr()) || wr.off == int64(f.Root().Addr()) {
				t.Errorf("step %d: a flush that changed only d rewrote a parent header at %d", step, wr.off)
			}
		}
		f2, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		d2 := mustDataset(t, f2.Root(), "g/d")
		want := 20
		if step%3 == 2 {
			want = 0
		}
		if n := len(d2.Attrs()); n != want || d2.Addr() != addrs[2] {
			t.Fatalf("step %d: %d attributes at %d, want %d at %d", step, n, d2.Addr(), want, addrs[2])
		}
	}
}

// recorder passes writes on and keeps a copy of each, in order.
type recorder struct {
	w      *memFile
	writes []write
}

type write struct {
	off  int64
	data []byte
}

func (r *recorder) WriteAt(b []byte, off int64) (int, error) {
	r.writes = append(r.writes, write{off, append([]byte(nil), b...)})
	return r.w.WriteAt(b, off)
}

// TestFlushEveryPrefix cuts a flush after each of its writes (a crash at
// every point of ARCHITECTURE.md decision 5's order) and opens each
// resulting file with h5core and h5dump: every prefix is a valid file, and
// each object is as of the previous flush or as of this one.
func TestFlushEveryPrefix(t *testing.T) {
	needH5dump(t)
	m := &memFile{}
	f := NewFile()
	d, _ := f.Root().CreateDataset("a/x", DatasetSpec{Type: Int32LE, Shape: []uint64{2}, MaxShape: []uint64{Unlimited}, Chunk: []uint64{2}})
	if err := d.WriteChunk(m, []uint64{0}, int32s(1, 2)); err != nil {
		t.Fatal(err)
	}
	f.Root().SetAttr(&Attribute{Name: "step", Type: Int32LE, Data: int32s(0)})
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	before := append([]byte(nil), m.b...)

	// One flush that changes every kind of thing: a new dataset and group,
	// a resized chunked dataset with a new chunk (new chunk index), a
	// header that overflows to a continuation chunk, a root attribute.
	g, _ := f.Root().CreateGroup("a/new")
	g.SetAttr(&Attribute{Name: "n", Type: Int32LE, Data: int32s(5)})
	if err := d.Resize([]uint64{4}); err != nil {
		t.Fatal(err)
	}
	data := &memFile{b: append([]byte(nil), m.b...)}
	if err := d.WriteChunk(data, []uint64{2}, int32s(3, 4)); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		d.SetAttr(&Attribute{Name: fmt.Sprintf("attr%02d", i), Type: Int32LE, Data: int32s(int32(i))})
	}
	f.Root().SetAttr(&Attribute{Name: "step", Type: Int32LE, Data: int32s(1)})
	pre := append([]byte(nil), data.b...) // raw data of this step, written before the flush
	rec := &recorder{w: data}
	if err := f.Flush(rec); err != nil {
		t.Fatal(err)
	}
	sb := -1
	for i, w := range rec.writes {
		if w.off == 0 {
			sb = i
		} else if sb < 0 && w.off < int64(len(before)) {
			t.Fatalf("write %d (before the superblock) at %d overwrites space the old file uses", i, w.off)
		}
	}
	if sb < 0 || sb == len(rec.writes)-1 {
		t.Fatalf("superblock is write %d of %d: want in-place header rewrites after it", sb, len(rec.writes))
	}
	dir := t.TempDir()
	n := len(rec.writes)
	for k := 0; k <= n; k++ {
		cut := &memFile{b: append([]byte(nil), pre...)}
		for _, w := range rec.writes[:k] {
			cut.WriteAt(w.data, w.off)
		}
		f2, err := Open(bytes.NewReader(cut.b), int64(len(cut.b)))
		if err != nil {
			t.Fatalf("prefix %d: %v", k, err)
		}
		x := mustDataset(t, f2.Root(), "a/x")
		if s := x.Shape(); s[0] != 2 && s[0] != 4 || k <= sb && s[0] != 2 || k == n && s[0] != 4 {
			t.Fatalf("prefix %d (superblock %d): shape %v", k, sb, s)
		}
		if c := len(x.Attrs()); c != 0 && c != 12 || k <= sb && c != 0 || k == n && c != 12 {
			t.Fatalf("prefix %d: %d attributes, want the old 0 or the new 12", k, c)
		}
		path := filepath.Join(dir, fmt.Sprintf("p%d.h5", k))
		if err := os.WriteFile(path, cut.b, 0o644); err != nil {
			t.Fatal(err)
		}
		out := h5dump(t, path)
		if !strings.Contains(out, `DATASET "x"`) || k <= sb && strings.Contains(out, `GROUP "new"`) || k == n && !strings.Contains(out, `GROUP "new"`) {
			t.Fatalf("prefix %d:\n%s", k, out)
		}
	}
	needH5py(t)
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
x = f['a/x']
print(list(x[:]), len(x.attrs), f['a/new'].attrs['n'], f.attrs['step'])
`, filepath.Join(dir, fmt.Sprintf("p%d.h5", n))).CombinedOutput()
	if want := "[1, 2, 3, 4] 12 5 1"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v %s, want %s", err, out, want)
	}
}
