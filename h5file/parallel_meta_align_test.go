package h5file

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestAlignLargeData: the raw data of a dataset of 1 MiB or more starts
// on a 4 KiB boundary (libhdf5's H5Pset_alignment(1 MiB, 4 KiB)), small
// ones are not aligned, and h5py reads the file.
func TestAlignLargeData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "align.h5")
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	small, err := CreateDatasetOf[int32](f.Root(), "small", []uint64{5})
	if err != nil {
		t.Fatal(err)
	}
	big, err := CreateDatasetOf[float64](f.Root(), "big", []uint64{1 << 17})
	if err != nil {
		t.Fatal(err)
	}
	after, err := CreateDatasetOf[int32](f.Root(), "after", []uint64{3})
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := big.d.DataAddr(); a%4096 != 0 {
		t.Errorf("1 MiB dataset's data at %d, not 4 KiB aligned", a)
	}
	ba, _ := big.d.DataAddr()
	if aa, _ := after.d.DataAddr(); aa < ba {
		t.Errorf("small dataset after the large one (at %d) at %d: want it after", ba, aa)
	}
	x := make([]float64, 1<<17)
	for i := range x {
		x[i] = float64(i)
	}
	if err := big.Write(x); err != nil {
		t.Fatal(err)
	}
	if err := small.Write([]int32{1, 2, 3, 4, 5}); err != nil {
		t.Fatal(err)
	}
	if err := after.Write([]int32{7, 8, 9}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
b = f['big'][()]
print(f['small'][()].tolist(), f['after'][()].tolist(), b[0], b[-1], len(b))`, path))
	if want := "[1, 2, 3, 4, 5] [7, 8, 9] 0.0 131071.0 131072\n"; out != want {
		t.Fatalf("h5py: %q, want %q", out, want)
	}
}
