package h5file_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Raw data of 1 MiB or more starts on a 1 MiB boundary, as on a Lustre
// file system striped at 1 MiB (h5py: alignment_threshold=1<<20,
// alignment_interval=1<<20).
func ExampleWithAlignment() {
	dir, _ := os.MkdirTemp("", "align")
	defer os.RemoveAll(dir)
	f, err := h5file.Create(filepath.Join(dir, "a.h5"), "w", h5file.WithAlignment(1<<20, 1<<20))
	if err != nil {
		log.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[float64](f, "big", []uint64{1 << 17}) // 1 MiB
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Write(make([]float64, 1<<17)); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Close())
	// Output: <nil>
}

// Four ranks write their tiles of a 2-D array collectively and read
// their neighbours' back collectively; two of them (ranks 0 and 2) do
// the file I/O for all four, in rounds of 64 KiB.
func ExampleWithAggregators() {
	dir, _ := os.MkdirTemp("", "agg")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiles.h5")
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithAggregators(2), h5file.WithCollectiveBuffer(64<<10))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{256, 256})
		if err != nil {
			return err
		}
		col := func(r int) h5file.Slices { // rank r's columns
			return h5file.S(h5file.All, h5file.Range(int64(64*r), int64(64*r+64)))
		}
		mine := make([]int32, 256*64)
		for i := range mine {
			mine[i] = int32(c.Rank())
		}
		if err := d.Collective().WriteSel(col(c.Rank()), mine); err != nil {
			return err
		}
		var next []int32
		if err := d.Collective().ReadSel(col((c.Rank()+1)%4), &next); err != nil {
			return err
		}
		if next[0] != int32((c.Rank()+1)%4) {
			return fmt.Errorf("rank %d read %d", c.Rank(), next[0])
		}
		return f.Close()
	})
	fmt.Println(errs)
	// Output: [<nil> <nil> <nil> <nil>]
}

// The aggregators' buffer bounds the memory two-phase I/O takes per rank.
func ExampleWithCollectiveBuffer() {
	dir, _ := os.MkdirTemp("", "cb")
	defer os.RemoveAll(dir)
	f, err := h5file.Create(filepath.Join(dir, "f.h5"), "w", h5file.WithCollectiveBuffer(8<<20))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Close())
	// Output: <nil>
}

// On one host, with the file in the page cache, ranks reading their own
// short runs can beat two-phase reads: turn them off.
func ExampleWithTwoPhaseReads() {
	dir, _ := os.MkdirTemp("", "tpr")
	defer os.RemoveAll(dir)
	f, err := h5file.Create(filepath.Join(dir, "f.h5"), "w", h5file.WithTwoPhaseReads(false))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Close())
	// Output: <nil>
}
