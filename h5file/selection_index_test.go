package h5file_test

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// TestIndex: Index counts from the end when negative, as h5py's dset[-1],
// and refuses an index outside the dimension, as h5py's IndexError.
func TestIndex(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "i.h5"), "w")
	must(t, err)
	defer f.Close()
	d, err := f.CreateDatasetFrom("x", []int32{10, 11, 12, 13})
	must(t, err)
	for _, tc := range []struct {
		i    int64
		want []int32
	}{{0, []int32{10}}, {3, []int32{13}}, {-1, []int32{13}}, {-4, []int32{10}}, {4, nil}, {-5, nil}, {1 << 40, nil}} {
		got, err := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(tc.i)))
		if tc.want == nil {
			if !errors.Is(err, h5file.ErrShape) {
				t.Errorf("Index(%d): %v %v, want ErrShape", tc.i, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Index(%d) = %v, %v; want %v", tc.i, got, err, tc.want)
		}
	}
}
