package h5file_test

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// TestStorageSelections reads parts of virtual and external datasets
// (strided, offset, single rows and columns) and checks each against the
// same part cut from a whole read, which TestFeatureCorpus checks
// against h5py.
func TestStorageSelections(t *testing.T) {
	cases := []struct {
		file, dset string
		sels       []h5file.Slices
	}{
		{"virtual.h5", "block", []h5file.Slices{
			h5file.S(h5file.RangeStep(0, 5, 2), h5file.RangeStep(1, 7, 3)),
			h5file.S(h5file.Index(1), h5file.All),
			h5file.S(h5file.Range(1, 5), h5file.Index(3)),
			h5file.S(h5file.Range(4, 5), h5file.Range(0, 2)),
		}},
		{"virtual.h5", "stacked", []h5file.Slices{
			h5file.S(h5file.Range(1, 4), h5file.RangeStep(0, 5, 4)),
			h5file.S(h5file.Index(3), h5file.All),
		}},
		{"virtual.h5", "interleaved", []h5file.Slices{h5file.S(h5file.RangeStep(1, 8, 3)), h5file.S(h5file.Range(2, 3))}},
		{"external.h5", "ext", []h5file.Slices{h5file.S(h5file.Range(8, 12)), h5file.S(h5file.RangeStep(3, 24, 7))}},
		{"external.h5", "ext2d", []h5file.Slices{h5file.S(h5file.Index(1), h5file.RangeStep(0, 3, 2)), h5file.S(h5file.All, h5file.Index(2))}},
	}
	for _, c := range cases {
		f, err := h5file.Open(filepath.Join("../testdata/libhdf5/features", c.file), "r")
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset(c.dset)
		if err != nil {
			t.Fatal(err)
		}
		all, err := h5file.ReadAll[float64](d)
		if err != nil {
			t.Fatal(err)
		}
		shape := d.Shape()
		for _, sel := range c.sels {
			got, err := h5file.ReadSlice[float64](d, sel)
			if err != nil {
				t.Errorf("%s %v: %v", c.dset, sel, err)
				continue
			}
			want := cut(all, shape, sel)
			if !slices.Equal(got, want) {
				t.Errorf("%s %v: %v, want %v", c.dset, sel, got, want)
			}
		}
		f.Close()
	}
}

// cut returns the elements of a row-major array of shape (rank 1 or 2)
// that sel selects, in order.
func cut(all []float64, shape []uint64, sel h5file.Slices) []float64 {
	idx := func(s h5file.Slice, n uint64) []uint64 {
		var out []uint64
		stop := uint64(min(s.Stop, int64(n)))
		if s.Stop == math.MinInt64+1 { // an Index
			stop = uint64(s.Start) + 1
		}
		for i := uint64(s.Start); i < stop; i += uint64(s.Step) {
			out = append(out, i)
		}
		return out
	}
	if len(shape) == 1 {
		var out []float64
		for _, i := range idx(sel[0], shape[0]) {
			out = append(out, all[i])
		}
		return out
	}
	var out []float64
	for _, i := range idx(sel[0], shape[0]) {
		for _, j := range idx(sel[1], shape[1]) {
			out = append(out, all[i*shape[1]+j])
		}
	}
	return out
}
