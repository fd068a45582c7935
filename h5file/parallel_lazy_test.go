package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestParallelOpenLazy: a parallel open of a file of 10k objects (made by
// h5py: 100 groups of 99 datasets) reads only what the ranks touch. Rank 1
// reads one dataset and rank 2 another; rank 0 reads the file for them
// (each byte range once: three ranks touching one dataset cost rank 0 what
// one does), the others never read metadata from the file, and all of it
// is a small fraction of the metadata a visit of everything reads.
func TestParallelOpenLazy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenk.h5")
	interop.H5Py(t, fmt.Sprintf(`import numpy as np
with h5py.File(%q, 'w') as f:
    for g in range(100):
        grp = f.create_group('g%%02d' %% g)
        for i in range(99):
            grp.create_dataset('d%%02d' %% i, data=np.arange(4, dtype='<i4') + 100 * g + i)`, path))
	const n = 4
	// run opens the file on n ranks, lets touch act on each, and returns
	// every rank's counters.
	run := func(touch func(f *h5file.File, rank int) error) []h5file.MetadataIO {
		t.Helper()
		out := make([]h5file.MetadataIO, n)
		reads := make([]int64, n)
		noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			if err := touch(f, c.Rank()); err != nil {
				return err
			}
			// After Close: rank 0's server has answered everyone.
			err = f.Close()
			out[c.Rank()], reads[c.Rank()] = f.MetadataIO(), f.MetadataReads()
			return err
		}))
		for r := 1; r < n; r++ {
			if out[r].FileReads != 0 || reads[r] != 0 {
				t.Errorf("rank %d read metadata from the file (%+v, %d): rank 0 reads for everyone", r, out[r], reads[r])
			}
		}
		return out
	}
	readOne := func(f *h5file.File, name string, first int32) error {
		d, err := f.Dataset(name)
		if err != nil {
			return err
		}
		v, err := h5file.ReadAll[int32](d)
		if err != nil {
			return err
		}
		if len(v) != 4 || v[0] != first || v[3] != first+3 {
			return fmt.Errorf("%s = %v, want from %d", name, v, first)
		}
		return nil
	}
	all := run(func(f *h5file.File, rank int) error {
		if rank != 0 {
			return nil
		}
		k := 0
		err := f.Visit(func(string, h5file.Object) error { k++; return nil })
		if err == nil && k != 100*100 {
			err = fmt.Errorf("visited %d objects", k)
		}
		return err
	})
	opened := run(func(*h5file.File, int) error { return nil })
	two := run(func(f *h5file.File, rank int) error {
		switch rank {
		case 1:
			return readOne(f, "g10/d05", 1005)
		case 2:
			return readOne(f, "g77/d50", 7750)
		}
		return nil
	})
	one := run(func(f *h5file.File, rank int) error {
		if rank == 1 {
			return readOne(f, "g10/d05", 1005)
		}
		return nil
	})
	same := run(func(f *h5file.File, rank int) error {
		if rank > 0 {
			return readOne(f, "g10/d05", 1005)
		}
		return nil
	})
	total := all[0].FileBytes
	t.Logf("requests of three ranks reading one dataset: %d %d %d", same[1].Requests, same[2].Requests, same[3].Requests)
	t.Logf("rank 0 read: visit of all %d B; open %d B; two datasets on two ranks %d B; one %d B, by three ranks %d B; requests of rank 1 %+v, rank 2 %+v",
		total, opened[0].FileBytes, two[0].FileBytes, one[0].FileBytes, same[0].FileBytes, two[1], two[2])
	if total < 500_000 {
		t.Fatalf("a visit of 10k objects read %d bytes of metadata: the counter is broken", total)
	}
	if two[0].FileBytes*20 > total {
		t.Errorf("touching two datasets read %d of %d bytes of metadata, want under 5%%", two[0].FileBytes, total)
	}
	if opened[0].FileBytes >= one[0].FileBytes || one[0].FileBytes >= two[0].FileBytes {
		t.Errorf("rank 0's reads: open %d, one dataset %d, two %d: want each more than the last", opened[0].FileBytes, one[0].FileBytes, two[0].FileBytes)
	}
	if same[0].FileBytes != one[0].FileBytes || same[0].FileReads != one[0].FileReads {
		t.Errorf("three ranks touching one dataset cost rank 0 %+v, one rank %+v: want the same (each range read once)", same[0], one[0])
	}
	// Rank 0 sends, with an answer, the ranges first read after the one
	// asked (read-ahead): ranks walking a path another rank walked first
	// ask fewer times.
	if asked := same[1].Requests + same[2].Requests + same[3].Requests; asked >= 3*one[1].Requests {
		t.Errorf("three ranks reading one dataset asked rank 0 %d times, one rank alone %d: want read-ahead to save requests", asked, one[1].Requests)
	}
	if two[1].Requests == 0 || two[2].Requests == 0 || two[3].Requests != 0 || two[0].Requests != 0 {
		t.Errorf("requests to rank 0: %d %d %d %d, want some from ranks 1 and 2 only", two[0].Requests, two[1].Requests, two[2].Requests, two[3].Requests)
	}
}
