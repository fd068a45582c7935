package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestIndependentData: independent writes and reads touch no metadata and
// need no other rank. Each rank writes its column block of a contiguous and
// an unfiltered chunked dataset (chunks straddle the blocks, so ranks share
// chunks) in a different number of pieces (rank r in r+1 calls), and only
// odd ranks read a filtered dataset independently, several times. Ranks
// that made different numbers of calls still meet at Close without a
// *MismatchError, which they would get had any call changed metadata; h5py
// then reads exactly what each rank wrote.
func TestIndependentData(t *testing.T) {
	const n, R, C = 4, 9, 22
	path := filepath.Join(t.TempDir(), "indep.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		lo, hi := C*r/n, C*(r+1)/n
		for _, ds := range []struct {
			name string
			opts []h5file.DatasetOption
		}{
			{"contiguous", nil},
			{"chunked", []h5file.DatasetOption{h5file.Chunks(4, 4)}},
		} {
			d, err := h5file.CreateDatasetOf[int64](f, ds.name, []uint64{R, C}, ds.opts...)
			if err != nil {
				return err
			}
			// Rank r writes its columns in r+1 row strips.
			for p := int64(0); p <= r; p++ {
				r0, r1 := R*p/(r+1), R*(p+1)/(r+1)
				v := make([]int64, 0, (r1-r0)*(hi-lo))
				for i := r0; i < r1; i++ {
					for j := lo; j < hi; j++ {
						v = append(v, 1000*r+i*C+j)
					}
				}
				if err := d.WriteSel(h5file.S(h5file.Range(r0, r1), h5file.Range(lo, hi)), v); err != nil {
					return err
				}
			}
		}
		z, err := h5file.CreateDatasetOf[int64](f, "filtered", []uint64{R, C}, h5file.Chunks(4, 4), h5file.Gzip(2), h5file.Shuffle())
		if err != nil {
			return err
		}
		all := make([]int64, 0, R*C)
		for i := int64(0); i < R; i++ {
			for j := int64(0); j < C; j++ {
				all = append(all, i*C+j)
			}
		}
		if err := z.Collective().Write(all); err != nil {
			return err
		}
		// As in MPI-IO, a write is visible to other ranks' reads after a
		// synchronisation (here a Barrier; the chunk owner, rank 0, may
		// still be writing when the others' collective write returns), or
		// at once in atomic mode.
		if err := collectives.Barrier(ctx, c); err != nil {
			return err
		}
		if r%2 == 1 {
			for k := 0; k < int(r); k++ {
				got, err := h5file.ReadSlice[int64](z, h5file.S(h5file.Range(1, 8), h5file.Range(lo, hi)))
				if err != nil {
					return err
				}
				for q, v := range got {
					i, j := 1+int64(q)/(hi-lo), lo+int64(q)%(hi-lo)
					if v != i*C+j {
						return fmt.Errorf("filtered[%d,%d] = %d, want %d", i, j, v, i*C+j)
					}
				}
			}
		}
		// Every rank reads the chunked columns of its right neighbour.
		d, err := f.Dataset("chunked")
		if err != nil {
			return err
		}
		nr := (r + 1) % n
		nlo, nhi := C*nr/n, C*(nr+1)/n
		got, err := h5file.ReadSlice[int64](d, h5file.S(h5file.Range(0, R), h5file.Range(nlo, nhi)))
		if err != nil {
			return err
		}
		for q, v := range got {
			i, j := int64(q)/(nhi-nlo), nlo+int64(q)%(nhi-nlo)
			if v != 1000*nr+i*C+j {
				return fmt.Errorf("chunked[%d,%d] = %d, want %d", i, j, v, 1000*nr+i*C+j)
			}
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
n, R, C = %d, %d, %d
want = np.zeros((R, C), dtype=np.int64)
for r in range(n):
    lo, hi = C*r//n, C*(r+1)//n
    want[:, lo:hi] = 1000*r + np.arange(R)[:, None]*C + np.arange(lo, hi)[None, :]
ok = [(f[k][()] == want).all() for k in ('contiguous', 'chunked')]
ok.append((f['filtered'][()] == np.arange(R*C).reshape(R, C)).all())
print(f['chunked'].chunks, f['filtered'].compression, ok)`, path, n, R, C))
	if out != "(4, 4) gzip [True, True, True]\n" {
		t.Fatalf("h5py: %q", out)
	}
}
