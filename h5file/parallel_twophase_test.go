package h5file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// sel3 is a test selection: per dimension start:stop:step.
type sel3 [][3]int64

func (s sel3) slices() Slices {
	out := make(Slices, len(s))
	for i, d := range s {
		out[i] = RangeStep(d[0], d[1], d[2])
	}
	return out
}

// each calls fn with the linear index of every selected element, in the
// packed buffer's order.
func (s sel3) each(shape []uint64, fn func(lin int)) {
	var walk func(dim, lin int)
	walk = func(dim, lin int) {
		if dim == len(shape) {
			fn(lin)
			return
		}
		for i := s[dim][0]; i < s[dim][1]; i += s[dim][2] {
			walk(dim+1, lin*int(shape[dim])+int(i))
		}
	}
	walk(0, 0)
}

// TestTwoPhase writes collective selections that fall into short runs
// (block decompositions, strided and overlapping selections, ranks with
// nothing, gaps the fill value must survive) with a small aggregation
// buffer, so domains take several rounds, and reads back exactly what the
// ranks wrote, later ranks winning where they overlap. Long runs take the
// direct path.
func TestTwoPhase(t *testing.T) {
	type tc struct {
		name     string
		n        int
		shape    []uint64
		sel      func(r int) sel3
		twoPhase bool
		opts     []DatasetOption
	}
	half := func(n, r, p int) (int64, int64) { return int64(n * r / p), int64(n * (r + 1) / p) }
	cases := []tc{
		{"3-D tiles 2x2x1", 4, []uint64{20, 24, 30}, func(r int) sel3 {
			a, b := half(24, r/2, 2)
			c, d := half(30, r%2, 2)
			return sel3{{0, 20, 1}, {a, b, 1}, {c, d, 1}}
		}, true, nil},
		{"3-D tiles, 3 ranks on the last dimension", 3, []uint64{9, 10, 31}, func(r int) sel3 {
			a, b := half(31, r, 3)
			return sel3{{0, 9, 1}, {0, 10, 1}, {a, b, 1}}
		}, true, nil},
		{"2-D column blocks, one rank empty", 3, []uint64{300, 40}, func(r int) sel3 {
			if r == 1 {
				return sel3{{0, 0, 1}, {0, 0, 1}}
			}
			a, b := half(40, r/2, 2)
			return sel3{{0, 300, 1}, {a, b, 1}}
		}, true, nil},
		{"strided, with gaps", 2, []uint64{64, 50}, func(r int) sel3 {
			return sel3{{int64(r), 64, 3}, {5, 45, 2}}
		}, true, nil},
		{"overlapping", 3, []uint64{100, 20}, func(r int) sel3 {
			return sel3{{int64(10 * r), int64(10*r + 50), 1}, {int64(r), 20, 2}}
		}, true, nil},
		{"3-D tiles, chunked", 4, []uint64{20, 24, 30}, func(r int) sel3 {
			a, b := half(24, r/2, 2)
			c, d := half(30, r%2, 2)
			return sel3{{0, 20, 1}, {a, b, 1}, {c, d, 1}}
		}, true, []DatasetOption{Chunks(7, 5, 8)}},
		{"2-D column blocks, resizable", 3, []uint64{50, 30}, func(r int) sel3 {
			a, b := half(30, r, 3)
			return sel3{{0, 50, 1}, {a, b, 1}}
		}, true, []DatasetOption{Chunks(16, 16), MaxShape(Unlimited, 30)}},
		{"sparse: every 20th column, direct", 2, []uint64{200, 400}, func(r int) sel3 {
			return sel3{{int64(r), 200, 2}, {0, 400, 20}}
		}, false, nil},
		{"row slabs: long runs, direct", 2, []uint64{64, 4096}, func(r int) sel3 {
			a, b := half(64, r, 2)
			return sel3{{a, b, 1}, {0, 4096, 1}}
		}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tp.h5")
			var twoPhaseWrites atomic.Int64
			errs := runRanks(t, tc.n, func(ctx context.Context, c *comm.Comm) error {
				// A small aggregation buffer: domains take several rounds.
				f, err := Create(path, "w", WithComm(c), WithContext(ctx), withTwoPhase(defaultTwoPhase.maxRun, 8<<10))
				if err != nil {
					return err
				}
				d, err := CreateDatasetOf[int32](f, "x", tc.shape, append([]DatasetOption{FillValue(int32(-7))}, tc.opts...)...)
				if err != nil {
					f.Close()
					return err
				}
				var v []int32
				s := tc.sel(c.Rank())
				s.each(tc.shape, func(lin int) { v = append(v, int32(1_000_000*(c.Rank()+1)+lin)) })
				if err := d.Collective().WriteSel(s.slices(), v); err != nil {
					f.Close()
					return err
				}
				twoPhaseWrites.Add(int64(f.twoPhaseWrites))
				return f.Close()
			})
			rankErrors(t, errs)
			if got := twoPhaseWrites.Load(); (got > 0) != tc.twoPhase {
				t.Errorf("%d of %d ranks wrote in two phases, want two-phase %v", got, tc.n, tc.twoPhase)
			}
			total := 1
			for _, x := range tc.shape {
				total *= int(x)
			}
			want := slices.Repeat([]int32{-7}, total)
			for r := range tc.n {
				tc.sel(r).each(tc.shape, func(lin int) { want[lin] = int32(1_000_000*(r+1) + lin) })
			}
			f, err := Open(path, "r")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := f.Dataset("x")
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadAll[int32](d)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("element %d: %d, want %d (and maybe more)", i, got[i], want[i])
				}
			}
		})
	}
}

// TestTwoPhaseH5py: a 3-D block decomposition written in two phases by 4
// ranks, contiguous and chunked, reads back in h5py as the cube of linear
// indices.
func TestTwoPhaseH5py(t *testing.T) {
	for _, opts := range [][]DatasetOption{nil, {Chunks(5, 6, 7)}} {
		twoPhaseH5py(t, opts)
	}
}

func twoPhaseH5py(t *testing.T, opts []DatasetOption) {
	const nx, ny, nz = 16, 20, 36
	path := filepath.Join(t.TempDir(), "tiles.h5")
	var twoPhaseWrites atomic.Int64
	errs := runRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[float64](f, "cube", []uint64{nx, ny, nz}, opts...)
		if err != nil {
			f.Close()
			return err
		}
		r := c.Rank()
		s := sel3{{0, nx, 1}, {int64(r / 2 * ny / 2), int64((r/2 + 1) * ny / 2), 1}, {int64(r % 2 * nz / 2), int64((r%2 + 1) * nz / 2), 1}}
		var v []float64
		s.each([]uint64{nx, ny, nz}, func(lin int) { v = append(v, float64(lin)) })
		if err := d.Collective().WriteSel(s.slices(), v); err != nil {
			f.Close()
			return err
		}
		twoPhaseWrites.Add(int64(f.twoPhaseWrites))
		return f.Close()
	})
	rankErrors(t, errs)
	if twoPhaseWrites.Load() == 0 {
		t.Fatal("the write did not go in two phases")
	}
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
x = f['cube'][...]
print(x.shape == (%d, %d, %d) and bool((x == np.arange(x.size, dtype='f8').reshape(x.shape)).all()))`, path, nx, ny, nz))
	if out != "True\n" {
		t.Fatalf("h5py: %q", out)
	}
}

// TestTwoPhaseWriteFails: when one aggregator's writes fail (a full disk),
// every rank's WriteSel returns an error, the others' naming that rank,
// and the file still closes on every rank.
func TestTwoPhaseWriteFails(t *testing.T) {
	fault := withTwoPhaseFault(func(rank int) error {
		if rank == 1 {
			return errors.New("no space left on device (injected)")
		}
		return nil
	})
	path := filepath.Join(t.TempDir(), "fail.h5")
	errs := runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx), fault)
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[int32](f, "x", []uint64{60, 30})
		if err != nil {
			f.Close()
			return err
		}
		a, b := int64(10*c.Rank()), int64(10*c.Rank()+10)
		werr := d.Collective().WriteSel(S(All, Range(a, b)), make([]int32, 600))
		if cerr := f.Close(); cerr != nil {
			return fmt.Errorf("close after a failed write: %w", cerr)
		}
		return werr
	})
	for r, err := range errs {
		want := "rank 1, writing the ranks' data"
		if r == 1 {
			want = "no space left on device (injected)"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("rank %d: %v, want an error saying %q", r, err, want)
		}
	}
}

// rankErrors fails the test on the first rank's error.
func rankErrors(t testing.TB, errs []error) {
	t.Helper()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}
