package h5file_test

import (
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// TestCreateDefaultMode: Create(path, "") is mode "w", as its doc says.
func TestCreateDefaultMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.h5")
	f, err := h5file.Create(path, "")
	if err != nil {
		t.Fatalf(`Create(path, ""): %v`, err)
	}
	if _, err := f.CreateGroup("g"); err != nil {
		t.Errorf("the file is not writable: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// "w" truncates: the group is gone after a second Create.
	f, err = h5file.Create(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Contains("g") || f.Mode() != "r+" {
		t.Errorf(`second Create(path, ""): contains g %v, mode %q; want a new, writable file`, f.Contains("g"), f.Mode())
	}
}

// TestGzipLevel: gzip levels are 0 to 9; others fail the create.
func TestGzipLevel(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "gz.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, level := range []int{-1, 10, 99} {
		_, err := h5file.CreateDatasetOf[int32](f, fmt.Sprint("bad", level), []uint64{100}, h5file.Gzip(level))
		if err == nil || !strings.Contains(err.Error(), "0 (fastest) to 9") {
			t.Errorf("Gzip(%d): %v, want an error giving the range", level, err)
		}
		if _, err := f.CreateDatasetFrom(fmt.Sprint("badfrom", level), []int32{1}, h5file.Gzip(level)); err == nil {
			t.Errorf("CreateDatasetFrom with Gzip(%d) succeeded", level)
		}
		if f.Contains(fmt.Sprint("bad", level)) || f.Contains(fmt.Sprint("badfrom", level)) {
			t.Errorf("Gzip(%d): the refused dataset is in the file", level)
		}
	}
	for _, level := range []int{0, 9} {
		d, err := h5file.CreateDatasetOf[int32](f, fmt.Sprint("ok", level), []uint64{100}, h5file.Gzip(level))
		if err != nil {
			t.Fatalf("Gzip(%d): %v", level, err)
		}
		if d.CompressionOpts() != level {
			t.Errorf("Gzip(%d): level %d stored", level, d.CompressionOpts())
		}
	}
}

// TestCreateDatasetFromFails: a CreateDatasetFrom whose data does not fit
// leaves no dataset behind, in the open file and on disk, and the name
// stays free.
func TestCreateDatasetFromFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "from.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		data any
		opts []h5file.DatasetOption
	}{
		{"shape", []int32{1, 2}, []h5file.DatasetOption{h5file.WithShape(3)}},
		{"type", []string{"a", "b"}, []h5file.DatasetOption{h5file.WithDtype(h5file.Int32)}},
		{"nested/shape", []float64{1}, []h5file.DatasetOption{h5file.WithShape(2, 2)}},
	}
	for _, c := range bad {
		if _, err := f.CreateDatasetFrom(c.name, c.data, c.opts...); err == nil {
			t.Fatalf("%s: CreateDatasetFrom succeeded", c.name)
		}
		if f.Contains(c.name) {
			t.Errorf("%s: the failed dataset is in the file", c.name)
		}
	}
	if _, err := f.CreateDatasetFrom("shape", []int32{1, 2, 3}, h5file.WithShape(3)); err != nil {
		t.Errorf("the name of a failed create is still taken: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, err = h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Contains("type") || !f.Contains("shape") {
		t.Errorf("on disk: type %v (want false), shape %v (want true)", f.Contains("type"), f.Contains("shape"))
	}
}

// TestResizeNotChunked: resizing a contiguous dataset says it is not
// chunked (it used to say the shape exceeds maxshape).
func TestResizeNotChunked(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "rs.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "c", []uint64{10})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Resize(20)
	if err == nil || !strings.Contains(err.Error(), "not chunked") || strings.Contains(err.Error(), "maxshape") {
		t.Errorf("Resize of a contiguous dataset: %v, want an error saying it is not chunked", err)
	}
	if s := d.Shape(); s[0] != 10 {
		t.Errorf("shape %v after a refused Resize", s)
	}
}

// TestMaxShapeString: Unlimited prints as None, as h5py prints maxshape.
func TestMaxShapeString(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "ms.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{3, 4}, h5file.MaxShape(h5file.Unlimited, 4))
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []string{fmt.Sprint(d.MaxShape()), fmt.Sprintf("%v", d.MaxShape()), d.MaxShape().String()} {
		if got != "[None 4]" {
			t.Errorf("MaxShape prints %q, want [None 4]", got)
		}
	}
	var dims []uint64 = d.MaxShape() // still a []uint64
	if dims[0] != h5file.Unlimited || dims[1] != 4 {
		t.Errorf("MaxShape = %d", dims)
	}
}

// TestLenSize: Len is h5py's len (the first dimension), Size its .size.
func TestLenSize(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "len.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := []struct {
		shape     []uint64
		len, size uint64
	}{
		{[]uint64{7}, 7, 7},
		{[]uint64{3, 4}, 3, 12},
		{[]uint64{2, 3, 5}, 2, 30},
		{[]uint64{0, 5}, 0, 0},
		{nil, 0, 1}, // scalar: h5py's len raises, size is 1
	}
	for i, c := range cases {
		d, err := h5file.CreateDatasetOf[float32](f, fmt.Sprint("d", i), c.shape)
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != c.len || d.Size() != c.size {
			t.Errorf("shape %v: Len %d, Size %d; want %d, %d", c.shape, d.Len(), d.Size(), c.len, c.size)
		}
	}
}

// TestCreateGroupParents: CreateGroup("a/b/c") creates a and a/b, as h5py
// and CreateDataset do; an existing path is still ErrExists.
func TestCreateGroupParents(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "cg.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := f.CreateGroup("a/b/c")
	if err != nil {
		t.Fatalf("CreateGroup(a/b/c): %v", err)
	}
	if g.Name() != "/a/b/c" || !f.Contains("a/b") {
		t.Errorf("group %q, a/b present %v", g.Name(), f.Contains("a/b"))
	}
	if _, err := f.CreateGroup("a/b"); !errors.Is(err, h5file.ErrExists) {
		t.Errorf("CreateGroup of an existing group: %v, want ErrExists", err)
	}
	if _, err := g.CreateGroup("d/e"); err != nil || !f.Contains("a/b/c/d/e") {
		t.Errorf("relative CreateGroup(d/e): %v", err)
	}
}

// MaxShape prints Unlimited dimensions as None, as h5py does.
func ExampleDims() {
	f, err := h5file.Create(tempPath("dims.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[float64](f, "series", []uint64{0, 3}, h5file.MaxShape(h5file.Unlimited, 3))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Shape(), d.MaxShape())
	// Output: [0 3] [None 3]
}

// Len is h5py's len(dset), the first dimension; Size is dset.size.
func ExampleDataset_Size() {
	f, err := h5file.Create(tempPath("size.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "grid", []uint64{4, 5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Len(), d.Size())
	// Output: 4 20
}
