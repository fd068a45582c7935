package h5core

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// layout4Cases are chunked datasets covering every index libhdf5 chooses
// in the newer family, with the index h5py gives the same dataset.
var layout4Cases = []struct {
	name             string
	shape, max, chnk []uint64
	gzip             bool
	py               string // h5py create_dataset arguments
}{
	{"fixed", []uint64{10, 12}, nil, []uint64{3, 5}, false, "shape=(10, 12), chunks=(3, 5)"},
	{"fixed_gzip", []uint64{10, 12}, nil, []uint64{3, 5}, true, "shape=(10, 12), chunks=(3, 5), compression='gzip', shuffle=True"},
	{"fixed_paged", []uint64{1100}, nil, []uint64{1}, false, "shape=(1100,), chunks=(1,)"},
	{"single", []uint64{3, 4}, nil, []uint64{3, 4}, false, "shape=(3, 4), chunks=(3, 4)"},
	{"single_gzip", []uint64{3, 4}, nil, []uint64{3, 4}, true, "shape=(3, 4), chunks=(3, 4), compression='gzip', shuffle=True"},
	{"bt2", []uint64{20, 21}, []uint64{Unlimited, Unlimited}, []uint64{2, 1}, false, "shape=(20, 21), maxshape=(None, None), chunks=(2, 1)"},
	{"bt2_gzip", []uint64{20, 21}, []uint64{Unlimited, Unlimited}, []uint64{2, 1}, true, "shape=(20, 21), maxshape=(None, None), chunks=(2, 1), compression='gzip', shuffle=True"},
	{"ext", []uint64{30, 2}, []uint64{Unlimited, 2}, []uint64{1, 2}, false, "shape=(30, 2), maxshape=(None, 2), chunks=(1, 2)"},
}

// TestLayout4Written writes each case in the newer family with values
// i (row-major), checks that the index kind is the one h5py's libhdf5
// picks for the same dataset, has h5py read every value, then change the
// file (write into chunks, grow the B-tree indexed dataset) and h5dump and
// our reader read the result.
func TestLayout4Written(t *testing.T) {
	needH5py(t)
	needH5dump(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ours.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f := NewFile(WithLibver(LibverLatest))
	var script strings.Builder
	script.WriteString("import h5py, numpy as np, sys\nwith h5py.File(sys.argv[1], 'w', libver='latest') as f:\n")
	for _, tc := range layout4Cases {
		spec := DatasetSpec{Type: Int32LE, Shape: tc.shape, MaxShape: tc.max, Chunk: tc.chnk}
		if tc.gzip {
			spec.Filters = H5pyFilters(4, true, 4, false)
		}
		d, err := f.Root().CreateDataset(tc.name, spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n := uint64(1)
		for _, s := range tc.shape {
			n *= s
		}
		vals := make([]byte, 4*n)
		for i := range n {
			binary.LittleEndian.PutUint32(vals[4*i:], uint32(i))
		}
		writeAll(t, w, d, vals)
		script.WriteString("    f.create_dataset('" + tc.name + "', dtype='<i4', " + tc.py + ")[...] = 1\n")
	}
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	pyPath := filepath.Join(dir, "py.h5")
	if out, err := exec.Command("/usr/bin/python3", "-c", script.String(), pyPath).CombinedOutput(); err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	kinds := func(p string) map[string]uint8 {
		b, _ := os.ReadFile(p)
		ff, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]uint8{}
		for _, tc := range layout4Cases {
			d := mustDataset(t, ff.Root(), tc.name)
			lay, err := decodeLayoutOf(d)
			if err != nil {
				t.Fatal(err)
			}
			out[tc.name] = lay
		}
		return out
	}
	ours, theirs := kinds(path), kinds(pyPath)
	for _, tc := range layout4Cases {
		if tc.name == "ext" {
			// The extensible array is not written yet: a version 1 B-tree.
			if ours[tc.name] != ChunkIndexBTree1 || theirs[tc.name] != ChunkIndexExtArray {
				t.Errorf("%s: index %d (h5py %d)", tc.name, ours[tc.name], theirs[tc.name])
			}
			continue
		}
		if ours[tc.name] != theirs[tc.name] {
			t.Errorf("%s: index %d, h5py chooses %d", tc.name, ours[tc.name], theirs[tc.name])
		}
	}
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'r') as f:
    for name, d in f.items():
        want = np.arange(d.size, dtype='<i4').reshape(d.shape)
        assert (d[()] == want).all(), name
with h5py.File(sys.argv[1], 'r+') as f:
    f['bt2'].resize((25, 30))
    f['bt2'][24, 29] = -5
    f['fixed_paged'][1099] = -6
    f['fixed_gzip'][9, 11] = -7
    f['single'][2, 3] = -8
with h5py.File(sys.argv[1], 'r') as f:
    print(f['bt2'][24, 29], f['bt2'][19, 20], f['fixed_paged'][1099], f['fixed_paged'][1098], f['fixed_gzip'][9, 11], f['single'][2, 3], f['single'][2, 2])
`, path).CombinedOutput()
	if want := "-5 419 -6 1098 -7 -8 10"; err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v\n%s\nwant %s", err, out, want)
	}
	h5dump(t, path)
	b, _ := os.ReadFile(path)
	if _, err := Open(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
}

// decodeLayoutOf returns the chunk index type of an opened dataset's
// layout message.
func decodeLayoutOf(d *Dataset) (uint8, error) {
	if d.rawLayout == nil {
		return ChunkIndexBTree1, nil
	}
	l, err := decodeLayout(d.rawLayout.Data, d.rawLayout.Off)
	if err != nil {
		return 0, err
	}
	return l.indexType, nil
}
