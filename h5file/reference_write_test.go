package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// buildRefs writes references of every kind into f (on every rank of a
// parallel file alike): attributes and datasets of object and region
// references.
func buildRefs(f *h5file.File) error {
	g, err := f.CreateGroup("g")
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int32](g, "data", []uint64{6, 8})
	if err != nil {
		return err
	}
	gref, err := g.Ref()
	if err != nil {
		return err
	}
	dref, err := d.Ref()
	if err != nil {
		return err
	}
	root, err := f.Ref()
	if err != nil {
		return err
	}
	if err := f.Attrs().Set("gref", gref); err != nil {
		return err
	}
	if err := d.Attrs().Set("both", []h5file.Ref{gref, dref}); err != nil {
		return err
	}
	if _, err := f.CreateDatasetFrom("refs", []h5file.Ref{dref, gref, root, 0}); err != nil {
		return err
	}
	r1, err := d.RegionRef(h5file.S(h5file.Range(1, 3), h5file.RangeStep(0, 8, 3)))
	if err != nil {
		return err
	}
	r2, err := d.RegionRef(h5file.S())
	if err != nil {
		return err
	}
	if _, err := f.CreateDatasetFrom("regrefs", []h5file.RegionRef{r1, r2, {}}); err != nil {
		return err
	}
	return g.Attrs().Set("region", r1)
}

// fillRefsData writes data[j, i] = 10*j + i, the rows of this rank of n.
func fillRefsData(f *h5file.File, rank, n int) error {
	d, err := f.Dataset("g/data")
	if err != nil {
		return err
	}
	for j := rank; j < 6; j += n {
		row := make([]int32, 8)
		for i := range row {
			row[i] = int32(10*j + i)
		}
		if err := d.WriteSel(h5file.S(h5file.Index(int64(j))), row); err != nil {
			return err
		}
	}
	return nil
}

const refsCheck = `
f = h5py.File(path, 'r')
d = f['g/data']
assert f[f.attrs['gref']].name == '/g', f[f.attrs['gref']].name
assert [f[r].name for r in d.attrs['both']] == ['/g', '/g/data']
r = f['refs'][...]
assert [f[x].name for x in r[:3]] == ['/g/data', '/g', '/'], [f[x].name for x in r[:3]]
assert not r[3]
rr = f['regrefs'][...]
assert (d[rr[0]] == d[1:3, 0:8:3]).all(), d[rr[0]]
assert (d[rr[1]] == d[...]).all()
assert not rr[2]
assert (d[f['g'].attrs['region']] == [[10, 13, 16], [20, 23, 26]]).all()
print('ok')
`

// TestWriteRefs writes references with h5file; h5py dereferences them,
// and so does h5file after reopening.
func TestWriteRefs(t *testing.T) {
	for name, family := range map[string]h5file.Libver{"earliest": h5file.LibverEarliest, "latest": h5file.LibverLatest} {
		t.Run(name, func(t *testing.T) { writeRefs(t, family) })
	}
}

func writeRefs(t *testing.T, family h5file.Libver) {
	path := filepath.Join(t.TempDir(), "refs.h5")
	f, err := h5file.Create(path, "w", h5file.WithLibver(family))
	must(t, err)
	must(t, buildRefs(f))
	must(t, fillRefsData(f, 0, 1))
	must(t, f.Close())
	if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+refsCheck); out != "ok\n" {
		t.Fatalf("h5py: %s", out)
	}
	f, err = h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	refs, err := h5file.ReadAll[h5file.Ref](must1(f.Dataset("refs")))
	must(t, err)
	for i, want := range []string{"/g/data", "/g", "/"} {
		if o, err := f.Deref(refs[i]); err != nil || o.Name() != want {
			t.Errorf("refs[%d] -> %v, %v; want %s", i, o, err, want)
		}
	}
	reg, err := f.DerefRegion(must1(h5file.AttrValue[h5file.RegionRef](must1(f.Group("g")), "region")))
	must(t, err)
	if got, err := h5file.ReadRegion[int32](reg); err != nil || fmt.Sprint(got) != "[10 13 16 20 23 26]" {
		t.Errorf("region: %v %v", got, err)
	}
}

// TestParallelRefs writes the same references from 4 ranks, in the newer
// family (references are metadata: every rank makes the same calls), each
// rank writing its own rows of the referenced data.
func TestParallelRefs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prefs.h5")
	noErrors(t, h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithLibver(h5file.LibverLatest))
		if err != nil {
			return err
		}
		if err := buildRefs(f); err != nil {
			return err
		}
		if err := fillRefsData(f, c.Rank(), c.Size()); err != nil {
			return err
		}
		return f.Close()
	}))
	if out := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+refsCheck); out != "ok\n" {
		t.Fatalf("h5py: %s", out)
	}
	// Every rank of a parallel reader follows the references (ranks > 0
	// read the metadata rank 0 shared).
	noErrors(t, h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		refs, err := h5file.ReadAll[h5file.Ref](must1(f.Dataset("refs")))
		if err != nil {
			return err
		}
		o, err := f.Deref(refs[0])
		if err != nil || o.Name() != "/g/data" {
			return fmt.Errorf("rank %d: refs[0] -> %v, %v", c.Rank(), o, err)
		}
		g, err := f.Group("g")
		if err != nil {
			return err
		}
		rr, err := h5file.AttrValue[h5file.RegionRef](g, "region")
		if err != nil {
			return err
		}
		reg, err := f.DerefRegion(rr)
		if err != nil {
			return err
		}
		if got, err := h5file.ReadRegion[int32](reg); err != nil || fmt.Sprint(got) != "[10 13 16 20 23 26]" {
			return fmt.Errorf("rank %d: region %v %v", c.Rank(), got, err)
		}
		return nil
	}))
}

// TestWriteRegularRegion: a region of more blocks than a list holds is
// stored as a regular hyperslab; h5py (libhdf5 1.10) reads the same
// elements, and so does ReadRegion.
func TestWriteRegularRegion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "regular.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	vals := make([]int32, 200*200)
	for i := range vals {
		vals[i] = int32(i)
	}
	d, err := f.CreateDatasetFrom("d", vals, h5file.WithShape(200, 200))
	must(t, err)
	rr, err := d.RegionRef(h5file.S(h5file.RangeStep(1, h5file.End, 2), h5file.RangeStep(0, 200, 3)))
	must(t, err)
	must(t, d.Attrs().Set("every_other", rr))
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
d = f['d']
r = d[d.attrs['every_other']]
print(r.size, (np.asarray(r).ravel() == d[1::2, 0::3].ravel()).all())`, path))
	if out != "6700 True\n" {
		t.Fatalf("h5py: %s", out)
	}
	f, err = h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	reg, err := f.DerefRegion(must1(h5file.AttrValue[h5file.RegionRef](must1(f.Dataset("d")), "every_other")))
	must(t, err)
	got, err := h5file.ReadRegion[int32](reg)
	must(t, err)
	if len(got) != 6700 || got[0] != 200 || got[1] != 203 || got[6699] != 199*200+198 {
		t.Errorf("ReadRegion: %d values, %v ... %v", len(got), got[:2], got[len(got)-1])
	}
	if h, ok := reg.Hyperslab(); !ok || fmt.Sprint(h.Start, h.Stride, h.Count, h.Block) != "[1 0] [2 3] [100 67] [1 1]" {
		t.Errorf("Hyperslab() = %v %v", h, ok)
	}
}
