package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// statsCase is one of bench/parallel's cases shrunk to run many times
// inside one test: each call is one whole run on one rank (create the
// file, write, close).
type statsCase struct {
	name string
	run  func(c *comm.Comm, path string) error
}

var statsCases = []statsCase{
	// meta: 100 datasets (16,) int32 in groups, each rank writes its
	// element of every one (bench/parallel's meta, a tenth of it).
	{"meta", func(c *comm.Comm, path string) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		for g := range 4 {
			grp, err := f.Root().CreateGroup(fmt.Sprintf("g%d", g))
			if err != nil {
				f.Close()
				return err
			}
			for i := range 25 {
				d, err := h5file.CreateDatasetOf[int32](grp, fmt.Sprintf("d%d", i), []uint64{16})
				if err == nil {
					err = d.WriteSel(h5file.S(h5file.Index(int64(c.Rank()))), []int32{int32(c.Rank())})
				}
				if err != nil {
					f.Close()
					return err
				}
			}
		}
		return f.Close()
	}},
	// tiles: each rank's column block of a 256x256 float64 array, in
	// runs of 512 bytes: a collective write in two phases.
	{"tiles", func(c *comm.Comm, path string) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{256, 256})
		if err == nil {
			w := 256 / int64(c.Size())
			lo := int64(c.Rank()) * w
			x := make([]float64, 256*w)
			err = d.Collective().WriteSel(h5file.S(h5file.Range(0, 256), h5file.Range(lo, lo+w)), x)
		}
		if err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}},
}

// runRanks runs body on every rank of cs at once and returns the first
// error.
func runRanks(cs []*comm.Comm, body func(c *comm.Comm) error) error {
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for r, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[r] = body(c)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkIOStatsRanks is bench/parallel's meta and tiles cases, shrunk,
// on 4 in-process ranks, with the I/O report off and on
// (comm.RecordLocalStats, as gorun --iostats): what the report's hooks
// cost a rank in the data and metadata calls and collectives of a whole
// run, without the noise of starting processes. Profile the on side
// (-cpuprofile) to see what is left of it.
func BenchmarkIOStatsRanks(b *testing.B) {
	for _, sc := range statsCases {
		for _, on := range []bool{false, true} {
			name := sc.name + "/off"
			if on {
				name = sc.name + "/on"
			}
			b.Run(name, func(b *testing.B) {
				cs, err := comm.NewLocal(context.Background(), 4)
				if err != nil {
					b.Fatal(err)
				}
				defer func() {
					for _, c := range cs {
						c.Close()
					}
				}()
				if on {
					comm.RecordLocalStats(cs)
				}
				path := filepath.Join(b.TempDir(), "s.h5")
				b.ReportAllocs()
				b.ResetTimer()
				err = runRanks(cs, func(c *comm.Comm) error {
					for range b.N {
						if err := sc.run(c, path); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
