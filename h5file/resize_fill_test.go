package h5file_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestShrinkThenGrowFills: shrinking a chunked dataset and growing it
// again shows the fill value in the part cut off, as libhdf5 does (it
// fills the cut-off part of each partly kept chunk): plain and gzip
// chunks, default and set fill values, 1-D and 2-D. libhdf5 (through
// h5py) makes the same calls on its own file; both must read the same,
// and h5py must read our file so too.
func TestShrinkThenGrowFills(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.h5")
	f, err := h5file.Create(ours, "w")
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		name  string
		opts  []h5file.DatasetOption
		shape []uint64
		sizes [][]uint64 // resizes in order
	}
	steps := []step{
		{"plain", []h5file.DatasetOption{h5file.Chunks(4), h5file.FillValue(int32(-1))}, []uint64{10}, [][]uint64{{6}, {10}}},
		{"zero", []h5file.DatasetOption{h5file.Chunks(4)}, []uint64{10}, [][]uint64{{5}, {9}}},
		{"gzip", []h5file.DatasetOption{h5file.Chunks(4), h5file.Gzip(4), h5file.FillValue(int32(7))}, []uint64{10}, [][]uint64{{3}, {10}}},
		{"twod", []h5file.DatasetOption{h5file.Chunks(3, 3), h5file.FillValue(int32(-5))}, []uint64{6, 6}, [][]uint64{{4, 5}, {6, 6}}},
	}
	for _, s := range steps {
		maxs := make([]uint64, len(s.shape))
		for i := range maxs {
			maxs[i] = h5file.Unlimited
		}
		d, err := h5file.CreateDatasetOf[int32](f, s.name, s.shape, append(s.opts, h5file.MaxShape(maxs...))...)
		if err != nil {
			t.Fatal(err)
		}
		n := d.Size()
		vals := make([]int32, n)
		for i := range vals {
			vals[i] = int32(i)
		}
		if err := d.Write(vals); err != nil {
			t.Fatal(err)
		}
		for _, sz := range s.sizes {
			if err := d.Resize(sz...); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string][]int32{}
	for _, s := range steps {
		d, _ := f.Dataset(s.name)
		v, err := h5file.ReadAll[int32](d)
		if err != nil {
			t.Fatal(err)
		}
		got[s.name] = v
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "h5py.h5")
	out := interop.H5Py(t, fmt.Sprintf(`
import json
f = h5py.File(%q, 'w')
def make(name, shape, chunks, sizes, **kw):
    d = f.create_dataset(name, shape=shape, maxshape=(None,)*len(shape), chunks=chunks, dtype='<i4', **kw)
    d[...] = np.arange(int(np.prod(shape)), dtype='<i4').reshape(shape)
    for s in sizes:
        d.resize(s)
make('plain', (10,), (4,), [(6,), (10,)], fillvalue=-1)
make('zero', (10,), (4,), [(5,), (9,)])
make('gzip', (10,), (4,), [(3,), (10,)], fillvalue=7, compression='gzip')
make('twod', (6, 6), (3, 3), [(4, 5), (6, 6)], fillvalue=-5)
g = h5py.File(%q, 'r')
print(json.dumps({'libhdf5': {k: f[k][()].ravel().tolist() for k in f}, 'ours': {k: g[k][()].ravel().tolist() for k in g}}))
`, theirs, ours))
	var ref map[string]map[string][]int32
	if err := json.Unmarshal([]byte(out), &ref); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, s := range steps {
		want := ref["libhdf5"][s.name]
		if !slices.Equal(got[s.name], want) {
			t.Errorf("%s: we read\n%v\nlibhdf5 made\n%v", s.name, got[s.name], want)
		}
		if !slices.Equal(ref["ours"][s.name], want) {
			t.Errorf("%s: h5py reads our file as\n%v\nlibhdf5 made\n%v", s.name, ref["ours"][s.name], want)
		}
	}
}
