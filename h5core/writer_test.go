package h5core

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeAll writes data (the whole dataset, packed row-major) into d's
// storage through w: what h5file does for a full write.
func writeAll(t *testing.T, w io.WriterAt, d *Dataset, data []byte) {
	t.Helper()
	es := uint64(d.Type().Size)
	switch d.Layout() {
	case LayoutContiguous:
		addr, _ := d.DataAddr()
		if _, err := w.WriteAt(data, int64(addr)); err != nil {
			t.Fatal(err)
		}
	case LayoutCompact:
		if err := d.SetCompactData(data); err != nil {
			t.Fatal(err)
		}
	case LayoutChunked:
		err := ChunkRuns(d.Shape(), d.ChunkShape(), es, All(d.Shape()), func(coords []uint64, runs []Run) error {
			buf := make([]byte, d.ChunkBytes())
			for _, r := range runs {
				copy(buf[r.Off:r.Off+r.Len], data[r.MemOff:r.MemOff+r.Len])
			}
			var addr uint64
			if len(d.Filters()) > 0 {
				enc, mask, err := EncodeChunk(d.Filters(), buf)
				if err != nil {
					return err
				}
				if addr, err = d.AllocChunk(coords, uint64(len(enc)), mask); err != nil {
					return err
				}
				buf = enc
			} else {
				rec, ok, err := d.Chunk(coords)
				if err != nil {
					return fmt.Errorf("chunk %v: %v", coords, err)
				}
				addr = rec.Addr
				if !ok { // a chunk a libhdf5 file never allocated
					if addr, err = d.AllocChunk(coords, d.ChunkBytes(), 0); err != nil {
						return err
					}
				}
			}
			_, err := w.WriteAt(buf, int64(addr))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func le(vals ...any) []byte {
	var b bytes.Buffer
	for _, v := range vals {
		binary.Write(&b, binary.LittleEndian, v)
	}
	return b.Bytes()
}

func be(vals ...any) []byte {
	var b bytes.Buffer
	for _, v := range vals {
		binary.Write(&b, binary.BigEndian, v)
	}
	return b.Bytes()
}

func vlenRefs(t *testing.T, f *File, strs ...string) []byte {
	t.Helper()
	var out []byte
	for _, s := range strs {
		ref, err := f.PutVlen(uint32(len(s)), []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, VlenRefSize)
		ref.Encode(b)
		out = append(out, b...)
	}
	return out
}

// featureScript makes, with h5py, the file buildFeatures makes with h5core.
const featureScript = `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['title'] = 'features'
    f.attrs['ints'] = np.array([1, 2, 3], dtype='<i8')
    f.attrs.create('flag', np.bool_(True))
    g = f.create_group('a/b/c')
    g.attrs['u'] = 'ünïcode'
    for name, dt in [('i1','<i1'),('i2','<i2'),('i4','<i4'),('i8','<i8'),('u1','<u1'),('u2','<u2'),('u4','<u4'),('u8','<u8'),
                     ('bi2','>i2'),('bi4','>i4'),('bu8','>u8'),('f4','<f4'),('f8','<f8'),('bf4','>f4'),('bf8','>f8')]:
        f.create_dataset('types/'+name, data=np.arange(3).astype(dt))
    f.create_dataset('types/bool', data=np.array([True, False, True]))
    f.create_dataset('types/fixed', data=np.array([b'ab', b'cde']))
    f.create_dataset('types/fixedutf8', data=np.array(['xy'.encode()], dtype=h5py.string_dtype('utf-8', 4)))
    f.create_dataset('types/vlen', data=['one', 'two', ''], dtype=h5py.string_dtype())
    f.create_dataset('types/vlenascii', data=[b'x', b'yz'], dtype=h5py.string_dtype('ascii'))
    inner = np.dtype([('x', '<i2'), ('y', '<f4')])
    outer = np.dtype([('id', '<i4'), ('pt', inner), ('arr', '<u1', (2, 3))])
    v = np.zeros(2, dtype=outer); v['id'] = [7, 8]; v['pt']['x'] = [1, 2]; v['pt']['y'] = [0.5, 1.5]; v['arr'][1] = np.arange(6).reshape(2, 3)
    f.create_dataset('types/compound', data=v)
    f.create_dataset('types/enum', data=np.array([0, 2, 1], dtype='i2'), dtype=h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 2}, basetype='i2'))
    vi = np.empty(2, dtype=object); vi[0] = np.array([1, 2, 3], dtype='i4'); vi[1] = np.array([4], dtype='i4')
    f.create_dataset('types/vlenint', data=vi, dtype=h5py.vlen_dtype(np.dtype('i4')))
    f.create_dataset('rank0', data=np.float64(2.5))
    f.create_dataset('rank3', data=np.arange(24, dtype='<i4').reshape(2, 3, 4))
    f.create_dataset('rank32', data=np.ones((1,)*32, dtype='u1'))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE); dcpl.set_layout(h5py.h5d.COMPACT)
    dsid = h5py.h5d.create(f.id, b'compact', h5py.h5t.STD_I32LE, h5py.h5s.create_simple((5,)), dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype='<i4'))
    f.create_dataset('chunked', data=np.arange(35, dtype='<i4').reshape(5, 7), chunks=(2, 3))
    f.create_dataset('gzip', data=np.arange(35, dtype='<f8').reshape(5, 7), chunks=(2, 3), compression='gzip', shuffle=True, fletcher32=True)
    d = f.create_dataset('grow', shape=(0, 3), maxshape=(None, 3), chunks=(2, 3), dtype='<i4')
    d.resize((3, 3)); d[...] = np.arange(9).reshape(3, 3)
    f.create_dataset('fillv', data=np.array([5, 6], dtype='<i2'), fillvalue=-1)
    f.create_group('empty')
    f['a/link'] = h5py.SoftLink('/rank0')
    f['types/i4'].attrs['units'] = 'm'
    f['types/i4'].attrs['scale'] = np.float32(0.5)
`

func buildFeatures(t *testing.T, w io.WriterAt, opts ...Option) *File {
	f := NewFile(opts...)
	root := f.Root()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mk := func(path string, spec DatasetSpec, data []byte) *Dataset {
		t.Helper()
		d, err := root.CreateDataset(path, spec)
		must(err)
		writeAll(t, w, d, data)
		return d
	}
	must(root.SetAttr(&Attribute{Name: "title", Type: VlenString(UTF8), Data: vlenRefs(t, f, "features")}))
	must(root.SetAttr(&Attribute{Name: "ints", Type: Int64LE, Shape: []uint64{3}, Data: le(int64(1), int64(2), int64(3))}))
	must(root.SetAttr(&Attribute{Name: "flag", Type: Bool(), Data: []byte{1}}))
	g, err := root.CreateGroup("a/b/c")
	must(err)
	must(g.SetAttr(&Attribute{Name: "u", Type: VlenString(UTF8), Data: vlenRefs(t, f, "ünïcode")}))
	s3 := []uint64{3}
	for _, tc := range []struct {
		name string
		typ  *Datatype
		data []byte
	}{
		{"i1", IntType(1, true, LittleEndian), le(int8(0), int8(1), int8(2))},
		{"i2", Int16LE, le(int16(0), int16(1), int16(2))},
		{"i4", Int32LE, le(int32(0), int32(1), int32(2))},
		{"i8", Int64LE, le(int64(0), int64(1), int64(2))},
		{"u1", Uint8LE, []byte{0, 1, 2}},
		{"u2", Uint16LE, le(uint16(0), uint16(1), uint16(2))},
		{"u4", Uint32LE, le(uint32(0), uint32(1), uint32(2))},
		{"u8", Uint64LE, le(uint64(0), uint64(1), uint64(2))},
		{"bi2", IntType(2, true, BigEndian), be(int16(0), int16(1), int16(2))},
		{"bi4", IntType(4, true, BigEndian), be(int32(0), int32(1), int32(2))},
		{"bu8", IntType(8, false, BigEndian), be(uint64(0), uint64(1), uint64(2))},
		{"f4", Float32LE, le(float32(0), float32(1), float32(2))},
		{"f8", Float64LE, le(float64(0), float64(1), float64(2))},
		{"bf4", FloatType(4, BigEndian), be(float32(0), float32(1), float32(2))},
		{"bf8", FloatType(8, BigEndian), be(float64(0), float64(1), float64(2))},
		{"bool", Bool(), []byte{1, 0, 1}},
	} {
		mk("types/"+tc.name, DatasetSpec{Type: tc.typ, Shape: s3}, tc.data)
	}
	mk("types/fixed", DatasetSpec{Type: FixedString(3, ASCII, PadNull), Shape: []uint64{2}}, []byte("ab\x00cde"))
	mk("types/fixedutf8", DatasetSpec{Type: FixedString(4, UTF8, PadNull), Shape: []uint64{1}}, []byte("xy\x00\x00"))
	mk("types/vlen", DatasetSpec{Type: VlenString(UTF8), Shape: s3}, vlenRefs(t, f, "one", "two", ""))
	mk("types/vlenascii", DatasetSpec{Type: VlenString(ASCII), Shape: []uint64{2}}, vlenRefs(t, f, "x", "yz"))
	inner := Compound(6, Member{"x", 0, Int16LE}, Member{"y", 2, Float32LE})
	outer := Compound(16, Member{"id", 0, Int32LE}, Member{"pt", 4, inner}, Member{"arr", 10, ArrayOf(Uint8LE, 2, 3)})
	rec := func(id int32, x int16, y float32, arr []byte) []byte {
		return append(le(id, x, y), arr...)
	}
	mk("types/compound", DatasetSpec{Type: outer, Shape: []uint64{2}},
		append(rec(7, 1, 0.5, make([]byte, 6)), rec(8, 2, 1.5, []byte{0, 1, 2, 3, 4, 5})...))
	mk("types/enum", DatasetSpec{Type: Enum(Int16LE, []string{"RED", "GREEN", "BLUE"}, []int64{0, 1, 2}), Shape: s3}, le(int16(0), int16(2), int16(1)))
	var vi []byte
	for _, seq := range [][]int32{{1, 2, 3}, {4}} {
		ref, err := f.PutVlen(uint32(len(seq)), le(seq))
		must(err)
		b := make([]byte, 16)
		ref.Encode(b)
		vi = append(vi, b...)
	}
	mk("types/vlenint", DatasetSpec{Type: VlenOf(Int32LE), Shape: []uint64{2}}, vi)
	mk("rank0", DatasetSpec{Type: Float64LE}, le(2.5))
	var r3 []byte
	for i := int32(0); i < 24; i++ {
		r3 = append(r3, le(i)...)
	}
	mk("rank3", DatasetSpec{Type: Int32LE, Shape: []uint64{2, 3, 4}}, r3)
	ones := make([]uint64, 32)
	for i := range ones {
		ones[i] = 1
	}
	mk("rank32", DatasetSpec{Type: Uint8LE, Shape: ones}, []byte{1})
	mk("compact", DatasetSpec{Type: Int32LE, Shape: []uint64{5}, Compact: true}, le(int32(0), int32(1), int32(2), int32(3), int32(4)))
	var c35, f35 []byte
	for i := 0; i < 35; i++ {
		c35 = append(c35, le(int32(i))...)
		f35 = append(f35, le(float64(i))...)
	}
	mk("chunked", DatasetSpec{Type: Int32LE, Shape: []uint64{5, 7}, Chunk: []uint64{2, 3}}, c35)
	mk("gzip", DatasetSpec{Type: Float64LE, Shape: []uint64{5, 7}, Chunk: []uint64{2, 3}, Filters: H5pyFilters(8, true, 4, true)}, f35)
	grow := mk("grow", DatasetSpec{Type: Int32LE, Shape: []uint64{0, 3}, MaxShape: []uint64{Unlimited, 3}, Chunk: []uint64{2, 3}}, nil)
	must(grow.Resize([]uint64{3, 3}))
	writeAll(t, w, grow, le([]int32{0, 1, 2, 3, 4, 5, 6, 7, 8}))
	mk("fillv", DatasetSpec{Type: Int16LE, Shape: []uint64{2}, Fill: le(int16(-1))}, le(int16(5), int16(6)))
	_, err = root.CreateGroup("empty")
	must(err)
	must(root.CreateSoftLink("a/link", "/rank0"))
	i4, _ := root.Lookup("types/i4")
	must(i4.SetAttr(&Attribute{Name: "units", Type: VlenString(UTF8), Data: vlenRefs(t, f, "m")}))
	must(i4.SetAttr(&Attribute{Name: "scale", Type: Float32LE, Data: le(float32(0.5))}))
	return f
}

// TestFeaturesMatchH5py writes every feature with h5core and the same
// content with h5py, in both format families (h5py's libver='earliest'
// and 'latest'), and requires h5dump to print the same for both.
func TestFeaturesMatchH5py(t *testing.T) {
	for _, fam := range []struct {
		name string
		v    Libver
	}{{"earliest", LibverEarliest}, {"latest", LibverLatest}} {
		t.Run(fam.name, func(t *testing.T) { featuresMatchH5py(t, fam.name, fam.v) })
	}
}

func featuresMatchH5py(t *testing.T, libver string, v Libver) {
	needH5dump(t)
	pyPath := h5pyFile(t, strings.Replace(featureScript, "h5py.File(sys.argv[1], 'w')", "h5py.File(sys.argv[1], 'w', libver='"+libver+"')", 1))
	path := filepath.Join(t.TempDir(), "ours.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f := buildFeatures(t, w, WithLibver(v))
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if want := map[Libver]string{LibverEarliest: "0", LibverLatest: "3"}[v]; !strings.Contains(h5debugSuperblock(t, path), "Superblock version number:                         "+want) {
		t.Errorf("superblock version is not %s", want)
	}
	got := strings.Replace(h5dump(t, path), path, "F", 1)
	want := strings.Replace(h5dump(t, pyPath), pyPath, "F", 1)
	if got != want {
		diff(t, want, got)
	}
	// h5diff compares every value and type of the two files.
	if out, err := exec.Command("h5diff", pyPath, path).CombinedOutput(); err != nil {
		t.Errorf("h5diff h5py's file ours: %v\n%s", err, out)
	}
	// Header-level properties (layout, filters, fill) too, minus offsets and sizes.
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "OFFSET") || strings.Contains(l, "SIZE") && !strings.Contains(l, "STRSIZE") {
				continue
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	got = strip(strings.Replace(h5dump(t, "-p", "-H", path), path, "F", 1))
	want = strip(strings.Replace(h5dump(t, "-p", "-H", pyPath), pyPath, "F", 1))
	if got != want {
		diff(t, want, got)
	}
}

func diff(t *testing.T, want, got string) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(dir+"/want", []byte(want), 0o644)
	os.WriteFile(dir+"/got", []byte(got), 0o644)
	out, _ := exec.Command("diff", dir+"/want", dir+"/got").CombinedOutput()
	t.Errorf("h5dump output differs from h5py's file (< h5py, > ours):\n%s", out)
}

// h5debugSuperblock returns libhdf5's h5debug description of the
// superblock (the format versions h5dump does not print).
func h5debugSuperblock(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("h5debug", path, "0").CombinedOutput()
	if err != nil {
		t.Fatalf("h5debug %s: %v\n%s", path, err, out)
	}
	return string(out)
}
