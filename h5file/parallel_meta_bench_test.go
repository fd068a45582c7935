package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// BenchmarkMeta1000 is one rank's share of the metadata benchmark: 1000
// datasets of shape (16,) int32 in 10 groups, one element written to each.
func BenchmarkMeta1000(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		f, err := h5file.Create(filepath.Join(dir, "m.h5"), "w")
		if err != nil {
			b.Fatal(err)
		}
		for gi := range 10 {
			g, err := f.CreateGroup(fmt.Sprintf("g%d", gi))
			if err != nil {
				b.Fatal(err)
			}
			for di := range 100 {
				d, err := h5file.CreateDatasetOf[int32](g, fmt.Sprintf("d%02d", di), []uint64{16})
				if err != nil {
					b.Fatal(err)
				}
				if err := d.WriteSel(h5file.S(h5file.Index(0)), []int32{1}); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
