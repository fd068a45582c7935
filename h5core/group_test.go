package h5core

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGroupSizes writes groups of 1, 8, 9 and 10000 members (one, full,
// split symbol table nodes; a multi-level B-tree) and checks them with our
// reader, h5py and h5dump.
func TestGroupSizes(t *testing.T) {
	sizes := []int{0, 1, 8, 9, 10000}
	f := NewFile()
	for _, n := range sizes {
		g, err := f.Root().CreateGroup(fmt.Sprintf("g%d", n))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				_, err = g.CreateGroup(fmt.Sprintf("m%05d", i))
			} else {
				_, err = g.CreateDataset(fmt.Sprintf("m%05d", i), DatasetSpec{Type: Int32LE, Shape: []uint64{1}})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	path := writeFile(t, f, nil)
	f2, _ := openPath(t, path)
	for _, n := range sizes {
		o, err := f2.Root().Lookup(fmt.Sprintf("g%d", n))
		if err != nil {
			t.Fatal(err)
		}
		m := o.(*Group).Members()
		if len(m) != n {
			t.Fatalf("g%d has %d members", n, len(m))
		}
		for i, name := range m {
			if name != fmt.Sprintf("m%05d", i) {
				t.Fatalf("g%d member %d = %q", n, i, name)
			}
		}
	}
	if os.Getenv("CI") == "" && testing.Short() {
		return
	}
	needH5py(t)
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
print(*[len(f['g%d' % n]) for n in (0, 1, 8, 9, 10000)])
print(f['g10000/m09999'].shape, isinstance(f['g10000/m09998'], h5py.Group))
`, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "0 1 8 9 10000\n(1,) True" {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	needH5dump(t)
	h5dump(t, "-n", path)

	// libhdf5 inserts into our multi-level B-tree (splitting our full nodes).
	out, err = exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    g = f['g10000']
    for i in range(300):
        g.create_group('m%05da' % (i * 33))
with h5py.File(sys.argv[1], 'r') as f:
    print(len(f['g10000']))
`, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "10300" {
		t.Fatalf("h5py r+: %v\n%s", err, out)
	}
	f3, _ := openPath(t, path)
	o, _ := f3.Root().Lookup("g10000")
	if n := len(o.(*Group).Members()); n != 10300 {
		t.Fatalf("after libhdf5 inserts: %d members", n)
	}
}

// TestFlushCrashBeforeSuperblock flushes several times; after each flush
// h5dump reads the file, and a flush cut short before the superblock
// leaves the previous state readable.
func TestFlushCrashBeforeSuperblock(t *testing.T) {
	needH5dump(t)
	path := filepath.Join(t.TempDir(), "cow.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f := NewFile()
	d, err := f.Root().CreateDataset("a/x", DatasetSpec{Type: Int32LE, Shape: []uint64{2}})
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, d, int32s(1, 2))
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	first := h5dump(t, path)
	if !strings.Contains(first, `DATASET "x"`) {
		t.Fatalf("first flush:\n%s", first)
	}
	snapshot, _ := os.ReadFile(path)

	// Second round: new dataset and attribute; flush through a writer that
	// drops the superblock write (a crash just before it).
	d2, _ := f.Root().CreateDataset("a/y", DatasetSpec{Type: Int32LE, Shape: []uint64{1}})
	writeAll(t, w, d2, int32s(9))
	d.SetAttr(&Attribute{Name: "k", Type: Int32LE, Data: int32s(5)})
	crash := &dropSuperblock{w: w}
	if err := f.Flush(crash); err != nil {
		t.Fatal(err)
	}
	cur, _ := os.ReadFile(path)
	if string(cur[:superblockSize]) != string(snapshot[:superblockSize]) {
		t.Fatal("superblock changed")
	}
	// The previous state is intact: same dump (the file is now longer).
	if got := h5dump(t, path); got != first {
		t.Fatalf("after crashed flush:\n%s\nwant:\n%s", got, first)
	}
	// The process restarts: it opens the file as the crash left it (the
	// model of the crashed process no longer matches the disk), redoes
	// the step and flushes for real.
	st, _ := w.Stat()
	f, err = Open(w, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	d2, _ = f.Root().CreateDataset("a/y", DatasetSpec{Type: Int32LE, Shape: []uint64{1}})
	writeAll(t, w, d2, int32s(9))
	mustDataset(t, f.Root(), "a/x").SetAttr(&Attribute{Name: "k", Type: Int32LE, Data: int32s(5)})
	d2.SetAttr(&Attribute{Name: "z", Type: Int32LE, Data: int32s(6)})
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	got := h5dump(t, path)
	for _, want := range []string{`DATASET "y"`, `ATTRIBUTE "k"`, `ATTRIBUTE "z"`, "(0): 9"} {
		if !strings.Contains(got, want) {
			t.Fatalf("second flush lacks %s:\n%s", want, got)
		}
	}
	// A flush with no change writes nothing.
	if err := f.Flush(failWriter{}); err != nil {
		t.Fatalf("idle flush wrote: %v", err)
	}
}

// dropSuperblock is a crash just before the superblock write: that write
// and every one after it (the in-place header rewrites) are lost.
type dropSuperblock struct {
	w       *os.File
	crashed bool
}

func (d *dropSuperblock) WriteAt(b []byte, off int64) (int, error) {
	if off == 0 {
		d.crashed = true
	}
	if d.crashed {
		return len(b), nil
	}
	return d.w.WriteAt(b, off)
}

type failWriter struct{}

func (failWriter) WriteAt(b []byte, off int64) (int, error) {
	return 0, fmt.Errorf("unexpected write of %d bytes at %d", len(b), off)
}

// TestFlushReusesSpace flushes many times with a change each time: the
// file stops growing once freed metadata space is reused, and stays
// readable.
func TestFlushReusesSpace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reuse.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f := NewFile()
	g, _ := f.Root().CreateGroup("a/b")
	for i := 0; i < 20; i++ {
		g.CreateGroup(fmt.Sprintf("m%d", i))
	}
	d, _ := g.CreateDataset("c", DatasetSpec{Type: Int32LE, Shape: []uint64{8}, MaxShape: []uint64{Unlimited}, Chunk: []uint64{4}, Filters: H5pyFilters(4, true, 1, false)})
	var eofs []uint64
	for i := 0; i < 50; i++ {
		g.SetAttr(&Attribute{Name: "step", Type: Int32LE, Data: int32s(int32(i))})
		writeAll(t, w, d, int32s(int32(i), 1, 2, 3, 4, 5, 6, 7))
		if err := f.Flush(w); err != nil {
			t.Fatal(err)
		}
		eofs = append(eofs, f.EOF())
	}
	if eofs[49] != eofs[10] {
		t.Errorf("file keeps growing: EOF %d after 11 flushes, %d after 50", eofs[10], eofs[49])
	}
	f2, _ := openPath(t, path)
	a, _ := f2.Root().Lookup("a/b")
	if at, ok := a.Attr("step"); !ok || at.Data[0] != 49 {
		t.Errorf("step attribute %+v", at)
	}
	needH5dump(t)
	if out := h5dump(t, "-d", "/a/b/c", path); !strings.Contains(out, "(0): 49, 1, 2, 3, 4, 5, 6, 7") {
		t.Errorf("h5dump:\n%s", out)
	}
}

// TestUnlinkFreesSpace deletes a dataset (h5py's del) and checks its space
// is reused after the next flush, and that its stale handle refuses use.
func TestUnlinkFreesSpace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "del.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f := NewFile()
	big, _ := f.Root().CreateDataset("g/big", DatasetSpec{Type: Float64LE, Shape: []uint64{1 << 16}})
	ch, _ := f.Root().CreateDataset("g/ch", DatasetSpec{Type: Int32LE, Shape: []uint64{64}, Chunk: []uint64{8}})
	keep, _ := f.Root().CreateDataset("keep", DatasetSpec{Type: Int32LE, Shape: []uint64{2}})
	writeAll(t, w, keep, int32s(7, 8))
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	if err := f.Root().Unlink("g"); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	eof := f.EOF() // the flush that drops g needs new space; the next one reuses g's
	if err := big.SetAttr(&Attribute{Name: "a", Type: Int32LE, Data: int32s(1)}); !errors.Is(err, ErrDeleted) {
		t.Fatalf("SetAttr on a deleted dataset: %v", err)
	}
	if _, err := ch.AllocChunk([]uint64{0}, 4, 0); !errors.Is(err, ErrDeleted) {
		t.Fatalf("AllocChunk on a deleted dataset: %v", err)
	}
	if a, _ := big.DataAddr(); a != UndefinedAddr {
		t.Fatalf("deleted dataset still has storage at %d", a)
	}
	again, err := f.Root().CreateDataset("again", DatasetSpec{Type: Float64LE, Shape: []uint64{1 << 16}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	if a, _ := again.DataAddr(); a+1<<19 > eof || f.EOF() > eof {
		t.Fatalf("space not reused: new data at %d, EOF %d (was %d)", a, f.EOF(), eof)
	}
	needH5dump(t)
	out := h5dump(t, "-d", "/keep", path)
	if !strings.Contains(out, "(0): 7, 8") {
		t.Fatalf("h5dump:\n%s", out)
	}
	h5dump(t, "-H", path)
}
