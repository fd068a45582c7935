package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// The lazy r+ open (ARCHITECTURE.md decision 42): a file of 10k objects
// made by h5py, opened r+ (serially, and by 4 ranks), changed in the
// ways a whole walk at open used to make safe (a value, a new dataset, a
// dataset deleted while a group never loaded still links to it, a
// chunked dataset resized, a dataset h5py left without storage written
// by every rank), reads a small fraction of the file's metadata; then
// h5py checks every object and value of the original plus the changes,
// and h5dump reads the whole file.

// lazyRWScript makes the file: 100 groups of 99 datasets (4 int32 each,
// an attribute each), a hard link from group "hard" to g01/d01, a
// committed type used by a dataset, a resizable chunked dataset and a
// dataset without storage.
const lazyRWScript = `import numpy as np
with h5py.File(%q, 'w', libver=%q) as f:
    for g in range(100):
        grp = f.create_group('g%%02d' %% g)
        for i in range(99):
            d = grp.create_dataset('d%%02d' %% i, data=np.arange(4, dtype='<i4') + 100 * g + i)
            d.attrs['i'] = np.int32(100 * g + i)
    f.create_group('hard')['alias'] = f['g01/d01']
    f['T'] = np.dtype('<f8')
    f.create_dataset('typed/x', data=np.arange(3.0), dtype=f['T'])
    f.create_dataset('grow', data=np.arange(10, dtype='<i8'), maxshape=(None,), chunks=(4,))
    f.create_dataset('late', (8,), dtype='<i4', fillvalue=-9)
`

// lazyRWCheck is h5py's check of the changed file.
const lazyRWCheck = `import numpy as np
f = h5py.File(%q, 'r')
bad = []
n = 0
for g in range(100):
    for i in range(99):
        name = 'g%%02d/d%%02d' %% (g, i)
        if (g, i) == (1, 1):
            if name in f: bad.append('deleted ' + name + ' is there')
            continue
        want = np.arange(4) + 100 * g + i
        if (g, i) == (42, 17): want = np.array([-1, -2, -3, -4])
        d = f[name]
        if d[()].tolist() != want.tolist() or int(d.attrs['i']) != 100 * g + i: bad.append(name)
        n += 1
if f['hard/alias'][()].tolist() != [101, 102, 103, 104]: bad.append('hard/alias')
if f['added'][()].tolist() != [7, 8, 9]: bad.append('added')
if f['grow'][()].tolist() != list(range(10)) + list(range(100, 110)): bad.append('grow %%s' %% f['grow'][()].tolist())
if f['late'][()].tolist() != %s: bad.append('late %%s' %% f['late'][()].tolist())
if f['typed/x'][()].tolist() != [0.0, 1.0, 2.0] or not f['typed/x'].dtype == f['T'].dtype or not f['T'].id.committed(): bad.append('typed')
print(n, bad)
`

// lazyRWChange makes the changes on one rank of n (n 1: serially).
func lazyRWChange(f *h5file.File, rank, n int) error {
	d, err := f.Dataset("g42/d17")
	if err != nil {
		return err
	}
	if rank == n-1 { // one rank alone: an independent write to storage that exists
		if err := d.Write([]int32{-1, -2, -3, -4}); err != nil {
			return err
		}
	}
	if _, err := f.CreateDatasetFrom("added", []int32{7, 8, 9}); err != nil {
		return err
	}
	if err := f.Delete("g01/d01"); err != nil {
		return err
	}
	g, err := f.Dataset("grow")
	if err != nil {
		return err
	}
	if err := g.Resize(20); err != nil {
		return err
	}
	if rank == 0 {
		v := make([]int64, 10)
		for i := range v {
			v[i] = int64(100 + i)
		}
		if err := g.WriteSel(h5file.S(h5file.Range(10, 20)), v); err != nil {
			return err
		}
	}
	// Storage h5py never allocated: every rank writes its part (2 of the 8
	// elements at 4 ranks; the rest keeps the fill value).
	l, err := f.Dataset("late")
	if err != nil {
		return err
	}
	per := int64(8 / max(n, 2))
	if n == 1 {
		per = 4
	}
	r := int64(rank)
	return l.WriteSel(h5file.S(h5file.Range(r*per, r*per+1)), []int32{int32(10 + r)})
}

func TestLazyReadWriteOpen(t *testing.T) {
	for _, family := range []string{"earliest", "latest"} {
		t.Run(family, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "tenk.h5")
			interop.H5Py(t, fmt.Sprintf(lazyRWScript, src, family))

			// The metadata of the whole file: what a visit of everything reads.
			read, stop := h5file.CountSerialMetadata()
			f, err := h5file.Open(src, "r")
			if err != nil {
				stop()
				t.Fatal(err)
			}
			k := 0
			err = f.Visit(func(string, h5file.Object) error { k++; return nil })
			f.Close()
			total := read.Load()
			stop()
			if err != nil || k < 100*100 {
				t.Fatalf("visited %d objects: %v", k, err)
			}

			t.Run("serial", func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "s.h5")
				copyFile(t, src, path)
				read, stop := h5file.CountSerialMetadata()
				defer stop()
				f, err := h5file.Open(path, "r+")
				if err != nil {
					t.Fatal(err)
				}
				atOpen := read.Load()
				if err := lazyRWChange(f, 0, 1); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				got := read.Load()
				t.Logf("metadata read: open r+ %d B, open + changes + close %d B, a visit of everything %d B", atOpen, got, total)
				if total < 500_000 || got*20 > total {
					t.Errorf("read %d of %d bytes of metadata: want under 5%%", got, total)
				}
				checkLazyRW(t, path, "[10, -9, -9, -9, -9, -9, -9, -9]")
			})

			t.Run("parallel", func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "p.h5")
				copyFile(t, src, path)
				const n = 4
				io := make([]h5file.MetadataIO, n)
				mode := "r+"
				if family == "latest" {
					mode = "a" // an existing file: opened as r+
				}
				noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
					f, err := h5file.Open(path, mode, h5file.WithComm(c), h5file.WithContext(ctx))
					if err != nil {
						return err
					}
					if err := lazyRWChange(f, c.Rank(), n); err != nil {
						f.Close()
						return err
					}
					err = f.Close()
					io[c.Rank()] = f.MetadataIO()
					return err
				}))
				t.Logf("rank 0 read %d B of metadata (%d reads) for 4 ranks; a visit of everything reads %d B", io[0].FileBytes, io[0].FileReads, total)
				if io[0].FileBytes*20 > total {
					t.Errorf("rank 0 read %d of %d bytes of metadata: want under 5%%", io[0].FileBytes, total)
				}
				for r := 1; r < n; r++ {
					if io[r].FileReads != 0 {
						t.Errorf("rank %d read metadata from the file: %+v", r, io[r])
					}
				}
				checkLazyRW(t, path, "[10, -9, 11, -9, 12, -9, 13, -9]")
			})
		})
	}
}

// checkLazyRW has h5py check every object and h5dump read the whole file.
func checkLazyRW(t *testing.T, path, late string) {
	t.Helper()
	out := interop.H5Py(t, fmt.Sprintf(lazyRWCheck, path, late))
	if want := "9899 []\n"; out != want {
		t.Errorf("h5py: %q, want %q", out, want)
	}
	dump, code := interop.H5Dump(t, path)
	if code != 0 || strings.Count(dump, "DATASET \"d") != 9899 || !strings.Contains(dump, `DATASET "added"`) {
		t.Errorf("h5dump: exit %d, %d datasets d*, added there: %v; %.300s", code, strings.Count(dump, "DATASET \"d"), strings.Contains(dump, `DATASET "added"`), dump)
	}
}

// TestParallelLateStorageAlone: a dataset h5py left without storage gets
// it at its first write, a collective step; one rank writing it alone is
// a *MismatchError on every rank before any data is written (not a hang,
// not a file where ranks disagree on where its data is), and the file
// keeps what it had.
func TestParallelLateStorageAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "late.h5")
	interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'w')
f.create_dataset('late', (8,), dtype='i4', fillvalue=-9)
f.create_dataset('x', data=[1, 2, 3])
f.close()`, path))
	const n = 3
	errs := h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		var werr error
		if c.Rank() == 1 {
			d, err := f.Dataset("late")
			if err != nil {
				return err
			}
			werr = d.Write([]int32{1, 2, 3, 4, 5, 6, 7, 8})
		}
		return errors.Join(werr, f.Close())
	})
	for r, err := range errs {
		if !errors.Is(err, h5file.ErrMismatch) {
			t.Errorf("rank %d: %v, want ErrMismatch", r, err)
		}
	}
	if out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['late'][()].tolist(), f['x'][()].tolist())`, path)); out != "[-9, -9, -9, -9, -9, -9, -9, -9] [1, 2, 3]\n" {
		t.Errorf("h5py: %q", out)
	}
}

// TestParallelLateStorageCollective: datasets h5py left without storage,
// first written by a collective write and by WriteMulti, get their
// storage (and fill values) in that call on every rank alike.
func TestParallelLateStorageCollective(t *testing.T) {
	path := filepath.Join(t.TempDir(), "late.h5")
	interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'w')
f.create_dataset('c', (6,), dtype='i4', fillvalue=-1)
f.create_dataset('m', (6,), dtype='i4', fillvalue=-2)
f.create_dataset('k', (6,), dtype='i4', chunks=(2,), fillvalue=-3)
f.close()`, path))
	const n = 3
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		ds := map[string]*h5file.Dataset{}
		for _, name := range []string{"c", "m", "k"} {
			if ds[name], err = f.Dataset(name); err != nil {
				return err
			}
		}
		sel, data := h5file.S(h5file.Index(2*r)), []int32{int32(10 + r)}
		if r == 1 {
			sel, data = h5file.S(h5file.Range(0, 0)), []int32{} // takes part without data
		}
		if err := ds["c"].Collective().WriteSel(sel, data); err != nil {
			return err
		}
		return errors.Join(f.WriteMulti(
			h5file.MultiWrite{D: ds["m"], Sel: h5file.S(h5file.Index(2 * r)), Data: []int32{int32(20 + r)}},
			h5file.MultiWrite{D: ds["k"], Sel: h5file.S(h5file.Index(2 * r)), Data: []int32{int32(30 + r)}},
		), f.Close())
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['c'][()].tolist(), f['m'][()].tolist(), f['k'][()].tolist())`, path))
	if want := "[10, -1, -1, -1, 12, -1] [20, -2, 21, -2, 22, -2] [30, -3, 31, -3, 32, -3]\n"; out != want {
		t.Errorf("h5py: %q, want %q", out, want)
	}
}
