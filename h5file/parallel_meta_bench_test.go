package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// BenchmarkMeta1000 is one rank's share of the metadata benchmark: 1000
// datasets of shape (16,) int32 in 10 groups, one element written to each.
func BenchmarkMeta1000(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		f, err := h5file.Create(filepath.Join(dir, "m.h5"), "w")
		if err != nil {
			b.Fatal(err)
		}
		for gi := range 10 {
			g, err := f.CreateGroup(fmt.Sprintf("g%d", gi))
			if err != nil {
				b.Fatal(err)
			}
			for di := range 100 {
				d, err := h5file.CreateDatasetOf[int32](g, fmt.Sprintf("d%02d", di), []uint64{16})
				if err != nil {
					b.Fatal(err)
				}
				if err := d.WriteSel(h5file.S(h5file.Index(0)), []int32{1}); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMetaParallel is the whole metadata benchmark of bench/parallel
// (1000 datasets of shape (16,) int32 in 10 groups, each rank writing its
// element of every dataset) with 4 ranks in this process over loopback:
// a profile of it shows what every rank spends (the ranks' start, once
// per benchmark, is inside the timing).
func BenchmarkMetaParallel(b *testing.B) {
	path := filepath.Join(b.TempDir(), "m.h5")
	b.ResetTimer()
	errs := h5file.RunRanks(b, 4, func(ctx context.Context, c *comm.Comm) error {
		for range b.N {
			if err := metaJob(ctx, c, path); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

func metaJob(ctx context.Context, c *comm.Comm, path string) error {
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	r := int64(c.Rank())
	for gi := range 10 {
		g, err := f.Root().CreateGroup(fmt.Sprintf("g%d", gi))
		if err != nil {
			f.Close()
			return err
		}
		for di := range 100 {
			d, err := h5file.CreateDatasetOf[int32](g, fmt.Sprintf("d%d", di), []uint64{16})
			if err == nil {
				err = d.WriteSel(h5file.S(h5file.Index(r)), []int32{int32(r)})
			}
			if err != nil {
				f.Close()
				return err
			}
		}
	}
	return f.Close()
}
