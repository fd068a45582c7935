package h5file_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestReadTooLarge: reading a dataset whose declared size exceeds memory
// returns ErrTooLarge before allocating (h5py raises MemoryError), for a
// file of ours and one h5py made; a selection of it still reads.
func TestReadTooLarge(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.h5")
	f, err := h5file.Create(ours, "w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h5file.CreateDatasetOf[float64](f, "huge", []uint64{1 << 40}, h5file.Chunks(1<<16), h5file.Gzip(1)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "h5py.h5")
	interop.H5Py(t, `
f = h5py.File(`+"'"+theirs+"'"+`, 'w', libver='latest')
f.create_dataset('huge', shape=(2**38, 2**10), maxshape=(None, 2**10), dtype='i2', chunks=(1024, 1024))
`)
	for _, p := range []string{ours, theirs} {
		f, err := h5file.Open(p, "r")
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset("huge")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h5file.ReadAll[float64](d); !errors.Is(err, h5file.ErrTooLarge) {
			t.Errorf("%s: ReadAll = %v, want ErrTooLarge", p, err)
		}
		var any []any
		if err := d.Read(&any); !errors.Is(err, h5file.ErrTooLarge) {
			t.Errorf("%s: Read into []any = %v, want ErrTooLarge", p, err)
		}
		sel := h5file.S(h5file.Range(5, 7))
		if len(d.Shape()) == 2 {
			sel = h5file.S(h5file.Range(5, 7), h5file.Range(0, 2))
		}
		if got, err := h5file.ReadSlice[float64](d, sel); err != nil || len(got) != 2*len(d.Shape()) {
			t.Errorf("%s: a selection of it = %v, %v", p, got, err)
		}
		f.Close()
	}
}
