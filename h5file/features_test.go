package h5file_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

const testdata = "../testdata"

// Point is a compound type with a nested struct and an array member.
type Point struct {
	X, Y float64
	ID   int32 `h5:"id"`
	Tag  Inner `h5:"tag"`
	Vec  [3]int16
	//lint:ignore U1000 an unexported field, to show it is not a member
	skip  int
	Label string `h5:"-"`
}

type Inner struct {
	A uint8
	B float32
}

// feature is one issue-3 feature: build writes it through h5file, check is
// a Python snippet (h5py) with asserts on the file at `path`.
type feature struct {
	name  string
	build func(t *testing.T, f *h5file.File)
	check string
	dump  []string // extra h5dump flags
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustDS(t *testing.T) func(*h5file.Dataset, error) *h5file.Dataset {
	return func(d *h5file.Dataset, err error) *h5file.Dataset {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

var features = []feature{
	{
		name: "integers",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("i8", []int8{-128, -1, 0, 127}))
			ds(f.CreateDatasetFrom("i16", []int16{-32768, 0, 32767}))
			ds(f.CreateDatasetFrom("i32", []int32{-1 << 31, 0, 1<<31 - 1}))
			ds(f.CreateDatasetFrom("i64", []int64{-1 << 63, 0, 1<<63 - 1}))
			ds(f.CreateDatasetFrom("u8", []uint8{0, 255}))
			ds(f.CreateDatasetFrom("u16", []uint16{0, 65535}))
			ds(f.CreateDatasetFrom("u32", []uint32{0, 1<<32 - 1}))
			ds(f.CreateDatasetFrom("u64", []uint64{0, 1<<64 - 1}))
			ds(f.CreateDatasetFrom("i32be", []int32{-2, 7}, h5file.WithDtype(h5file.Int32BE)))
			ds(f.CreateDatasetFrom("u64be", []uint64{1, 1<<64 - 1}, h5file.WithDtype(h5file.Uint64BE)))
			ds(f.CreateDatasetFrom("i16be", []int16{-300, 300}, h5file.WithDtype(h5file.Int16BE)))
			ds(f.CreateDatasetFrom("int", []int{1, 2, 3}))
		},
		check: `
f = h5py.File(path, 'r')
exp = {'i8': ('<i1', [-128, -1, 0, 127]), 'i16': ('<i2', [-32768, 0, 32767]),
  'i32': ('<i4', [-2**31, 0, 2**31-1]), 'i64': ('<i8', [-2**63, 0, 2**63-1]),
  'u8': ('<u1', [0, 255]), 'u16': ('<u2', [0, 65535]), 'u32': ('<u4', [0, 2**32-1]),
  'u64': ('<u8', [0, 2**64-1]), 'i32be': ('>i4', [-2, 7]), 'u64be': ('>u8', [1, 2**64-1]),
  'i16be': ('>i2', [-300, 300]), 'int': ('<i8', [1, 2, 3])}
for k, (dt, v) in exp.items():
    assert f[k].dtype == np.dtype(dt), (k, f[k].dtype)
    assert f[k][()].tolist() == v, (k, f[k][()])
    assert f[k].chunks is None
assert sorted(f.keys()) == sorted(exp)
`,
	},
	{
		name: "floats",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("f32", []float32{1.5, -2.25, 3e38}))
			ds(f.CreateDatasetFrom("f64", []float64{0.1, -1e300, 2}))
			ds(f.CreateDatasetFrom("f32be", []float32{1.5, -2.25}, h5file.WithDtype(h5file.Float32BE)))
			ds(f.CreateDatasetFrom("f64be", []float64{0.1, 3}, h5file.WithDtype(h5file.Float64BE)))
		},
		check: `
f = h5py.File(path, 'r')
assert f['f32'].dtype == '<f4' and f['f32'][()].tolist() == np.array([1.5, -2.25, 3e38], 'f4').tolist()
assert f['f64'].dtype == '<f8' and f['f64'][()].tolist() == [0.1, -1e300, 2.0]
assert f['f32be'].dtype == '>f4' and f['f32be'][()].tolist() == [1.5, -2.25]
assert f['f64be'].dtype == '>f8' and f['f64be'][()].tolist() == [0.1, 3.0]
`,
	},
	{
		name: "shapes",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("scalar", 2.5))
			ds(f.CreateDatasetFrom("scalar_int", int32(-7)))
			m := make([]int32, 2*3*4)
			for i := range m {
				m[i] = int32(i)
			}
			ds(f.CreateDatasetFrom("rank3", m, h5file.WithShape(2, 3, 4)))
			shape32 := make([]uint64, 32)
			for i := range shape32 {
				shape32[i] = 1
			}
			shape32[31] = 2
			ds(f.CreateDatasetFrom("rank32", []uint8{4, 5}, h5file.WithShape(shape32...)))
			ds(f.CreateDatasetFrom("empty", []float64{}))
		},
		check: `
f = h5py.File(path, 'r')
assert f['scalar'].shape == () and f['scalar'][()] == 2.5 and f['scalar'].dtype == '<f8'
assert f['scalar_int'].shape == () and f['scalar_int'][()] == -7 and f['scalar_int'].dtype == '<i4'
assert f['rank3'].shape == (2, 3, 4) and (f['rank3'][()] == np.arange(24, dtype='i4').reshape(2, 3, 4)).all()
assert f['rank32'].shape == (1,)*31 + (2,) and f['rank32'][()].ravel().tolist() == [4, 5]
assert f['empty'].shape == (0,)
`,
	},
	{
		name: "bool_enum",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("flags", []bool{true, false, true}))
			color := h5file.Enum(h5file.Int32, []string{"RED", "GREEN", "BLUE"}, []int64{0, 1, 2})
			ds(f.CreateDatasetFrom("color", []int32{2, 0, 1}, h5file.WithDtype(color)))
		},
		check: `
f = h5py.File(path, 'r')
assert f['flags'].dtype == np.dtype('bool') and f['flags'][()].tolist() == [True, False, True]
assert h5py.check_enum_dtype(f['color'].dtype) == {'BLUE': 2, 'GREEN': 1, 'RED': 0}, h5py.check_enum_dtype(f['color'].dtype)
assert f['color'][()].tolist() == [2, 0, 1]
`,
	},
	{
		name: "strings",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("vlen_utf8", []string{"hello", "", "grüße", "日本"}))
			ds(f.CreateDatasetFrom("vlen_ascii", []string{"abc", "de"}, h5file.WithDtype(h5file.ASCIIString)))
			ds(f.CreateDatasetFrom("fixed", []string{"ab", "cdefgh", ""}, h5file.WithDtype(h5file.FixedString(6, false))))
			ds(f.CreateDatasetFrom("fixed_utf8", []string{"é"}, h5file.WithDtype(h5file.FixedString(4, true))))
			ds(f.CreateDatasetFrom("scalar_str", "one string"))
		},
		check: `
f = h5py.File(path, 'r')
d = f['vlen_utf8']
assert h5py.check_string_dtype(d.dtype) == ('utf-8', None)
assert d.asstr()[()].tolist() == ['hello', '', 'grüße', '日本']
d = f['vlen_ascii']
assert h5py.check_string_dtype(d.dtype) == ('ascii', None)
assert d[()].tolist() == [b'abc', b'de']
d = f['fixed']
assert d.dtype == np.dtype('S6') and d[()].tolist() == [b'ab', b'cdefgh', b'']
d = f['fixed_utf8']
assert h5py.check_string_dtype(d.dtype) == ('utf-8', 4)
assert d[0].decode() == 'é'
assert f['scalar_str'].shape == () and f['scalar_str'].asstr()[()] == 'one string'
`,
	},
	{
		name: "compound_array",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("points", []Point{
				{X: 1, Y: 2, ID: 3, Tag: Inner{A: 4, B: 5.5}, Vec: [3]int16{6, 7, 8}},
				{X: -1, Y: -2, ID: -3, Tag: Inner{A: 255, B: -0.5}, Vec: [3]int16{-1, 0, 1}},
			}))
			ds(f.CreateDatasetFrom("arrays", [][2][3]float32{{{1, 2, 3}, {4, 5, 6}}, {{7, 8, 9}, {10, 11, 12}}}))
		},
		check: `
f = h5py.File(path, 'r')
d = f['points']
assert d.dtype.names == ('X', 'Y', 'id', 'tag', 'Vec'), d.dtype
assert d.dtype['tag'].names == ('A', 'B') and d.dtype['Vec'] == np.dtype(('<i2', (3,)))
assert d.dtype.itemsize == 8+8+4+5+6, d.dtype.itemsize
v = d[()]
assert v['X'].tolist() == [1, -1] and v['Y'].tolist() == [2, -2] and v['id'].tolist() == [3, -3]
assert v['tag']['A'].tolist() == [4, 255] and v['tag']['B'].tolist() == [5.5, -0.5]
assert v['Vec'].tolist() == [[6, 7, 8], [-1, 0, 1]]
a = f['arrays']
assert a.shape == (2,) and a.dtype == np.dtype(('<f4', (2, 3)))
assert a[()].tolist() == [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]
`,
	},
	{
		name: "filters",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			data := make([]int32, 100*50)
			for i := range data {
				data[i] = int32(i % 97)
			}
			opts := map[string][]h5file.DatasetOption{
				"gzip":             {h5file.Gzip(4)},
				"gzip9":            {h5file.Gzip(9)},
				"shuffle":          {h5file.Shuffle()},
				"fletcher32":       {h5file.Fletcher32()},
				"shuffle_gzip":     {h5file.Shuffle(), h5file.Gzip(1)},
				"all":              {h5file.Shuffle(), h5file.Gzip(6), h5file.Fletcher32()},
				"gzip_fletcher32":  {h5file.Gzip(4), h5file.Fletcher32()},
				"chunked_nofilter": {},
			}
			for _, name := range []string{"gzip", "gzip9", "shuffle", "fletcher32", "shuffle_gzip", "all", "gzip_fletcher32", "chunked_nofilter"} {
				o := append([]h5file.DatasetOption{h5file.WithShape(100, 50), h5file.Chunks(30, 20)}, opts[name]...)
				ds(f.CreateDatasetFrom(name, data, o...))
			}
			// h5py guesses the chunk shape when compression is asked for without chunks.
			ds(f.CreateDatasetFrom("auto_chunk", data, h5file.WithShape(100, 50), h5file.Gzip(4)))
		},
		check: `
f = h5py.File(path, 'r')
data = (np.arange(5000, dtype='i4') % 97).reshape(100, 50)
exp = {'gzip': ('gzip', 4, False, False), 'gzip9': ('gzip', 9, False, False),
  'shuffle': (None, None, True, False), 'fletcher32': (None, None, False, True),
  'shuffle_gzip': ('gzip', 1, True, False), 'all': ('gzip', 6, True, True),
  'gzip_fletcher32': ('gzip', 4, False, True), 'chunked_nofilter': (None, None, False, False)}
for k, (c, o, s, fl) in exp.items():
    d = f[k]
    assert d.chunks == (30, 20), (k, d.chunks)
    assert (d.compression, d.compression_opts, d.shuffle, d.fletcher32) == (c, o, s, fl), (k, d.compression, d.compression_opts, d.shuffle, d.fletcher32)
    assert (d[()] == data).all(), k
g = h5py.File(path.replace('.h5', '_ref.h5'), 'w')
ref = g.create_dataset('x', data=data, compression='gzip')
assert f['auto_chunk'].chunks == ref.chunks, (f['auto_chunk'].chunks, ref.chunks)
assert (f['auto_chunk'][()] == data).all()
`,
		dump: []string{"-p"},
	},
	{
		name: "layouts_fill_resize",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			ds(f.CreateDatasetFrom("compact", []int16{1, 2, 3}, h5file.Compact()))
			ds(h5file.CreateDatasetOf[float64](f, "filled", []uint64{5}, h5file.FillValue(-1.5)))
			d := ds(h5file.CreateDatasetOf[int32](f, "filled_chunked", []uint64{6}, h5file.FillValue(int32(42)), h5file.Chunks(4)))
			must(t, d.WriteSel(h5file.S(h5file.Range(1, 3)), []int32{7, 8}))
			g := ds(h5file.CreateDatasetOf[int32](f, "grow", []uint64{0, 3}, h5file.MaxShape(h5file.Unlimited, 3), h5file.Chunks(2, 3), h5file.FillValue(int32(-9))))
			for step := uint64(0); step < 3; step++ {
				must(t, g.Resize(step+1, 3))
				must(t, g.WriteSel(h5file.S(h5file.Index(int64(step))), []int32{int32(step), int32(10 * step), int32(100 * step)}))
			}
			must(t, g.Resize(4, 3)) // last row stays fill
			z := ds(h5file.CreateDatasetOf[float32](f, "grow_gzip", []uint64{2}, h5file.MaxShape(h5file.Unlimited), h5file.Chunks(2), h5file.Gzip(4)))
			must(t, z.Write([]float32{1, 2}))
			must(t, z.Resize(5))
			must(t, z.WriteSel(h5file.S(h5file.Range(2, 5)), []float32{3, 4, 5}))
		},
		check: `
f = h5py.File(path, 'r')
c = f['compact']
assert c.id.get_create_plist().get_layout() == h5py.h5d.COMPACT and c[()].tolist() == [1, 2, 3]
d = f['filled']
assert d.fillvalue == -1.5 and d[()].tolist() == [-1.5]*5
d = f['filled_chunked']
assert d.fillvalue == 42 and d[()].tolist() == [42, 7, 8, 42, 42, 42], d[()]
g = f['grow']
assert g.maxshape == (None, 3) and g.shape == (4, 3) and g.chunks == (2, 3)
assert g[()].tolist() == [[0, 0, 0], [1, 10, 100], [2, 20, 200], [-9, -9, -9]], g[()]
z = f['grow_gzip']
assert z.maxshape == (None,) and z.compression == 'gzip' and z[()].tolist() == [1, 2, 3, 4, 5]
`,
		dump: []string{"-p"},
	},
	{
		name: "hyperslab",
		build: func(t *testing.T, f *h5file.File) {
			ds := mustDS(t)
			for _, name := range []string{"contig", "chunked", "gzip"} {
				var opts []h5file.DatasetOption
				switch name {
				case "chunked":
					opts = append(opts, h5file.Chunks(7, 3))
				case "gzip":
					opts = append(opts, h5file.Chunks(7, 3), h5file.Gzip(4), h5file.Shuffle())
				}
				d := ds(h5file.CreateDatasetOf[int32](f, name, []uint64{30, 8}, opts...))
				// dset[10:20, ::2] = x
				x := make([]int32, 10*4)
				for i := range x {
					x[i] = int32(i + 1)
				}
				must(t, d.WriteSel(h5file.S(h5file.Range(10, 20), h5file.RangeStep(0, h5file.End, 2)), x))
				// dset[-3:, 5] = -1
				must(t, d.WriteSel(h5file.S(h5file.Range(-3, h5file.End), h5file.Index(5)), []int32{-1, -1, -1}))
				// block/count form: 2x2 blocks of 2x1 from (0, 1), stride (4, 3)
				must(t, d.WriteSel(h5file.Hyperslab{Start: []uint64{0, 1}, Stride: []uint64{4, 3}, Count: []uint64{2, 2}, Block: []uint64{2, 1}},
					[]int32{100, 101, 102, 103, 104, 105, 106, 107}))
			}
		},
		check: `
f = h5py.File(path, 'r')
ref = np.zeros((30, 8), 'i4')
ref[10:20, ::2] = np.arange(1, 41).reshape(10, 4)
ref[-3:, 5] = -1
blk = np.arange(100, 108).reshape(4, 2)
for i, r in enumerate([0, 1, 4, 5]):
    for j, c in enumerate([1, 4]):
        ref[r, c] = blk[i, j]
for k in ['contig', 'chunked', 'gzip']:
    assert (f[k][()] == ref).all(), (k, f[k][()])
`,
	},
	{
		name: "attributes",
		build: func(t *testing.T, f *h5file.File) {
			g, err := f.CreateGroup("g")
			must(t, err)
			d := mustDS(t)(f.CreateDatasetFrom("d", []int32{1}))
			for _, o := range []h5file.Object{f, g, d} {
				a := o.Attrs()
				must(t, a.Set("str", "a vlen UTF-8 string"))
				must(t, a.Set("strs", []string{"x", "yz"}))
				must(t, a.Set("int", 42))
				must(t, a.Set("i8", int8(-3)))
				must(t, a.Set("u16", []uint16{1, 65535}))
				must(t, a.Set("f32", float32(1.25)))
				must(t, a.Set("f64s", []float64{1, 2.5}))
				must(t, a.Set("bool", true))
				must(t, a.Set("point", Point{X: 1, Y: 2, ID: 3, Tag: Inner{A: 4, B: 5}, Vec: [3]int16{6, 7, 8}}))
				must(t, a.SetTyped("fixed", "abc", h5file.FixedString(5, false), nil))
				must(t, a.SetTyped("be", []int64{-5, 5}, h5file.Int64BE, []uint64{2}))
				must(t, a.Set("tmp", 1))
				must(t, a.Delete("tmp"))
			}
		},
		check: `
f = h5py.File(path, 'r')
for o in [f, f['g'], f['d']]:
    a = o.attrs
    assert sorted(a.keys()) == sorted(['str', 'strs', 'int', 'i8', 'u16', 'f32', 'f64s', 'bool', 'point', 'fixed', 'be']), list(a.keys())
    assert a['str'] == 'a vlen UTF-8 string'
    assert h5py.check_string_dtype(a.get_id('str').dtype) == ('utf-8', None)
    assert a['strs'].tolist() == ['x', 'yz']
    assert a['int'] == 42 and a['int'].dtype == '<i8'
    assert a['i8'] == -3 and a['i8'].dtype == 'i1'
    assert a['u16'].tolist() == [1, 65535] and a['u16'].dtype == '<u2'
    assert a['f32'] == 1.25 and a['f32'].dtype == '<f4'
    assert a['f64s'].tolist() == [1.0, 2.5]
    assert a['bool'] == True and a['bool'].dtype == np.dtype('bool')
    p = a['point']
    assert p['X'] == 1 and p['id'] == 3 and p['tag']['B'] == 5 and p['Vec'].tolist() == [6, 7, 8]
    assert a['fixed'] == b'abc' and a.get_id('fixed').dtype == 'S5'
    assert a['be'].tolist() == [-5, 5] and a.get_id('be').dtype == '>i8'
`,
	},
	{
		name: "groups",
		build: func(t *testing.T, f *h5file.File) {
			for _, n := range []int{1, 8, 9} {
				g, err := f.CreateGroup(fmt.Sprintf("g%d", n))
				must(t, err)
				for i := 0; i < n; i++ {
					_, err := g.CreateGroup(fmt.Sprintf("m%02d", i))
					must(t, err)
				}
			}
			_, err := f.RequireGroup("a/b/c")
			must(t, err)
			_, err = f.RequireGroup("a/b/c") // exists: returned, not an error
			must(t, err)
			mustDS(t)(f.CreateDatasetFrom("a/b/c/d/data", []int8{1}))
		},
		check: `
f = h5py.File(path, 'r')
for n in [1, 8, 9]:
    assert list(f['g%d' % n].keys()) == ['m%02d' % i for i in range(n)]
assert isinstance(f['a/b/c/d'], h5py.Group) and f['a/b/c/d/data'][()].tolist() == [1]
`,
	},
}

func TestFeatures(t *testing.T) {
	for _, ft := range features {
		t.Run(ft.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ft.name+".h5")
			f, err := h5file.Create(path, "w")
			must(t, err)
			ft.build(t, f)
			must(t, f.Close())
			interop.DumpGolden(t, testdata, ft.name, path, ft.dump...)
			interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+strings.TrimPrefix(ft.check, "\n"))
		})
	}
}
