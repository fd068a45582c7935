package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// BenchmarkReadGzipH5py reads a 32 MiB float64 dataset that h5py wrote
// with chunks of 1 MiB and gzip level 4, bench/serial's "chunked+deflate(4)
// read of h5py's file" at a quarter of its size: for profiles of the
// compressed read path (go test -bench ReadGzipH5py -cpuprofile).
func BenchmarkReadGzipH5py(b *testing.B) {
	const n = 1 << 22
	path := filepath.Join(b.TempDir(), "gz.h5")
	interop.H5Py(b, fmt.Sprintf(`
x = (np.arange(%d) %% 1000) * 0.5
with h5py.File(%q, 'w') as f:
    f.create_dataset('x', data=x, chunks=(131072,), compression='gzip', compression_opts=4)
`, n, path))
	out := make([]float64, n)
	b.SetBytes(n * 8)
	for b.Loop() {
		f, err := h5file.Open(path, "r")
		if err != nil {
			b.Fatal(err)
		}
		d, _ := f.Dataset("x")
		if err := d.Read(out); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	if out[n-1] != float64((n-1)%1000)*0.5 {
		b.Fatalf("last element %v", out[n-1])
	}
}
