package h5file_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// callerSetup is a file with a group, a 2-D int32 dataset, a chunked
// float64 dataset, a variable-length and a fixed-length string dataset and
// an attribute, as the caller-error cases need.
type callerSetup struct {
	f            *h5file.File
	g            *h5file.Group
	d, c         *h5file.Dataset
	vstr, fixstr *h5file.Dataset
}

func newCallerSetup(t *testing.T, path string) callerSetup {
	t.Helper()
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.CreateGroup("g")
	if err != nil {
		t.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[int32](g, "d", []uint64{4, 5})
	if err != nil {
		t.Fatal(err)
	}
	c, err := h5file.CreateDatasetOf[float64](f, "c", []uint64{6}, h5file.Chunks(2), h5file.MaxShape(h5file.Unlimited))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Attrs().Set("a", int64(1)); err != nil {
		t.Fatal(err)
	}
	vstr, err := f.CreateDatasetFrom("vstr", []string{"a", "bc", "def"})
	if err != nil {
		t.Fatal(err)
	}
	fixstr, err := f.CreateDatasetFrom("fixstr", []string{"a", "bc", "def"}, h5file.WithDtype(h5file.FixedString(4, false)))
	if err != nil {
		t.Fatal(err)
	}
	return callerSetup{f, g, d, c, vstr, fixstr}
}

// noPanic runs call and turns a panic into a test failure naming the case.
func noPanic(t *testing.T, name string, call func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s: panic: %v\n%s", name, p, debug.Stack())
			err = fmt.Errorf("panic")
		}
	}()
	return call()
}

// TestCallerErrors: hyperslabs out of bounds, wrong element types and
// lengths, writes to a read-only file, use after Close and Close twice
// give errors (errors.Is-testable where a sentinel exists), never panics.
func TestCallerErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "caller.h5")
	s := newCallerSetup(t, path)
	d, c := s.d, s.c
	twenty := make([]int32, 20)
	type tc struct {
		name string
		want error // nil: any error
		call func() error
		bug  string // BUGS.md entry while the owner fixes it: the case is skipped
	}
	outOfBounds := []tc{
		{"WriteSel row past the end", h5file.ErrShape, func() error {
			return d.WriteSel(h5file.S(h5file.Range(3, 5), h5file.Range(0, 5)), make([]int32, 10))
		}, ""},
		{"WriteSel start past the end", h5file.ErrShape, func() error {
			return d.WriteSel(h5file.S(h5file.Index(4), h5file.Range(0, 5)), make([]int32, 5))
		}, ""},
		{"WriteSel negative index past the start", nil, func() error {
			return d.WriteSel(h5file.S(h5file.Index(-10), h5file.Range(0, 5)), make([]int32, 5))
		}, ""},
		{"WriteSel step 0", nil, func() error {
			return d.WriteSel(h5file.S(h5file.RangeStep(0, 4, 0), h5file.Range(0, 5)), make([]int32, 20))
		}, ""},
		{"WriteSel stop before start", nil, func() error {
			return d.WriteSel(h5file.S(h5file.Range(3, 1), h5file.Range(0, 5)), make([]int32, 5))
		}, ""},
		{"WriteSel too many dimensions", h5file.ErrShape, func() error {
			return d.WriteSel(h5file.S(h5file.Index(0), h5file.Index(0), h5file.Index(0)), make([]int32, 1))
		}, ""},
		{"ReadSel column past the end", h5file.ErrShape, func() error {
			return d.ReadSel(h5file.S(h5file.Range(0, 1), h5file.Range(0, 6)), make([]int32, 6))
		}, ""},
		{"ReadSel huge stop", h5file.ErrShape, func() error {
			return d.ReadSel(h5file.S(h5file.Range(0, 1<<62), h5file.Range(0, 5)), make([]int32, 5))
		}, ""},
		{"Hyperslab out of bounds", h5file.ErrShape, func() error {
			return d.WriteSel(h5file.Hyperslab{Start: []uint64{0, 0}, Stride: []uint64{1, 1}, Count: []uint64{5, 5}, Block: []uint64{1, 1}}, make([]int32, 25))
		}, ""},
		{"Hyperslab count overflow", nil, func() error {
			return d.ReadSel(h5file.Hyperslab{Start: []uint64{0, 0}, Stride: []uint64{1, 1}, Count: []uint64{1 << 63, 1 << 63}, Block: []uint64{1, 1}}, make([]int32, 1))
		}, ""},
		{"Hyperslab missing fields", nil, func() error {
			return d.ReadSel(h5file.Hyperslab{Start: []uint64{0}}, make([]int32, 1))
		}, ""},
		{"chunked write past a resizable end", h5file.ErrShape, func() error {
			return c.WriteSel(h5file.S(h5file.Range(4, 8)), make([]float64, 4))
		}, ""},
	}
	wrongType := []tc{
		{"write strings to int32", h5file.ErrType, func() error { return d.Write(make([]string, 20)) }, ""},
		{"write a struct to int32", h5file.ErrType, func() error {
			return d.WriteSel(h5file.S(h5file.Index(0), h5file.Index(0)), struct{ A int }{1})
		}, ""},
		{"write too few values", h5file.ErrShape, func() error { return d.Write(make([]int32, 19)) }, ""},
		{"write too many values", h5file.ErrShape, func() error { return d.Write(make([]int32, 21)) }, ""},
		{"write nil", nil, func() error { return d.Write(nil) }, ""},
		{"write a nil slice pointer", nil, func() error { var p *[]int32; return d.Write(p) }, ""},
		{"read into a non-pointer", nil, func() error { return d.Read(5) }, ""},
		{"read into nil", nil, func() error { return d.Read(nil) }, ""},
		{"read into a short slice", h5file.ErrShape, func() error { return d.Read(make([]int32, 3)) }, ""},
		{"read int32 into strings", h5file.ErrType, func() error { return d.Read(make([]string, 20)) }, ""},
		{"ReadAll as string", h5file.ErrType, func() error { _, err := h5file.ReadAll[string](d); return err }, ""},
		{"read int32 into one string", h5file.ErrType, func() error {
			var v string
			return d.ReadSel(h5file.S(h5file.Index(0), h5file.Index(0)), &v)
		}, ""},
		{"read int32 into structs", h5file.ErrType, func() error { return d.Read(make([]struct{ A int32 }, 20)) }, ""},
		{"ReadAll float64 as []int32 slices", h5file.ErrType, func() error { _, err := h5file.ReadAll[[]int32](c); return err }, ""},
		{"read vlen strings into int32", h5file.ErrType, func() error { return s.vstr.Read(make([]int32, 3)) }, ""},
		{"ReadAll vlen strings as float64", h5file.ErrType, func() error { _, err := h5file.ReadAll[float64](s.vstr); return err }, ""},
		{"ReadAll fixed strings as int32", h5file.ErrType, func() error { _, err := h5file.ReadAll[int32](s.fixstr); return err }, ""},
		{"read fixed strings into bools", h5file.ErrType, func() error { return s.fixstr.Read(make([]bool, 3)) }, ""},
		{"write int32 to vlen strings", h5file.ErrType, func() error { return s.vstr.Write([]int32{1, 2, 3}) }, ""},
		{"write int32 to fixed strings", h5file.ErrType, func() error { return s.fixstr.Write([]int32{1, 2, 3}) }, ""},
		{"write a long string to S4", h5file.ErrType, func() error { return s.fixstr.Write([]string{"a", "toolong", "c"}) }, ""},
		{"write floats to vlen strings", h5file.ErrType, func() error { return s.vstr.Write([]float64{1, 2, 3}) }, ""},
		{"attribute read as string", nil, func() error { var v string; return s.g.Attrs().Read("a", &v) }, ""},
		{"attribute of a channel", nil, func() error { return s.g.Attrs().Set("ch", make(chan int)) }, ""},
		{"resize a fixed dataset", nil, func() error { return d.Resize(8, 5) }, ""},
		{"resize with the wrong rank", nil, func() error { return c.Resize(2, 2) }, ""},
		{"dataset of a func type", nil, func() error { _, err := h5file.CreateDatasetOf[func()](s.f, "f", []uint64{1}); return err }, ""},
		{"dataset name taken", h5file.ErrExists, func() error { _, err := h5file.CreateDatasetOf[int8](s.g, "d", []uint64{1}); return err }, ""},
		{"missing dataset", h5file.ErrNotFound, func() error { _, err := s.f.Dataset("nope"); return err }, ""},
		{"a group opened as a dataset", nil, func() error { _, err := s.f.Dataset("g"); return err }, ""},
	}
	for _, set := range [][]tc{outOfBounds, wrongType} {
		for _, tc := range set {
			t.Run(tc.name, func(t *testing.T) {
				if tc.bug != "" {
					t.Skip(tc.bug)
				}
				err := noPanic(t, tc.name, tc.call)
				switch {
				case err == nil:
					t.Errorf("%s: no error", tc.name)
				case tc.want != nil && !errors.Is(err, tc.want):
					t.Errorf("%s: %v, want errors.Is %v", tc.name, err, tc.want)
				}
			})
		}
	}
	// The type error names both sides, as h5py's TypeError does.
	for _, c := range []struct {
		err  error
		want string
	}{
		{d.Read(make([]string, 20)), "cannot read int32 data into []string"},
		{second(h5file.ReadAll[int32](s.vstr)), "cannot read variable-length string data into []int32"},
		{second(h5file.ReadAll[int32](s.fixstr)), "cannot read fixed-length string (S4) data into []int32"},
		{second(h5file.ReadAll[[]int32](c)), "cannot read float64 data into [][]int32"},
	} {
		if !errors.Is(c.err, h5file.ErrType) || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%v, want ErrType saying %q", c.err, c.want)
		}
	}
	// Either kind of string dataset reads into strings and byte slices.
	for _, sd := range []*h5file.Dataset{s.vstr, s.fixstr} {
		got, err := h5file.ReadAll[string](sd)
		if err != nil || fmt.Sprint(got) != "[a bc def]" {
			t.Errorf("ReadAll[string] of %v: %q, %v", sd.Dtype(), got, err)
		}
		raw, err := h5file.ReadAll[[]byte](sd)
		if err != nil || len(raw) != 3 || string(raw[2]) != "def" {
			t.Errorf("ReadAll[[]byte] of %v: %q, %v", sd.Dtype(), raw, err)
		}
		var one []byte
		if err := sd.ReadSel(h5file.S(h5file.Index(1)), &one); err != nil || string(one) != "bc" {
			t.Errorf("read one element of %v into []byte: %q, %v", sd.Dtype(), one, err)
		}
		var anys []any
		if err := sd.Read(&anys); err != nil || fmt.Sprint(anys) != "[a bc def]" {
			t.Errorf("read %v into []any: %v, %v", sd.Dtype(), anys, err)
		}
	}

	// The file is intact after all that.
	if err := d.Write(twenty); err != nil {
		t.Fatalf("a good write after the bad ones: %v", err)
	}
	if err := s.f.Close(); err != nil {
		t.Fatal(err)
	}

	// Read-only.
	f, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := f.Dataset("g/d")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.Dataset("c")
	if err != nil {
		t.Fatal(err)
	}
	rg, err := f.Group("g")
	if err != nil {
		t.Fatal(err)
	}
	readOnly := []tc{
		{"Write", nil, func() error { return rd.Write(twenty) }, ""},
		{"WriteSel", nil, func() error { return rd.WriteSel(h5file.S(h5file.Index(0), h5file.Range(0, 5)), make([]int32, 5)) }, ""},
		{"CreateGroup", nil, func() error { _, err := f.CreateGroup("new"); return err }, ""},
		{"CreateDataset", nil, func() error { _, err := h5file.CreateDatasetOf[int8](f, "new", []uint64{1}); return err }, ""},
		{"attribute Set", nil, func() error { return rg.Attrs().Set("b", 2) }, ""},
		{"attribute Delete", nil, func() error { return rg.Attrs().Delete("a") }, ""},
		{"Resize", nil, func() error { return rc.Resize(8) }, ""},
		{"Delete", nil, func() error { return f.Delete("g") }, ""},
		{"Move", nil, func() error { return f.Move("g", "h") }, ""},
		{"SoftLink", nil, func() error { return f.SoftLink("l", "/g") }, ""},
	}
	for _, tc := range readOnly {
		t.Run("read-only "+tc.name, func(t *testing.T) {
			if tc.bug != "" {
				t.Skip(tc.bug)
			}
			if err := noPanic(t, tc.name, tc.call); !errors.Is(err, h5file.ErrReadOnly) {
				t.Errorf("%v, want ErrReadOnly", err)
			}
		})
	}
	if err := f.Flush(); err != nil {
		t.Errorf("Flush of a read-only file: %v (h5py allows it)", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// Use after Close, for a writable file and its objects.
	w, err := h5file.Open(path, "r+")
	if err != nil {
		t.Fatal(err)
	}
	wd, err := w.Dataset("g/d")
	if err != nil {
		t.Fatal(err)
	}
	wg, err := w.Group("g")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	afterClose := []tc{
		{"Write", nil, func() error { return wd.Write(twenty) }, ""},
		{"Read", nil, func() error { return wd.Read(make([]int32, 20)) }, ""},
		{"ReadAll", nil, func() error { _, err := h5file.ReadAll[int32](wd); return err }, ""},
		{"Resize", nil, func() error { return wd.Resize(4, 5) }, ""},
		{"Flush", nil, w.Flush, ""},
		{"CreateGroup", nil, func() error { _, err := w.CreateGroup("x"); return err }, ""},
		{"Group", nil, func() error { _, err := w.Group("g"); return err }, ""},
		{"Dataset", nil, func() error { _, err := wg.Dataset("d"); return err }, ""},
		{"Keys", nil, func() error { _, err := wg.Keys(); return err }, ""},
		{"Visit", nil, func() error { return w.Visit(func(string, h5file.Object) error { return nil }) }, ""},
		{"attribute Set", nil, func() error { return wg.Attrs().Set("b", 1) }, ""},
		{"attribute Read", nil, func() error { var v int64; return wg.Attrs().Read("a", &v) }, ""},
		{"attribute Get", nil, func() error { _, err := wg.Attrs().Get("a"); return err }, ""},
		{"FillValue", nil, func() error { var v int32; return wd.FillValue(&v) }, ""},
	}
	for _, tc := range afterClose {
		t.Run("after Close "+tc.name, func(t *testing.T) {
			if tc.bug != "" {
				t.Skip(tc.bug)
			}
			if err := noPanic(t, tc.name, tc.call); !errors.Is(err, h5file.ErrClosed) {
				t.Errorf("%v, want ErrClosed", err)
			}
		})
	}
	noPanic(t, "after Close getters", func() error {
		_ = wd.Shape()
		_ = wd.Dtype()
		_ = wd.Len()
		_ = wg.Attrs().Names()
		_ = wg.Len()
		_ = w.Contains("g")
		return nil
	})
	if err := noPanic(t, "Close twice", w.Close); err != nil {
		t.Errorf("Close twice: %v, want nil (closing twice is not an error)", err)
	}
}

// TestReadTypeBeforeData: a destination of the wrong type is refused
// before anything is read or allocated, so the error is ErrType even where
// the read itself would fail first (here: a dataset never written, whose
// storage lies past the end of a new file), and names both types.
func TestReadTypeBeforeData(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "fresh.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "d", []uint64{4, 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"Read into []string", func() error { return d.Read(make([]string, 20)) }, "cannot read int32 data into []string"},
		{"ReadAll[string]", func() error { _, err := h5file.ReadAll[string](d); return err }, "cannot read int32 data into []string"},
		{"ReadSel into *string", func() error {
			var v string
			return d.ReadSel(h5file.S(h5file.Index(0), h5file.Index(0)), &v)
		}, "cannot read int32 data into string"},
	} {
		err := noPanic(t, c.name, c.call)
		if !errors.Is(err, h5file.ErrType) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrType saying %q", c.name, err, c.want)
		}
	}
}

// TestReadBeforeWrite: a dataset created and never written reads as its
// fill value (h5py reads zeros), also when its storage lies past the end of
// the file written so far.
func TestReadBeforeWrite(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "fresh.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, fill := range []any{nil, int32(7)} {
		var opts []h5file.DatasetOption
		if fill != nil {
			opts = append(opts, h5file.FillValue(fill))
		}
		d, err := h5file.CreateDatasetOf[int32](f, fmt.Sprintf("d%v", fill != nil), []uint64{4, 5}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h5file.ReadAll[int32](d)
		want := int32(0)
		if fill != nil {
			want = fill.(int32)
		}
		if err != nil || len(got) != 20 || got[19] != want {
			t.Errorf("ReadAll of a never-written dataset (fill %v): %v, %v; want 20 of %d", fill, got, err, want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
