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

// TestCollectiveCodecs: each codec's datasets written collectively by 1,
// 2, 3, 4 and 8 ranks whose row blocks share chunks (chunks of 3 rows,
// blocks of about 5), then a strip rewritten (chunks merged with their
// stored contents); h5py with the libhdf5 plugins reads exactly what each
// rank wrote. Zstandard, with no Debian plugin, is read back by h5file.
func TestCollectiveCodecs(t *testing.T) {
	codecs := []struct {
		name string
		opts []h5file.DatasetOption
		h5py bool
	}{
		{"lzf", []h5file.DatasetOption{h5file.LZF(), h5file.Shuffle()}, true},
		{"lz4", []h5file.DatasetOption{h5file.LZ4()}, true},
		{"bzip2", []h5file.DatasetOption{h5file.Bzip2(9), h5file.Fletcher32()}, true},
		{"blosc_lz4_bit", []h5file.DatasetOption{h5file.Blosc("lz4", 5, h5file.BloscBitShuffle)}, true},
		{"blosc_blosclz_byte", []h5file.DatasetOption{h5file.Blosc("blosclz", 9, h5file.BloscByteShuffle)}, true},
		{"blosc_zstd", []h5file.DatasetOption{h5file.Blosc("zstd", 3, h5file.BloscNoShuffle)}, true},
		{"zstd", []h5file.DatasetOption{h5file.Zstd(3)}, false},
	}
	for _, n := range []int{1, 2, 3, 4, 8} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			R, C := int64(5*n+2), int64(11)
			path := filepath.Join(t.TempDir(), "codecs.h5")
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
				if err != nil {
					return err
				}
				r := int64(c.Rank())
				lo, hi := R*r/int64(n), R*(r+1)/int64(n)
				for _, cd := range codecs {
					d, err := h5file.CreateDatasetOf[float64](f, cd.name, []uint64{uint64(R), uint64(C)}, append(cd.opts, h5file.Chunks(3, 4))...)
					if err != nil {
						return err
					}
					v := make([]float64, 0, (hi-lo)*C)
					for i := lo; i < hi; i++ {
						for j := int64(0); j < C; j++ {
							v = append(v, float64(1000*r+i*C+j))
						}
					}
					if err := d.Collective().WriteSel(h5file.S(h5file.Range(lo, hi)), v); err != nil {
						return fmt.Errorf("%s: %w", cd.name, err)
					}
					// Column 5 := -1, each rank its rows: every chunk of
					// that column is merged with what is stored.
					col := make([]float64, hi-lo)
					for i := range col {
						col[i] = -1
					}
					if err := d.Collective().WriteSel(h5file.S(h5file.Range(lo, hi), h5file.Index(5)), col); err != nil {
						return fmt.Errorf("%s: column: %w", cd.name, err)
					}
					var back []float64
					if err := d.Collective().ReadSel(h5file.S(h5file.Range(lo, hi)), &back); err != nil {
						return fmt.Errorf("%s: read: %w", cd.name, err)
					}
					for k, x := range back {
						i, j := lo+int64(k)/C, int64(k)%C
						want := float64(1000*r + i*C + j)
						if j == 5 {
							want = -1
						}
						if x != want {
							return fmt.Errorf("%s: read back [%d,%d] = %v, want %v", cd.name, i, j, x, want)
						}
					}
				}
				return f.Close()
			}))
			var names []string
			for _, cd := range codecs {
				if cd.h5py {
					names = append(names, fmt.Sprintf("%q", cd.name))
				}
			}
			out := interop.H5PyPlugins(t, fmt.Sprintf(`
n, R, C = %d, %d, %d
f = h5py.File(%q, 'r')
lo = [R*r//n for r in range(n+1)]
want = np.zeros((R, C))
for r in range(n):
    for i in range(lo[r], lo[r+1]):
        want[i] = 1000*r + i*C + np.arange(C)
want[:, 5] = -1
for name in [%s]:
    d = f[name]
    assert d.chunks == (3, 4), (name, d.chunks)
    assert (d[()] == want).all(), (name, d[()], want)
print('ok')
`, n, R, C, path, strings.Join(names, ", ")))
			if strings.TrimSpace(out) != "ok" {
				t.Fatalf("h5py: %s", out)
			}
		})
	}
}
