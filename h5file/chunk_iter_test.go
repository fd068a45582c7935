package h5file_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestIterChunksH5py compares IterChunks with h5py's iter_chunks on the
// same file for the whole dataset, a selection cutting chunks on every
// side, one inside a single chunk, and one of a single index.
func TestIterChunksH5py(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iter.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[int16](f, "x", []uint64{10, 13, 7}, h5file.Chunks(4, 5, 3), h5file.Gzip(4))
	if err != nil {
		t.Fatal(err)
	}
	sels := []struct {
		py  string
		sel h5file.Selection
	}{
		{"None", nil},
		{"np.s_[1:9, 2:12, 0:7]", h5file.S(h5file.Range(1, 9), h5file.Range(2, 12), h5file.Range(0, 7))},
		{"np.s_[5:7, 6:9, 1:2]", h5file.S(h5file.Range(5, 7), h5file.Range(6, 9), h5file.Range(1, 2))},
		{"np.s_[3:4, 0:13, 2:7]", h5file.S(h5file.Index(3), h5file.All, h5file.Range(2, h5file.End))},
	}
	var want strings.Builder
	for _, s := range sels {
		it, err := d.IterChunks(s.sel)
		if err != nil {
			t.Fatal(err)
		}
		for sl := range it {
			for _, r := range sl {
				fmt.Fprintf(&want, "%d:%d ", r.Start, r.Stop)
			}
			want.WriteString("\n")
		}
		want.WriteString("--\n")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var py strings.Builder
	fmt.Fprintf(&py, "f = h5py.File(%q, 'r')\nd = f['x']\n", path)
	for _, s := range sels {
		fmt.Fprintf(&py, "for c in d.iter_chunks(%s):\n    print(' '.join('%%d:%%d' %% (s.start, s.stop) for s in c) + ' ')\nprint('--')\n", s.py)
	}
	got := interop.H5Py(t, py.String())
	if got != want.String() {
		t.Errorf("h5py's iter_chunks:\n%s\nIterChunks:\n%s", got, want.String())
	}
}

// TestIterChunksRefuses checks the errors: a stepped selection, and a
// dataset that is not chunked.
func TestIterChunksRefuses(t *testing.T) {
	f, err := h5file.Create(filepath.Join(t.TempDir(), "r.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, _ := h5file.CreateDatasetOf[int16](f, "c", []uint64{10}, h5file.Chunks(4))
	if _, err := c.IterChunks(h5file.S(h5file.RangeStep(0, 10, 2))); !errors.Is(err, h5file.ErrShape) {
		t.Errorf("stepped selection: %v, want ErrShape", err)
	}
	n, _ := h5file.CreateDatasetOf[int16](f, "n", []uint64{10})
	if _, err := n.IterChunks(nil); !errors.Is(err, h5file.ErrShape) {
		t.Errorf("contiguous dataset: %v, want ErrShape", err)
	}
}

// TestWriteDirectChunkH5py stores chunks compressed by Go's compress/zlib
// (not h5core's encoder) and one with the deflate filter skipped (mask 1),
// and checks the values h5py reads, and that ReadDirectChunk returns the
// bytes as stored.
func TestWriteDirectChunkH5py(t *testing.T) {
	path := filepath.Join(t.TempDir(), "direct.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{8, 8}, h5file.Chunks(4, 4), h5file.Gzip(4))
	if err != nil {
		t.Fatal(err)
	}
	chunkBytes := func(base int32) []byte {
		b := make([]byte, 64)
		for i := range 16 {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(base+int32(i)))
		}
		return b
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(chunkBytes(100))
	zw.Close()
	if err := d.WriteDirectChunk([]uint64{4, 0}, z.Bytes(), 0); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteDirectChunk([]uint64{0, 4}, chunkBytes(200), 1); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		off  []uint64
		data []byte
	}{{[]uint64{1, 0}, z.Bytes()}, {[]uint64{8, 0}, z.Bytes()}, {[]uint64{0, 0}, nil}} {
		if err := d.WriteDirectChunk(bad.off, bad.data, 0); !errors.Is(err, h5file.ErrShape) {
			t.Errorf("WriteDirectChunk(%v, %d bytes): %v, want ErrShape", bad.off, len(bad.data), err)
		}
	}
	raw, mask, err := d.ReadDirectChunk([]uint64{5, 3})
	if err != nil || !bytes.Equal(raw, z.Bytes()) || mask != 0 {
		t.Errorf("ReadDirectChunk: %d bytes, mask %d, %v; want the %d bytes written", len(raw), mask, err, z.Len())
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got := interop.H5Py(t, fmt.Sprintf(`
d = h5py.File(%q, 'r')['x']
print(d[4:8, 0:4].ravel().tolist())
print(d[0:4, 4:8].ravel().tolist())
print(d[0:4, 0:4].ravel().tolist())
print(d.id.get_chunk_info_by_coord((0, 4)).filter_mask)
`, path))
	want := "[100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115]\n" +
		"[200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215]\n" +
		"[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n1\n"
	if got != want {
		t.Errorf("h5py reads:\n%s\nwant:\n%s", got, want)
	}
}
