package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestModifyH5pyFile writes into an h5py file whose storage libhdf5 never
// allocated (late/incremental allocation), then h5py reads our changes.
func TestModifyH5pyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h5py.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
f.create_dataset('chunked', shape=(10,), dtype='i4', chunks=(4,), fillvalue=-1)
f.create_dataset('gz', shape=(10,), dtype='i4', chunks=(4,), compression='gzip')
f.create_dataset('contig', shape=(6,), dtype='f8')
`, path))
	f, err := h5file.Open(path, "r+")
	must(t, err)
	for _, name := range []string{"chunked", "gz"} {
		d, err := f.Dataset(name)
		must(t, err)
		must(t, d.WriteSel(h5file.S(h5file.Range(3, 6)), []int32{7, 8, 9}))
	}
	d, err := f.Dataset("contig")
	must(t, err)
	must(t, d.WriteSel(h5file.S(h5file.Index(2)), []float64{2.5}))
	must(t, f.Attrs().Set("by", "gorun"))
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
print(f['chunked'][()].tolist(), f['gz'][()].tolist(), f['contig'][()].tolist(), f.attrs['by'])
`, path))
	want := "[-1, -1, -1, 7, 8, 9, -1, -1, -1, -1] [0, 0, 0, 7, 8, 9, 0, 0, 0, 0] [0.0, 0.0, 2.5, 0.0, 0.0, 0.0] gorun\n"
	if out != want {
		t.Errorf("h5py reads %q, want %q", out, want)
	}
	if out, code := interop.H5Dump(t, path); code != 0 {
		t.Errorf("h5dump exit %d: %s", code, out)
	}
}
