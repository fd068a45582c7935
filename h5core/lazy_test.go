package h5core

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r     *bytes.Reader
	n     atomic.Int64
	calls atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.calls.Add(1)
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// tenThousand is a file of 100 groups of 99 datasets (one attribute
// each), as the open benchmark, made by our writer.
func tenThousand(t testing.TB) []byte {
	t.Helper()
	f := NewFile()
	for g := range 100 {
		for d := range 99 {
			ds, err := f.Root().CreateDataset(fmt.Sprintf("g%02d/d%02d", g, d), DatasetSpec{Type: Int32LE, Shape: []uint64{4}})
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.SetAttr(&Attribute{Name: "i", Type: Int32LE, Data: int32s(int32(100*g + d))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := &memFile{}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	return m.b
}

func openCounting(t testing.TB, b []byte) (*File, *countingReader) {
	t.Helper()
	c := &countingReader{r: bytes.NewReader(b)}
	f, err := Open(c, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

// TestLazyOpenReadsLittle opens a file of 10k objects and touches one
// dataset: the metadata read is a small fraction of what reading every
// object reads (ARCHITECTURE.md decision 7).
func TestLazyOpenReadsLittle(t *testing.T) {
	b := tenThousand(t)

	all, ca := openCounting(t, b)
	n := 0
	if err := all.Root().Visit(func(string, Object) error { n++; return nil }); err != nil || n != 100*100 {
		t.Fatalf("visited %d objects, %v", n, err)
	}
	total := ca.n.Load()

	f, c := openCounting(t, b)
	atOpen := c.n.Load()
	o, err := f.Root().Lookup("g42/d17")
	if err != nil {
		t.Fatal(err)
	}
	a, ok := o.Attr("i")
	if !ok || string(a.Data) != string(int32s(4217)) {
		t.Fatalf("attribute %v %v", a, ok)
	}
	one := c.n.Load()
	t.Logf("metadata read: open %d bytes, one dataset %d bytes, everything %d bytes (%d calls)", atOpen, one, total, ca.calls.Load())
	if atOpen*100 > total || one*20 > total {
		t.Fatalf("open read %d and one dataset %d bytes of %d: not lazy", atOpen, one, total)
	}

	// A flush after changing that dataset reads nothing more and writes
	// only what changed; the rest of the file stays as it was.
	if err := o.SetAttr(&Attribute{Name: "j", Type: Int32LE, Data: int32s(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Root().CreateGroup("g42/new"); err != nil {
		t.Fatal(err)
	}
	m := &memFile{b: append([]byte(nil), b...)}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	if after := c.n.Load(); after != one {
		t.Fatalf("flush read %d bytes of metadata", after-one)
	}
	re, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	err = re.Root().Visit(func(p string, o Object) error {
		n++
		if d, ok := o.(*Dataset); ok {
			var g, i int
			fmt.Sscanf(p, "g%02d/d%02d", &g, &i)
			if a, ok := d.Attr("i"); !ok || string(a.Data) != string(int32s(int32(100*g+i))) {
				return fmt.Errorf("%s: attribute %v", p, a)
			}
		}
		return nil
	})
	if err != nil || n != 100*100+1 {
		t.Fatalf("after flush: %d objects, %v", n, err)
	}
	if o, _ := re.Root().Lookup("g42/d17"); o == nil || len(o.Attrs()) != 2 {
		t.Fatalf("changed dataset not written: %v", o)
	}
}

// TestLazyDamageSurfacesAtTouch damages one dataset's header: Open and
// its siblings work, and touching it is a *FormatError, not a panic.
func TestLazyDamageSurfacesAtTouch(t *testing.T) {
	f := NewFile()
	for _, p := range []string{"a/x", "a/y", "b/z"} {
		if _, err := f.Root().CreateDataset(p, DatasetSpec{Type: Int32LE, Shape: []uint64{2}}); err != nil {
			t.Fatal(err)
		}
	}
	m := &memFile{}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	y, _ := f.Root().Lookup("a/y")
	m.b[y.Addr()] = 77 // object header version
	g, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for _, p := range []string{"a/x", "b/z"} {
		if _, err := g.Root().Lookup(p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	var fe *FormatError
	for i := range 2 { // asked again, reported again
		if _, err := g.Root().Lookup("a/y"); !errors.As(err, &fe) {
			t.Fatalf("lookup %d of the damaged dataset: %v, want a *FormatError", i, err)
		}
	}
	if err := g.Root().Visit(func(string, Object) error { return nil }); !errors.As(err, &fe) {
		t.Fatalf("visit: %v, want a *FormatError", err)
	}
}

// TestLazyLinkCounts keeps the link count of an object hard-linked from a
// group that was never loaded: unlinking the loaded link must neither free
// the object nor drop its count to zero.
func TestLazyLinkCounts(t *testing.T) {
	f := NewFile()
	d, err := f.Root().CreateDataset("a/x", DatasetSpec{Type: Int32LE, Shape: []uint64{2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Root().Link("b/x", d); err != nil {
		t.Fatal(err)
	}
	m := &memFile{}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	g, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
	if err != nil {
		t.Fatal(err)
	}
	x, err := g.Root().Lookup("a/x") // group b is not loaded
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Root().Unlink("a/x"); err != nil {
		t.Fatal(err)
	}
	if err := g.Flush(m); err != nil {
		t.Fatal(err)
	}
	if x.obj().deleted {
		t.Fatal("object still linked from an unloaded group was freed")
	}
	h, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
	if err != nil {
		t.Fatal(err)
	}
	y, err := h.Root().Lookup("b/x")
	if err != nil || y.Addr() != x.Addr() || y.obj().refCount != 1 {
		t.Fatalf("b/x: %v, refcount %d", err, y.obj().refCount)
	}
	// Loading b afterwards and linking again counts both links.
	if _, err := h.Root().Lookup("b/x"); err != nil {
		t.Fatal(err)
	}
	if err := h.Root().Link("c", y); err != nil {
		t.Fatal(err)
	}
	if err := h.Flush(m); err != nil {
		t.Fatal(err)
	}
	k, _ := Open(bytes.NewReader(m.b), int64(len(m.b)))
	if z, err := k.Root().Lookup("c"); err != nil || z.obj().refCount != 2 {
		t.Fatalf("c: %v", err)
	}
}

// TestLazyUnlinkFrees unlinks a dataset and a group that were never
// loaded: the flush frees as much space (headers, raw data, the group's
// table and members) as when they were looked up first.
func TestLazyUnlinkFrees(t *testing.T) {
	f := NewFile()
	for _, p := range []string{"a/x", "b/c/y"} {
		if _, err := f.Root().CreateDataset(p, DatasetSpec{Type: Int32LE, Shape: []uint64{1024}}); err != nil {
			t.Fatal(err)
		}
	}
	m := &memFile{}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	freed := func(p string, visit bool) uint64 {
		g, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
		if err != nil {
			t.Fatal(err)
		}
		if visit {
			g.Root().Visit(func(string, Object) error { return nil })
		}
		if err := g.Root().Unlink(p); err != nil {
			t.Fatal(err)
		}
		if err := g.Flush(&memFile{b: append([]byte(nil), m.b...)}); err != nil {
			t.Fatal(err)
		}
		var n uint64
		for _, e := range append(g.free, g.pendingFree...) {
			n += e.size
		}
		return n
	}
	for _, p := range []string{"a/x", "b"} {
		if lazy, loaded := freed(p, false), freed(p, true); lazy != loaded || lazy < 4096 {
			t.Errorf("unlink %s: freed %d bytes, %d when everything was loaded first", p, lazy, loaded)
		}
	}
}

// TestLazyNamedTypeUses: a committed datatype's count on disk includes
// its uses (datasets, attributes). Deleting, in a lazily opened file, a
// dataset read from the file that uses it (its type and an attribute),
// and replacing or deleting such attributes, gives the uses back, as
// libhdf5 does; a dataset still linked elsewhere keeps its use. Loading
// everything first gives the same counts.
func TestLazyNamedTypeUses(t *testing.T) {
	f := NewFile()
	nt, err := f.Root().CommitType("T", Float64LE)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a/x", "b/y", "c/z"} {
		d, err := f.Root().CreateDataset(p, DatasetSpec{Type: Float64LE, Shape: []uint64{2}, Named: nt})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"u", "v"} {
			if err := d.SetAttr(&Attribute{Name: n, Type: Float64LE, Data: make([]byte, 8), Named: nt}); err != nil {
				t.Fatal(err)
			}
		}
	}
	x, _ := f.Root().Lookup("a/x")
	if err := f.Root().Link("h/alias", x); err != nil {
		t.Fatal(err)
	}
	m := &memFile{}
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	rc := func(b []byte) uint32 {
		g, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		o, err := g.Root().Lookup("T")
		if err != nil {
			t.Fatal(err)
		}
		return o.obj().refCount
	}
	if got := rc(m.b); got != 1+3*3 {
		t.Fatalf("T's count as written: %d, want 10 (a link, three datasets with two attributes each)", got)
	}
	for _, visit := range []bool{false, true} {
		g, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
		if err != nil {
			t.Fatal(err)
		}
		if visit {
			g.Root().Visit(func(string, Object) error { return nil })
		}
		for _, p := range []string{"b/y", "a/x"} { // a/x stays: h/alias links to it
			if err := g.Root().Unlink(p); err != nil {
				t.Fatal(err)
			}
		}
		z, err := g.Root().Lookup("c/z")
		if err != nil {
			t.Fatal(err)
		}
		if err := z.DeleteAttr("u"); err != nil {
			t.Fatal(err)
		}
		if err := z.SetAttr(&Attribute{Name: "v", Type: Float64LE, Data: make([]byte, 8)}); err != nil { // no longer the committed type
			t.Fatal(err)
		}
		out := &memFile{b: append([]byte(nil), m.b...)}
		if err := g.Flush(out); err != nil {
			t.Fatal(err)
		}
		if got := rc(out.b); got != 1+3+1 {
			t.Errorf("visit first %v: T's count %d, want 5 (a link, a/x's three uses, c/z's type)", visit, got)
		}
	}
}
