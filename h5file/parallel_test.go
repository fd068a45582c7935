package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestSeedRanks is the seed's program with 4 in-process ranks: every rank
// makes the same metadata calls (WithComm), each writes its own element
// straight to the file, rank 0 alone writes the metadata. (Digest checks
// and collective data come with issue 4.)
func TestSeedRanks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 4
	comms, err := comm.NewLocal(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range comms {
			c.Close()
		}
	}()
	path := filepath.Join(t.TempDir(), "parallel_test.hdf5")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for r, c := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[r] = func() error {
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
			}()
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	out := interop.H5Py(t, fmt.Sprintf("print(h5py.File(%q, 'r')['test'][()].tolist())", path))
	if out != "[0, 1, 2, 3]\n" {
		t.Fatalf("h5py reads %q", out)
	}
}
