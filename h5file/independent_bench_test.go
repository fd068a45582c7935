package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// ownPerRank is how many datasets each rank of the own-creation
// benchmarks makes: 4 ranks x 256 datasets of 64 float64 each.
const ownPerRank = 256

// BenchmarkOwnIndependent: each of 4 in-process ranks creates its 256
// datasets alone (File.Independent), writes them before the flush, and
// flushes once: one allgather of the logs, then every rank applies all
// 1024 creations.
func BenchmarkOwnIndependent(b *testing.B) {
	benchOwn(b, func(f *h5file.File, r, n int, v []float64) error {
		in := f.Independent()
		for i := range ownPerRank {
			d, err := in.CreateDataset(fmt.Sprintf("r%02d/d%03d", r, i), h5file.Float64, []uint64{uint64(len(v))})
			if err != nil {
				return err
			}
			if err := d.Write(v); err != nil {
				return err
			}
		}
		return f.Flush()
	})
}

// BenchmarkOwnCollective is the same file made the libhdf5 way: every
// rank makes all 1024 create calls, then writes its own 256 datasets.
func BenchmarkOwnCollective(b *testing.B) {
	benchOwn(b, func(f *h5file.File, r, n int, v []float64) error {
		ds := make([]*h5file.Dataset, 0, ownPerRank)
		for q := range n {
			for i := range ownPerRank {
				d, err := f.CreateDataset(fmt.Sprintf("r%02d/d%03d", q, i), h5file.Float64, []uint64{uint64(len(v))})
				if err != nil {
					return err
				}
				if q == r {
					ds = append(ds, d)
				}
			}
		}
		for _, d := range ds {
			if err := d.Write(v); err != nil {
				return err
			}
		}
		return f.Flush()
	})
}

func benchOwn(b *testing.B, body func(f *h5file.File, r, n int, v []float64) error) {
	const n = 4
	path := filepath.Join(b.TempDir(), "own.h5")
	b.ResetTimer()
	errs := h5file.RunRanks(b, n, func(ctx context.Context, c *comm.Comm) error {
		v := make([]float64, 64)
		for range b.N {
			f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			if err := body(f, c.Rank(), n, v); err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	for r, err := range errs {
		if err != nil {
			b.Fatalf("rank %d: %v", r, err)
		}
	}
}
