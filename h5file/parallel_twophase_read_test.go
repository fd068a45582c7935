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
)

// TestTwoPhaseRead writes a dataset of known values (the linear index),
// then reads collective selections that fall into short runs (tiles of another rank, strided, overlapping,
// ranks with nothing) with a small aggregation buffer, so domains take
// several rounds, at 1 to 8 ranks, and checks every value each rank
// reads. Long runs and sparse selections read directly; so does a
// rank count of one.
func TestTwoPhaseRead(t *testing.T) {
	type tc struct {
		name     string
		ns       []int
		shape    []uint64
		sel      func(n, r int) sel3
		twoPhase bool
		opts     []DatasetOption
		// partial: only the first rows are written, with a zero fill value
		// (a nonzero one is written at allocation): the rest lies past
		// the end of the file and reads as zero.
		partial bool
	}
	half := func(L, r, p int) (int64, int64) { return int64(L * r / p), int64(L * (r + 1) / p) }
	tile := func(n, r int) sel3 { // rank r reads the tile of rank r+1: nobody's own runs
		r = (r + 1) % n
		px, py := 1, n
		for d := 1; d*d <= n; d++ {
			if n%d == 0 {
				px, py = d, n/d
			}
		}
		a, b := half(24, r/py, px)
		c, d := half(30, r%py, py)
		return sel3{{0, 20, 1}, {a, b, 1}, {c, d, 1}}
	}
	cases := []tc{
		{"3-D tiles", []int{1, 2, 3, 4, 8}, []uint64{20, 24, 30}, tile, true, nil, false},
		{"3-D tiles, chunked", []int{2, 4, 8}, []uint64{20, 24, 30}, tile, true, []DatasetOption{Chunks(7, 5, 8)}, false},
		{"3-D tiles, past the end of the file", []int{4}, []uint64{20, 24, 30}, tile, true, nil, true},
		{"2-D column blocks, one rank empty", []int{3, 5}, []uint64{300, 40}, func(n, r int) sel3 {
			if r == 1 {
				return sel3{{0, 0, 1}, {0, 0, 1}}
			}
			a, b := half(40, r, n)
			return sel3{{0, 300, 1}, {a, b, 1}}
		}, true, nil, false},
		{"strided, with gaps", []int{2, 6}, []uint64{64, 50}, func(n, r int) sel3 {
			return sel3{{int64(r), 64, 3}, {5, 45, 2}}
		}, true, nil, false},
		{"overlapping", []int{3, 7}, []uint64{100, 20}, func(n, r int) sel3 {
			return sel3{{int64(5 * r), int64(5*r + 50), 1}, {int64(r % 3), 20, 2}}
		}, true, []DatasetOption{Chunks(16, 16), MaxShape(Unlimited, 20)}, false},
		{"all ranks read everything, chunked", []int{4}, []uint64{30, 40}, func(n, r int) sel3 {
			return sel3{{0, 30, 1}, {0, 40, 1}}
		}, true, []DatasetOption{Chunks(3, 4)}, false},
		{"sparse: every 20th column, direct", []int{2}, []uint64{200, 400}, func(n, r int) sel3 {
			return sel3{{int64(r), 200, 2}, {0, 400, 20}}
		}, false, nil, false},
		{"row slabs: long runs, direct", []int{2, 4}, []uint64{64, 4096}, func(n, r int) sel3 {
			a, b := half(64, r, n)
			return sel3{{a, b, 1}, {0, 4096, 1}}
		}, false, nil, false},
	}
	for _, tc := range cases {
		for _, n := range tc.ns {
			t.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "tpr.h5")
				total := 1
				for _, x := range tc.shape {
					total *= int(x)
				}
				written := total
				if tc.partial {
					written = total / int(tc.shape[0]) * 3 // rows 0..2 of the first dimension
				}
				fill := int32(-7)
				if tc.partial {
					fill = 0
				}
				var twoPhaseReads atomic.Int64
				errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
					f, err := Create(path, "w", WithComm(c), WithContext(ctx), withTwoPhase(defaultTwoPhase.maxRun, 8<<10))
					if err != nil {
						return err
					}
					defer f.Close()
					d, err := CreateDatasetOf[int32](f, "x", tc.shape, append([]DatasetOption{FillValue(fill)}, tc.opts...)...)
					if err != nil {
						return err
					}
					// Rank 0 writes the values independently; the collective
					// read below must see them.
					all := make([]int32, total)
					for i := range all {
						all[i] = int32(i)
					}
					var w error
					if c.Rank() == 0 {
						rows := int64(tc.shape[0])
						if tc.partial {
							rows = 3
						}
						s := Slices{Range(0, rows)}
						for range tc.shape[1:] {
							s = append(s, All)
						}
						w = d.WriteSel(s, all[:written])
					}
					if w != nil {
						return w
					}
					if !tc.partial {
						// A flush orders rank 0's write before the reads (the
						// partial case reads before any flush: its end of
						// file is the end of the rows written).
						if err := f.Flush(); err != nil {
							return err
						}
					}
					s := tc.sel(n, c.Rank())
					var got []int32
					if err := d.Collective().ReadSel(s.slices(), &got); err != nil {
						return err
					}
					i := 0
					var bad error
					s.each(tc.shape, func(lin int) {
						want := int32(lin)
						if lin >= written {
							want = fill
						}
						if bad == nil && (i >= len(got) || got[i] != want) {
							bad = fmt.Errorf("element %d (index %d) reads %v, want %d", i, lin, got[min(i, len(got)-1):min(i+1, len(got))], want)
						}
						i++
					})
					if bad == nil && i != len(got) {
						bad = fmt.Errorf("%d elements, want %d", len(got), i)
					}
					twoPhaseReads.Add(int64(f.twoPhaseReads))
					return bad
				})
				rankErrors(t, errs)
				want := tc.twoPhase && n > 1
				if got := twoPhaseReads.Load(); (got > 0) != want {
					t.Errorf("%d of %d ranks read in two phases, want two-phase %v", got, n, want)
				}
			})
		}
	}
}

// TestTwoPhaseReadFails: when one aggregator's reads fail, every rank's
// ReadSel returns an error, the others' naming that rank, and the file
// still closes on every rank.
func TestTwoPhaseReadFails(t *testing.T) {
	fault := withTwoPhaseFault(func(rank int) error {
		if rank == 1 {
			return errors.New("input/output error (injected)")
		}
		return nil
	})
	path := filepath.Join(t.TempDir(), "fail.h5")
	var twoPhaseReads atomic.Int64
	errs := runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx), fault)
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[int32](f, "x", []uint64{60, 30}, FillValue(int32(3)))
		if err != nil {
			f.Close()
			return err
		}
		a, b := int64(10*c.Rank()), int64(10*c.Rank()+10)
		got := make([]int32, 600)
		rerr := d.Collective().ReadSel(S(All, Range(a, b)), got)
		twoPhaseReads.Add(int64(f.twoPhaseReads))
		if cerr := f.Close(); cerr != nil {
			return fmt.Errorf("close after a failed read: %w", cerr)
		}
		return rerr
	})
	if twoPhaseReads.Load() != 3 {
		t.Fatalf("%d ranks read in two phases, want 3", twoPhaseReads.Load())
	}
	for r, err := range errs {
		want := "rank 1, reading the ranks' data for them"
		if r == 1 {
			want = "input/output error (injected)"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("rank %d: %v, want an error saying %q", r, err, want)
		}
	}
}
