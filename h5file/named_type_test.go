package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

type pair struct {
	A int32   `h5:"a"`
	B float64 `h5:"b"`
}

// writeNamed commits a compound type at /types/t, gives it an attribute,
// and makes a dataset and an attribute that share it.
func writeNamed(f *h5file.File) error {
	dt, err := h5file.TypeOf(reflectTypeOf[pair]())
	if err != nil {
		return err
	}
	nt, err := f.CommitType("types/t", dt)
	if err != nil {
		return err
	}
	if err := nt.Attrs().Set("note", "a pair"); err != nil {
		return err
	}
	d, err := f.CreateDataset("d", nil, []uint64{3}, h5file.WithNamedType(nt))
	if err != nil {
		return err
	}
	if err := d.Write([]pair{{1, 1.5}, {2, 2.5}, {3, 3.5}}); err != nil {
		return err
	}
	return d.Attrs().SetNamed("p", []pair{{9, 9.5}}, nt, []uint64{1})
}

// checkNamedH5py has h5py confirm what writeNamed made: a Datatype object,
// shared (committed) by the dataset and the attribute, with the reference
// count libhdf5 keeps (its link and its two users).
func checkNamedH5py(t *testing.T, path string) {
	t.Helper()
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
t = f['types/t']
d = f['d']
print(type(t).__name__, t.attrs['note'], h5py.h5o.get_info(t.id).rc)
print(d.id.get_type().committed(), d.attrs.get_id('p').get_type().committed())
print(d[:].tolist(), d.attrs['p'].tolist())
`, path))
	want := "Datatype a pair 3\nTrue True\n[(1, 1.5), (2, 2.5), (3, 3.5)] [(9, 9.5)]\n"
	if out != want {
		t.Errorf("h5py read\n%s\nwant\n%s", out, want)
	}
	dump, _ := interop.H5Dump(t, "-H", path)
	if strings.Count(dump, `DATATYPE  "/types/t"`) != 2 {
		t.Errorf("h5dump does not show the dataset and attribute sharing /types/t:\n%s", dump)
	}
}

// TestCommitType: a committed datatype made by us is one h5py and h5dump
// see as libhdf5 makes it, in both families, and we read it back.
func TestCommitType(t *testing.T) {
	for _, lv := range []h5file.Libver{h5file.LibverEarliest, h5file.LibverLatest} {
		t.Run(fmt.Sprint(lv), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nt.h5")
			f, err := h5file.Create(path, "w", h5file.WithLibver(lv))
			must(t, err)
			must(t, writeNamed(f))
			must(t, f.Close())
			checkNamedH5py(t, path)

			f, err = h5file.Open(path, "r")
			must(t, err)
			defer f.Close()
			nt, err := f.NamedType("types/t")
			must(t, err)
			if nt.Dtype().Size != 12 || nt.Attrs().Len() != 1 {
				t.Errorf("read back type %v with %d attributes", nt.Dtype(), nt.Attrs().Len())
			}
			var got []pair
			d, err := f.Dataset("d")
			must(t, err)
			must(t, d.Read(&got))
			if fmt.Sprint(got) != "[{1 1.5} {2 2.5} {3 3.5}]" {
				t.Errorf("read %v", got)
			}
			if _, err := f.Dataset("types/t"); err == nil {
				t.Error("a committed type opened as a dataset")
			}
		})
	}
}

// TestCommitTypeParallel: 4 ranks commit and share a type collectively;
// the file is the one h5py expects.
func TestCommitTypeParallel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ntpar.h5")
	errs := h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithLibver(h5file.LibverLatest))
		if err != nil {
			return err
		}
		if err := writeNamed(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	checkNamedH5py(t, path)
}

// TestNamedTypeOfLibhdf5: committed types in files h5py wrote read right,
// and such a file changed by us (a new dataset sharing the type, the old
// user deleted) keeps libhdf5's reference counts, so libhdf5 neither
// frees a type in use nor complains.
func TestNamedTypeOfLibhdf5(t *testing.T) {
	for _, lv := range []string{"earliest", "latest"} {
		t.Run(lv, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h5py.h5")
			interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w', libver=%q)
f['t'] = np.dtype([('a', '<i4'), ('b', '<f8')])
f['t'].attrs['note'] = 'a pair'
d = f.create_dataset('d', data=np.array([(1, 1.5), (2, 2.5), (3, 3.5)], dtype=f['t'].dtype), dtype=f['t'])
d.attrs.create('p', data=np.array([(9, 9.5)], dtype=f['t'].dtype), dtype=f['t'])
f.close()
`, path, lv))
			f, err := h5file.Open(path, "r+")
			must(t, err)
			nt, err := f.NamedType("t")
			must(t, err)
			var note string
			must(t, nt.Attrs().Read("note", &note))
			d, err := f.Dataset("d")
			must(t, err)
			var p []pair
			must(t, d.Attrs().Read("p", &p))
			if note != "a pair" || fmt.Sprint(p) != "[{9 9.5}]" {
				t.Errorf("read note %q, attribute %v", note, p)
			}
			must(t, d.Attrs().Set("extra", 1)) // rewrites d's header: p must stay shared
			e, err := f.CreateDataset("e", nil, []uint64{2}, h5file.WithNamedType(nt))
			must(t, err)
			must(t, e.Write([]pair{{5, 5.5}, {6, 6.5}}))
			must(t, f.Close())
			out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
print(h5py.h5o.get_info(f['t'].id).rc, f['d'].attrs.get_id('p').get_type().committed(), f['e'].id.get_type().committed())
print(f['e'][:].tolist(), f['d'].attrs['p'].tolist(), f['d'].attrs['extra'])
`, path))
			if want := "4 True True\n[(5, 5.5), (6, 6.5)] [(9, 9.5)] 1\n"; out != want {
				t.Errorf("h5py read\n%s\nwant\n%s", out, want)
			}
			if _, err := exec.LookPath("h5dump"); err == nil {
				if _, rc := interop.H5Dump(t, path); rc != 0 {
					t.Errorf("h5dump failed on the changed file")
				}
			}
		})
	}
}

// TestNamedTypeErrors: a committed type of another file, a mismatching
// type and a nil type are refused with errors naming the path.
func TestNamedTypeErrors(t *testing.T) {
	dir := t.TempDir()
	a, err := h5file.Create(filepath.Join(dir, "a.h5"), "w")
	must(t, err)
	defer a.Close()
	b, err := h5file.Create(filepath.Join(dir, "b.h5"), "w")
	must(t, err)
	defer b.Close()
	nt, err := a.CommitType("t", h5file.Int32)
	must(t, err)
	if _, err := b.CreateDataset("d", nil, []uint64{2}, h5file.WithNamedType(nt)); err == nil || !strings.Contains(err.Error(), "/d") {
		t.Errorf("a type of another file: %v", err)
	}
	if _, err := a.CreateDataset("d", h5file.Float64, []uint64{2}, h5file.WithNamedType(nt), h5file.WithDtype(h5file.Float64)); err == nil {
		t.Error("a dataset whose type differs from its committed type was made")
	}
	if _, err := a.CommitType("nil", nil); !errors.Is(err, h5file.ErrType) {
		t.Errorf("nil type: %v", err)
	}
	if _, err := a.CommitType("t", h5file.Int64); !errors.Is(err, h5file.ErrExists) {
		t.Errorf("taken name: %v", err)
	}
	if _, err := a.NamedType("/"); err == nil {
		t.Error("the root group opened as a committed type")
	}
}

func reflectTypeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// TestNamedTypeNetCDF: the user-defined types of a netCDF-4 file (a
// compound and an enum, committed datatypes in HDF5) read right, and the
// file changed by us (an attribute on a variable of such a type, which
// rewrites its header) is still one ncdump and netCDF4-python read, with
// the variable still of its named type.
func TestNamedTypeNetCDF(t *testing.T) {
	path := filepath.Join(t.TempDir(), "udt.nc")
	interop.NetCDFPy(t, fmt.Sprintf(`
nc = netCDF4.Dataset(%q, 'w')
nc.createDimension('n', 2)
ct = nc.createCompoundType(np.dtype([('a', '<i4'), ('b', '<f8')]), 'pair_t')
et = nc.createEnumType(np.uint8, 'cloud_t', {'clear': 0, 'cumulus': 1})
v = nc.createVariable('p', ct, ('n',))
v[:] = np.array([(1, 1.5), (2, 2.5)], dtype=ct.dtype)
e = nc.createVariable('c', et, ('n',))
e[:] = np.array([0, 1], dtype=np.uint8)
nc.close()
`, path))
	f, err := h5file.Open(path, "r+")
	must(t, err)
	nt, err := f.NamedType("pair_t")
	must(t, err)
	if s := nt.Dtype().String(); s != "{a: i32le, b: f64le}" || nt.Dtype().Size != 16 { // netCDF aligns members as C does
		t.Errorf("pair_t is %s of %d bytes", s, nt.Dtype().Size)
	}
	d, err := f.Dataset("p")
	must(t, err)
	var got []pair
	must(t, d.Read(&got))
	if fmt.Sprint(got) != "[{1 1.5} {2 2.5}]" {
		t.Errorf("read %v", got)
	}
	must(t, d.Attrs().Set("units", "none"))
	must(t, f.Close())
	out := interop.NetCDFPy(t, fmt.Sprintf(`
nc = netCDF4.Dataset(%q)
v = nc['p']
print(v.datatype.name, v.units, v[:].tolist(), nc['c'].datatype.name)
`, path))
	if want := "pair_t none [(1, 1.5), (2, 2.5)] cloud_t\n"; out != want {
		t.Errorf("netCDF4-python read %q, want %q", out, want)
	}
	dump, rc := interop.NCDump(t, "-h", path)
	if rc != 0 || !strings.Contains(dump, "pair_t p(n)") {
		t.Errorf("ncdump -h (rc %d):\n%s", rc, dump)
	}
}
