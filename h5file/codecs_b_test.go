package h5file_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// bshufZstdPy defines read_bshuf_zstd(dset): a Bitshuffle+Zstandard
// dataset decoded chunk by chunk with the reference libraries (Debian's
// bitshuffle plugin predates Zstandard, so h5py cannot read these): the
// frame as bshuf_h5filter.c writes it, each block through libzstd
// (python3-zstandard) and bitshuffle.bitunshuffle.
const bshufZstdPy = `
import struct, bitshuffle, zstandard
def read_bshuf_zstd(d):
    out = np.zeros(d.shape, dtype=d.dtype)
    dt = d.dtype
    for i in range(d.id.get_num_chunks()):
        info = d.id.get_chunk_info(i)
        mask, raw = d.id.read_direct_chunk(info.chunk_offset)
        total, bb = struct.unpack('>QI', raw[:12])
        n, es, block = total // dt.itemsize, dt.itemsize, bb // dt.itemsize
        vals, pos, start = np.zeros(n, dtype=dt), 12, 0
        sizes = [block] * (n // block)
        if n % block - n % block % 8:
            sizes.append(n % block - n % block % 8)
        for s in sizes:
            (c,) = struct.unpack('>I', raw[pos:pos+4])
            t = zstandard.ZstdDecompressor().decompress(raw[pos+4:pos+4+c], max_output_size=s*es)
            vals[start:start+s] = bitshuffle.bitunshuffle(np.frombuffer(t, dtype=dt).copy(), s)
            pos, start = pos + 4 + c, start + s
        vals[start:] = np.frombuffer(raw[pos:pos+(n-start)*es], dtype=dt)
        chunk = vals.reshape(d.chunks)
        sl = tuple(slice(o, min(o + c, s)) for o, c, s in zip(info.chunk_offset, d.chunks, d.shape))
        out[sl] = chunk[tuple(slice(0, x.stop - x.start) for x in sl)]
    return out
`

// codecsBCheckPy compares every dataset with its unfiltered twin ref/NAME
// and prints NAME, filter ids, and whether the values match (floats
// written with scale-offset D within half of 10^-D).
const codecsBCheckPy = bshufZstdPy + `
import hdf5plugin
f = h5py.File(PATH, 'r')
for name in sorted(f):
    if name == 'ref':
        continue
    d, ref = f[name], f['ref'][name][()]
    p = d.id.get_create_plist()
    ids = [p.get_filter(i)[0] for i in range(p.get_nfilters())]
    cds = [list(p.get_filter(i)[2]) for i in range(p.get_nfilters())]
    if 32008 in ids and cds[ids.index(32008)][4] == 3:
        got = read_bshuf_zstd(d)
    else:
        got = d[()]
    if 6 in ids and d.dtype.kind == 'f':
        D = cds[ids.index(6)][1]
        ok = np.abs(got - ref).max() <= 0.5 * 10.0**-D * 1.0001 + 1e-7 * np.abs(ref).max()
    else:
        ok = (got == ref).all()
    print(name, ids, bool(ok))
`

func int32sFrom(n int, f func(i int) int32) []int32 {
	v := make([]int32, n)
	for i := range v {
		v[i] = f(i)
	}
	return v
}

// writeTwin writes data to name with opts and, unfiltered, to ref/name.
func writeTwin(t *testing.T, f *h5file.File, name string, data any, opts ...h5file.DatasetOption) {
	t.Helper()
	if _, err := f.CreateDatasetFrom(name, data, opts...); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// Only the first option (WithDtype where given) carries to the twin.
	if _, err := f.CreateDatasetFrom("ref/"+name, data, opts[:1]...); err != nil {
		t.Fatalf("ref/%s: %v", name, err)
	}
}

// int12 is a 12-bit signed integer in 2 bytes (H5Tset_precision(12)).
func int12() *h5file.Datatype {
	t := h5core.IntType(2, true, h5core.LittleEndian)
	t.Precision = 12
	return t
}

// uint20at3 is a 20-bit unsigned integer at bit 3 of 4 bytes.
func uint20at3() *h5file.Datatype {
	t := h5core.IntType(4, false, h5core.LittleEndian)
	t.Precision, t.BitOffset = 20, 3
	return t
}

// TestCodecsBH5py: datasets written with ScaleOffset, Nbit and Bitshuffle
// read in h5py (Bitshuffle LZ4 through Debian's plugin, Zstandard through
// bitshuffle's and zstd's own libraries) as the values written, and they
// read back here too.
func TestCodecsBH5py(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codecs_b.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	ints := int32sFrom(5000, func(i int) int32 {
		if i%17 == 0 {
			return 0
		}
		return int32(i*i%7919 - 3000)
	})
	floats := make([]float64, 3000)
	for i := range floats {
		floats[i] = math.Sin(float64(i)/40) * 100
	}
	f32 := make([]float32, 1001)
	for i := range f32 {
		f32[i] = float32(i%97) / 7
	}
	i16 := make([]int16, 700)
	for i := range i16 {
		i16[i] = int16(i*37%4096 - 2048) // all of a 12-bit signed range
	}
	u32 := make([]uint32, 900)
	for i := range u32 {
		u32[i] = uint32(i * 1163 % (1 << 20))
	}
	i64 := make([]int64, 4099)
	for i := range i64 {
		i64[i] = int64(i/3) << 20
	}
	writeTwin(t, f, "so_int_auto", ints, h5file.Chunks(1024), h5file.ScaleOffset(0))
	writeTwin(t, f, "so_int_fill", ints, h5file.Chunks(1000), h5file.ScaleOffset(0), h5file.FillValue(int32(-3000)))
	writeTwin(t, f, "so_int_shuffle_gzip", ints, h5file.Chunks(1000), h5file.ScaleOffset(0), h5file.Shuffle(), h5file.Gzip(4))
	writeTwin(t, f, "so_f64_d3", floats, h5file.Chunks(700), h5file.ScaleOffset(3))
	writeTwin(t, f, "so_f32_d2", f32, h5file.Chunks(256), h5file.ScaleOffset(2))
	writeTwin(t, f, "nbit_i12", i16, h5file.WithDtype(int12()), h5file.Chunks(128), h5file.Nbit())
	writeTwin(t, f, "nbit_u20_at3", u32, h5file.WithDtype(uint20at3()), h5file.Chunks(300), h5file.Nbit())
	writeTwin(t, f, "nbit_full", ints, h5file.Chunks(1000), h5file.Nbit())
	writeTwin(t, f, "bshuf_lz4", ints, h5file.Chunks(2048), h5file.Bitshuffle("lz4"))
	writeTwin(t, f, "bshuf_lz4_f64", floats, h5file.Chunks(1000), h5file.Bitshuffle("lz4"))
	writeTwin(t, f, "bshuf_lz4_blocks", i16, h5file.Chunks(700), h5file.BitshuffleBlocks("lz4", 64, 0))
	writeTwin(t, f, "bshuf_zstd", i64, h5file.Chunks(1500), h5file.BitshuffleBlocks("zstd", 0, 5))
	writeTwin(t, f, "bshuf_zstd_f32", f32, h5file.Chunks(1001), h5file.Bitshuffle("zstd"))
	writeTwin(t, f, "bshuf_none_gzip", ints, h5file.Chunks(1000), h5file.Bitshuffle("none"), h5file.Gzip(4))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	out := interop.H5Py(t, "PATH = "+fmt.Sprintf("%q", path)+"\n"+codecsBCheckPy)
	want := `bshuf_lz4 [32008] True
bshuf_lz4_blocks [32008] True
bshuf_lz4_f64 [32008] True
bshuf_none_gzip [32008, 1] True
bshuf_zstd [32008] True
bshuf_zstd_f32 [32008] True
nbit_full [5] True
nbit_i12 [5] True
nbit_u20_at3 [5] True
so_f32_d2 [6] True
so_f64_d3 [6] True
so_int_auto [6] True
so_int_fill [6] True
so_int_shuffle_gzip [6, 2, 1] True
`
	if out != want {
		t.Fatalf("h5py read:\n%s\nwant:\n%s", out, want)
	}

	// And here: integers exactly, floats within the scale.
	g, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, name := range []string{"so_int_auto", "so_int_fill", "so_int_shuffle_gzip", "nbit_full", "bshuf_lz4", "bshuf_none_gzip"} {
		var got []int32
		if err := mustDataset(t, g, name).Read(&got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range ints {
			if got[i] != ints[i] {
				t.Fatalf("%s[%d] = %d, want %d", name, i, got[i], ints[i])
			}
		}
	}
	var got16 []int16
	if err := mustDataset(t, g, "nbit_i12").Read(&got16); err != nil {
		t.Fatal(err)
	}
	for i := range i16 {
		if got16[i] != i16[i] {
			t.Fatalf("nbit_i12[%d] = %d, want %d", i, got16[i], i16[i])
		}
	}
	var gotF []float64
	if err := mustDataset(t, g, "so_f64_d3").Read(&gotF); err != nil {
		t.Fatal(err)
	}
	for i := range floats {
		if math.Abs(gotF[i]-floats[i]) > 0.0005001 {
			t.Fatalf("so_f64_d3[%d] = %v, want %v", i, gotF[i], floats[i])
		}
	}
}

func mustDataset(t *testing.T, f *h5file.File, name string) *h5file.Dataset {
	t.Helper()
	d, err := f.Dataset(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCodecsBOptionErrors: bad options are refused when the dataset is
// created, with the reason.
func TestCodecsBOptionErrors(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "bad.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		name string
		opts []h5file.DatasetOption
		want string
	}{
		{"cname", []h5file.DatasetOption{h5file.Bitshuffle("lz5")}, "lz4, zstd or none"},
		{"nelems", []h5file.DatasetOption{h5file.BitshuffleBlocks("lz4", 12, 0)}, "multiple of 8"},
		{"level", []h5file.DatasetOption{h5file.BitshuffleBlocks("zstd", 0, 30)}, "1..22"},
		{"negative", []h5file.DatasetOption{h5file.ScaleOffset(-1)}, ">= 0"},
		{"fletcher32", []h5file.DatasetOption{h5file.ScaleOffset(0), h5file.Fletcher32()}, "fletcher32"},
	} {
		_, err := h5file.CreateDatasetOf[int32](f, tc.name, []uint64{100}, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := f.CreateDataset("str", h5file.FixedString(8, false), []uint64{10}, h5file.ScaleOffset(0)); err == nil || !strings.Contains(err.Error(), "scale-offset") {
		t.Errorf("scale-offset on strings: %v", err)
	}
}

// TestCodecsBReadLibhdf5: h5file reads the files libhdf5 and its plugins
// wrote (testdata/filters/filters_b.h5) into Go slices as h5py reads them,
// N-bit types with a bit offset and SZIP included.
func TestCodecsBReadLibhdf5(t *testing.T) {
	jb, err := os.ReadFile("../testdata/filters/filters_b.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []struct {
		Name, Dtype, Values string
	}
	if err := json.Unmarshal(jb, &all); err != nil {
		t.Fatal(err)
	}
	f, err := h5file.Open("../testdata/filters/filters_b.h5", "r")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	read := map[string]func(d *h5file.Dataset) (string, error){
		"u4": func(d *h5file.Dataset) (string, error) { var v []uint32; err := d.Read(&v); return leHex(v), err },
		"i4": func(d *h5file.Dataset) (string, error) { var v []int32; err := d.Read(&v); return leHex(v), err },
		"u2": func(d *h5file.Dataset) (string, error) { var v []uint16; err := d.Read(&v); return leHex(v), err },
		"i2": func(d *h5file.Dataset) (string, error) { var v []int16; err := d.Read(&v); return leHex(v), err },
		"f8": func(d *h5file.Dataset) (string, error) { var v []float64; err := d.Read(&v); return leHex(v), err },
		"f4": func(d *h5file.Dataset) (string, error) { var v []float32; err := d.Read(&v); return leHex(v), err },
		"u1": func(d *h5file.Dataset) (string, error) { var v []uint8; err := d.Read(&v); return leHex(v), err },
	}
	n := 0
	for _, e := range all {
		r, ok := read[e.Dtype[1:]]
		if !ok {
			continue
		}
		got, err := r(mustDataset(t, f, e.Name))
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if got != e.Values {
			t.Errorf("%s: values differ from h5py's: %.80s..., want %.80s...", e.Name, got, e.Values)
		}
		n++
	}
	if n < 25 {
		t.Fatalf("only %d datasets checked", n)
	}
}

func leHex[T int16 | uint16 | int32 | uint32 | float32 | float64 | uint8](v []T) string {
	var b []byte
	for _, x := range v {
		var u uint64
		size := 0
		switch y := any(x).(type) {
		case float32:
			u, size = uint64(math.Float32bits(y)), 4
		case float64:
			u, size = math.Float64bits(y), 8
		case int16:
			u, size = uint64(uint16(y)), 2
		case uint16:
			u, size = uint64(y), 2
		case int32:
			u, size = uint64(uint32(y)), 4
		case uint32:
			u, size = uint64(y), 4
		case uint8:
			u, size = uint64(y), 1
		}
		for k := 0; k < size; k++ {
			b = append(b, byte(u>>(8*k)))
		}
	}
	return hex.EncodeToString(b)
}

// TestCollectiveCodecsB: at 1, 2, 3, 4 and 8 ranks, each codec's dataset
// written collectively by ranks whose rows share chunks; h5py reads what
// every rank wrote.
func TestCollectiveCodecsB(t *testing.T) {
	const R, C = 37, 24
	type ds struct {
		name string
		opts []h5file.DatasetOption
	}
	sets := []ds{
		{"so_int", []h5file.DatasetOption{h5file.ScaleOffset(0)}},
		{"so_float", []h5file.DatasetOption{h5file.ScaleOffset(2)}},
		{"nbit", []h5file.DatasetOption{h5file.Nbit()}},
		{"bshuf_lz4", []h5file.DatasetOption{h5file.Bitshuffle("lz4")}},
		{"bshuf_zstd", []h5file.DatasetOption{h5file.Bitshuffle("zstd")}},
	}
	val := func(i, j int64) int32 { return int32((i*31+j*7)%500 - 250) }
	for _, n := range []int{1, 2, 3, 4, 8} {
		t.Run(fmt.Sprint(n, "ranks"), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "codecs_b_parallel.h5")
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
				if err != nil {
					return err
				}
				r := int64(c.Rank())
				lo, hi := R*r/int64(n), R*(r+1)/int64(n)
				for _, s := range sets {
					opts := append([]h5file.DatasetOption{h5file.Chunks(8, 16)}, s.opts...)
					var d *h5file.Dataset
					if s.name == "so_float" {
						d, err = h5file.CreateDatasetOf[float64](f, s.name, []uint64{R, C}, opts...)
					} else if s.name == "nbit" {
						d, err = f.CreateDataset(s.name, int12(), []uint64{R, C}, opts...)
					} else {
						d, err = h5file.CreateDatasetOf[int32](f, s.name, []uint64{R, C}, opts...)
					}
					if err != nil {
						return err
					}
					var iv []int32
					var fv []float64
					for i := lo; i < hi; i++ {
						for j := int64(0); j < C; j++ {
							iv = append(iv, val(i, j))
							fv = append(fv, float64(val(i, j))/8)
						}
					}
					var data any = iv
					if s.name == "so_float" {
						data = fv
					}
					if err := d.Collective().WriteSel(h5file.S(h5file.Range(lo, hi)), data); err != nil {
						return fmt.Errorf("%s: %w", s.name, err)
					}
				}
				return f.Close()
			}))
			out := interop.H5Py(t, fmt.Sprintf(`PATH = %q
R, C = %d, %d
%s
import hdf5plugin
f = h5py.File(PATH, 'r')
i, j = np.meshgrid(np.arange(R), np.arange(C), indexing='ij')
want = (i*31 + j*7) %% 500 - 250
for name in ('so_int', 'so_float', 'nbit', 'bshuf_lz4', 'bshuf_zstd'):
    d = f[name]
    got = read_bshuf_zstd(d) if name == 'bshuf_zstd' else d[()]
    w = want / 8 if name == 'so_float' else want
    print(name, d.chunks, bool(np.abs(got - w).max() <= 0.0050001))
`, path, R, C, bshufZstdPy))
			want := ""
			for _, s := range sets {
				want += s.name + " (8, 16) True\n"
			}
			if out != want {
				t.Fatalf("h5py:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}
