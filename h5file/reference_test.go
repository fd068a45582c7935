package h5file_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// refsWant is what testdata/gen/refs.py records of its files as h5py reads them.
type refsWant struct {
	Attrs struct {
		Gref string
		Refs []string
	}
	Refs    []*string
	Regrefs []struct {
		Dataset   string
		Selection string
		Values    []int32
	}
	SelfRegion []int32 `json:"self_region"`
}

// TestReadRefsCorpus reads the object and region references libhdf5 wrote
// (h5py's ref_dtype and regionref_dtype), in both format families, and
// dereferences them as h5py does.
func TestReadRefsCorpus(t *testing.T) {
	for _, name := range []string{"earliest_refs", "latest_refs"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(testdata, "libhdf5", "refs")
			var want refsWant
			js, err := os.ReadFile(filepath.Join(dir, name+".json"))
			must(t, err)
			must(t, json.Unmarshal(js, &want))
			f, err := h5file.Open(filepath.Join(dir, name+".h5"), "r")
			must(t, err)
			defer f.Close()

			gref, err := h5file.AttrValue[h5file.Ref](f, "gref")
			must(t, err)
			if o, err := f.Deref(gref); err != nil || o.Name() != want.Attrs.Gref {
				t.Errorf("attrs['gref'] -> %v, %v; want %s", o, err, want.Attrs.Gref)
			}
			var arefs []h5file.Ref
			must(t, f.Attrs().Read("refs", &arefs))
			if len(arefs) != len(want.Attrs.Refs) {
				t.Fatalf("attrs['refs'] has %d refs, want %d", len(arefs), len(want.Attrs.Refs))
			}
			for i, r := range arefs {
				if o, err := f.Deref(r); err != nil || o.Name() != want.Attrs.Refs[i] {
					t.Errorf("attrs['refs'][%d] -> %v, %v; want %s", i, o, err, want.Attrs.Refs[i])
				}
			}

			d, err := f.Dataset("refs")
			must(t, err)
			refs, err := h5file.ReadAll[h5file.Ref](d)
			must(t, err)
			if len(refs) != len(want.Refs) {
				t.Fatalf("%d refs, want %d", len(refs), len(want.Refs))
			}
			for i, r := range refs {
				if want.Refs[i] == nil {
					if !r.IsNull() {
						t.Errorf("refs[%d] = %#x, want null", i, uint64(r))
					}
					if _, err := f.Deref(r); !h5file.IsNotFound(err) {
						t.Errorf("Deref(null) = %v, want not found", err)
					}
					continue
				}
				if o, err := f.Deref(r); err != nil || o.Name() != *want.Refs[i] {
					t.Errorf("refs[%d] -> %v, %v; want %s", i, o, err, *want.Refs[i])
				}
			}
			// The natural type of a reference dataset is Ref.
			var anys []any
			must(t, d.Read(&anys))
			if _, ok := anys[0].(h5file.Ref); !ok {
				t.Errorf("refs read into []any gives %T, want h5file.Ref", anys[0])
			}

			rd, err := f.Dataset("regrefs")
			must(t, err)
			regs, err := h5file.ReadAll[h5file.RegionRef](rd)
			must(t, err)
			for i, rr := range regs {
				w := want.Regrefs[i]
				reg, err := f.DerefRegion(rr)
				must(t, err)
				got, err := h5file.ReadRegion[int32](reg)
				must(t, err)
				if reg.Dataset.Name() != w.Dataset || fmt.Sprint(got) != fmt.Sprint(w.Values) {
					t.Errorf("regrefs[%d] (%s): %s %v, want %s %v", i, w.Selection, reg.Dataset.Name(), got, w.Dataset, w.Values)
				}
			}
			// '...' and '3, 7' are one hyperslab each; '2:5, 1:7:2' is not.
			for i, want := range map[int]string{0: "false", 1: "true [0 0] [10 10]", 3: "true [3 7] [1 1]"} {
				reg, err := f.DerefRegion(regs[i])
				must(t, err)
				h, ok := reg.Hyperslab()
				got := fmt.Sprint(ok)
				if ok {
					got = fmt.Sprint(ok, " ", h.Start, " ", h.Count)
				}
				if got != want {
					t.Errorf("regrefs[%d].Hyperslab() = %s, want %s", i, got, want)
				}
			}
			data, err := f.Dataset("data")
			must(t, err)
			self, err := h5file.AttrValue[h5file.RegionRef](data, "self_region")
			must(t, err)
			reg, err := f.DerefRegion(self)
			must(t, err)
			if got, err := h5file.ReadRegion[int32](reg); err != nil || fmt.Sprint(got) != fmt.Sprint(want.SelfRegion) {
				t.Errorf("self_region: %v %v, want %v", got, err, want.SelfRegion)
			}
		})
	}
}

// TestRefTypeErrors: a reference dataset does not read into numbers, and
// numbers do not write into it.
func TestRefTypeErrors(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "e.h5"), "w")
	must(t, err)
	defer f.Close()
	d, err := f.CreateDataset("r", h5file.RefType, []uint64{2})
	must(t, err)
	if err := d.Write([]uint64{1, 2}); err == nil {
		t.Error("writing uint64 into references succeeded")
	}
	var u []uint64
	if err := d.Read(&u); err == nil {
		t.Error("reading references into []uint64 succeeded")
	}
	if _, err := f.Deref(h5file.Ref(12345)); !h5file.IsNotFound(err) {
		t.Errorf("Deref of a bad address: %v", err)
	}
}

// must1 returns v, panicking on err (the test then fails with the trace):
// for chaining lookups that the test has just made succeed.
func must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
