package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// buildDims makes the layout of testdata/gen/dimscales.py with h5file
// (identically on every rank of a parallel file), then detaches and
// re-attaches one scale.
func buildDims(f *h5file.File) error {
	data, err := h5file.CreateDatasetOf[float32](f, "data", []uint64{3, 4})
	if err != nil {
		return err
	}
	other, err := h5file.CreateDatasetOf[float64](f, "other", []uint64{4, 2})
	if err != nil {
		return err
	}
	x, err := f.CreateDatasetFrom("x", []float64{0, 1, 2, 3})
	if err != nil {
		return err
	}
	y, err := f.CreateDatasetFrom("y", []float64{0, 1, 2})
	if err != nil {
		return err
	}
	g, err := f.CreateGroup("g")
	if err != nil {
		return err
	}
	x2, err := g.CreateDatasetFrom("x_km", []float64{0, 0.001, 0.002, 0.003})
	if err != nil {
		return err
	}
	for _, step := range []error{
		x.MakeScale("x"), y.MakeScale("y"), x2.MakeScale(""),
		data.Dim(0).AttachScale(y), data.Dim(1).AttachScale(x), data.Dim(1).AttachScale(x2),
		other.Dim(0).AttachScale(x), other.Dim(1).AttachScale(y), other.Dim(1).DetachScale(y),
		data.Dim(1).AttachScale(x), // again: no-op
		data.Dim(0).SetLabel("rows"), data.Dim(1).SetLabel("cols"), other.Dim(1).SetLabel("pair"),
	} {
		if step != nil {
			return step
		}
	}
	return nil
}

const dimsCheck = `
f = h5py.File(path, 'r')
out = {}
for n in ('data', 'other'):
    out[n] = [(d.label, [s.name for s in d.values()]) for d in f[n].dims]
for n in ('x', 'y', 'g/x_km'):
    out[n] = (h5py.h5ds.is_scale(f[n].id), h5py.h5ds.get_scale_name(f[n].id))
assert 'REFERENCE_LIST' not in f['y'].attrs or len(f['y'].attrs['REFERENCE_LIST']) == 1
print(sorted(out.items()))
`

const dimsWant = "[('data', [('rows', ['/y']), ('cols', ['/x', '/g/x_km'])]), ('g/x_km', (True, b'')), ('other', [('', ['/x']), ('pair', [])]), ('x', (True, b'x')), ('y', (True, b'y'))]\n"

// TestWriteDimScales: scales made, attached, detached and labelled by
// h5file read in h5py's dims as libhdf5's own; h5file reads them back.
func TestWriteDimScales(t *testing.T) {
	for name, family := range map[string]h5file.Libver{"earliest": h5file.LibverEarliest, "latest": h5file.LibverLatest} {
		t.Run(name, func(t *testing.T) { writeDimScales(t, family) })
	}
}

func writeDimScales(t *testing.T, family h5file.Libver) {
	path := filepath.Join(t.TempDir(), "dims.h5")
	f, err := h5file.Create(path, "w", h5file.WithLibver(family))
	must(t, err)
	must(t, buildDims(f))
	must(t, f.Close())
	if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+dimsCheck); out != dimsWant {
		t.Fatalf("h5py:\n%s\nwant\n%s", out, dimsWant)
	}
	f, err = h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	dsets, scales := describeDims(t, f)
	want := map[string][]dimWant{
		"/data":  {{"rows", []string{"/y"}}, {"cols", []string{"/x", "/g/x_km"}}},
		"/other": {{"", []string{"/x"}}, {"pair", []string{}}},
	}
	if !reflect.DeepEqual(dsets, want) || fmt.Sprint(scales) != "map[/g/x_km: /x:x /y:y]" {
		t.Errorf("read back %v %v", dsets, scales)
	}
}

// TestParallelDimScales: the same calls from 4 ranks give the same file.
func TestParallelDimScales(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pdims.h5")
	noErrors(t, h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		if err := buildDims(f); err != nil {
			return err
		}
		return f.Close()
	}))
	if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+dimsCheck); out != dimsWant {
		t.Fatalf("h5py:\n%s\nwant\n%s", out, dimsWant)
	}
}
