package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// BenchmarkVirtualRead reads a virtual dataset of 4 rows of 2M float64,
// each row a dataset of another file (h5py's VirtualLayout), whole and
// every 1000th column (numbers in the commit that added it).
func BenchmarkVirtualRead(b *testing.B) {
	dir := b.TempDir()
	interop.H5Py(b, fmt.Sprintf(`
import os
os.chdir(%q)
with h5py.File('src.h5', 'w') as s:
    for i in range(4):
        s['s%%d' %% i] = np.arange(2_000_000, dtype='f8') + i
lay = h5py.VirtualLayout(shape=(4, 2_000_000), dtype='f8')
for i in range(4):
    lay[i] = h5py.VirtualSource('src.h5', 's%%d' %% i, shape=(2_000_000,))
with h5py.File('vds.h5', 'w') as f:
    f.create_virtual_dataset('v', lay, fillvalue=-1)
`, dir))
	f, err := h5file.Open(filepath.Join(dir, "vds.h5"), "r")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("v")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		sel  h5file.Slices
		n    int64
	}{
		{"whole", h5file.S(h5file.All, h5file.All), 8_000_000},
		{"strided", h5file.S(h5file.All, h5file.RangeStep(0, h5file.End, 1000)), 8000},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(8 * c.n)
			var out []float64
			for b.Loop() {
				if err := d.ReadSel(c.sel, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
