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

// appendRows opens path, grows /x by one row of chunks per call, writes
// row t = t*1000 + i, and closes: the netCDF append pattern, one file
// open per step.
func appendRows(t *testing.T, path string, steps int, opts ...h5file.Option) {
	t.Helper()
	for s := 0; s < steps; s++ {
		f, err := h5file.Open(path, "a", opts...)
		must(t, err)
		x, err := f.Dataset("x")
		must(t, err)
		n := x.Shape()[0]
		must(t, x.Resize(n+1, 6))
		row := make([]int32, 6)
		for i := range row {
			row[i] = int32(n)*1000 + int32(i)
		}
		must(t, x.WriteSel(h5file.S(h5file.Index(int64(n))), row))
		if s%7 == 0 { // a filtered dataset too: its chunks are allocated at write
			z, err := f.Dataset("z")
			must(t, err)
			m := z.Shape()[0]
			must(t, z.Resize(m+1))
			must(t, z.WriteSel(h5file.S(h5file.Index(int64(m))), []float64{float64(m) / 2}))
		}
		must(t, f.Close())
	}
}

// TestAppendDownRightEdge: steps appended one open at a time to a file
// libhdf5 made go down its chunk B-tree's right edge (leaves and internal
// nodes filling and splitting, a new root twice over); h5py reads every
// value, h5py appends more to the tree we grew, and we read its rows.
// The fill value reaches the chunks a growth allocates.
func TestAppendDownRightEdge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edge.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
x = f.create_dataset('x', shape=(0, 6), maxshape=(None, 6), chunks=(1, 3), dtype='<i4', fillvalue=-9)
for n in range(40):
    x.resize((n + 1, 6)); x[n] = n * 1000 + np.arange(6)
z = f.create_dataset('z', shape=(0,), maxshape=(None,), chunks=(1,), dtype='<f8', compression='gzip')
f.close()
`, path))
	appendRows(t, path, 160)
	check := `
f = h5py.File(%q, 'r')
x = f['x'][:]
want = np.arange(x.shape[0])[:, None] * 1000 + np.arange(6)[None, :]
z = f['z'][:]
print(x.shape, bool((x == want).all()), z.shape, bool((z == np.arange(z.shape[0]) / 2).all()))
`
	if out := interop.H5Py(t, fmt.Sprintf(check, path)); out != "(200, 6) True (23,) True\n" {
		t.Fatalf("h5py read after our appends: %s", out)
	}
	// libhdf5 inserts into the tree we grew (splitting our nodes).
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'a')
x = f['x']
for n in range(200, 300):
    x.resize((n + 1, 6)); x[n] = n * 1000 + np.arange(6)
x.resize((302, 6))
f.close()
`, path))
	f, err := h5file.Open(path, "r")
	must(t, err)
	x, err := f.Dataset("x")
	must(t, err)
	got, err := h5file.ReadAll[int32](x)
	must(t, err)
	must(t, f.Close())
	for n := range 300 {
		for i := range 6 {
			if v := got[n*6+i]; v != int32(n*1000+i) {
				t.Fatalf("x[%d, %d] = %d, want %d", n, i, v, n*1000+i)
			}
		}
	}
	if got[300*6] != -9 || got[len(got)-1] != -9 {
		t.Errorf("rows libhdf5 grew but did not write read %d, %d; want the fill value -9", got[300*6], got[len(got)-1])
	}
	// And we append again, after libhdf5's inserts, then grow without
	// writing: the new chunks read as the fill value.
	appendRows(t, path, 30)
	f, err = h5file.Open(path, "a")
	must(t, err)
	x, err = f.Dataset("x")
	must(t, err)
	must(t, x.Resize(334, 6))
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
x = f['x'][:]
want = np.arange(x.shape[0])[:, None] * 1000 + np.arange(6)[None, :]
ok = (x[:300] == want[:300]).all() and (x[300:302] == -9).all() and (x[302:332] == want[302:332]).all() and (x[332:] == -9).all()
print(x.shape, bool(ok))
`, path))
	if out != "(334, 6) True\n" {
		t.Errorf("h5py read after the second round: %s", out)
	}
	if _, rc := interop.H5Dump(t, "-H", path); rc != 0 {
		t.Error("h5dump failed")
	}
}

// TestAppendDownRightEdgeParallel: 3 ranks append steps together; every
// rank takes the same path through the index (some ranks having read
// chunks the others did not), so the file is the one h5py expects.
func TestAppendDownRightEdgeParallel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edgepar.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
x = f.create_dataset('x', shape=(5, 6), maxshape=(None, 6), chunks=(1, 3), dtype='<i4', fillvalue=-9)
x[:] = np.arange(5)[:, None] * 1000 + np.arange(6)[None, :]
z = f.create_dataset('z', shape=(0,), maxshape=(None,), chunks=(1,), dtype='<f8', compression='gzip')
f.close()
`, path))
	for s := range 70 {
		errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Open(path, "a", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			x, err := f.Dataset("x")
			if err != nil {
				f.Close()
				return err
			}
			if c.Rank() == 1 { // one rank reads (and so loads) the index; the others do not
				if _, err := h5file.ReadAll[int32](x); err != nil {
					f.Close()
					return err
				}
			}
			n := x.Shape()[0]
			if err := x.Resize(n+1, 6); err != nil {
				f.Close()
				return err
			}
			row := []int32{int32(n) * 1000, int32(n)*1000 + 1, int32(n)*1000 + 2, int32(n)*1000 + 3, int32(n)*1000 + 4, int32(n)*1000 + 5}
			sel := h5file.S(h5file.Index(int64(n)), h5file.Range(int64(2*c.Rank()), int64(2*c.Rank()+2)))
			if err := x.Collective().WriteSel(sel, row[2*c.Rank():2*c.Rank()+2]); err != nil {
				f.Close()
				return err
			}
			z, err := f.Dataset("z")
			if err != nil {
				f.Close()
				return err
			}
			m := z.Shape()[0]
			if err := z.Resize(m + 1); err != nil {
				f.Close()
				return err
			}
			zsel := h5file.S(h5file.Range(int64(m), int64(m)))
			zdata := []float64{}
			if c.Rank() == 0 {
				zsel, zdata = h5file.S(h5file.Index(int64(m))), []float64{float64(m) / 2}
			}
			if err := z.Collective().WriteSel(zsel, zdata); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
		for r, err := range errs {
			if err != nil {
				t.Fatalf("step %d, rank %d: %v", s, r, err)
			}
		}
	}
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
x = f['x'][:]
want = np.arange(x.shape[0])[:, None] * 1000 + np.arange(6)[None, :]
z = f['z'][:]
print(x.shape, bool((x == want).all()), z.shape, bool((z == np.arange(z.shape[0]) / 2).all()))
`, path))
	if out != "(75, 6) True (70,) True\n" {
		t.Errorf("h5py read: %s", out)
	}
}

// TestAppendDownRightEdgeOneSession: one open, many steps each flushed:
// the appends of one model build on each other (the right edge kept in
// memory, lookups of chunks it appended served from memory), and a
// filtered chunk written again after it reached the tree sends the index
// to a whole rewrite; h5py reads every value.
func TestAppendDownRightEdgeOneSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
x = f.create_dataset('x', shape=(3, 6), maxshape=(None, 6), chunks=(1, 3), dtype='<i4', fillvalue=-9)
x[:] = np.arange(3)[:, None] * 1000 + np.arange(6)[None, :]
z = f.create_dataset('z', shape=(0,), maxshape=(None,), chunks=(1,), dtype='<f8', compression='gzip')
f.close()
`, path))
	f, err := h5file.Open(path, "a")
	must(t, err)
	x, err := f.Dataset("x")
	must(t, err)
	z, err := f.Dataset("z")
	must(t, err)
	for n := 3; n < 150; n++ {
		must(t, x.Resize(uint64(n+1), 6))
		// Two writes per row: the second finds the chunk appended at
		// this step's Resize, after earlier flushes moved the root.
		must(t, x.WriteSel(h5file.S(h5file.Index(int64(n)), h5file.Range(0, 3)), []int32{int32(n) * 1000, int32(n)*1000 + 1, int32(n)*1000 + 2}))
		must(t, x.WriteSel(h5file.S(h5file.Index(int64(n)), h5file.Range(3, 6)), []int32{int32(n)*1000 + 3, int32(n)*1000 + 4, int32(n)*1000 + 5}))
		m := z.Shape()[0]
		must(t, z.Resize(m+1))
		must(t, z.WriteSel(h5file.S(h5file.Index(int64(m))), []float64{float64(m) / 2}))
		if n == 100 { // rewrite a compressed chunk already in the tree
			must(t, z.WriteSel(h5file.S(h5file.Index(5)), []float64{2.5}))
		}
		must(t, f.Flush())
	}
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
x = f['x'][:]
want = np.arange(x.shape[0])[:, None] * 1000 + np.arange(6)[None, :]
z = f['z'][:]
print(x.shape, bool((x == want).all()), z.shape, bool((z == np.arange(z.shape[0]) / 2).all()))
`, path))
	if out != "(150, 6) True (147,) True\n" {
		t.Errorf("h5py read: %s", out)
	}
}
