package h5file_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// h5pyWriter makes a file with h5py covering the issue-3 features, in
// libhdf5's default format and, with libver='latest', its newer family.
const h5pyWriter = `
f = h5py.File(path, 'w', libver=libver)
f.attrs['title'] = 'written by h5py'
f.attrs['n'] = 7
f.attrs['xs'] = [1.5, 2.5]
f['i8'] = np.array([-1, 2], 'i1')
f['u16be'] = np.array([1, 65535], '>u2')
f['i64'] = np.arange(-3, 3, dtype='i8')
f['f32'] = np.array([0.5, -1], 'f4')
f['f64be'] = np.array([1e-300, 2], '>f8')
f['scalar'] = 3.25
f['flags'] = np.array([True, False])
f['strs'] = ['alpha', '', 'ünï']
f['fixed'] = np.array([b'ab', b'xyz'], 'S4')
f['m'] = np.arange(60, dtype='i4').reshape(6, 10)
dt = np.dtype([('X', '<f8'), ('id', '<i4'), ('tag', [('A', 'u1'), ('B', '<f4')]), ('Vec', '<i2', (3,))])
f['points'] = np.array([(1.0, 3, (4, 5.5), [6, 7, 8]), (-1.0, -3, (255, -0.5), [-1, 0, 1])], dt)
f.create_dataset('gz', data=np.arange(1000, dtype='f8').reshape(50, 20), chunks=(7, 6), compression='gzip', shuffle=True, fletcher32=True)
f.create_dataset('grow', shape=(3, 2), maxshape=(None, 2), dtype='i4', chunks=(2, 2), fillvalue=-1)
f['grow'][0] = [1, 2]
f.create_dataset('compact', data=np.array([9, 8, 7], 'i2'), chunks=None)
f.create_dataset('lazy', shape=(4,), dtype='f4', fillvalue=2.5)
g = f.create_group('a/b')
g.attrs['s'] = 'nested'
big = f.create_group('big')
for i in range(20):
    big.create_group('m%02d' % i)
f.close()
`

func TestReadH5py(t *testing.T) {
	for _, libver := range []string{"earliest", "latest"} {
		t.Run(libver, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h5py.h5")
			interop.H5Py(t, fmt.Sprintf("path, libver = %q, %q\n", path, libver)+h5pyWriter)
			f, err := h5file.Open(path, "r")
			must(t, err)
			defer f.Close()
			eq := func(name string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %#v, want %#v", name, got, want)
				}
			}
			read := func(name string, dst any) {
				t.Helper()
				d, err := f.Dataset(name)
				must(t, err)
				must(t, d.Read(dst))
			}
			title, err := h5file.AttrValue[string](f, "title")
			must(t, err)
			eq("title", title, "written by h5py")
			n, err := h5file.AttrValue[int64](f, "n")
			must(t, err)
			eq("n", n, int64(7))
			xs, err := h5file.AttrValue[[]float64](f, "xs")
			must(t, err)
			eq("xs", xs, []float64{1.5, 2.5})

			var i8 []int8
			read("i8", &i8)
			eq("i8", i8, []int8{-1, 2})
			var u16 []uint16
			read("u16be", &u16)
			eq("u16be", u16, []uint16{1, 65535})
			var i64 []int64
			read("i64", &i64)
			eq("i64", i64, []int64{-3, -2, -1, 0, 1, 2})
			var f32 []float32
			read("f32", &f32)
			eq("f32", f32, []float32{0.5, -1})
			var f64 []float64
			read("f64be", &f64)
			eq("f64be", f64, []float64{1e-300, 2})
			var sc float64
			read("scalar", &sc)
			eq("scalar", sc, 3.25)
			var flags []bool
			read("flags", &flags)
			eq("flags", flags, []bool{true, false})
			var strs []string
			read("strs", &strs)
			eq("strs", strs, []string{"alpha", "", "ünï"})
			var fixed []string
			read("fixed", &fixed)
			eq("fixed", fixed, []string{"ab", "xyz"})

			m, err := f.Dataset("m")
			must(t, err)
			eq("m shape", m.Shape(), []uint64{6, 10})
			sel, err := h5file.ReadSlice[int32](m, h5file.S(h5file.Range(1, 3), h5file.RangeStep(0, h5file.End, 4)))
			must(t, err)
			eq("m[1:3, ::4]", sel, []int32{10, 14, 18, 20, 24, 28})

			type inner struct {
				A uint8
				B float32
			}
			type point struct {
				X   float64
				ID  int32 `h5:"id"`
				Tag inner `h5:"tag"`
				Vec [3]int16
			}
			var pts []point
			read("points", &pts)
			eq("points", pts, []point{{1, 3, inner{4, 5.5}, [3]int16{6, 7, 8}}, {-1, -3, inner{255, -0.5}, [3]int16{-1, 0, 1}}})

			gz, err := f.Dataset("gz")
			must(t, err)
			eq("gz chunks", gz.Chunks(), []uint64{7, 6})
			eq("gz filters", []any{gz.Compression(), gz.CompressionOpts(), gz.Shuffle(), gz.Fletcher32()}, []any{"gzip", 4, true, true})
			all, err := h5file.ReadAll[float64](gz)
			must(t, err)
			for i, v := range all {
				if v != float64(i) {
					t.Fatalf("gz[%d] = %v", i, v)
				}
			}
			var grow []int32
			read("grow", &grow)
			eq("grow", grow, []int32{1, 2, -1, -1, -1, -1})
			g, err := f.Dataset("grow")
			must(t, err)
			eq("grow maxshape", g.MaxShape(), h5file.Dims{h5file.Unlimited, 2})
			var lazy []float32
			read("lazy", &lazy)
			eq("lazy", lazy, []float32{2.5, 2.5, 2.5, 2.5})

			ab, err := f.Group("a/b")
			must(t, err)
			s, err := h5file.AttrValue[string](ab, "s")
			must(t, err)
			eq("a/b@s", s, "nested")
			big, err := f.Group("big")
			must(t, err)
			keys, err := big.Keys()
			must(t, err)
			eq("big members", len(keys), 20)
		})
	}
}
