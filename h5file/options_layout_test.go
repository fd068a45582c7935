package h5file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestWithAlignment: raw data at or above the threshold starts on the
// alignment, also in a parallel file; h5py reads the values; alignment
// off and bad values behave.
func TestWithAlignment(t *testing.T) {
	addr := func(t *testing.T, f *File, name string) uint64 {
		d, err := f.Dataset(name)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := d.d.DataAddr()
		return a
	}
	path := filepath.Join(t.TempDir(), "a.h5")
	var addrs [2][2]uint64
	errs := runRanks(t, 2, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx), WithAlignment(4000, 24576))
		if err != nil {
			return err
		}
		for _, n := range []uint64{10, 1000} { // 80 and 8000 bytes
			d, err := CreateDatasetOf[float64](f, fmt.Sprint("d", n), []uint64{n})
			if err != nil {
				return err
			}
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(i)
			}
			if c.Rank() == 0 {
				if err := d.Write(v); err != nil {
					return err
				}
			}
		}
		if err := f.Flush(); err != nil {
			return err
		}
		addrs[c.Rank()] = [2]uint64{addr(t, f, "d10"), addr(t, f, "d1000")}
		return f.Close()
	})
	rankErrors(t, errs)
	if addrs[0][1]%24576 != 0 || addrs[0] != addrs[1] {
		t.Errorf("addresses %v: the 8000-byte dataset not at a multiple of 24576, or ranks differ", addrs)
	}
	if addrs[0][0]%24576 == 0 {
		t.Errorf("the 80-byte dataset is at %d: aligned though under the threshold", addrs[0][0])
	}
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(bool((f['d1000'][()] == np.arange(1000)).all()), f['d1000'].id.get_offset() %% 24576)`, path))
	if out != "True 0\n" {
		t.Fatalf("h5py: %q", out)
	}

	// Off: a 1 MiB dataset after a small one is not page aligned.
	f, err := Create(filepath.Join(t.TempDir(), "off.h5"), "w", WithAlignment(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []uint64{3, 1 << 17} {
		d, err := CreateDatasetOf[float64](f, fmt.Sprint("d", n), []uint64{n})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Write(make([]float64, n)); err != nil {
			t.Fatal(err)
		}
	}
	if a := addr(t, f, "d131072"); a%4096 == 0 {
		t.Errorf("alignment off, yet the 1 MiB dataset is at %d", a)
	}

	for _, opt := range []Option{WithAlignment(1, 12), WithAggregators(-1)} {
		if _, err := Create(filepath.Join(t.TempDir(), "bad.h5"), "w", opt); !errors.Is(err, ErrOption) {
			t.Errorf("bad option: %v, want ErrOption", err)
		}
	}
}

// TestAggregators: with fewer aggregators than ranks, two-phase writes
// and reads give the same values; the ranks that aggregate nothing write
// and read no window.
func TestAggregators(t *testing.T) {
	for _, tc := range []struct{ n, aggs int }{{4, 1}, {4, 2}, {5, 3}, {3, 8}} {
		t.Run(fmt.Sprintf("%d ranks, %d aggregators", tc.n, tc.aggs), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agg.h5")
			shape := []uint64{40, 30, 24}
			var twoPhase, aggregated atomic.Int64
			errs := runRanks(t, tc.n, func(ctx context.Context, c *comm.Comm) error {
				f, err := Create(path, "w", WithComm(c), WithContext(ctx), WithAggregators(tc.aggs), WithCollectiveBuffer(8<<10))
				if err != nil {
					return err
				}
				defer f.Close()
				d, err := CreateDatasetOf[int32](f, "x", shape)
				if err != nil {
					return err
				}
				blk := func(r int) sel3 {
					a, b := int64(24*r/tc.n), int64(24*(r+1)/tc.n)
					return sel3{{0, 40, 1}, {0, 30, 1}, {a, b, 1}}
				}
				var v []int32
				blk(c.Rank()).each(shape, func(lin int) { v = append(v, int32(lin)) })
				if err := d.Collective().WriteSel(blk(c.Rank()).slices(), v); err != nil {
					return err
				}
				s := blk((c.Rank() + 1) % tc.n)
				var got []int32
				if err := d.Collective().ReadSel(s.slices(), &got); err != nil {
					return err
				}
				i := 0
				var bad error
				s.each(shape, func(lin int) {
					if bad == nil && got[i] != int32(lin) {
						bad = fmt.Errorf("element %d reads %d, want %d", i, got[i], lin)
					}
					i++
				})
				twoPhase.Add(int64(f.twoPhaseWrites + f.twoPhaseReads))
				aggregated.Add(int64(f.twoPhaseAggregated))
				return bad
			})
			rankErrors(t, errs)
			if got := twoPhase.Load(); got != int64(2*tc.n) {
				t.Errorf("%d two-phase calls over the ranks, want %d", got, 2*tc.n)
			}
			if got, want := aggregated.Load(), int64(2*min(tc.aggs, tc.n)); got != want {
				t.Errorf("ranks aggregated %d times in the write and the read, want %d", got, want)
			}
		})
	}
}

// TestTwoPhaseReadsOff: with WithTwoPhaseReads(false) on one rank only,
// no rank reads in two phases, and the values are right.
func TestTwoPhaseReadsOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "off.h5")
	var twoPhase atomic.Int64
	errs := runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx), WithTwoPhaseReads(c.Rank() != 1))
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := CreateDatasetOf[int32](f, "x", []uint64{60, 30})
		if err != nil {
			return err
		}
		col := func(r int) Slices { return S(All, Range(int64(10*r), int64(10*r+10))) }
		v := make([]int32, 600)
		for i := range v {
			v[i] = int32(c.Rank())
		}
		if err := d.Collective().WriteSel(col(c.Rank()), v); err != nil {
			return err
		}
		got, err := ReadSlice[int32](d, col((c.Rank()+1)%3))
		if err != nil {
			return err
		}
		if err := d.Collective().ReadSel(col((c.Rank()+1)%3), got); err != nil {
			return err
		}
		for _, x := range got {
			if x != int32((c.Rank()+1)%3) {
				return fmt.Errorf("read %d", x)
			}
		}
		twoPhase.Add(int64(f.twoPhaseReads))
		return nil
	})
	rankErrors(t, errs)
	if twoPhase.Load() != 0 {
		t.Fatalf("%d ranks read in two phases with one rank's two-phase reads off", twoPhase.Load())
	}
}
