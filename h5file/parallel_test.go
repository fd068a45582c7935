package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

func noErrors(t *testing.T, errs []error) {
	t.Helper()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}

// TestSeedRanks is the seed's program with 4 in-process ranks: every rank
// makes the same metadata calls (WithComm), each writes its own element
// straight to the file, rank 0 alone writes the metadata.
func TestSeedRanks(t *testing.T) {
	const n = 4
	path := filepath.Join(t.TempDir(), "parallel_test.hdf5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int32](f, "test", []uint64{n})
		if err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Index(int64(c.Rank()))), []int32{int32(c.Rank())}); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf("print(h5py.File(%q, 'r')['test'][()].tolist())", path))
	if out != "[0, 1, 2, 3]\n" {
		t.Fatalf("h5py reads %q", out)
	}
}

// TestMismatch: ranks that make different metadata calls get, every one of
// them, an error naming the operation and the ranks; none hangs, and the
// file stays as of the last good flush (h5dump opens it, without the
// diverging objects).
func TestMismatch(t *testing.T) {
	const n = 4
	for _, tc := range []struct {
		name string
		body func(f *h5file.File, rank int) error
		want string
	}{
		{"create_group on rank 1", func(f *h5file.File, rank int) error {
			if rank == 1 {
				if _, err := f.CreateGroup("x"); err != nil {
					return err
				}
			}
			return nil
		}, `rank 1 called CreateGroup("/x") but ranks 0,2,3 called Close`},
		{"different shape", func(f *h5file.File, rank int) error {
			shape := uint64(8)
			if rank == 2 {
				shape = 9
			}
			_, err := h5file.CreateDatasetOf[float64](f, "d", []uint64{shape})
			return err
		}, `rank 2 called CreateDataset("/d", f64le, [9]`},
		{"different resize", func(f *h5file.File, rank int) error {
			d, err := h5file.CreateDatasetOf[float64](f, "d", []uint64{0}, h5file.MaxShape(h5file.Unlimited), h5file.Chunks(4))
			if err != nil {
				return err
			}
			return d.Resize(uint64(4 + rank/3))
		}, `rank 3 called Resize("/d", [5]) but ranks 0,1,2 called Resize("/d", [4])`},
		{"different attribute value", func(f *h5file.File, rank int) error {
			v := "same"
			if rank == 3 {
				v = "other"
			}
			return f.Attrs().Set("title", v)
		}, `rank 3 called SetAttr("/@title", vlen-str`},
		{"collective write against a flush", func(f *h5file.File, rank int) error {
			if rank == 1 {
				d, err := f.Dataset("good")
				if err != nil {
					return err
				}
				return d.Collective().WriteSel(h5file.S(h5file.Index(1)), []int32{5})
			}
			return f.Flush()
		}, `rank 1 called WriteCollective("/good") but ranks 0,2,3 called Flush`},
		{"rank 1 skips Flush", func(f *h5file.File, rank int) error {
			if rank == 1 {
				return nil
			}
			return f.Flush()
		}, `rank 1 called Close but ranks 0,2,3 called Flush`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.h5")
			errs := h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
				if err != nil {
					return err
				}
				if _, err := h5file.CreateDatasetOf[int32](f, "good", []uint64{n}); err != nil {
					return err
				}
				if err := f.Flush(); err != nil {
					return err
				}
				err = tc.body(f, c.Rank())
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err == nil {
					return errors.New("no error")
				}
				// The file is unusable after a mismatch.
				if _, gerr := f.CreateGroup("late"); gerr == nil {
					return errors.New("a call after the mismatch succeeded")
				}
				return err
			})
			for r, err := range errs {
				var me *h5file.MismatchError
				if !errors.Is(err, h5file.ErrMismatch) || !errors.As(err, &me) {
					t.Fatalf("rank %d: %v, want a *MismatchError", r, err)
				}
				if r == 0 {
					t.Log(err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("rank %d: %q lacks %q", r, err, tc.want)
				}
			}
			out, code := interop.H5Dump(t, path)
			if code != 0 {
				t.Fatalf("h5dump exit %d after the mismatch:\n%s", code, out)
			}
			if !strings.Contains(out, `DATASET "good"`) || strings.Contains(out, `"x"`) || strings.Contains(out, `"d"`) {
				t.Errorf("file after the mismatch is not as of the last flush:\n%s", out)
			}
		})
	}
}

// TestParallelResizeAppend is h5bench's pattern: an unlimited dataset grows
// a step at a time, each rank writing its block of the new row.
func TestParallelResizeAppend(t *testing.T) {
	const n, per, steps = 3, 5, 6
	path := filepath.Join(t.TempDir(), "append.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int64](f, "steps", []uint64{0, n * per}, h5file.MaxShape(h5file.Unlimited, n*per), h5file.Chunks(1, per))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		for s := int64(0); s < steps; s++ {
			if err := d.Resize(uint64(s+1), n*per); err != nil {
				return err
			}
			row := make([]int64, per)
			for i := range row {
				row[i] = 1000*s + r*per + int64(i)
			}
			if err := d.WriteSel(h5file.S(h5file.Index(s), h5file.Range(r*per, (r+1)*per)), row); err != nil {
				return err
			}
			if s%2 == 1 {
				if err := f.Flush(); err != nil {
					return err
				}
			}
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`d = h5py.File(%q, 'r')['steps'][()]
want = np.array([[1000*s + i for i in range(%d)] for s in range(%d)])
print(d.shape, (d == want).all())`, path, n*per, steps))
	if out != fmt.Sprintf("(%d, %d) True\n", steps, n*per) {
		t.Fatalf("h5py: %s", out)
	}
}

// TestParallelAttributes: attributes set collectively (same value on
// every rank) on the file, a group and a dataset, changed, deleted.
func TestParallelAttributes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrs.h5")
	noErrors(t, h5file.RunRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		g, err := f.CreateGroup("g")
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int32](g, "d", []uint64{4})
		if err != nil {
			return err
		}
		for _, set := range []struct {
			o    h5file.Object
			name string
			v    any
		}{
			{f, "title", "parallel"}, {g, "ranks", int64(c.Size())}, {d, "units", "m/s"},
			{d, "scale", []float64{0.5, 2}}, {f, "title", "changed"}, {g, "gone", int32(1)},
		} {
			if err := set.o.Attrs().Set(set.name, set.v); err != nil {
				return err
			}
		}
		if err := g.Attrs().Delete("gone"); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f.attrs['title'], f['g'].attrs['ranks'], sorted(f['g'].attrs), f['g/d'].attrs['units'], list(f['g/d'].attrs['scale']))`, path))
	if out != "changed 4 ['ranks'] m/s [0.5, 2.0]\n" {
		t.Fatalf("h5py: %q", out)
	}
}

// TestParallelOpen: rank 0 reads the metadata and shares it: the other
// ranks read none from the file, and all see the same tree; r+ then
// modifies it from every rank.
func TestParallelOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "open.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		g, err := f.RequireGroup(fmt.Sprintf("g%d/sub", i%4))
		if err != nil {
			t.Fatal(err)
		}
		d, err := h5file.CreateDatasetOf[int32](g, fmt.Sprintf("d%d", i), []uint64{8}, h5file.Chunks(2))
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Write([]int32{int32(i), 1, 2, 3, 4, 5, 6, 7}); err != nil {
			t.Fatal(err)
		}
		if err := d.Attrs().Set("name", fmt.Sprintf("dataset %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	const n = 4
	reads := make([]int64, n)
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		var names []string
		err = f.Visit(func(name string, o h5file.Object) error {
			names = append(names, name)
			if d, ok := o.(*h5file.Dataset); ok {
				v, err := h5file.ReadAll[int32](d)
				if err != nil {
					return err
				}
				s, err := h5file.AttrValue[string](d, "name")
				if err != nil {
					return err
				}
				if s != fmt.Sprintf("dataset %d", v[0]) || v[7] != 7 {
					return fmt.Errorf("%s: %v %q", name, v, s)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(names) != 4+4+20 {
			return fmt.Errorf("%d objects: %v", len(names), names)
		}
		reads[c.Rank()] = f.MetadataReads()
		return f.Close()
	}))
	for r, m := range reads {
		if m != 0 {
			t.Errorf("rank %d read metadata from the file %d times, want 0", r, m)
		}
	}
	// r+: every rank adds to the file it opened from rank 0's bytes.
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := f.Dataset("g1/sub/d1")
		if err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Range(2*int64(c.Rank()), 2*int64(c.Rank())+2)), []int32{int32(c.Rank()), -1}); err != nil {
			return err
		}
		if err := f.Attrs().Set("reopened", int64(n)); err != nil {
			return err
		}
		if _, err := f.CreateGroup("added"); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['g1/sub/d1'][()].tolist(), f.attrs['reopened'], 'added' in f, f['g3/sub/d19'][0])`, path))
	if out != "[0, -1, 1, -1, 2, -1, 3, -1] 4 True 19\n" {
		t.Fatalf("h5py: %q", out)
	}
}

// TestParallelModeA: mode "a" creates the file once (rank 0 decides),
// then opens it.
func TestParallelModeA(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.h5")
	for round := range 2 {
		noErrors(t, h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Open(path, "a", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			if _, err := f.CreateGroup(fmt.Sprintf("round%d", round)); err != nil {
				return err
			}
			return f.Close()
		}))
	}
	out := interop.H5Py(t, fmt.Sprintf(`print(sorted(h5py.File(%q, 'r')))`, path))
	if out != "['round0', 'round1']\n" {
		t.Fatalf("h5py: %q", out)
	}
}

// TestParallelOpenErrors: an error of rank 0's open reaches every rank,
// naming the file once and matching the sentinel rank 0's error matched.
func TestParallelOpenErrors(t *testing.T) {
	dir := t.TempDir()
	errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		_, err := h5file.Open(filepath.Join(dir, "missing.h5"), "r", h5file.WithComm(c), h5file.WithContext(ctx))
		return err
	})
	for r, err := range errs {
		if err == nil || strings.Count(err.Error(), "missing.h5") != 1 || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("rank %d: %v; want the file named once and fs.ErrNotExist", r, err)
		}
	}
	path := filepath.Join(dir, "exists.h5")
	noErrors(t, h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		return f.Close()
	}))
	errs = h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		_, err := h5file.Create(path, "w-", h5file.WithComm(c), h5file.WithContext(ctx))
		return err
	})
	for r, err := range errs {
		if !errors.Is(err, h5file.ErrExists) {
			t.Errorf("rank %d: %v, want ErrExists", r, err)
		}
	}
}

// TestParallelOpenFallback: what rank 0 did not read at open (here the
// global heap holding a vlen dataset's strings, which is read on demand)
// the other ranks get from rank 0's metadata server when they touch it,
// never from the file; rank 0 reads it once.
func TestParallelOpenFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fallback.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateDatasetFrom("s", []string{"alpha", "beta", "gamma"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	const n = 3
	type counts struct {
		reads [2]int64
		io    [2]h5file.MetadataIO
	}
	got := make([]counts, n)
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		got[c.Rank()].reads[0], got[c.Rank()].io[0] = f.MetadataReads(), f.MetadataIO()
		// Nobody asks rank 0 for anything before it counted its open's
		// reads (else its server may read the dataset first, for them).
		if err := collectives.Barrier(ctx, c); err != nil {
			return err
		}
		d, err := f.Dataset("s")
		if err != nil {
			return err
		}
		s, err := h5file.ReadAll[string](d)
		if err != nil {
			return err
		}
		if strings.Join(s, ",") != "alpha,beta,gamma" {
			return fmt.Errorf("read %q", s)
		}
		got[c.Rank()].reads[1], got[c.Rank()].io[1] = f.MetadataReads(), f.MetadataIO()
		return f.Close()
	}))
	for r, g := range got {
		if g.reads != [2]int64{} {
			t.Errorf("rank %d: metadata reads of the file %v, want none (rank 0 serves)", r, g.reads)
		}
		if r == 0 {
			if g.io[0].Requests != 0 || g.io[1].FileReads <= g.io[0].FileReads {
				t.Errorf("rank 0: %+v then %+v: want file reads for the dataset and the heap, no requests", g.io[0], g.io[1])
			}
			continue
		}
		if g.io[0].Requests != 0 || g.io[1].Requests == 0 || g.io[1].FileReads != 0 {
			t.Errorf("rank %d: %+v then %+v: want requests to rank 0 only after the open, no file reads", r, g.io[0], g.io[1])
		}
	}
}

// TestParallelWriteIntoH5pyFile: h5py allocates storage late, on first
// write. Opened r+ by several ranks, the file's unallocated datasets get
// their storage at open on every rank alike (fill values included), so
// each rank's independent write needs no metadata call.
func TestParallelWriteIntoH5pyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "late.h5")
	interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'w')
f.create_dataset('contig', (12,), dtype='i4')
f.create_dataset('filled', (12,), dtype='i4', fillvalue=-7)
f.create_dataset('chunked', (12, 4), dtype='f8', chunks=(5, 2), fillvalue=0.5)
f.close()`, path))
	const n = 3
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		for _, name := range []string{"contig", "filled"} {
			d, err := f.Dataset(name)
			if err != nil {
				return err
			}
			// Rank r writes elements 4r and 4r+1; 4r+2, 4r+3 keep the fill value.
			if err := d.WriteSel(h5file.S(h5file.Range(4*r, 4*r+2)), []int32{int32(10 * r), int32(10*r + 1)}); err != nil {
				return err
			}
		}
		d, err := f.Dataset("chunked")
		if err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Range(4*r, 4*r+3), h5file.Index(1)), []float64{float64(r), float64(r), float64(r)}); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['contig'][()].tolist())
print(f['filled'][()].tolist())
print(f['chunked'][:, 1].tolist(), f['chunked'][:, 0].tolist() == [0.5]*12)`, path))
	want := "[0, 1, 0, 0, 10, 11, 0, 0, 20, 21, 0, 0]\n[0, 1, -7, -7, 10, 11, -7, -7, 20, 21, -7, -7]\n[0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 2.0, 2.0, 2.0, 0.5] True\n"
	if out != want {
		t.Fatalf("h5py:\n%s\nwant:\n%s", out, want)
	}
}

// TestParallelFillValue: a nonzero fill value is written once (by rank 0,
// before any rank writes data) at create and at resize, so no rank's fill
// lands on another's data.
func TestParallelFillValue(t *testing.T) {
	const n = 4
	path := filepath.Join(t.TempDir(), "fill.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		d, err := h5file.CreateDatasetOf[int32](f, "contig", []uint64{2 * n}, h5file.FillValue(int32(-1)))
		if err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Index(2*r)), []int32{int32(r)}); err != nil {
			return err
		}
		g, err := h5file.CreateDatasetOf[int32](f, "grow", []uint64{1, n}, h5file.MaxShape(h5file.Unlimited, n), h5file.Chunks(1, 1), h5file.FillValue(int32(-2)))
		if err != nil {
			return err
		}
		for s := int64(0); s < 3; s++ {
			if err := g.Resize(uint64(s+1), n); err != nil {
				return err
			}
			if r != s {
				if err := g.WriteSel(h5file.S(h5file.Index(s), h5file.Index(r)), []int32{int32(10*s + r)}); err != nil {
					return err
				}
			}
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['contig'][()].tolist(), f['grow'][()].tolist())`, path))
	if want := "[0, -1, 1, -1, 2, -1, 3, -1] [[-2, 1, 2, 3], [10, -2, 12, 13], [20, 21, -2, 23]]\n"; out != want {
		t.Fatalf("h5py: %q, want %q", out, want)
	}
}

// TestParallelCreateFrom: CreateDatasetFrom is collective (same data on
// every rank): written once, checked by digest, and ranks then write their
// parts over it; a rank with other data is a mismatch.
func TestParallelCreateFrom(t *testing.T) {
	const n = 3
	path := filepath.Join(t.TempDir(), "from.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := f.CreateDatasetFrom("x", make([]int64, 2*n))
		if err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Index(int64(2*c.Rank()))), []int64{int64(c.Rank()) + 1}); err != nil {
			return err
		}
		if _, err := f.CreateDatasetFrom("names", []string{"a", "bb", "ccc"}); err != nil {
			return err
		}
		if _, err := f.CreateDatasetFrom("small", []int16{7, 8}, h5file.Compact()); err != nil {
			return err
		}
		if _, err := f.CreateDatasetFrom("zipped", []float64{1.5, 2.5, 3.5}, h5file.Gzip(4)); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['x'][()].tolist(), [s.decode() for s in f['names'][()]], f['small'][()].tolist(), f['zipped'][()].tolist())`, path))
	if want := "[1, 0, 2, 0, 3, 0] ['a', 'bb', 'ccc'] [7, 8] [1.5, 2.5, 3.5]\n"; out != want {
		t.Fatalf("h5py: %q, want %q", out, want)
	}
	errs := h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.CreateDatasetFrom("x", []int32{1, 2, int32(c.Rank() / 2)})
		return err
	})
	for r, err := range errs {
		if !errors.Is(err, h5file.ErrMismatch) || !strings.Contains(err.Error(), `rank 2 called WriteData("/x", value#`) {
			t.Errorf("rank %d: %v", r, err)
		}
	}
}

// TestParallelCancelledRank: a rank whose file context is cancelled tells
// the others, which fail at once instead of waiting at the next check point.
func TestParallelCancelledRank(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cancel.h5")
	start := time.Now()
	errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		fctx, cancel := context.WithCancel(ctx)
		defer cancel()
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(fctx))
		if err != nil {
			return err
		}
		if _, err := f.CreateGroup("g"); err != nil {
			return err
		}
		if c.Rank() == 2 {
			cancel()
			if _, err := f.Get("g"); !errors.Is(err, context.Canceled) {
				return fmt.Errorf("Get after cancel: %v", err)
			}
		}
		return f.Close()
	})
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("ranks took %v to notice", d)
	}
	if !errors.Is(errs[2], context.Canceled) {
		t.Errorf("rank 2: %v, want context.Canceled", errs[2])
	}
	for r := range 2 {
		if errs[r] == nil || !strings.Contains(errs[r].Error(), "revoked by rank 2") {
			t.Errorf("rank %d: %v", r, errs[r])
		}
	}
}
