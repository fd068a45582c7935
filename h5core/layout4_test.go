package h5core

import (
	"bytes"
	"encoding/binary"
	"fmt"
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
	{"ext_gzip", []uint64{30, 2}, []uint64{Unlimited, 2}, []uint64{1, 2}, true, "shape=(30, 2), maxshape=(None, 2), chunks=(1, 2), compression='gzip', shuffle=True"},
	{"ext_super", []uint64{5, 3000}, []uint64{5, Unlimited}, []uint64{5, 1}, false, "shape=(5, 3000), maxshape=(5, None), chunks=(5, 1)"},
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
    f['ext'].resize((40, 2))
    f['ext'][39] = [-9, -10]
    f['ext_super'][4, 2999] = -11
with h5py.File(sys.argv[1], 'r') as f:
    print(f['bt2'][24, 29], f['bt2'][19, 20], f['fixed_paged'][1099], f['fixed_paged'][1098], f['fixed_gzip'][9, 11], f['single'][2, 3], f['single'][2, 2],
          list(f['ext'][39]), f['ext'][29, 1], f['ext_super'][4, 2999], f['ext_super'][4, 2998])
`, path).CombinedOutput()
	if want := "-5 419 -6 1098 -7 -8 10 [-9, -10] 59 -11 14998"; err != nil || strings.TrimSpace(string(out)) != want {
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

// TestLayout4RoundTrip writes indexes of many sizes (extensible arrays
// whose data blocks are paged, fixed arrays of many pages, deep v2
// B-trees) with some chunks never written, and reads every record back.
func TestLayout4RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    uint64
		max  []uint64
		skip uint64 // every skip-th chunk is never written
	}{
		{"ext_small", 3, []uint64{Unlimited}, 2},
		{"ext_paged", 150000, []uint64{Unlimited}, 7},
		{"fixed_pages", 5000, nil, 3},
		{"bt2_deep", 20000, []uint64{Unlimited, Unlimited}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &memFile{}
			f := NewFile(WithLibver(LibverLatest))
			shape, chunk := []uint64{tc.n}, []uint64{1}
			maxShape := tc.max
			if len(tc.max) == 2 {
				shape, chunk = []uint64{tc.n, 1}, []uint64{1, 1}
			}
			d, err := f.Root().CreateDataset("d", DatasetSpec{Type: Int32LE, Shape: shape, MaxShape: maxShape, Chunk: chunk, Filters: H5pyFilters(1, false, 0, false)})
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint64]uint64{}
			for i := uint64(0); i < tc.n; i++ {
				if i%tc.skip == 0 {
					continue
				}
				coords := make([]uint64, len(shape))
				coords[0] = i
				a, err := d.AllocChunk(coords, 3+i%5, uint32(i%2))
				if err != nil {
					t.Fatal(err)
				}
				want[i] = a
			}
			if err := f.Flush(m); err != nil {
				t.Fatal(err)
			}
			m.b = append(m.b, make([]byte, f.EOF()-uint64(len(m.b)))...)
			f2, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
			if err != nil {
				t.Fatal(err)
			}
			d2 := mustDataset(t, f2.Root(), "d")
			recs, err := d2.Chunks()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(want) {
				t.Fatalf("%d chunks read back, %d written", len(recs), len(want))
			}
			for _, r := range recs {
				i := r.Coords[0]
				if want[i] != r.Addr || r.Size != 3+i%5 || r.FilterMask != uint32(i%2) {
					t.Fatalf("chunk %d: %+v, want addr %d size %d mask %d", i, r, want[i], 3+i%5, i%2)
				}
			}
			// libhdf5 finds the same chunks through the index.
			needH5py(t)
			path := filepath.Join(t.TempDir(), "idx.h5")
			if err := os.WriteFile(path, m.b, 0o644); err != nil {
				t.Fatal(err)
			}
			last := tc.n - 1
			if last%tc.skip == 0 {
				last--
			}
			out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
d = h5py.File(sys.argv[1], 'r')['d']
for i in (1, int(sys.argv[2])):
    c = (i,) + (0,) * (d.ndim - 1)
    info = d.id.get_chunk_info_by_coord(c)
    print(info.byte_offset, info.size, info.filter_mask)
print(d.id.get_num_chunks())
`, path, fmt.Sprint(last)).CombinedOutput()
			wantOut := fmt.Sprintf("%d %d %d\n%d %d %d\n%d", want[1], 3+1%5, 1, want[last], 3+last%5, last%2, len(want))
			if err != nil || strings.TrimSpace(string(out)) != wantOut {
				t.Fatalf("h5py: %v\n%s\nwant\n%s", err, out, wantOut)
			}
		})
	}
}

// TestLayout4NoChunks: a chunked dataset none of whose chunks was written
// has no index (the undefined address) in every index kind, in files
// libhdf5 writes and in ours; it opens with no chunks.
func TestLayout4NoChunks(t *testing.T) {
	path := h5pyFile(t, `
import h5py, sys
with h5py.File(sys.argv[1], 'w', libver='latest') as f:
    f.create_dataset('fixed', shape=(10,), chunks=(2,), dtype='<i4', fillvalue=3)
    f.create_dataset('ext', shape=(0, 2), maxshape=(None, 2), chunks=(1, 2), dtype='<i4')
    f.create_dataset('bt2', shape=(4, 4), maxshape=(None, None), chunks=(2, 2), dtype='<i4')
    f.create_dataset('single', shape=(4,), chunks=(4,), dtype='<i4')
`)
	m := &memFile{}
	ours := NewFile(WithLibver(LibverLatest))
	for _, tc := range layout4Cases {
		if _, err := ours.Root().CreateDataset(tc.name, DatasetSpec{Type: Int32LE, Shape: tc.shape, MaxShape: tc.max, Chunk: tc.chnk, Filters: H5pyFilters(1, false, 0, false)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ours.Flush(m); err != nil {
		t.Fatal(err)
	}
	m.b = append(m.b, make([]byte, ours.EOF()-uint64(len(m.b)))...)
	b, _ := os.ReadFile(path)
	for _, file := range [][]byte{b, m.b} {
		f, err := Open(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatal(err)
		}
		err = f.Root().Visit(func(p string, o Object) error {
			recs, err := o.(*Dataset).Chunks()
			if err != nil || len(recs) != 0 {
				t.Errorf("%s: %d chunks, %v", p, len(recs), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
