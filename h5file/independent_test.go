package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/h5file/internal/indeptest"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestIndependentRanks: at 1, 2 and 4 in-process ranks each rank creates
// its own group, datasets (every layout, empty ones, strings, fill
// values) and attributes alone, writes their data before the flush; after
// it every rank reads every rank's objects and uses them collectively,
// and h5py checks every value.
func TestIndependentRanks(t *testing.T) {
	for _, n := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "own.h5")
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
				if err != nil {
					return err
				}
				defer f.Close()
				if err := indeptest.Own(f, c.Rank(), n); err != nil {
					return err
				}
				if err := f.Flush(); err != nil {
					return err
				}
				if err := indeptest.After(f, c.Rank(), n); err != nil {
					return err
				}
				return f.Close()
			}))
			interop.H5Py(t, indeptest.H5Py+fmt.Sprintf("\ncheck(h5py.File(%q, 'r'), %d)\n", path, n))
		})
	}
}

// TestIndependentSerial: a file without a communicator takes the same
// calls; the creations wait for the flush there too.
func TestIndependentSerial(t *testing.T) {
	path := filepath.Join(t.TempDir(), "own.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	if err := indeptest.Own(f, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := indeptest.After(f, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	interop.H5Py(t, indeptest.H5Py+fmt.Sprintf("\ncheck(h5py.File(%q, 'r'), 1)\n", path))
}
