package h5file_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

type dimWant struct {
	Label  string
	Scales []string
}

// describeDims is what testdata/gen/dimscales.py records, read through
// h5file: per dataset its dimensions' labels and scales, per scale its NAME.
func describeDims(t *testing.T, f *h5file.File) (map[string][]dimWant, map[string]string) {
	t.Helper()
	dsets, scales := map[string][]dimWant{}, map[string]string{}
	must(t, f.Visit(func(name string, o h5file.Object) error {
		d, ok := o.(*h5file.Dataset)
		if !ok {
			return nil
		}
		if d.IsScale() {
			scales[d.Name()] = d.ScaleName()
			return nil
		}
		var dims []dimWant
		for i := range d.Shape() {
			label, err := d.Dim(i).Label()
			if err != nil {
				return err
			}
			ss, err := d.Dim(i).Scales()
			if err != nil {
				return err
			}
			w := dimWant{Label: label, Scales: []string{}}
			for _, s := range ss {
				w.Scales = append(w.Scales, s.Name())
			}
			dims = append(dims, w)
		}
		dsets[d.Name()] = dims
		return nil
	}))
	return dsets, scales
}

// TestReadDimScalesCorpus: scales attached and labelled by libhdf5's H5DS
// (h5py's dims) read as h5py reads them, in both format families.
func TestReadDimScalesCorpus(t *testing.T) {
	for _, name := range []string{"earliest_dimscales", "latest_dimscales"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(testdata, "libhdf5", "dimscales")
			var want struct {
				Datasets map[string][]dimWant
				Scales   map[string]string
			}
			js, err := os.ReadFile(filepath.Join(dir, name+".json"))
			must(t, err)
			must(t, json.Unmarshal(js, &want))
			f, err := h5file.Open(filepath.Join(dir, name+".h5"), "r")
			must(t, err)
			defer f.Close()
			dsets, scales := describeDims(t, f)
			if !reflect.DeepEqual(dsets, want.Datasets) || !reflect.DeepEqual(scales, want.Scales) {
				t.Errorf("got %v %v\nwant %v %v", dsets, scales, want.Datasets, want.Scales)
			}
		})
	}
}

// TestDimScaleErrors: what H5DS refuses, we refuse.
func TestDimScaleErrors(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "e.h5"), "w")
	must(t, err)
	defer f.Close()
	d := must1(h5file.CreateDatasetOf[float32](f, "d", []uint64{2, 3}))
	x := must1(h5file.CreateDatasetOf[float32](f, "x", []uint64{3}))
	m := must1(h5file.CreateDatasetOf[float32](f, "m", []uint64{3, 3}))
	for name, err := range map[string]error{
		"dimension 2 of rank 2": d.Dim(2).AttachScale(x),
		"negative dimension":    d.Dim(-1).SetLabel("a"),
		"scale to itself":       x.Dim(0).AttachScale(x),
		"2-D scale":             d.Dim(0).AttachScale(m),
		"detach unattached":     d.Dim(1).DetachScale(x),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	must(t, d.Dim(1).AttachScale(x))
	if err := d.MakeScale("d"); err == nil {
		t.Error("a dataset with scales became a scale")
	}
	if err := x.Dim(0).AttachScale(d); err == nil {
		t.Error("attached a scale to a scale")
	}
}
