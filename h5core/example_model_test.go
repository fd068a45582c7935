package h5core_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// reopen flushes f into memory and opens the bytes again, as a reader
// of the file would see it.
func reopen(f *h5core.File) (*h5core.File, *memWriter) {
	var buf memWriter
	if err := f.Flush(&buf); err != nil {
		panic(err)
	}
	g, err := h5core.Open(bytes.NewReader(buf.b), int64(len(buf.b)))
	if err != nil {
		panic(err)
	}
	return g, &buf
}

// NewFile is an empty model: a root group, nothing written until Flush.
// Every rank of a parallel job that makes the same calls gets the same
// bytes at the same addresses.
func ExampleNewFile() {
	a, b := h5core.NewFile(), h5core.NewFile()
	for _, f := range []*h5core.File{a, b} {
		f.Root().CreateDataset("x", h5core.DatasetSpec{Type: h5core.Float64LE, Shape: []uint64{8}})
	}
	var wa, wb memWriter
	a.Flush(&wa)
	b.Flush(&wb)
	fmt.Println(a.Root().Members(), bytes.Equal(wa.b, wb.b), a.EOF() == uint64(len(wa.b)))
	// Output: [x] true true
}

// Root is the root group "/"; file attributes (h5py's f.attrs) are its
// attributes.
func ExampleFile_Root() {
	f := h5core.NewFile()
	f.Root().SetAttr(&h5core.Attribute{Name: "version", Type: h5core.Int32LE, Data: []byte{3, 0, 0, 0}})
	g, _ := reopen(f)
	a, ok := g.Root().Attr("version")
	fmt.Println(ok, a.Type, a.Data)
	// Output: true i32le [3 0 0 0]
}

// Flush writes the changed metadata; the caller writes raw data at the
// addresses the model gave, before it. Flushing again writes only what
// changed since.
func ExampleFile_Flush() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("v", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{3}})
	var w memWriter
	addr, _ := d.DataAddr()
	w.WriteAt([]byte{7, 8, 9}, int64(addr))
	if err := f.Flush(&w); err != nil {
		fmt.Println(err)
		return
	}
	g, err := h5core.Open(bytes.NewReader(w.b), int64(len(w.b)))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, _ := g.Root().Lookup("v")
	a, size := o.(*h5core.Dataset).DataAddr()
	fmt.Println(w.b[a : a+size])
	// Output: [7 8 9]
}

// EOF is how long the file must be once everything is written; it grows
// as storage is allocated.
func ExampleFile_EOF() {
	f := h5core.NewFile()
	before := f.EOF()
	f.Root().CreateDataset("big", h5core.DatasetSpec{Type: h5core.Float64LE, Shape: []uint64{1 << 20}})
	fmt.Println(f.EOF()-before >= 8<<20)
	// Output: true
}

// SuperblockVersion and Family tell the format family of a file: 0 and
// the classic family unless made WithLibver(LibverLatest).
func ExampleFile_SuperblockVersion() {
	for _, f := range []*h5core.File{h5core.NewFile(), h5core.NewFile(h5core.WithLibver(h5core.LibverLatest))} {
		g, _ := reopen(f)
		fmt.Println(g.SuperblockVersion(), g.Family() == h5core.LibverLatest)
	}
	// Output:
	// 0 false
	// 3 true
}

// Family is kept by a file that is opened and changed: objects added to
// a latest-family file are of that family.
func ExampleFile_Family() {
	g, _ := reopen(h5core.NewFile(h5core.WithLibver(h5core.LibverLatest)))
	g.Root().CreateGroup("added")
	h, _ := reopen(g)
	fmt.Println(h.Family() == h5core.LibverLatest, h.Root().Members())
	// Output: true [added]
}

// Writable says whether the model can be flushed: nil for files it can
// rewrite.
func ExampleFile_Writable() {
	g, _ := reopen(h5core.NewFile())
	fmt.Println(g.Writable(), h5core.NewFile().Writable())
	// Output: <nil> <nil>
}

// SetAlignment places large allocations on a boundary, as libhdf5's
// H5Pset_alignment: here data of 4 KiB or more on 64 KiB.
func ExampleFile_SetAlignment() {
	f := h5core.NewFile()
	if err := f.SetAlignment(4096, 64<<10); err != nil {
		fmt.Println(err)
		return
	}
	small, _ := f.Root().CreateDataset("small", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{16}})
	large, _ := f.Root().CreateDataset("large", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{8192}})
	sa, _ := small.DataAddr()
	la, _ := large.DataAddr()
	fmt.Println(sa%(64<<10) == 0, la%(64<<10) == 0)
	fmt.Println(f.SetAlignment(4096, 100) != nil) // not a multiple of 8
	// Output:
	// false true
	// true
}

// ObjectAt finds an object by its header address (what a reference
// holds) and gives a path to it.
func ExampleFile_ObjectAt() {
	f := h5core.NewFile()
	f.Root().CreateDataset("run/T", h5core.DatasetSpec{Type: h5core.Float32LE, Shape: []uint64{2}})
	g, _ := reopen(f)
	o, _ := g.Root().Lookup("run/T")
	obj, path, err := g.ObjectAt(o.Addr())
	fmt.Println(path, obj.Addr() == o.Addr(), err)
	// Output: /run/T true <nil>
}

// OpDigest is a digest of the calls applied to the model: ranks of a
// parallel file compare it to find one that made another call.
func ExampleFile_OpDigest() {
	a, b, c := h5core.NewFile(), h5core.NewFile(), h5core.NewFile()
	a.Root().CreateGroup("x")
	b.Root().CreateGroup("x")
	c.Root().CreateGroup("y")
	fmt.Println(a.OpDigest() == b.OpDigest(), a.OpDigest() == c.OpDigest())
	// Output: true false
}

// CreateGroup makes a group and any missing groups above it; a name
// taken is ErrExists. RequireGroup returns what is there.
func ExampleGroup_CreateGroup() {
	f := h5core.NewFile()
	g, err := f.Root().CreateGroup("a/b/c")
	fmt.Println(err, f.Root().Members())
	_, err = f.Root().CreateGroup("a/b")
	fmt.Println(errors.Is(err, h5core.ErrExists))
	again, _ := f.Root().RequireGroup("a/b/c")
	fmt.Println(again == g)
	// Output:
	// <nil> [a]
	// true
	// true
}

// RequireGroup creates what is missing of a path and returns the group.
func ExampleGroup_RequireGroup() {
	f := h5core.NewFile()
	f.Root().RequireGroup("data/2026")
	f.Root().RequireGroup("data/2027")
	o, _ := f.Root().Lookup("data")
	fmt.Println(o.(*h5core.Group).Members())
	// Output: [2026 2027]
}

// CreateDataset creates a dataset and allocates its storage at once, so
// raw data can be written at DataAddr (or each chunk's address) with no
// further metadata change.
func ExampleGroup_CreateDataset() {
	f := h5core.NewFile()
	d, err := f.Root().CreateDataset("grid/T", h5core.DatasetSpec{
		Type:     h5core.Float32LE,
		Shape:    []uint64{4, 6},
		MaxShape: []uint64{h5core.Unlimited, 6},
		Chunk:    []uint64{2, 6},
		Fill:     []byte{0, 0, 0x80, 0x7f}, // +Inf
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	chunks, _ := d.Chunks()
	fmt.Println(d.Shape(), d.Layout(), d.ChunkShape(), len(chunks), d.ChunkBytes())
	// Output: [4 6] chunked [2 6] 2 48
}

// Lookup resolves a path relative to a group (or, with a leading "/",
// to the root) to a *Group or a *Dataset, following soft links; a
// missing name is ErrNotFound.
func ExampleGroup_Lookup() {
	f := h5core.NewFile()
	f.Root().CreateDataset("a/x", h5core.DatasetSpec{Type: h5core.Int8LE, Shape: []uint64{1}})
	f.Root().CreateSoftLink("a/latest", "/a/x")
	o, _ := f.Root().Lookup("a")
	a := o.(*h5core.Group)
	for _, p := range []string{"x", "/a/x", "latest", "a/x", "y"} {
		o, err := a.Lookup(p)
		switch o.(type) {
		case *h5core.Dataset:
			fmt.Println(p, "dataset")
		case *h5core.Group:
			fmt.Println(p, "group")
		default:
			fmt.Println(p, errors.Is(err, h5core.ErrNotFound))
		}
	}
	// Output:
	// x dataset
	// /a/x dataset
	// latest dataset
	// a/x true
	// y true
}

// Members lists a group's links by name, or in creation order with
// WithTrackOrder.
func ExampleGroup_Members() {
	for _, f := range []*h5core.File{h5core.NewFile(), h5core.NewFile(h5core.WithTrackOrder())} {
		for _, n := range []string{"c", "a", "b"} {
			f.Root().CreateGroup(n)
		}
		fmt.Println(f.Root().Members())
	}
	// Output:
	// [a b c]
	// [c a b]
}

// Link gives an object a second name (a hard link); both are the same
// object, with one header.
func ExampleGroup_Link() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("data/x", h5core.DatasetSpec{Type: h5core.Int8LE, Shape: []uint64{1}})
	if err := f.Root().Link("alias", d); err != nil {
		fmt.Println(err)
		return
	}
	g, _ := reopen(f)
	a, _ := g.Root().Lookup("alias")
	b, _ := g.Root().Lookup("data/x")
	fmt.Println(a.Addr() == b.Addr(), g.Root().Members())
	// Output: true [alias data]
}

// Unlink removes a link; Move renames one (to another group too).
func ExampleGroup_Unlink() {
	f := h5core.NewFile()
	f.Root().CreateGroup("tmp")
	f.Root().CreateGroup("keep")
	f.Root().Unlink("tmp")
	fmt.Println(f.Root().Members(), errors.Is(f.Root().Unlink("tmp"), h5core.ErrNotFound))
	// Output: [keep] true
}

// Move renames a link, creating the groups the new path needs.
func ExampleGroup_Move() {
	f := h5core.NewFile()
	f.Root().CreateGroup("draft")
	if err := f.Root().Move("draft", "final/v1"); err != nil {
		fmt.Println(err)
		return
	}
	_, err := f.Root().Lookup("final/v1")
	fmt.Println(f.Root().Members(), err)
	// Output: [final] <nil>
}

// CreateSoftLink adds a link to a path, resolved when followed;
// SoftLink reads its target back.
func ExampleGroup_CreateSoftLink() {
	f := h5core.NewFile()
	f.Root().CreateGroup("step/2")
	f.Root().CreateSoftLink("latest", "/step/2")
	target, ok := f.Root().SoftLink("latest")
	_, notLink := f.Root().SoftLink("step")
	fmt.Println(target, ok, notLink)
	// Output: /step/2 true false
}

// SoftLink returns a soft link's target without following it; the
// target need not exist.
func ExampleGroup_SoftLink() {
	f := h5core.NewFile()
	f.Root().CreateSoftLink("dangling", "/nowhere")
	target, ok := f.Root().SoftLink("dangling")
	_, err := f.Root().Lookup("dangling")
	fmt.Println(target, ok, errors.Is(err, h5core.ErrNotFound))
	// Output: /nowhere true true
}

// CreateExternalLink names a path in another file; h5core does not open
// other files, so a lookup through it is an *ExternalLinkError saying
// where to go.
func ExampleGroup_CreateExternalLink() {
	f := h5core.NewFile()
	f.Root().CreateExternalLink("mesh", "mesh.h5", "/coords")
	file, path, ok := f.Root().ExternalLink("mesh")
	fmt.Println(file, path, ok)
	_, err := f.Root().Lookup("mesh/x")
	var el *h5core.ExternalLinkError
	if errors.As(err, &el) {
		fmt.Println(el.File, el.Target, el.Rest, errors.Is(err, h5core.ErrExternalLink))
	}
	// Output:
	// mesh.h5 /coords true
	// mesh.h5 /coords x true
}

// ExternalLink reads an external link; other members are not one.
func ExampleGroup_ExternalLink() {
	f := h5core.NewFile()
	f.Root().CreateGroup("local")
	f.Root().CreateExternalLink("remote", "/data/other.h5", "/results")
	for _, n := range []string{"remote", "local"} {
		file, path, ok := f.Root().ExternalLink(n)
		fmt.Printf("%s %q %q %v\n", n, file, path, ok)
	}
	// Output:
	// remote "/data/other.h5" "/results" true
	// local "" "" false
}

// CommitType stores a datatype as an object of its own; datasets made
// with it share it (DatasetSpec.Named).
func ExampleGroup_CommitType() {
	f := h5core.NewFile()
	pt := h5core.Compound(8, h5core.Member{Name: "x", Offset: 0, Type: h5core.Float32LE}, h5core.Member{Name: "y", Offset: 4, Type: h5core.Float32LE})
	nt, err := f.Root().CommitType("types/point", pt)
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := f.Root().CreateDataset("path", h5core.DatasetSpec{Named: nt, Shape: []uint64{10}})
	fmt.Println(nt.Type(), d.Type().Equal(pt))
	// Output: {x: f32le, y: f32le} true
}

// Type returns a copy of a committed type: changing it changes nothing
// in the file.
func ExampleNamedType_Type() {
	f := h5core.NewFile()
	nt, _ := f.Root().CommitType("t", h5core.Int16LE)
	t := nt.Type()
	t.Size = 8
	fmt.Println(nt.Type(), t.Size)
	// Output: i16le 8
}

// Visit walks every object below a group, depth first in member order,
// each object once.
func ExampleGroup_Visit() {
	f := h5core.NewFile()
	f.Root().CreateDataset("b/y", h5core.DatasetSpec{Type: h5core.Int8LE, Shape: []uint64{1}})
	f.Root().CreateDataset("a/x", h5core.DatasetSpec{Type: h5core.Int8LE, Shape: []uint64{1}})
	f.Root().CreateSoftLink("a/link", "/b/y") // skipped
	f.Root().Visit(func(path string, o h5core.Object) error {
		_, isGroup := o.(*h5core.Group)
		fmt.Println(path, isGroup)
		return nil
	})
	// Output:
	// a true
	// a/x false
	// b true
	// b/y false
}
