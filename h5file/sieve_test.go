package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestSievedReads reads selections of many short runs (a column, strided
// rows, blocks, spans past the 1 MiB sieve) from contiguous and chunked
// datasets h5py wrote, and checks every element against its value there.
func TestSievedReads(t *testing.T) {
	const R, C = 3000, 1000
	path := filepath.Join(t.TempDir(), "sieve.h5")
	interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'w')
x = np.arange(%d * %d, dtype='<i4').reshape(%d, %d)
f['contig'] = x
f.create_dataset('chunked', data=x, chunks=(64, 100))
f.close()`, path, R, C, R, C))
	f, err := h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	for _, name := range []string{"contig", "chunked"} {
		d, err := f.Dataset(name)
		must(t, err)
		for _, tc := range []struct {
			name string
			sel  h5file.Slices
			rows [3]int64 // start, stop, step
			cols [3]int64
		}{
			{"column", h5file.S(h5file.All, h5file.Index(7)), [3]int64{0, R, 1}, [3]int64{7, 8, 1}},
			{"last column", h5file.S(h5file.All, h5file.Index(-1)), [3]int64{0, R, 1}, [3]int64{C - 1, C, 1}},
			{"strided block", h5file.S(h5file.RangeStep(5, 2900, 3), h5file.RangeStep(1, 990, 7)), [3]int64{5, 2900, 3}, [3]int64{1, 990, 7}},
			{"block", h5file.S(h5file.Range(100, 2600), h5file.Range(250, 750)), [3]int64{100, 2600, 1}, [3]int64{250, 750, 1}},
			{"wide rows, direct", h5file.S(h5file.Range(10, 40)), [3]int64{10, 40, 1}, [3]int64{0, C, 1}},
		} {
			got, err := h5file.ReadSlice[int32](d, tc.sel)
			if err != nil {
				t.Fatalf("%s %s: %v", name, tc.name, err)
			}
			i := 0
			for r := tc.rows[0]; r < tc.rows[1]; r += tc.rows[2] {
				for c := tc.cols[0]; c < tc.cols[1]; c += tc.cols[2] {
					if i >= len(got) || got[i] != int32(r*C+c) {
						t.Fatalf("%s %s: element (%d, %d) = %v, want %d", name, tc.name, r, c, got[min(i, len(got)-1)], r*C+c)
					}
					i++
				}
			}
			if i != len(got) {
				t.Fatalf("%s %s: %d elements, want %d", name, tc.name, len(got), i)
			}
		}
	}
}
