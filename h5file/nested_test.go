package h5file_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestNestedSlices: nested Go slices make N-D datasets that h5py reads
// with the same shape and values, ReadND gives them back with their shape,
// and ragged nestings are ErrShape errors.
func TestNestedSlices(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	m2 := [][]float64{{1, 2, 3}, {4, 5, 6}}
	m3 := [][][]int16{{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}}
	if _, err := f.CreateDatasetFrom("m2", m2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateDatasetFrom("m3", m3); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateDatasetFrom("empty", [][]float32{}); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]any{
		"ragged2": [][]float64{{1, 2}, {3}},
		"ragged3": [][][]int32{{{1}, {2}}, {{3}, {4, 5}}},
	} {
		if _, err := f.CreateDatasetFrom(name, data); !errors.Is(err, h5file.ErrShape) {
			t.Errorf("%s: %v, want ErrShape", name, err)
		}
	}
	// An explicit type keeps the old meaning: a list of sequences.
	if _, err := f.CreateDatasetFrom("vlen", [][]int32{{1}, {2, 3}}, h5file.WithDtype(h5file.VlenOf(h5file.Int32))); err != nil {
		t.Fatal(err)
	}
	d, err := f.Dataset("m3")
	if err != nil {
		t.Fatal(err)
	}
	got, shape, err := h5file.ReadND[int16](d)
	if err != nil || !reflect.DeepEqual(shape, []uint64{2, 3, 2}) || !reflect.DeepEqual(got, []int16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) {
		t.Errorf("ReadND(m3) = %v, %v, %v", got, shape, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := interop.H5Py(t, `
f = h5py.File('`+path+`', 'r')
for n in ['m2', 'm3', 'empty', 'vlen']:
    d = f[n]
    print(n, d.shape, d.dtype, [list(x) for x in d[()]] if n == 'vlen' else d[()].tolist())
print(sorted(f.keys()))
`)
	want := "m2 (2, 3) float64 [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]\n" +
		"m3 (2, 3, 2) int16 [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]\n" +
		"empty (0, 0) float32 []\n" +
		"vlen (2,) object [[1], [2, 3]]\n" +
		"['empty', 'm2', 'm3', 'vlen']\n"
	if out != want {
		t.Errorf("h5py read:\n%s\nwant:\n%s", out, want)
	}
}
