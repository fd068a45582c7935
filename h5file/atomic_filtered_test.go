package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// filteredVisibleRun is the check every rank runs: rank r owns chunks
// r*perRank.. of a compressed dataset and rewrites them collectively with
// a new value each round; right after Collective().WriteSel returns it
// reads the whole dataset independently (the chunks the other ranks owned
// and wrote) and counts the reads that failed or saw an old value.
func filteredVisibleRun(ctx context.Context, c *comm.Comm, path string, atomic bool, rounds int) (stale int, err error) {
	const chunk, perRank = 4096, 6
	n := c.Size()
	elems := uint64(chunk * perRank * n)
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := f.SetAtomic(atomic); err != nil {
		return 0, err
	}
	d, err := h5file.CreateDatasetOf[int32](f, "z", []uint64{elems}, h5file.Chunks(chunk), h5file.Gzip(1))
	if err != nil {
		return 0, err
	}
	lo := int64(c.Rank() * chunk * perRank)
	mine := make([]int32, chunk*perRank)
	back := make([]int32, elems)
	for k := range rounds {
		v := int32(k + 1)
		for i := range mine {
			mine[i] = v
		}
		if err := d.Collective().WriteSel(h5file.S(h5file.Range(lo, lo+int64(len(mine)))), mine); err != nil {
			return stale, err
		}
		if err := d.Read(back); err != nil {
			stale++ // a chunk allocated but not yet written: undecodable
			continue
		}
		for _, b := range back {
			if b != v {
				stale++
				break
			}
		}
	}
	return stale, f.Close()
}

// TestAtomicFilteredVisible: in atomic mode a collective write into
// filtered chunks is visible to every rank's independent read as soon as
// Collective().WriteSel returns, including the chunks other ranks owned
// (and wrote after the last exchange). Without atomic mode the owners may
// still be writing (MPI-IO's default semantics: a Barrier is needed), so
// that run is only logged.
func TestAtomicFilteredVisible(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			dir := t.TempDir()
			stale := make([]int, n)
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				s, err := filteredVisibleRun(ctx, c, filepath.Join(dir, "atomic.h5"), true, 40)
				stale[c.Rank()] = s
				return err
			}))
			for r, s := range stale {
				if s != 0 {
					t.Errorf("rank %d: %d of 40 reads right after a filtered collective write saw old or unwritten chunks in atomic mode", r, s)
				}
			}
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				s, err := filteredVisibleRun(ctx, c, filepath.Join(dir, "plain.h5"), false, 40)
				stale[c.Rank()] = s
				return err
			}))
			t.Logf("reads seeing old or unwritten chunks without atomic mode, per rank: %v", stale)
		})
	}
}
