package h5file_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// BenchmarkIOStatsHooks is the cost of the I/O report's hooks on the
// smallest data call there is (one int32, written and read back), off
// and on (GORUN_IOSTATS, as gorun --iostats sets it): the per-call price
// that bench/parallel's overhead figures are made of. The file is opened
// with a communicator of one rank (a program run alone), so the calls
// take the same path as a rank's independent ones, without the network.
func BenchmarkIOStatsHooks(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
			b.Setenv("GORUN_IOSTATS", filepath.Join(b.TempDir(), "r.json"))
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			c, err := comm.Init(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if (c.Stats() != nil) != on {
				b.Fatalf("statistics on: %v, want %v", c.Stats() != nil, on)
			}
			f, err := h5file.Create(filepath.Join(b.TempDir(), "s.h5"), "w", h5file.WithComm(c))
			if err != nil {
				b.Fatal(err)
			}
			d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{1024})
			if err != nil {
				b.Fatal(err)
			}
			v := []int32{7}
			var i int64
			b.ReportAllocs()
			for b.Loop() {
				sel := h5file.S(h5file.Index(i % 1024))
				if err := d.WriteSel(sel, v); err != nil {
					b.Fatal(err)
				}
				if err := d.ReadSel(sel, v); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.StopTimer()
			f.Close()
			c.Close()
		})
	}
}
