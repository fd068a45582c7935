package h5file_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// codecSources are the data the codec tests compress: smooth floats,
// an int16 ramp, bytes half random (chunks that do not shrink) half runs,
// and big-endian float64s.
func codecSources() map[string]any {
	f4 := make([]float32, 40*30)
	for i := range f4 {
		f4[i] = float32(math.Sin(float64(i)/37) * 1000)
	}
	i2 := make([]int16, 50*20)
	for i := range i2 {
		i2[i] = int16(i%3000 - 1500)
	}
	r := rand.New(rand.NewPCG(15, 15))
	u1 := make([]uint8, 4096)
	for i := range u1 {
		u1[i] = uint8(r.IntN(256))
		if i >= 2048 {
			u1[i] = uint8((i - 2048) / 32)
		}
	}
	f8 := make([]float64, 24*24)
	for i := range f8 {
		f8[i] = -5 + 10*float64(i)/float64(len(f8)-1)
	}
	return map[string]any{"f4": f4, "i2": i2, "u1": u1, "f8be": f8}
}

var codecShapes = map[string][2][]uint64{ // shape, chunks
	"f4":   {{40, 30}, {16, 16}},
	"i2":   {{50, 20}, {16, 7}},
	"u1":   {{4096}, {512}},
	"f8be": {{24, 24}, {10, 24}},
}

type codecCase struct {
	name string
	opts []h5file.DatasetOption
	h5py bool // Debian's libhdf5 has a plugin for it
}

func codecCases() []codecCase {
	cs := []codecCase{
		{"lzf", []h5file.DatasetOption{h5file.LZF()}, true},
		{"lzf_shuffle_fletcher", []h5file.DatasetOption{h5file.LZF(), h5file.Shuffle(), h5file.Fletcher32()}, true},
		{"lz4", []h5file.DatasetOption{h5file.LZ4()}, true},
		{"bzip2_1", []h5file.DatasetOption{h5file.Bzip2(1)}, true},
		{"bzip2_9", []h5file.DatasetOption{h5file.Bzip2(9)}, true},
		{"zstd_1", []h5file.DatasetOption{h5file.Zstd(1)}, false},
		{"zstd_22", []h5file.DatasetOption{h5file.Zstd(22)}, false},
		{"gzip_then_lz4", []h5file.DatasetOption{h5file.Gzip(1), h5file.LZ4()}, true},
	}
	for _, cname := range []string{"blosclz", "lz4", "lz4hc", "zlib", "zstd"} {
		for _, sh := range []h5file.BloscShuffle{h5file.BloscNoShuffle, h5file.BloscByteShuffle, h5file.BloscBitShuffle} {
			for _, level := range []int{0, 1, 5, 9} {
				cs = append(cs, codecCase{fmt.Sprintf("blosc_%s_%d_%d", cname, sh, level), []h5file.DatasetOption{h5file.Blosc(cname, level, sh)}, true})
			}
		}
	}
	return cs
}

// writeCodecFile writes every codec case over every source with h5file.
func writeCodecFile(t *testing.T, path string) map[string][]uint32 {
	t.Helper()
	f, err := h5file.Create(path, "w")
	must(t, err)
	cds := map[string][]uint32{}
	for s, data := range codecSources() {
		var be []h5file.DatasetOption
		if s == "f8be" {
			be = []h5file.DatasetOption{h5file.WithDtype(h5file.Float64BE)}
		}
		sh := codecShapes[s]
		_, err := f.CreateDatasetFrom("src_"+s, data, append(be, h5file.WithShape(sh[0]...))...)
		must(t, err)
		for _, c := range codecCases() {
			opts := append(append(be, h5file.WithShape(sh[0]...), h5file.Chunks(sh[1]...)), c.opts...)
			d, err := f.CreateDatasetFrom(c.name+"_"+s, data, opts...)
			if err != nil {
				t.Fatalf("%s_%s: %v", c.name, s, err)
			}
			for _, fl := range d.Filters() {
				if fl.ID >= 256 {
					cds[c.name+"_"+s] = append([]uint32{uint32(fl.ID)}, fl.ClientData...)
				}
			}
		}
	}
	must(t, f.Close())
	return cds
}

// TestCodecsReadByH5py: every codec and option written by h5file is read
// by h5py with the libhdf5 plugins (the reference implementations), and
// h5py sees the client data hdf5plugin would have written.
func TestCodecsReadByH5py(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codecs.h5")
	cds := writeCodecFile(t, path)
	var names []string
	for _, c := range codecCases() {
		if c.h5py {
			for s := range codecSources() {
				names = append(names, c.name+"_"+s)
			}
		}
	}
	want, _ := json.Marshal(cds)
	list, _ := json.Marshal(names)
	out := interop.H5PyPlugins(t, fmt.Sprintf(`
import json
cds = json.loads(%q)
f = h5py.File(%q, 'r')
comp = {}
for name in json.loads(%q):
    d = f[name]
    src = f['src_' + name.rsplit('_', 1)[-1] if not name.endswith('f8be') else 'src_f8be']
    got = d[()]
    assert got.dtype == src.dtype and (got == src[()]).all(), name
    pl = d.id.get_create_plist()
    fs = [pl.get_filter(i) for i in range(pl.get_nfilters())]
    user = [(fid, list(cd)) for fid, flags, cd, _ in fs if fid >= 256]
    assert [[fid] + cd for fid, cd in user][-1] == cds[name], (name, user, cds[name])
    assert all(flags & 1 for fid, flags, cd, _ in fs if fid >= 256), (name, fs)
    comp[name] = d.compression or ''
print(json.dumps(comp))
`, string(want), path, string(list)))
	var comp map[string]string
	if err := json.Unmarshal([]byte(out), &comp); err != nil || len(comp) != len(names) {
		t.Fatalf("h5py checked %q datasets (%v), want %d", out, err, len(names))
	}
	// hdf5plugin's client data for Blosc, as h5py wrote them into
	// testdata/codecs/codecs.h5: {2, 2, typesize, chunk bytes, level,
	// shuffle, compressor}.
	if got := cds["blosc_zstd_2_5_f4"]; !reflect.DeepEqual(got, []uint32{32001, 2, 2, 4, 16 * 16 * 4, 5, 2, 5}) {
		t.Errorf("blosc client data %v", got)
	}
	if got := cds["lzf_f4"]; !reflect.DeepEqual(got, []uint32{32000, 4, 261, 16 * 16 * 4}) {
		t.Errorf("lzf client data %v", got)
	}
	f, err := h5file.Open(path, "r")
	must(t, err)
	defer f.Close()
	for name, want := range comp {
		d, err := f.Dataset(name)
		must(t, err)
		if got := d.Compression(); got != want {
			t.Errorf("%s: Compression() %q, h5py's %q", name, got, want)
		}
	}
}

// TestReadPluginFiles reads testdata/codecs/codecs.h5, written by h5py with
// hdf5plugin and the libhdf5 plugins (make_codecs.py): every codec and
// option, incompressible chunks stored with their filter-mask bit set.
func TestReadPluginFiles(t *testing.T) {
	f, err := h5file.Open(filepath.Join("..", "testdata", "codecs", "codecs.h5"), "r")
	must(t, err)
	defer f.Close()
	names, err := f.Keys()
	must(t, err)
	seen := map[uint16]int{}
	for _, name := range names {
		d, err := f.Dataset(name)
		must(t, err)
		var srcName string
		if !d.Attrs().Contains("src") {
			continue
		}
		must(t, d.Attrs().Read("src", &srcName))
		var id int64
		must(t, d.Attrs().Read("filter", &id))
		src, err := f.Dataset(srcName)
		must(t, err)
		got, want := readAny(t, d), readAny(t, src)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: data differ from %s", name, srcName)
		}
		found := false
		for _, fl := range d.Filters() {
			found = found || int64(fl.ID) == id
		}
		if !found {
			t.Errorf("%s: filters %v lack %d", name, d.Filters(), id)
		}
		seen[uint16(id)]++
	}
	for _, id := range []uint16{32000, 32001, 32004, 307} {
		if seen[id] == 0 {
			t.Errorf("no dataset with filter %d in the file", id)
		}
	}
}

func readAny(t *testing.T, d *h5file.Dataset) any {
	t.Helper()
	var v any
	switch d.Dtype().Size {
	case 1:
		v = &[]uint8{}
	case 2:
		v = &[]int16{}
	case 4:
		v = &[]float32{}
	default:
		v = &[]float64{}
	}
	must(t, d.Read(v))
	return v
}

// TestZstdChunksByZstdCommand: Debian has no libhdf5 Zstandard plugin, so
// the chunks h5file writes with Zstd are checked with the zstd command
// (the reference decoder), and a chunk compressed by the zstd command is
// decoded by h5core's codec.
func TestZstdChunksByZstdCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zstd.h5")
	writeCodecFile(t, path)
	b, err := os.ReadFile(path)
	must(t, err)
	cf, err := h5core.Open(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	src := codecSources()["f4"].([]float32)
	for _, name := range []string{"zstd_1_f4", "zstd_22_f4"} {
		o, err := cf.Root().Lookup(name)
		must(t, err)
		d := o.(*h5core.Dataset)
		rec, ok, err := d.Chunk([]uint64{16, 0})
		if err != nil || !ok {
			t.Fatalf("%s: chunk (16, 0): %v %v", name, ok, err)
		}
		got := interop.Zstd(t, b[rec.Addr:rec.Addr+rec.Size], "-d", "-c")
		want := make([]byte, 0, 16*16*4)
		for i := 16; i < 32; i++ {
			for j := 0; j < 16; j++ {
				want = binary.LittleEndian.AppendUint32(want, math.Float32bits(src[i*30+j]))
			}
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: zstd -d gives %d bytes, not the chunk's %d", name, len(got), len(want))
		}
		// The frame records its content size, which the plugin needs.
		if info := string(interop.Zstd(t, nil, "-lv", writeTemp(t, b[rec.Addr:rec.Addr+rec.Size]))); !strings.Contains(info, "Decompressed Size:") || !strings.Contains(info, "(1024 B)\nRatio") {
			t.Errorf("%s: zstd -lv: %s", name, info)
		}
		// The other way: the zstd command's frame, decoded as a chunk.
		frame := interop.Zstd(t, want, "-19", "-c")
		dec, err := h5core.DecodeChunk([]h5core.Filter{h5core.Zstd(3)}, 0, frame, len(want))
		if err != nil || !bytes.Equal(dec, want) {
			t.Errorf("decode a zstd -19 frame: %v", err)
		}
	}
}

func writeTemp(t *testing.T, b []byte) string {
	p := filepath.Join(t.TempDir(), "chunk.zst")
	must(t, os.WriteFile(p, b, 0o644))
	return p
}
