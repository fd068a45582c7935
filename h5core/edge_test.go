package h5core

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmptyDatasetsH5dump(t *testing.T) {
	needH5dump(t)
	f := NewFile()
	root := f.Root()
	if _, err := root.CreateDataset("z", DatasetSpec{Type: Int32LE, Shape: []uint64{0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateDataset("zu", DatasetSpec{Type: Int32LE, Shape: []uint64{0, 3}, MaxShape: []uint64{Unlimited, 3}, Chunk: []uint64{4, 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateDataset("zf", DatasetSpec{Type: Float64LE, Shape: []uint64{5}, Chunk: []uint64{2}, Filters: H5pyFilters(8, false, 9, false)}); err != nil {
		t.Fatal(err)
	}
	out := h5dump(t, writeFile(t, f, nil))
	for _, want := range []string{"SIMPLE { ( 0 ) / ( 0 ) }", "SIMPLE { ( 0, 3 ) / ( H5S_UNLIMITED, 3 ) }", "(0): 0, 0, 0, 0, 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("h5dump lacks %q:\n%s", want, out)
		}
	}
}

func TestModelErrors(t *testing.T) {
	f := NewFile()
	root := f.Root()
	if _, err := root.CreateDataset("d", DatasetSpec{Type: Int32LE, Shape: []uint64{2}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"dup dataset", second(root.CreateDataset("d", DatasetSpec{Type: Int32LE})), ErrExists},
		{"dup group", second(root.CreateGroup("d")), ErrExists},
		{"group under dataset", second(root.CreateGroup("d/x")), ErrExists},
		{"require over dataset", second(root.RequireGroup("d")), ErrExists},
		{"missing", second(root.Lookup("nope/x")), ErrNotFound},
		{"unlink missing", root.Unlink("nope"), ErrNotFound},
		{"delete attr missing", root.DeleteAttr("nope"), ErrNotFound},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	bad := []DatasetSpec{
		{},
		{Type: Int32LE, Shape: []uint64{2}, MaxShape: []uint64{Unlimited}},
		{Type: Int32LE, Shape: []uint64{2}, Filters: H5pyFilters(4, true, 1, false)},
		{Type: Int32LE, Chunk: []uint64{1}},
		{Type: Int32LE, Shape: []uint64{2}, Chunk: []uint64{0}},
		{Type: Int32LE, Shape: []uint64{2}, Fill: []byte{1}},
		{Type: Int32LE, Shape: make([]uint64, 33)},
		{Type: Int32LE, Shape: []uint64{1 << 20}, Compact: true},
		{Type: Int32LE, Shape: []uint64{1 << 40, 1 << 40}},
		{Type: Int32LE, Shape: []uint64{1 << 40}, Chunk: []uint64{1}},
	}
	for i, s := range bad {
		if _, err := root.CreateDataset("bad", s); err == nil {
			t.Errorf("spec %d accepted", i)
		}
	}
	d, _ := root.Lookup("d")
	if err := d.(*Dataset).Resize([]uint64{3}); err == nil {
		t.Error("resized a contiguous dataset")
	}
	if err := root.SetAttr(&Attribute{Name: "a", Type: Int32LE, Data: []byte{1}}); err == nil {
		t.Error("attribute with short data accepted")
	}
	if err := f.Flush(failWriter{}); err == nil {
		t.Fatal("flush to a failing writer succeeded")
	}
	if err := f.Flush(&memFile{}); err == nil {
		t.Fatal("flush after a failed flush succeeded")
	}
}

func second[T any](_ T, err error) error { return err }

func TestMove(t *testing.T) {
	f := NewFile()
	root := f.Root()
	root.CreateGroup("a/b")
	if err := root.Move("a/b", "c/d"); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Lookup("c/d"); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Lookup("a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a/b still there: %v", err)
	}
	if err := root.Move("c", "c/d/e"); err == nil {
		t.Fatal("moved a group into itself")
	}
	if err := root.Move("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

// TestDeterministic builds the same file twice: identical bytes, as every
// rank of a parallel job relies on.
func TestDeterministic(t *testing.T) {
	var outs [2][]byte
	for i := range outs {
		m := &memFile{}
		f := buildFeatures(t, m)
		if err := f.Flush(m); err != nil {
			t.Fatal(err)
		}
		g, _ := f.Root().RequireGroup("a/b")
		g.SetAttr(&Attribute{Name: "second", Type: Int32LE, Data: int32s(2)})
		if err := f.Flush(m); err != nil {
			t.Fatal(err)
		}
		outs[i] = m.b
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("same calls gave different bytes")
	}
}

func TestVisit(t *testing.T) {
	f := NewFile()
	root := f.Root()
	root.CreateGroup("b/c")
	root.CreateDataset("a", DatasetSpec{Type: Int32LE})
	root.CreateDataset("b/d", DatasetSpec{Type: Int32LE})
	c, _ := root.Lookup("b/c")
	root.Link("e", c)
	root.CreateSoftLink("s", "/a")
	var got []string
	root.Visit(func(p string, o Object) error {
		got = append(got, p)
		return nil
	})
	if want := "a b b/c b/d"; strings.Join(got, " ") != want {
		t.Fatalf("Visit: %v, want %s", got, want)
	}
}

func TestCyclicDatatype(t *testing.T) {
	c := &Datatype{Class: ClassVlen, Size: 16}
	c.Base = c
	f := NewFile()
	if _, err := f.Root().CreateDataset("d", DatasetSpec{Type: c, Shape: []uint64{1}}); err == nil {
		t.Fatal("cyclic type accepted")
	}
	if err := f.Root().SetAttr(&Attribute{Name: "a", Type: c, Data: make([]byte, 16)}); err == nil {
		t.Fatal("cyclic attribute type accepted")
	}
}

func TestNilBaseTypes(t *testing.T) {
	f := NewFile()
	for _, typ := range []*Datatype{ArrayOf(nil, 2), Enum(nil, []string{"a"}, []int64{1}), Compound(4, Member{"x", 0, nil})} {
		if _, err := f.Root().CreateDataset("d", DatasetSpec{Type: typ, Shape: []uint64{1}}); err == nil {
			t.Errorf("%+v accepted", typ)
		}
	}
}

// TestOtherTypesH5dump covers types h5py does not make directly: a
// top-level array, a bitfield, an opaque type, a vlen of compound.
func TestOtherTypesH5dump(t *testing.T) {
	needH5dump(t)
	f := NewFile()
	root := f.Root()
	m := &memFile{}
	arr, _ := root.CreateDataset("arr", DatasetSpec{Type: ArrayOf(Float64LE, 2, 2), Shape: []uint64{1}})
	writeAll(t, m, arr, le(1.0, 2.0, 3.0, 4.0))
	bf, _ := root.CreateDataset("bits", DatasetSpec{Type: &Datatype{Class: ClassBitfield, Size: 1, Precision: 8}, Shape: []uint64{2}})
	writeAll(t, m, bf, []byte{5, 255})
	op, _ := root.CreateDataset("opaque", DatasetSpec{Type: &Datatype{Class: ClassOpaque, Size: 2, Tag: "raw"}, Shape: []uint64{1}})
	writeAll(t, m, op, []byte{0xab, 0xcd})
	pt := Compound(6, Member{"x", 0, Int16LE}, Member{"y", 2, Float32LE})
	ref, _ := f.PutVlen(2, append(le(int16(1), float32(0.5)), le(int16(2), float32(1.5))...))
	vb := make([]byte, 16)
	ref.Encode(vb)
	vc, _ := root.CreateDataset("vlencmp", DatasetSpec{Type: VlenOf(pt), Shape: []uint64{1}})
	writeAll(t, m, vc, vb)
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "o.h5")
	os.WriteFile(path, m.b, 0o644)
	out := strings.Join(strings.Fields(h5dump(t, path)), " ")
	for _, want := range []string{"H5T_ARRAY { [2][2] H5T_IEEE_F64LE }", "[ 1, 2, 3, 4 ]", "H5T_STD_B8LE", "0x05, 0xff",
		"H5T_OPAQUE", `OPAQUE_TAG "raw"`, "ab:cd", "H5T_VLEN { H5T_COMPOUND", "({ 1, 0.5 }, { 2, 1.5 })"} {
		if !strings.Contains(out, want) {
			t.Errorf("h5dump lacks %q:\n%s", want, out)
		}
	}
}

// TestManyAttributes puts 3000 attributes (a 240 KB object header) on a
// dataset; h5dump must read them all.
func TestManyAttributes(t *testing.T) {
	needH5dump(t)
	f := NewFile()
	d, _ := f.Root().CreateDataset("d", DatasetSpec{Type: Int32LE, Shape: []uint64{1}})
	for i := 0; i < 3000; i++ {
		d.SetAttr(&Attribute{Name: fmt.Sprintf("attribute_%04d", i), Type: Float64LE, Shape: []uint64{4}, Data: make([]byte, 32)})
	}
	out := h5dump(t, "-H", writeFile(t, f, nil))
	if n := strings.Count(out, "ATTRIBUTE "); n != 3000 {
		t.Fatalf("h5dump shows %d attributes", n)
	}
}

func TestOpDigest(t *testing.T) {
	run := func(extra bool, name string) uint64 {
		f := NewFile()
		g, _ := f.Root().CreateGroup("a")
		d, _ := g.CreateDataset("d", DatasetSpec{Type: Int32LE, Shape: []uint64{4}, MaxShape: []uint64{Unlimited}, Chunk: []uint64{2}})
		d.Resize([]uint64{6})
		d.SetAttr(&Attribute{Name: name, Type: Int32LE, Data: int32s(1)})
		if extra {
			f.Root().CreateGroup("x")
		}
		f.Flush(&memFile{})
		return f.OpDigest()
	}
	a, b := run(false, "n"), run(false, "n")
	if a != b || a == 0 {
		t.Fatalf("same calls, digests %x %x", a, b)
	}
	if run(true, "n") == a || run(false, "m") == a {
		t.Fatal("different calls, same digest")
	}
}
