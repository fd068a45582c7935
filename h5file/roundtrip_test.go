package h5file_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestRoundTrip writes every Go type h5file maps and reads it back, after
// reopening, into the same Go type and into `any` (natural types).
func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		data any
		opts []h5file.DatasetOption
	}{
		{"int8", []int8{-1, 2}, nil},
		{"uint32", []uint32{1, 1 << 31}, nil},
		{"float32be", []float32{1.5, -2}, []h5file.DatasetOption{h5file.WithDtype(h5file.Float32BE)}},
		{"bool", []bool{true, false}, nil},
		{"strings", []string{"", "a", "ünï"}, nil},
		{"fixed", []string{"ab", "cd"}, []h5file.DatasetOption{h5file.WithDtype(h5file.FixedString(3, false))}},
		{"points", []Point{{X: 1, ID: 2, Tag: Inner{A: 3, B: 4}, Vec: [3]int16{5, 6, 7}}}, nil},
		{"arrays", [][2]float64{{1, 2}, {3, 4}}, nil},
		{"vlen_seq", [][]int32{{1, 2, 3}, {}, {4}}, []h5file.DatasetOption{h5file.WithDtype(h5file.VlenOf(h5file.Int32))}},
		{"chunked_gzip", []int64{1, 2, 3, 4, 5}, []h5file.DatasetOption{h5file.Chunks(2), h5file.Gzip(9), h5file.Fletcher32()}},
		{"compact", []uint16{7, 8}, []h5file.DatasetOption{h5file.Compact()}},
	}
	path := filepath.Join(t.TempDir(), "rt.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	for _, c := range cases {
		_, err := f.CreateDatasetFrom(c.name, c.data, c.opts...)
		must(t, err)
		must(t, f.Attrs().Set(c.name, c.data))
	}
	must(t, f.Close())
	f, err = h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	for _, c := range cases {
		d, err := f.Dataset(c.name)
		must(t, err)
		p := reflect.New(reflect.TypeOf(c.data))
		must(t, d.Read(p.Interface()))
		if !reflect.DeepEqual(p.Elem().Interface(), c.data) {
			t.Errorf("%s: read %#v, wrote %#v", c.name, p.Elem().Interface(), c.data)
		}
		p = reflect.New(reflect.TypeOf(c.data))
		must(t, f.Attrs().Read(c.name, p.Interface()))
		if !reflect.DeepEqual(p.Elem().Interface(), c.data) {
			t.Errorf("attr %s: read %#v, wrote %#v", c.name, p.Elem().Interface(), c.data)
		}
		var anys []any
		must(t, d.Read(&anys))
		if len(anys) != reflect.ValueOf(c.data).Len() {
			t.Errorf("%s: %d natural values", c.name, len(anys))
		}
	}
	a, err := f.Attrs().Get("strings")
	must(t, err)
	v, err := a.Value()
	must(t, err)
	if !reflect.DeepEqual(v, []string{"", "a", "ünï"}) {
		t.Errorf("Value = %#v", v)
	}
}

// TestGroupSizes makes groups of 1, 8, 9 and 10 000 members (symbol table
// node splits happen past 8 and 16 entries, and the B-tree grows levels).
func TestGroupSizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "groups.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	sizes := []int{1, 8, 9, 10000}
	for _, n := range sizes {
		g, err := f.CreateGroup(fmt.Sprintf("g%d", n))
		must(t, err)
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				_, err = g.CreateGroup(fmt.Sprintf("m%05d", i))
			} else {
				_, err = g.CreateDatasetFrom(fmt.Sprintf("m%05d", i), int32(i))
			}
			must(t, err)
		}
	}
	must(t, f.Close())
	f, err = h5file.Open(path, "r")
	must(t, err)
	for _, n := range sizes {
		g, err := f.Group(fmt.Sprintf("g%d", n))
		must(t, err)
		keys, err := g.Keys()
		must(t, err)
		if len(keys) != n || keys[n-1] != fmt.Sprintf("m%05d", n-1) {
			t.Errorf("g%d: %d keys", n, len(keys))
		}
	}
	must(t, f.Close())
	if out, code := interop.H5Dump(t, "-H", path); code != 0 {
		t.Fatalf("h5dump exit %d: %.2000s", code, out)
	}
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
for n in [1, 8, 9, 10000]:
    g = f['g%%d' %% n]
    assert list(g.keys()) == ['m%%05d' %% i for i in range(n)]
    assert all(isinstance(g['m%%05d' %% i], h5py.Dataset) == (i %% 2 == 1) for i in range(0, n, 997))
assert f['g10000/m09999'][()] == 9999
print('ok')
`, path))
	if out != "ok\n" {
		t.Errorf("h5py: %q", out)
	}
}

// TestLargeFile writes a dataset past 4 GiB: only a few bytes near its end
// are written, so the file is sparse on disk.
func TestLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a sparse 5 GiB file")
	}
	path := filepath.Join(t.TempDir(), "large.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	const n = 5 << 30 / 8
	d, err := h5file.CreateDatasetOf[float64](f, "big", []uint64{n})
	must(t, err)
	must(t, d.WriteSel(h5file.S(h5file.Range(n-3, n)), []float64{1, 2, 3}))
	_, err = f.CreateDatasetFrom("after", []int32{7})
	must(t, err)
	must(t, f.Attrs().Set("note", "past 4 GiB"))
	must(t, f.Close())
	f, err = h5file.Open(path, "r")
	must(t, err)
	d, err = f.Dataset("big")
	must(t, err)
	got, err := h5file.ReadSlice[float64](d, h5file.S(h5file.Range(n-4, n)))
	must(t, err)
	if !reflect.DeepEqual(got, []float64{0, 1, 2, 3}) {
		t.Errorf("tail = %v", got)
	}
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
d = f['big']
print(d.shape[0] == %d, d[-4:].tolist(), d.id.get_offset() + d.id.get_storage_size() > 2**32, f['after'][()].tolist(), f.attrs['note'])
`, path, n))
	if out != "True [0.0, 1.0, 2.0, 3.0] True [7] past 4 GiB\n" {
		t.Errorf("h5py: %q", out)
	}
	if out, code := interop.H5Dump(t, "-d", "/after", path); code != 0 {
		t.Errorf("h5dump exit %d: %s", code, out)
	}
}
