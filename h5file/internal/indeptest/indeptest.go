// Package indeptest is the scenario of h5file's own-creation tests
// (File.Independent): what each rank creates alone, how every rank then
// uses every rank's objects, and the h5py script that checks the file.
// The in-process tests and the program run through gorun
// (internal/indepprog) share it, so both prove the same thing.
package indeptest

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gorun-hpc/gorun/h5file"
)

// Value is element i of rank r's dataset k: distinct across ranks,
// datasets and elements, so a value in the wrong place is seen.
func Value(r, k, i int) int64 { return int64(r)*1_000_000 + int64(k)*10_000 + int64(i) }

// Own is what rank r of n creates alone before the flush: a group
// rank<r> with attributes (an int, a string), holding a contiguous
// float64 dataset of 3(r+1) elements, a 2-D chunked int32 dataset of r+1
// rows, a gzip int64 dataset, a compact int16 dataset, an empty dataset,
// a zero-length growable dataset, a string dataset, a dataset with a fill
// value and one element written, a dataset inside the shared new
// intermediate group /shared (every rank's), and an attribute of its own
// on the root group. Rank 0 creates the group /common; the last rank a
// dataset inside it in the same epoch.
func Own(f *h5file.File, r, n int) error {
	in := f.Independent()
	g, err := in.CreateGroup(fmt.Sprintf("rank%02d", r))
	if err != nil {
		return err
	}
	if err := g.Attrs().Set("rank", int64(r)); err != nil {
		return err
	}
	if err := g.Attrs().Set("name", fmt.Sprintf("rank %d of %d", r, n)); err != nil {
		return err
	}
	x, err := g.CreateDataset("x", h5file.Float64, []uint64{uint64(3 * (r + 1))})
	if err != nil {
		return err
	}
	xv := make([]float64, 3*(r+1))
	for i := range xv {
		xv[i] = float64(Value(r, 0, i))
	}
	if err := x.Write(xv); err != nil {
		return err
	}
	if err := x.Attrs().Set("units", "m"); err != nil {
		return err
	}
	c, err := g.CreateDataset("chunked", h5file.Int32, []uint64{uint64(r + 1), 4}, h5file.Chunks(1, 4))
	if err != nil {
		return err
	}
	for row := range r + 1 { // one write per row: several held writes
		v := make([]int32, 4)
		for j := range v {
			v[j] = int32(Value(r, 1, row*4+j))
		}
		if err := c.WriteSel(h5file.S(h5file.Index(int64(row))), v); err != nil {
			return err
		}
	}
	gz := make([]int64, 10*(r+1))
	for i := range gz {
		gz[i] = Value(r, 2, i)
	}
	if _, err := g.CreateDatasetFrom("gzip", gz, h5file.Gzip(4), h5file.Chunks(7)); err != nil {
		return err
	}
	cv := make([]int16, r+2)
	for i := range cv {
		cv[i] = int16(r*100 + i)
	}
	if _, err := g.CreateDatasetFrom("compact", cv, h5file.Compact()); err != nil {
		return err
	}
	if _, err := g.CreateDataset("empty", h5file.Float64, nil, h5file.Empty()); err != nil {
		return err
	}
	if _, err := g.CreateDataset("grow", h5file.Int64, []uint64{0}, h5file.MaxShape(h5file.Unlimited), h5file.Chunks(4)); err != nil {
		return err
	}
	if _, err := g.CreateDatasetFrom("names", []string{fmt.Sprintf("r%d-a", r), fmt.Sprintf("r%d-b", r)}); err != nil {
		return err
	}
	fd, err := g.CreateDataset("filled", h5file.Int32, []uint64{5}, h5file.FillValue(int32(-7)))
	if err != nil {
		return err
	}
	if err := fd.WriteSel(h5file.S(h5file.Index(0)), []int32{int32(r)}); err != nil {
		return err
	}
	if _, err := in.CreateDatasetFrom(fmt.Sprintf("shared/sub%02d/v", r), []int64{int64(r), int64(n)}); err != nil {
		return err
	}
	if err := in.Attrs("/").Set(fmt.Sprintf("done%02d", r), int64(r)); err != nil {
		return err
	}
	if r == 0 {
		cg, err := in.CreateGroup("common")
		if err != nil {
			return err
		}
		if err := cg.Attrs().Set("by", int64(0)); err != nil {
			return err
		}
	}
	if r == n-1 {
		if _, err := in.CreateDatasetFrom("common/last", []int64{int64(n)}); err != nil {
			return err
		}
	}
	// Before the flush the objects are this rank's alone.
	if _, err := x.Dataset(); !errors.Is(err, h5file.ErrPending) {
		return fmt.Errorf("before the flush, Dataset() = %v, want ErrPending", err)
	}
	if f.Contains(fmt.Sprintf("rank%02d", r)) {
		return fmt.Errorf("rank%02d is in the file before the flush", r)
	}
	return nil
}

// After is what every rank does after the flush that merged every rank's
// creations: it reads every rank's objects and checks them, and then uses
// them collectively: reads the last rank's x (each rank its element),
// grows rank 0's /rank00/grow (Resize, collective),
// writes a row of each rank's chunked dataset collectively, and writes
// element i of rank 0's gzip dataset from each rank i < its length
// (a collective filtered write).
func After(f *h5file.File, r, n int) error {
	for q := range n {
		if err := CheckRank(f, q, n); err != nil {
			return fmt.Errorf("rank %d reading rank %d's objects: %w", r, q, err)
		}
	}
	last, err := h5file.ReadAll[int64](mustDataset(f, "common/last"))
	if err != nil || !slices.Equal(last, []int64{int64(n)}) {
		return fmt.Errorf("common/last = %v, %v", last, err)
	}
	// A collective read of the last rank's dataset, every rank reading
	// its own element (the last rank's x has 3n elements).
	lx, err := f.Dataset(fmt.Sprintf("rank%02d/x", n-1))
	if err != nil {
		return err
	}
	got := make([]float64, 1)
	if err := lx.Collective().ReadSel(h5file.S(h5file.Index(int64(r))), got); err != nil {
		return err
	}
	if got[0] != float64(Value(n-1, 0, r)) {
		return fmt.Errorf("collective read of rank%02d/x[%d] = %v", n-1, r, got[0])
	}
	grow, err := f.Dataset("rank00/grow")
	if err != nil {
		return err
	}
	if err := grow.Resize(uint64(n)); err != nil {
		return err
	}
	if err := grow.WriteSel(h5file.S(h5file.Index(int64(r))), []int64{int64(100 + r)}); err != nil {
		return err
	}
	for q := range n {
		d, err := f.Dataset(fmt.Sprintf("rank%02d/chunked", q))
		if err != nil {
			return err
		}
		sel := h5file.S(h5file.Range(0, 0))
		var v []int32
		if q == r { // each rank rewrites row 0 of its own dataset, collectively
			sel = h5file.S(h5file.Index(0))
			v = []int32{-1, -2, -3, -4}
		}
		if err := d.Collective().WriteSel(sel, v); err != nil {
			return err
		}
	}
	gz, err := f.Dataset("rank00/gzip")
	if err != nil {
		return err
	}
	sel, v := h5file.S(h5file.Index(int64(r))), []int64{-int64(r) - 1}
	if r >= 10 {
		sel, v = h5file.S(h5file.Range(0, 0)), nil
	}
	return gz.Collective().WriteSel(sel, v)
}

func mustDataset(f *h5file.File, p string) *h5file.Dataset {
	d, err := f.Dataset(p)
	if err != nil {
		panic(err) // only in tests, after Contains checked
	}
	return d
}

// CheckRank checks rank q's objects as Own made them (before After).
func CheckRank(f *h5file.File, q, n int) error {
	g := fmt.Sprintf("rank%02d/", q)
	grp, err := f.Group(g)
	if err != nil {
		return err
	}
	if v, err := h5file.AttrValue[int64](grp, "rank"); err != nil || v != int64(q) {
		return fmt.Errorf("attribute rank = %d, %v", v, err)
	}
	if v, err := h5file.AttrValue[string](grp, "name"); err != nil || v != fmt.Sprintf("rank %d of %d", q, n) {
		return fmt.Errorf("attribute name = %q, %v", v, err)
	}
	x, err := f.Dataset(g + "x")
	if err != nil {
		return err
	}
	xv, err := h5file.ReadAll[float64](x)
	if err != nil {
		return err
	}
	if len(xv) != 3*(q+1) {
		return fmt.Errorf("x has %d elements", len(xv))
	}
	for i, v := range xv {
		if v != float64(Value(q, 0, i)) {
			return fmt.Errorf("x[%d] = %v", i, v)
		}
	}
	if u, err := h5file.AttrValue[string](x, "units"); err != nil || u != "m" {
		return fmt.Errorf("x@units = %q, %v", u, err)
	}
	c, err := f.Dataset(g + "chunked")
	if err != nil {
		return err
	}
	cv, err := h5file.ReadAll[int32](c)
	if err != nil {
		return err
	}
	for i, v := range cv {
		if v != int32(Value(q, 1, i)) {
			return fmt.Errorf("chunked[%d] = %d", i, v)
		}
	}
	gz, err := h5file.ReadAll[int64](mustDataset(f, g+"gzip"))
	if err != nil || len(gz) != 10*(q+1) {
		return fmt.Errorf("gzip: %d elements, %v", len(gz), err)
	}
	for i, v := range gz {
		if v != Value(q, 2, i) {
			return fmt.Errorf("gzip[%d] = %d", i, v)
		}
	}
	cp, err := h5file.ReadAll[int16](mustDataset(f, g+"compact"))
	if err != nil || len(cp) != q+2 || cp[q+1] != int16(q*100+q+1) {
		return fmt.Errorf("compact = %v, %v", cp, err)
	}
	if e := mustDataset(f, g+"empty"); !e.IsEmpty() {
		return fmt.Errorf("empty is not empty")
	}
	if s := mustDataset(f, g+"grow").Shape(); !slices.Equal(s, []uint64{0}) {
		return fmt.Errorf("grow has shape %v", s)
	}
	names, err := h5file.ReadAll[string](mustDataset(f, g+"names"))
	if err != nil || !slices.Equal(names, []string{fmt.Sprintf("r%d-a", q), fmt.Sprintf("r%d-b", q)}) {
		return fmt.Errorf("names = %q, %v", names, err)
	}
	filled, err := h5file.ReadAll[int32](mustDataset(f, g+"filled"))
	if err != nil || !slices.Equal(filled, []int32{int32(q), -7, -7, -7, -7}) {
		return fmt.Errorf("filled = %v, %v", filled, err)
	}
	sv, err := h5file.ReadAll[int64](mustDataset(f, fmt.Sprintf("shared/sub%02d/v", q)))
	if err != nil || !slices.Equal(sv, []int64{int64(q), int64(n)}) {
		return fmt.Errorf("shared/sub%02d/v = %v, %v", q, sv, err)
	}
	if v, err := h5file.AttrValue[int64](f, fmt.Sprintf("done%02d", q)); err != nil || v != int64(q) {
		return fmt.Errorf("/@done%02d = %d, %v", q, v, err)
	}
	return nil
}

// H5Py is a Python function check(f, n) that checks, with h5py, the file
// Own, a flush and After made with n ranks: every value of every rank.
const H5Py = `
def value(r, k, i):
    return r*1000000 + k*10000 + i

def check(f, n):
    assert f['common'].attrs['by'] == 0
    assert f['common/last'][()].tolist() == [n]
    for r in range(n):
        g = f['rank%02d' % r]
        assert g.attrs['rank'] == r, g.attrs['rank']
        name = g.attrs['name']
        name = name.decode() if isinstance(name, bytes) else name
        assert name == 'rank %d of %d' % (r, n), name
        x = g['x']
        assert x.dtype == np.float64 and x.shape == (3*(r+1),)
        assert x[()].tolist() == [float(value(r, 0, i)) for i in range(3*(r+1))]
        u = x.attrs['units']
        assert (u.decode() if isinstance(u, bytes) else u) == 'm'
        c = g['chunked']
        assert c.chunks == (1, 4) and c.shape == (r+1, 4)
        want = [value(r, 1, i) for i in range(4*(r+1))]
        want[0:4] = [-1, -2, -3, -4]
        assert c[()].ravel().tolist() == want, (r, c[()])
        z = g['gzip']
        assert z.compression == 'gzip' and z.compression_opts == 4
        want = [value(r, 2, i) for i in range(10*(r+1))]
        if r == 0:
            for q in range(min(n, 10)):
                want[q] = -q - 1
        assert z[()].tolist() == want, (r, z[()])
        cp = g['compact']
        assert cp.id.get_create_plist().get_layout() == h5py.h5d.COMPACT
        assert cp[()].tolist() == [r*100 + i for i in range(r+2)]
        assert g['empty'].shape is None
        grow = g['grow']
        assert grow.maxshape == (None,)
        if r == 0:
            assert grow[()].tolist() == [100 + q for q in range(n)]
        else:
            assert grow.shape == (0,)
        names = [s.decode() if isinstance(s, bytes) else s for s in g['names'][()]]
        assert names == ['r%d-a' % r, 'r%d-b' % r], names
        assert g['filled'][()].tolist() == [r, -7, -7, -7, -7]
        assert g['filled'].fillvalue == -7
        assert f['shared/sub%02d/v' % r][()].tolist() == [r, n]
        assert f.attrs['done%02d' % r] == r
`
