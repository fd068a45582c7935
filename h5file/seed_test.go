package h5file_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestSeed writes the seed's dataset from one process and checks h5dump
// prints exactly testdata/seed/parallel_test.h5dump.txt.
func TestSeed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parallel_test.hdf5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[int32](f, "test", []uint64{4})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write([]int32{0, 1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, code := interop.H5Dump(t, path)
	if code != 0 {
		t.Fatalf("h5dump exit %d\n%s", code, out)
	}
	want, err := os.ReadFile("../testdata/seed/parallel_test.h5dump.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := interop.NormalizeDump(out, path, "/tmp/parallel_test.hdf5"); got != string(want) {
		t.Fatalf("h5dump:\n%s\nwant:\n%s", got, want)
	}
}
