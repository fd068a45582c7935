package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestPyTables: PyTables, a reader with its own conventions on top of
// libhdf5, reads what we write (groups, arrays, chunked compressed
// arrays, compound tables, attributes) in both format families; and we
// read the Array, EArray and Table a PyTables program writes.
func TestPyTables(t *testing.T) {
	type row struct {
		ID int32   `h5:"id"`
		X  float64 `h5:"x"`
	}
	for _, lv := range []h5file.Libver{h5file.LibverEarliest, h5file.LibverLatest} {
		t.Run(fmt.Sprint(lv), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ours.h5")
			f, err := h5file.Create(path, "w", h5file.WithLibver(lv))
			must(t, err)
			a, err := f.CreateDatasetFrom("g/a", []float32{1, 2, 3, 4})
			must(t, err)
			must(t, a.Attrs().Set("units", "m"))
			_, err = f.CreateDatasetFrom("g/z", []int64{5, 6, 7, 8, 9, 10}, h5file.Chunks(2), h5file.Gzip(4), h5file.Shuffle())
			must(t, err)
			_, err = f.CreateDatasetFrom("rows", []row{{1, 0.5}, {2, 1.5}})
			must(t, err)
			must(t, f.Close())
			out := interop.PyTables(t, fmt.Sprintf(`
with tables.open_file(%q) as h:
    a = h.get_node('/g/a')
    z = h.get_node('/g/z')
    r = h.get_node('/rows')
    print(a.read().tolist(), a.attrs.units, z.read().tolist(), z.filters.complevel, [tuple(x) for x in r.read().tolist()])
`, path))
			if want := "[1.0, 2.0, 3.0, 4.0] m [5, 6, 7, 8, 9, 10] 4 [(1, 0.5), (2, 1.5)]\n"; out != want {
				t.Errorf("PyTables read %q, want %q", out, want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "theirs.h5")
	interop.PyTables(t, fmt.Sprintf(`
class Row(tables.IsDescription):
    id = tables.Int32Col(pos=0)
    x = tables.Float64Col(pos=1)
with tables.open_file(%q, 'w') as h:
    h.create_array('/', 'arr', np.arange(6, dtype='<i2').reshape(2, 3))
    e = h.create_earray('/', 'ext', tables.Float64Atom(), (0, 2), filters=tables.Filters(complevel=5, complib='zlib', shuffle=True))
    e.append(np.array([[1.0, 2.0], [3.0, 4.0]]))
    e.append(np.array([[5.0, 6.0]]))
    t = h.create_table('/', 'tab', Row)
    for i in range(3):
        t.row['id'] = i; t.row['x'] = i / 2; t.row.append()
    t.flush()
`, path))
	f, err := h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	arr, err := f.Dataset("arr")
	must(t, err)
	av, err := h5file.ReadAll[int16](arr)
	must(t, err)
	ext, err := f.Dataset("ext")
	must(t, err)
	ev, err := h5file.ReadAll[float64](ext)
	must(t, err)
	tab, err := f.Dataset("tab")
	must(t, err)
	var rows []row
	must(t, tab.Read(&rows))
	title, err := h5file.AttrValue[string](tab, "CLASS")
	must(t, err)
	if fmt.Sprintf("%v %v %v %s", av, ev, rows, title) != "[0 1 2 3 4 5] [1 2 3 4 5 6] [{0 0} {1 0.5} {2 1}] TABLE" {
		t.Errorf("read %v %v %v %q", av, ev, rows, title)
	}
}
