package h5file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestPackedAt: a piece's offset in the concatenation of a rank's
// buffers finds its buffer, empty buffers included.
func TestPackedAt(t *testing.T) {
	p := &packed{bufs: [][]byte{[]byte("abc"), nil, []byte("de"), nil, []byte("fgh")}}
	p.starts = []uint64{0, 3, 3, 5, 5}
	for _, tc := range []struct {
		off, n uint64
		want   string
	}{{0, 3, "abc"}, {1, 2, "bc"}, {3, 2, "de"}, {4, 1, "e"}, {5, 3, "fgh"}, {7, 1, "h"}, {6, 0, ""}} {
		if got := string(p.at(tc.off, tc.n)); got != tc.want {
			t.Errorf("at(%d, %d) = %q, want %q", tc.off, tc.n, got, tc.want)
		}
	}
	if got := string(onePacked([]byte("xyz")).at(1, 2)); got != "yz" {
		t.Errorf("onePacked: %q", got)
	}
}

// TestMultiPlan: the parts of every dataset plan one two-phase I/O over
// their combined span; long runs, unallocated chunks and sparse spans go
// directly, as for one dataset.
func TestMultiPlan(t *testing.T) {
	part := func(runs, bytes, first, limit uint64) selSummary {
		return selSummary{Runs: runs, Bytes: bytes, First: first, Limit: limit}
	}
	cfg := defaultTwoPhase
	for _, tc := range []struct {
		name      string
		all       []multiSummary
		want      bool
		lo, limit uint64 // the combined span of rank 0 when want
	}{
		{"VPIC: 8 variables, one 4 MiB run each", []multiSummary{
			{Parts: []selSummary{part(1, 4<<20, 0, 4<<20), part(1, 4<<20, 8<<20, 12<<20)}},
			{Parts: []selSummary{part(1, 4<<20, 4<<20, 8<<20), part(1, 4<<20, 12<<20, 16<<20)}},
		}, false, 0, 0},
		{"tiles of three datasets, short runs", []multiSummary{
			{Parts: []selSummary{part(100, 12800, 0, 25600), part(100, 12800, 30000, 55600), part(0, 0, 0, 0)}},
			{Parts: []selSummary{part(100, 12800, 128, 25728), part(100, 12800, 30128, 55728), part(50, 6400, 60000, 72800)}},
		}, true, 0, 55600},
		{"one dataset's tiles alone would be sparse, together they are not", []multiSummary{
			{Parts: []selSummary{part(40, 4000, 0, 8000), part(40, 4000, 8000, 16000)}},
			{Parts: []selSummary{part(40, 4000, 100, 8100), part(40, 4000, 8100, 16100)}},
		}, true, 0, 16000},
		{"a part with unallocated chunks: direct", []multiSummary{
			{Parts: []selSummary{part(100, 12800, 0, 25600), {Unallocated: true}}},
			{Parts: []selSummary{part(100, 12800, 128, 25728), part(0, 0, 0, 0)}},
		}, false, 0, 0},
		{"parts far apart: sparse, direct", []multiSummary{
			{Parts: []selSummary{part(100, 12800, 0, 25600), part(100, 12800, 1<<30, 1<<30+25600)}},
			{Parts: []selSummary{part(100, 12800, 128, 25728), part(0, 0, 0, 0)}},
		}, false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := combined(tc.all)
			tp := planTwoPhase(c, 0, cfg)
			if (tp != nil) != tc.want {
				t.Fatalf("two-phase %v, want %v (combined %+v)", tp != nil, tc.want, c)
			}
			if tc.want && (c[0].First != tc.lo || c[0].Limit != tc.limit) {
				t.Errorf("rank 0's combined span [%d, %d), want [%d, %d)", c[0].First, c[0].Limit, tc.lo, tc.limit)
			}
		})
	}
	if got := starts([]selSummary{{Bytes: 8}, {}, {Bytes: 4}, {Bytes: 2}}); fmt.Sprint(got) != "[0 8 8 12]" {
		t.Errorf("starts = %v", got)
	}
}

// multiGrid is rank r's tile among m ranks of a (nx, ny, nz) cube: all of
// the first dimension, a block of the other two.
func multiGrid(shape []uint64, m, r int) sel3 {
	py := 1
	for i := 1; i*i <= m; i++ {
		if m%i == 0 {
			py = i
		}
	}
	pz := m / py
	blk := func(n uint64, p, i int) [3]int64 {
		return [3]int64{int64(int(n) * i / p), int64(int(n) * (i + 1) / p), 1}
	}
	return sel3{{0, int64(shape[0]), 1}, blk(shape[1], py, r/pz), blk(shape[2], pz, r%pz)}
}

// multiFile writes the test file of TestWriteMulti on n ranks: with one
// WriteMulti, 3-D tiles of a contiguous and a chunked cube (the last rank
// writing nothing to the first) and row slabs of a matrix (long runs);
// then with a second, a gzip dataset, a vlen string dataset and a 1-D
// dataset together. It returns each rank's agreements and two-phase
// writes of the first call.
func multiFile(t *testing.T, path string, n int) (checks, twoPhase []int) {
	t.Helper()
	checks, twoPhase = make([]int, n), make([]int, n)
	cube := []uint64{6, 10, uint64(4*n + 3)}
	rows := []uint64{uint64(n*50 + 7), 64}
	errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		tc, err := CreateDatasetOf[int32](f, "tiles_c", cube, FillValue(int32(-7)))
		if err != nil {
			return err
		}
		tk, err := CreateDatasetOf[float64](f, "tiles_k", cube, Chunks(3, 4, 5))
		if err != nil {
			return err
		}
		rw, err := CreateDatasetOf[int64](f, "rows", rows)
		if err != nil {
			return err
		}
		gz, err := CreateDatasetOf[int32](f, "gz", []uint64{uint64(8*n + 1), 16}, Chunks(4, 16), Gzip(4))
		if err != nil {
			return err
		}
		names, err := f.CreateDataset("names", String, []uint64{uint64(n + 2)})
		if err != nil {
			return err
		}
		line, err := CreateDatasetOf[uint16](f, "line", []uint64{uint64(3 * n)})
		if err != nil {
			return err
		}
		// Call 1: the raw datasets, one agreement, one exchange.
		m := max(n-1, 1)
		s1 := multiGrid(cube, m, r)
		if n > 1 && r == n-1 {
			s1 = sel3{{0, 0, 1}, {0, 0, 1}, {0, 0, 1}}
		}
		var v1 []int32
		s1.each(cube, func(lin int) { v1 = append(v1, int32(lin)) })
		s2 := multiGrid(cube, n, r)
		var v2 []float64
		s2.each(cube, func(lin int) { v2 = append(v2, float64(lin)+0.5) })
		lo, hi := int64(int(rows[0])*r/n), int64(int(rows[0])*(r+1)/n)
		var v3 []int64
		for i := lo * 64; i < hi*64; i++ {
			v3 = append(v3, -i)
		}
		c0, t0 := f.checkCount(), f.twoPhaseWrites
		if err := f.WriteMulti(
			MultiWrite{D: tc, Sel: s1.slices(), Data: v1},
			MultiWrite{D: tk, Sel: s2.slices(), Data: v2},
			MultiWrite{D: rw, Sel: S(Range(lo, hi)), Data: v3},
		); err != nil {
			return err
		}
		checks[r], twoPhase[r] = f.checkCount()-c0, f.twoPhaseWrites-t0
		// Call 2: filtered and vlen parts fall back to their own
		// collectives inside the call.
		g0, g1 := int64(8*r), int64(8*r+8)
		if r == n-1 {
			g1++
		}
		var v4 []int32
		for i := g0 * 16; i < g1*16; i++ {
			v4 = append(v4, int32(3*i))
		}
		nsel, ndata := S(Range(int64(r), int64(r+1))), []string{fmt.Sprintf("rank %d", r)}
		if r == n-1 {
			nsel, ndata = S(Range(int64(r), int64(r+3))), []string{fmt.Sprintf("rank %d", r), "", "last"}
		}
		return f.WriteMulti(
			MultiWrite{D: gz, Sel: S(Range(g0, g1)), Data: v4},
			MultiWrite{D: names, Sel: nsel, Data: ndata},
			MultiWrite{D: line, Sel: S(Range(int64(3*r), int64(3*r+3))), Data: []uint16{uint16(r), uint16(r), uint16(r)}},
		)
	})
	rankErrors(t, errs)
	return checks, twoPhase
}

// multiVerify is the h5py check of multiFile's file for n ranks.
func multiVerify(path string, n int) string {
	return fmt.Sprintf(`n = %d
f = h5py.File(%q, 'r')
def lin(d):
    return np.arange(d.size).reshape(d.shape)
assert (f['tiles_c'][()] == lin(f['tiles_c'])).all()
assert (f['tiles_k'][()] == lin(f['tiles_k']) + 0.5).all()
assert (f['rows'][()] == -lin(f['rows'])).all()
assert (f['gz'][()] == 3 * lin(f['gz'])).all() and f['gz'].compression == 'gzip'
names = [s.decode() for s in f['names'][()]]
assert names == ['rank %%d' %% r for r in range(n)] + ['', 'last'], names
assert (f['line'][()] == np.repeat(np.arange(n), 3)).all()
print('ok')
`, n, path)
}

// TestWriteMulti: at 1-8 ranks one WriteMulti writes tiles of two cubes
// and slabs of a matrix with one agreement and (from 2 ranks) one
// two-phase exchange; a second mixes compressed, vlen and plain parts.
// h5py reads every value.
func TestWriteMulti(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 8} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "multi.h5")
			checks, twoPhase := multiFile(t, path, n)
			for r := range n {
				if n > 1 && checks[r] != 1 {
					t.Errorf("rank %d: %d agreements for one WriteMulti of three datasets, want 1", r, checks[r])
				}
				if want := min(n-1, 1); twoPhase[r] != want {
					t.Errorf("rank %d: %d two-phase writes, want %d (one for all the datasets)", r, twoPhase[r], want)
				}
			}
			if out := interop.H5Py(t, multiVerify(path, n)); out != "ok\n" {
				t.Fatalf("h5py: %q", out)
			}
		})
	}
}

// TestReadMulti: at 1-8 ranks, with the file of TestWriteMulti open
// read-only, one ReadMulti reads each rank's neighbour's tile of both
// cubes, a strided part of the matrix, rows of the gzip dataset and the
// names: one agreement and (from 2 ranks) one two-phase exchange for the
// plain datasets.
func TestReadMulti(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 8} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "multi.h5")
			multiFile(t, path, n)
			cube := []uint64{6, 10, uint64(4*n + 3)}
			var twoPhase atomic.Int64
			errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				r := c.Rank()
				f, err := Open(path, "r", WithComm(c), WithContext(ctx))
				if err != nil {
					return err
				}
				defer f.Close()
				ds := map[string]*Dataset{}
				for _, name := range []string{"tiles_c", "tiles_k", "rows", "gz", "names"} {
					if ds[name], err = f.Dataset(name); err != nil {
						return err
					}
				}
				s := multiGrid(cube, n, (r+1)%n)
				var a []int32
				var b []float64
				var rows []int64
				var gz []int32
				var names []string
				c0, t0 := f.checkCount(), f.twoPhaseReads
				if err := f.ReadMulti(
					MultiRead{D: ds["tiles_c"], Sel: s.slices(), Dst: &a},
					MultiRead{D: ds["tiles_k"], Sel: s.slices(), Dst: &b},
					MultiRead{D: ds["rows"], Sel: S(RangeStep(int64(r), int64(n*50+7), int64(n)), RangeStep(1, 64, 3)), Dst: &rows},
					MultiRead{D: ds["gz"], Sel: S(Range(1, 3)), Dst: &gz},
					MultiRead{D: ds["names"], Dst: &names},
				); err != nil {
					return err
				}
				if n > 1 && f.checkCount()-c0 != 1 {
					return fmt.Errorf("%d agreements, want 1", f.checkCount()-c0)
				}
				twoPhase.Add(int64(f.twoPhaseReads - t0))
				i := 0
				var bad error
				s.each(cube, func(lin int) {
					if bad == nil && (a[i] != int32(lin) || b[i] != float64(lin)+0.5) {
						bad = fmt.Errorf("tile element %d: %d, %g; want %d", i, a[i], b[i], lin)
					}
					i++
				})
				if bad != nil || i != len(a) || i != len(b) {
					return fmt.Errorf("tiles: %v (%d, %d values, want %d)", bad, len(a), len(b), i)
				}
				i = 0
				for row := r; row < n*50+7; row += n {
					for col := 1; col < 64; col += 3 {
						if rows[i] != -int64(row*64+col) {
							return fmt.Errorf("rows[%d, %d] = %d", row, col, rows[i])
						}
						i++
					}
				}
				for j, x := range gz {
					if x != int32(3*(16+j)) {
						return fmt.Errorf("gz element %d: %d", j, x)
					}
				}
				if len(gz) != 32 || len(names) != n+2 || names[n+1] != "last" {
					return fmt.Errorf("gz %d values, names %q", len(gz), names)
				}
				return nil
			})
			rankErrors(t, errs)
			if want := int64(min(n-1, 1) * n); twoPhase.Load() != want {
				t.Errorf("%d ranks read in two phases, want %d", twoPhase.Load(), want)
			}
		})
	}
}

// TestMultiErrors: one rank's bad part fails the call on every rank,
// naming it, before anything is written, and the file stays usable;
// different dataset lists are a mismatch on every rank; a part without a
// dataset fails on every rank. Never a hang.
func TestMultiErrors(t *testing.T) {
	type body func(f *File, a, b *Dataset, r int) error
	for _, tc := range []struct {
		name   string
		n      int
		call   body
		want   func(r int) string
		usable bool
	}{
		{"rank 1's selection out of bounds", 3, func(f *File, a, b *Dataset, r int) error {
			s := S(Range(int64(4*r), int64(4*r+4)))
			if r == 1 {
				s = S(Range(13, 20)) // start past the end
			}
			return f.WriteMulti(MultiWrite{D: a, Sel: s, Data: make([]int32, 4)}, MultiWrite{D: b, Sel: s, Data: make([]float64, 4)})
		}, func(r int) string {
			if r == 1 {
				return "beyond length"
			}
			return "rank 1's part"
		}, true},
		{"rank 2's data too short", 3, func(f *File, a, b *Dataset, r int) error {
			data := make([]int32, 4)
			if r == 2 {
				data = data[:3]
			}
			return f.WriteMulti(MultiWrite{D: a, Sel: S(Range(int64(4*r), int64(4*r+4))), Data: data})
		}, func(r int) string {
			if r == 2 {
				return "/a"
			}
			return "rank 2's part"
		}, true},
		{"rank 0's read destination of the wrong type", 2, func(f *File, a, b *Dataset, r int) error {
			var dst any = new([]int32)
			if r == 0 {
				dst = new([]string)
			}
			return f.ReadMulti(MultiRead{D: a, Dst: dst}, MultiRead{D: b, Dst: new([]float64)})
		}, func(r int) string {
			if r == 0 {
				return "/a"
			}
			return "rank 0's part"
		}, true},
		{"different dataset lists", 3, func(f *File, a, b *Dataset, r int) error {
			ws := []MultiWrite{{D: a, Data: make([]int32, 12)}, {D: b, Data: make([]float64, 12)}}
			if r == 2 {
				ws = ws[:1]
			}
			return f.WriteMulti(ws...)
		}, func(int) string { return `rank 2 called WriteMulti("/a") but` }, false},
		{"a part without a dataset", 2, func(f *File, a, b *Dataset, r int) error {
			return f.ReadMulti(MultiRead{D: a, Dst: new([]int32)}, MultiRead{Dst: new([]int32)})
		}, func(int) string { return "D is nil" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "err.h5")
			errs := runRanks(t, tc.n, func(ctx context.Context, c *comm.Comm) error {
				f, err := Create(path, "w", WithComm(c), WithContext(ctx))
				if err != nil {
					return err
				}
				a, err := CreateDatasetOf[int32](f, "a", []uint64{12}, FillValue(int32(-1)))
				if err != nil {
					f.Close()
					return err
				}
				b, err := CreateDatasetOf[float64](f, "b", []uint64{12})
				if err != nil {
					f.Close()
					return err
				}
				cerr := tc.call(f, a, b, c.Rank())
				if cerr == nil {
					f.Close()
					return errors.New("the call succeeded")
				}
				if want := tc.want(c.Rank()); !strings.Contains(cerr.Error(), want) {
					f.Close()
					return fmt.Errorf("error %q does not say %q", cerr, want)
				}
				if tc.usable {
					// Nothing was written, and the file goes on.
					var got []int32
					if err := a.Collective().Read(&got); err != nil {
						return err
					}
					if got[0] != -1 || got[11] != -1 {
						return fmt.Errorf("the failed call wrote: %v", got)
					}
					r := int64(c.Rank())
					if err := f.WriteMulti(MultiWrite{D: a, Sel: S(Range(r, r+1)), Data: []int32{int32(r)}}); err != nil {
						return fmt.Errorf("after the failed call: %w", err)
					}
					return f.Close()
				}
				f.Close()
				return nil
			})
			rankErrors(t, errs)
		})
	}
}

// TestMultiTwoPhaseFails: a failed aggregator write in a multi-dataset
// exchange fails WriteMulti on every rank, the others naming the rank.
func TestMultiTwoPhaseFails(t *testing.T) {
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
		var ws []MultiWrite
		for _, name := range []string{"x", "y"} {
			d, err := CreateDatasetOf[int32](f, name, []uint64{60, 30})
			if err != nil {
				f.Close()
				return err
			}
			a, b := int64(10*c.Rank()), int64(10*c.Rank()+10)
			ws = append(ws, MultiWrite{D: d, Sel: S(All, Range(a, b)), Data: make([]int32, 600)})
		}
		werr := f.WriteMulti(ws...)
		if cerr := f.Close(); cerr != nil {
			return fmt.Errorf("close after a failed write: %w", cerr)
		}
		return werr
	})
	for r, err := range errs {
		want := "rank 1, in a multi-dataset call"
		if r == 1 {
			want = "no space left on device (injected)"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("rank %d: %v, want an error saying %q", r, err, want)
		}
	}
}

// BenchmarkMultiTiles: 8 variables of 3-D tiles (short runs) at 4
// in-process ranks, written as 8 collective calls (8 agreements, 8
// two-phase exchanges) or as one WriteMulti (one of each).
func BenchmarkMultiTiles(b *testing.B) {
	const n = 4
	cube := []uint64{32, 64, 64}
	for _, multi := range []bool{false, true} {
		b.Run(fmt.Sprintf("multi=%v", multi), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "tiles.h5")
			b.SetBytes(int64(8 * 8 * cube[0] * cube[1] * cube[2]))
			errs := runRanks(b, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := Create(path, "w", WithComm(c), WithContext(ctx))
				if err != nil {
					return err
				}
				defer f.Close()
				s := multiGrid(cube, n, c.Rank())
				var v []float64
				s.each(cube, func(lin int) { v = append(v, float64(lin)) })
				var ws []MultiWrite
				for i := range 8 {
					d, err := CreateDatasetOf[float64](f, fmt.Sprintf("v%d", i), cube)
					if err != nil {
						return err
					}
					ws = append(ws, MultiWrite{D: d, Sel: s.slices(), Data: v})
				}
				if c.Rank() == 0 {
					b.ResetTimer()
				}
				for range b.N {
					if multi {
						if err := f.WriteMulti(ws...); err != nil {
							return err
						}
						continue
					}
					for _, w := range ws {
						if err := w.D.Collective().WriteSel(w.Sel, w.Data); err != nil {
							return err
						}
					}
				}
				return nil
			})
			rankErrors(b, errs)
		})
	}
}
