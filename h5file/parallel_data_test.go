package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestCollectiveFiltered: a deflate+shuffle+fletcher32 dataset written
// collectively by 4 ranks whose rows share chunks, then partly rewritten
// (chunks merged with their previous contents) with one rank contributing
// nothing; h5py reads exactly what each rank wrote.
func TestCollectiveFiltered(t *testing.T) {
	const n, R, C = 4, 18, 10
	path := filepath.Join(t.TempDir(), "filtered.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int32](f, "z", []uint64{R, C}, h5file.Chunks(4, 4), h5file.Gzip(4), h5file.Shuffle(), h5file.Fletcher32())
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		lo, hi := R*r/n, R*(r+1)/n
		v := make([]int32, 0, (hi-lo)*C)
		for i := lo; i < hi; i++ {
			for j := int64(0); j < C; j++ {
				v = append(v, int32(1000*r+i*C+j))
			}
		}
		if err := d.Collective().WriteSel(h5file.S(h5file.Range(lo, hi)), v); err != nil {
			return err
		}
		// An independent write of filtered data is refused with advice.
		if err := d.WriteSel(h5file.S(h5file.Index(0)), make([]int32, C)); err == nil || !strings.Contains(err.Error(), "Collective()") {
			return fmt.Errorf("independent filtered write: %v", err)
		}
		if err := f.Flush(); err != nil {
			return err
		}
		// Rewrite column 3 of rows [2r, 2r+2) on ranks 0..2; rank 3 has nothing.
		sel, data := h5file.S(h5file.Range(0, 0)), []int32{}
		if r < 3 {
			sel, data = h5file.S(h5file.Range(2*r, 2*r+2), h5file.Index(3)), []int32{-1, -1}
		}
		if err := d.Collective().WriteSel(sel, data); err != nil {
			return err
		}
		var back []int32
		if err := d.Collective().ReadSel(h5file.S(h5file.Range(lo, hi)), &back); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
d = f['z']
n, R, C = %d, %d, %d
want = np.zeros((R, C), dtype=np.int32)
for r in range(n):
    lo, hi = R*r//n, R*(r+1)//n
    for i in range(lo, hi):
        want[i] = 1000*r + i*C + np.arange(C)
want[0:6, 3] = -1
print(d.compression, d.shuffle, d.fletcher32, d.chunks, (d[()] == want).all())`, path, n, R, C))
	if out != "gzip True True (4, 4) True\n" {
		t.Fatalf("h5py: %q", out)
	}
}
