package h5file_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	r, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, r); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestModifyFeatureFiles opens libhdf5's files with external storage,
// virtual datasets and empty datasets for appending, changes them
// (attributes on those datasets, a new dataset), and has h5py and h5dump
// read old and new values right: the external file list, the virtual
// mappings and the null dataspace are written back as they were. Writing
// the data of an external or virtual dataset is refused.
func TestModifyFeatureFiles(t *testing.T) {
	t.Setenv("HDF5_EXTFILE_PREFIX", "${ORIGIN}") // h5dump finds the external data files beside the file
	dir := t.TempDir()
	src := "../testdata/libhdf5/features"
	for _, n := range []string{"external.h5", "external_a.bin", "external_b.bin", "external_c.bin", "virtual.h5", "virtual_src.h5", "empty.h5"} {
		copyFile(t, filepath.Join(src, n), filepath.Join(dir, n))
	}
	for _, c := range []struct{ file, dset string }{{"external.h5", "ext"}, {"virtual.h5", "stacked"}, {"empty.h5", "empty_f4"}} {
		p := filepath.Join(dir, c.file)
		f, err := h5file.Open(p, "a")
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset(c.dset)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Attrs().Set("note", "changed by gorun"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.CreateDatasetFrom("added", []int16{4, 5}); err != nil {
			t.Fatal(err)
		}
		if c.dset != "empty_f4" {
			if err := d.Write(make([]int32, d.Size())); err == nil {
				t.Errorf("%s: writing %s succeeded", c.file, c.dset)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if out, code := interop.H5Dump(t, p); code != 0 {
			t.Fatalf("h5dump %s: exit %d\n%s", p, code, out)
		}
	}
	out := interop.H5Py(t, fmt.Sprintf(`
import os
os.chdir(%q)
f = h5py.File('external.h5', 'r')
assert list(f['ext'][()]) == list(range(10)) + list(range(100, 114)), f['ext'][()]
assert f['ext'].external[0][0] == 'external_a.bin'
assert f['ext'].attrs['note'] == 'changed by gorun' and list(f['added'][()]) == [4, 5]
f = h5py.File('virtual.h5', 'r')
assert f['stacked'].is_virtual and f['stacked'][()].ravel().tolist() == list(range(5)) + list(range(10, 15)) + list(range(20, 25)) + [-1] * 5, f['stacked'][()]
assert f['stacked'].attrs['note'] == 'changed by gorun' and list(f['interleaved'][()]) == [3, 0, 9, 6, 15, 12, 21, 18]
f = h5py.File('empty.h5', 'r')
assert isinstance(f['empty_f4'][()], h5py.Empty) and f['empty_f4'].attrs['note'] == 'changed by gorun'
assert isinstance(f.attrs['empty_attr'], h5py.Empty)
print('ok')
`, dir))
	if strings.TrimSpace(out) != "ok" {
		t.Fatalf("h5py: %s", out)
	}
}

// TestVirtualLoop: a virtual dataset whose mapping leads back to itself
// is an error on read, not an endless recursion.
func TestVirtualLoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loop.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
lay = h5py.VirtualLayout(shape=(3,), dtype='<i4')
lay[:] = h5py.VirtualSource('.', 'loop', shape=(3,))
f.create_virtual_dataset('loop', lay, fillvalue=1)
`, path))
	f, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("loop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h5file.ReadAll[int32](d); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("ReadAll = %v, want an error about nesting", err)
	}
}
