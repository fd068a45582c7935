package h5file_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// copyCorpus copies a testdata file into a temporary directory, to be
// modified there.
func copyCorpus(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, rel))
	must(t, err)
	path := filepath.Join(t.TempDir(), filepath.Base(rel))
	must(t, os.WriteFile(path, b, 0o644))
	return path
}

// changeLibhdf5Refs adds references of both kinds to a file libhdf5
// wrote (testdata/gen/refs.py, earliest family) and changes the objects
// its own references name; identically on every rank of a parallel file.
func changeLibhdf5Refs(f *h5file.File) error {
	d, err := f.Dataset("data")
	if err != nil {
		return err
	}
	inner, err := f.Dataset("g/inner")
	if err != nil {
		return err
	}
	// The referenced objects change (their headers grow): libhdf5's
	// references to them must still hold.
	for i := 0; i < 20; i++ {
		if err := d.Attrs().Set(fmt.Sprintf("a%02d", i), []float64{float64(i), 1, 2, 3}); err != nil {
			return err
		}
	}
	dref, err := d.Ref()
	if err != nil {
		return err
	}
	iref, err := inner.Ref()
	if err != nil {
		return err
	}
	rr, err := d.RegionRef(h5file.S(h5file.Range(7, 9), h5file.Range(0, 2)))
	if err != nil {
		return err
	}
	if _, err := f.CreateDatasetFrom("ours", []h5file.Ref{iref, dref}); err != nil {
		return err
	}
	return inner.Attrs().Set("region", rr)
}

const libhdf5RefsCheck = `
f = h5py.File(path, 'r')
d = f['data']
assert f[f.attrs['gref']].name == '/g'
assert [f[x].name for x in f['refs'][:4]] == ['/data', '/g', '/', '/g/inner']
rr = f['regrefs'][...]
assert (d[rr[0]].ravel() == d[2:5, 1:7:2].ravel()).all()
assert (d[d.attrs['self_region']].ravel() == [11, 12, 21, 22]).all()
assert [f[x].name for x in f['ours'][...]] == ['/g/inner', '/data']
assert (d[f['g/inner'].attrs['region']].ravel() == [70, 71, 80, 81]).all()
assert list(d.attrs['a19']) == [19, 1, 2, 3]
print('ok')
`

// TestModifyLibhdf5Refs: a file with libhdf5's references, changed by us
// (serially and from 4 ranks), in both format families, keeps its old references right and gains
// ours, as h5py reads them.
func TestModifyLibhdf5Refs(t *testing.T) {
	for _, family := range []string{"earliest", "latest"} {
		t.Run(family, func(t *testing.T) { modifyLibhdf5Refs(t, "libhdf5/refs/"+family+"_refs.h5") })
	}
}

func modifyLibhdf5Refs(t *testing.T, corpus string) {
	t.Run("serial", func(t *testing.T) {
		path := copyCorpus(t, corpus)
		f, err := h5file.Open(path, "r+")
		must(t, err)
		must(t, changeLibhdf5Refs(f))
		must(t, f.Close())
		if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+libhdf5RefsCheck); out != "ok\n" {
			t.Fatalf("h5py: %s", out)
		}
		dumpOK(t, path)
	})
	t.Run("4 ranks", func(t *testing.T) {
		path := copyCorpus(t, corpus)
		noErrors(t, h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			if err := changeLibhdf5Refs(f); err != nil {
				return err
			}
			return f.Close()
		}))
		if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+libhdf5RefsCheck); out != "ok\n" {
			t.Fatalf("h5py: %s", out)
		}
		dumpOK(t, path)
	})
}

// changeLibhdf5Dims rearranges the scales libhdf5 attached
// (testdata/gen/dimscales.py): one detached, one attached, a label
// changed, a new scale made and attached.
func changeLibhdf5Dims(f *h5file.File) error {
	data, err := f.Dataset("data")
	if err != nil {
		return err
	}
	other, err := f.Dataset("other")
	if err != nil {
		return err
	}
	y, err := f.Dataset("y")
	if err != nil {
		return err
	}
	x2, err := f.Dataset("g/x_km")
	if err != nil {
		return err
	}
	pair, err := f.CreateDatasetFrom("pair", []int32{0, 1})
	if err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return data.Dim(1).DetachScale(x2) },
		func() error { return other.Dim(0).AttachScale(x2) },
		func() error { return pair.MakeScale("pair index") },
		func() error { return other.Dim(1).AttachScale(pair) },
		func() error { return data.Dim(0).SetLabel("lines") },
		func() error { return y.Attrs().Set("units", "m") },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

const libhdf5DimsCheck = `
f = h5py.File(path, 'r')
out = {}
for n in ('data', 'other'):
    out[n] = [(d.label, [s.name for s in d.values()]) for d in f[n].dims]
print(sorted(out.items()), h5py.h5ds.get_scale_name(f['pair'].id), f['y'].attrs['units'])
`

const libhdf5DimsWant = "[('data', [('lines', ['/y']), ('cols', ['/x'])]), ('other', [('', ['/x', '/g/x_km']), ('pair', ['/pair'])])] b'pair index' m\n"

// TestModifyLibhdf5Dims: dimension scales libhdf5 attached, rearranged by
// us (serially and from 4 ranks), in both format families, read in h5py's dims as we left them.
func TestModifyLibhdf5Dims(t *testing.T) {
	for _, family := range []string{"earliest", "latest"} {
		t.Run(family, func(t *testing.T) { modifyLibhdf5Dims(t, "libhdf5/dimscales/"+family+"_dimscales.h5") })
	}
}

func modifyLibhdf5Dims(t *testing.T, corpus string) {
	t.Run("serial", func(t *testing.T) {
		path := copyCorpus(t, corpus)
		f, err := h5file.Open(path, "r+")
		must(t, err)
		must(t, changeLibhdf5Dims(f))
		must(t, f.Close())
		if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+libhdf5DimsCheck); out != libhdf5DimsWant {
			t.Fatalf("h5py:\n%s\nwant\n%s", out, libhdf5DimsWant)
		}
		dumpOK(t, path)
	})
	t.Run("4 ranks", func(t *testing.T) {
		path := copyCorpus(t, corpus)
		noErrors(t, h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			if err := changeLibhdf5Dims(f); err != nil {
				return err
			}
			return f.Close()
		}))
		if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+libhdf5DimsCheck); out != libhdf5DimsWant {
			t.Fatalf("h5py:\n%s\nwant\n%s", out, libhdf5DimsWant)
		}
		dumpOK(t, path)
	})
}

// dumpOK runs h5dump over the whole file: it must exit 0.
func dumpOK(t *testing.T, path string) {
	t.Helper()
	if out, code := interop.H5Dump(t, path); code != 0 {
		t.Fatalf("h5dump: exit %d\n%s", code, out)
	}
}
