package h5core

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// h5pyScript writes a file with libhdf5's default format through h5py.
const h5pyScript = `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('c', data=np.arange(12, dtype='<f8').reshape(3, 4), chunks=(2, 2), compression='gzip', shuffle=True, fletcher32=True)
    f.attrs['s'] = 'hello'
    f.attrs['n'] = np.int64(42)
    f.create_dataset('vs', data=['a', 'bc'], dtype=h5py.string_dtype())
    f.create_dataset('b', data=np.array([True, False]))
    f.create_dataset('fs', data=np.array([b'ab', b'cde']))
    f.create_dataset('sc', data=3.5)
    f.create_dataset('fv', shape=(3,), dtype='i2', fillvalue=7)
    f.create_dataset('u', shape=(2,), maxshape=(None,), dtype='i4')
    f.create_dataset('cmp', data=np.array([(1, 2.0)], dtype=[('a', 'i4'), ('b', 'f8')]))
    f.create_dataset('be', data=np.arange(3, dtype='>i2'))
    g = f.create_group('g/h')
    for i in range(20):
        g.create_dataset('d%02d' % i, data=np.full(2, i, dtype='u1'))
    f['soft'] = h5py.SoftLink('/g/h/d03')
`

func h5pyFile(t *testing.T, script string) string {
	t.Helper()
	needH5py(t)
	path := filepath.Join(t.TempDir(), "py.h5")
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	return path
}

func openPath(t *testing.T, path string) (*File, *os.File) {
	t.Helper()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	st, _ := r.Stat()
	f, err := Open(r, st.Size())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return f, r
}

func mustDataset(t *testing.T, g *Group, path string) *Dataset {
	t.Helper()
	o, err := g.Lookup(path)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := o.(*Dataset)
	if !ok {
		t.Fatalf("%s is not a dataset", path)
	}
	return d
}

func readContiguous(t *testing.T, r *os.File, d *Dataset) []byte {
	t.Helper()
	addr, size := d.DataAddr()
	b := make([]byte, size)
	if _, err := r.ReadAt(b, int64(addr)); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadH5py(t *testing.T) {
	f, r := openPath(t, h5pyFile(t, h5pyScript))
	root := f.Root()

	// Chunked with shuffle+deflate+fletcher32.
	c := mustDataset(t, root, "c")
	if c.Layout() != LayoutChunked || len(c.Filters()) != 3 || c.Filters()[0].ID != FilterShuffle {
		t.Fatalf("c: layout %v filters %v", c.Layout(), c.Filters())
	}
	chunks, err := c.Chunks()
	if err != nil || len(chunks) != 4 {
		t.Fatalf("c chunks: %v %v", chunks, err)
	}
	for _, ch := range chunks {
		raw := make([]byte, ch.Size)
		r.ReadAt(raw, int64(ch.Addr))
		dec, err := DecodeChunk(c.Filters(), ch.FilterMask, raw, int(c.ChunkBytes()))
		if err != nil {
			t.Fatalf("chunk %v: %v", ch.Coords, err)
		}
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				row, col := ch.Coords[0]+uint64(i), ch.Coords[1]+uint64(j)
				if row >= 3 {
					continue
				}
				got := math.Float64frombits(binary.LittleEndian.Uint64(dec[8*(2*i+j):]))
				if got != float64(row*4+col) {
					t.Errorf("c[%d,%d] = %v", row, col, got)
				}
			}
		}
	}

	// Root attributes: vlen string and int64.
	a, ok := root.Attr("s")
	if !ok || a.Type.Class != ClassVlen || !a.Type.VlenString || a.Type.Charset != UTF8 {
		t.Fatalf("attr s: %+v", a)
	}
	ref, _ := DecodeVlenRef(a.Data)
	if s, err := f.GetVlen(ref); err != nil || string(s) != "hello" {
		t.Errorf("attr s = %q, %v", s, err)
	}
	if a, ok := root.Attr("n"); !ok || binary.LittleEndian.Uint64(a.Data) != 42 {
		t.Errorf("attr n: %+v", a)
	}

	vs := readContiguous(t, r, mustDataset(t, root, "vs"))
	for i, want := range []string{"a", "bc"} {
		ref, _ := DecodeVlenRef(vs[16*i:])
		if s, err := f.GetVlen(ref); err != nil || string(s) != want {
			t.Errorf("vs[%d] = %q, %v", i, s, err)
		}
	}
	b := mustDataset(t, root, "b")
	if !b.Type().Equal(Bool()) {
		t.Errorf("b type %+v is not h5py's bool", b.Type())
	}
	if got := readContiguous(t, r, b); got[0] != 1 || got[1] != 0 {
		t.Errorf("b = %v", got)
	}
	fs := mustDataset(t, root, "fs")
	if fs.Type().Class != ClassString || fs.Type().Size != 3 || string(readContiguous(t, r, fs)) != "ab\x00cde" {
		t.Errorf("fs: %+v %q", fs.Type(), readContiguous(t, r, fs))
	}
	sc := mustDataset(t, root, "sc")
	if len(sc.Shape()) != 0 || math.Float64frombits(binary.LittleEndian.Uint64(readContiguous(t, r, sc))) != 3.5 {
		t.Errorf("sc")
	}
	fv := mustDataset(t, root, "fv")
	if v := fv.Fill().Value; len(v) != 2 || v[0] != 7 {
		t.Errorf("fv fill %v", v)
	}
	if addr, _ := fv.DataAddr(); addr != UndefinedAddr {
		t.Errorf("fv addr %d, want undefined (late allocation)", addr)
	}
	u := mustDataset(t, root, "u")
	if u.MaxShape()[0] != Unlimited || u.ChunkShape()[0] != 2 {
		t.Errorf("u: %v %v", u.MaxShape(), u.ChunkShape())
	}
	cmp := mustDataset(t, root, "cmp")
	if m := cmp.Type().Members; len(m) != 2 || m[1].Name != "b" || m[1].Offset != 4 || !m[1].Type.Equal(Float64LE) {
		t.Errorf("cmp: %+v", cmp.Type())
	}
	be := mustDataset(t, root, "be")
	if !be.Type().Equal(IntType(2, true, BigEndian)) {
		t.Errorf("be: %+v", be.Type())
	}
	h, err := root.Lookup("g/h")
	if err != nil || len(h.(*Group).Members()) != 20 {
		t.Fatalf("g/h: %v", err)
	}
	d := mustDataset(t, root, "soft")
	if got := readContiguous(t, r, d); got[0] != 3 {
		t.Errorf("soft -> %v", got)
	}
	if tgt, ok := root.SoftLink("soft"); !ok || tgt != "/g/h/d03" {
		t.Errorf("soft link %q", tgt)
	}
}

// TestOpenLibhdf5Corpus opens every file the generators left in
// testdata/libhdf5 (both format families) and walks it: any error fails.
func TestOpenLibhdf5Corpus(t *testing.T) {
	files, _ := filepath.Glob("../testdata/libhdf5/*.h5")
	if len(files) == 0 {
		t.Skip("no files in testdata/libhdf5 yet")
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			r, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			st, _ := r.Stat()
			f, err := Open(r, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			walkAll(f)
		})
	}
}
