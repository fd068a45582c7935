package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

func TestModes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.h5")
	missing := filepath.Join(dir, "missing.h5")

	// w creates; w-/x refuse an existing file.
	f, err := h5file.Create(path, "w")
	must(t, err)
	_, err = f.CreateDatasetFrom("x", []int32{1, 2})
	must(t, err)
	must(t, f.Close())
	for _, mode := range []string{"w-", "x"} {
		if _, err := h5file.Create(path, mode); !errors.Is(err, h5file.ErrExists) {
			t.Errorf("Create(existing, %q) = %v, want ErrExists", mode, err)
		}
	}
	// r and r+ need the file.
	for _, mode := range []string{"r", "r+"} {
		if _, err := h5file.Open(missing, mode); err == nil {
			t.Errorf("Open(missing, %q) succeeded", mode)
		}
	}
	if _, err := h5file.Open(path, "rw"); !errors.Is(err, h5file.ErrMode) {
		t.Errorf("Open(mode rw) = %v, want ErrMode", err)
	}
	if _, err := h5file.Create(path, "r"); !errors.Is(err, h5file.ErrMode) {
		t.Errorf("Create(mode r) = %v, want ErrMode", err)
	}

	// r: reads work, writes of every kind fail with ErrReadOnly.
	f, err = h5file.Open(path, "r")
	must(t, err)
	d, err := f.Dataset("x")
	must(t, err)
	got, err := h5file.ReadAll[int32](d)
	must(t, err)
	if !reflect.DeepEqual(got, []int32{1, 2}) {
		t.Fatalf("x = %v", got)
	}
	writes := map[string]error{
		"Write":       d.Write([]int32{3, 4}),
		"CreateGroup": func() error { _, err := f.CreateGroup("g"); return err }(),
		"SetAttr":     d.Attrs().Set("a", 1),
		"Resize":      d.Resize(3),
		"Create":      func() error { _, err := f.CreateDatasetFrom("y", 1.0); return err }(),
	}
	for name, err := range writes {
		if !errors.Is(err, h5file.ErrReadOnly) {
			t.Errorf("%s on a read-only file = %v, want ErrReadOnly", name, err)
		}
	}
	must(t, f.Close())

	// r+ modifies; a appends to an existing file and creates a missing one.
	f, err = h5file.Open(path, "r+")
	must(t, err)
	d, err = f.Dataset("x")
	must(t, err)
	must(t, d.Write([]int32{5, 6}))
	must(t, f.Close())
	f, err = h5file.Open(path, "a")
	must(t, err)
	_, err = f.CreateGroup("added")
	must(t, err)
	must(t, f.Close())
	f, err = h5file.Open(missing, "a")
	must(t, err)
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
print(f['x'][()].tolist(), list(f.keys()))
print(len(h5py.File(%q, 'r').keys()))
`, path, missing))
	if out != "[5, 6] ['added', 'x']\n0\n" {
		t.Errorf("h5py sees %q", out)
	}
	// w truncates.
	f, err = h5file.Create(path, "w")
	must(t, err)
	if keys, _ := f.Keys(); len(keys) != 0 {
		t.Errorf("w did not truncate: %v", keys)
	}
	must(t, f.Close())
}

func TestUseAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	d, err := f.CreateDatasetFrom("x", []int32{1})
	must(t, err)
	g, err := f.CreateGroup("g")
	must(t, err)
	must(t, f.Close())
	must(t, f.Close()) // twice is fine
	var v []int32
	calls := map[string]error{
		"Read":        d.Read(&v),
		"Write":       d.Write([]int32{2}),
		"Flush":       f.Flush(),
		"CreateGroup": func() error { _, err := g.CreateGroup("h"); return err }(),
		"Get":         func() error { _, err := f.Get("x"); return err }(),
		"SetAttr":     g.Attrs().Set("a", "b"),
		"GetAttr":     func() error { _, err := g.Attrs().Get("a"); return err }(),
	}
	for name, err := range calls {
		if !errors.Is(err, h5file.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	path := filepath.Join(t.TempDir(), "ctx.h5")
	f, err := h5file.Create(path, "w", h5file.WithContext(ctx))
	must(t, err)
	cancel()
	if _, err := f.CreateGroup("g"); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateGroup after cancel = %v", err)
	}
	f.Close()
}

func TestErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	defer f.Close()
	d, err := h5file.CreateDatasetOf[float64](f, "d", []uint64{4, 4})
	must(t, err)
	cases := map[string]struct {
		err  error
		want error
	}{
		"short write":       {d.Write([]float64{1}), h5file.ErrShape},
		"wrong type":        {d.Write([]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"}), h5file.ErrType},
		"out of range":      {d.WriteSel(h5file.S(h5file.Range(2, 6)), make([]float64, 16)), h5file.ErrShape},
		"too many slices":   {d.WriteSel(h5file.S(h5file.All, h5file.All, h5file.All), nil), h5file.ErrShape},
		"negative step":     {d.ReadSel(h5file.S(h5file.RangeStep(0, 4, -1)), new([]float64)), h5file.ErrShape},
		"bad hyperslab":     {d.ReadSel(h5file.Hyperslab{Start: []uint64{0}, Count: []uint64{1}}, new([]float64)), h5file.ErrShape},
		"read into value":   {d.Read(new(float64)), h5file.ErrShape},
		"read non-pointer":  {d.Read(1.0), h5file.ErrType},
		"missing":           {func() error { _, err := f.Get("nope"); return err }(), h5file.ErrNotFound},
		"exists":            {func() error { _, err := f.CreateGroup("d"); return err }(), h5file.ErrExists},
		"dataset as parent": {func() error { _, err := f.CreateGroup("d/b"); return err }(), nil},
		"resize contiguous": {d.Resize(5, 5), nil},
		"group as dataset":  {func() error { _, err := f.Dataset("/"); return err }(), h5file.ErrType},
		"unsupported type":  {func() error { _, err := f.CreateDatasetFrom("m", map[string]int{}); return err }(), h5file.ErrType},
	}
	for name, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if c.want != nil && !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", name, c.err, c.want)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
