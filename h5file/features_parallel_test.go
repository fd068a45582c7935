package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestParallelReadFeatures: 4 ranks open the feature files together (rank
// 0 reads the metadata and shares it) and each reads user-block, virtual,
// external and never-written datasets, getting what a serial read gets.
func TestParallelReadFeatures(t *testing.T) {
	cases := []struct{ file, dset string }{
		{"userblock_4096.h5", "contig"}, {"userblock_512.h5", "chunked"}, {"virtual.h5", "block"},
		{"external.h5", "ext"}, {"unwritten_latest.h5", "plain/gz_fixed"}, {"unwritten_latest.h5", "plain/bt2"},
		{"types.h5", "f16"},
	}
	want := make([][]float64, len(cases))
	for i, c := range cases {
		f, err := h5file.Open(filepath.Join("../testdata/libhdf5/features", c.file), "r")
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset(c.dset)
		if err != nil {
			t.Fatal(err)
		}
		if want[i], err = h5file.ReadAll[float64](d); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	noErrors(t, h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		for i, tc := range cases {
			f, err := h5file.Open(filepath.Join("../testdata/libhdf5/features", tc.file), "r", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			d, err := f.Dataset(tc.dset)
			if err != nil {
				return err
			}
			got, err := h5file.ReadAll[float64](d)
			if err != nil {
				return err
			}
			if !slices.Equal(got, want[i]) {
				return fmt.Errorf("%s:%s: rank %d reads %v, serial %v", tc.file, tc.dset, c.Rank(), got, want[i])
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TestParallelShrinkThenGrow: 3 ranks write their columns of plain and
// gzip chunked datasets, shrink and grow them collectively; the cut-off
// part reads as the fill value in h5py, as libhdf5 would have it.
func TestParallelShrinkThenGrow(t *testing.T) {
	const n = 3
	path := filepath.Join(t.TempDir(), "shrink.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		for _, gz := range []bool{false, true} {
			opts := []h5file.DatasetOption{h5file.Chunks(4, 4), h5file.MaxShape(h5file.Unlimited, 3*n), h5file.FillValue(int32(-9))}
			name := "plain"
			if gz {
				opts, name = append(opts, h5file.Gzip(1)), "gzip"
			}
			d, err := h5file.CreateDatasetOf[int32](f, name, []uint64{10, 3 * n}, opts...)
			if err != nil {
				return err
			}
			col := make([]int32, 30)
			for i := range col {
				col[i] = int32(100*r) + int32(i)
			}
			sel := h5file.S(h5file.Range(0, 10), h5file.Range(3*r, 3*r+3))
			if gz {
				err = d.Collective().WriteSel(sel, col)
			} else {
				err = d.WriteSel(sel, col)
			}
			if err != nil {
				return err
			}
			if err := d.Resize(6, 3*n); err != nil {
				return err
			}
			if err := d.Resize(10, 3*n); err != nil {
				return err
			}
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
want = np.full((10, %d), -9, '<i4')
for r in range(%d):
    want[:6, 3*r:3*r+3] = (100*r + np.arange(30)).reshape(10, 3)[:6]
print(all((f[k][()] == want).all() for k in ('plain', 'gzip')))
`, path, 3*n, n))
	if strings.TrimSpace(out) != "True" {
		t.Fatalf("h5py: %s", out)
	}
}
