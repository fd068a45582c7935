package h5file_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestParallelChunkDecode reads a compressed dataset of many chunks with
// one and with four decoding goroutines: the values are the same, a
// selection cutting chunks is right, and a damaged chunk among many is an
// error that names it, not a panic or a hang (run with -race).
func TestParallelChunkDecode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "z.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	const rows, cols = 400, 300
	d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{rows, cols}, h5file.Chunks(16, 64), h5file.Gzip(4), h5file.Shuffle())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, rows*cols)
	for i := range want {
		want[i] = float64(i%977) * 0.5
	}
	if err := d.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{1, 4} {
		old := runtime.GOMAXPROCS(procs)
		g, err := h5file.Open(path, "r")
		if err != nil {
			t.Fatal(err)
		}
		x, _ := g.Dataset("x")
		got := make([]float64, rows*cols)
		if err := x.Read(got); err != nil {
			t.Fatalf("GOMAXPROCS=%d: %v", procs, err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("GOMAXPROCS=%d: element %d = %v, want %v", procs, i, got[i], want[i])
			}
		}
		part, err := h5file.ReadSlice[float64](x, h5file.S(h5file.Range(7, 393), h5file.RangeStep(5, 290, 3)))
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for r := 7; r < 393; r++ {
			for c := 5; c < 290; c += 3 {
				if part[k] != want[r*cols+c] {
					t.Fatalf("GOMAXPROCS=%d: [%d,%d] = %v, want %v", procs, r, c, part[k], want[r*cols+c])
				}
				k++
			}
		}
		g.Close()
		runtime.GOMAXPROCS(old)
	}

	// Damage one chunk in the middle: zero its stored bytes.
	g, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	x, _ := g.Dataset("x")
	info, err := x.ChunkInfo([]uint64{208, 128})
	g.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.WriteAt(make([]byte, info.Size), int64(info.Addr)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	g, err = h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	x, _ = g.Dataset("x")
	err = x.Read(make([]float64, rows*cols))
	if !errors.Is(err, h5core.ErrFormat) {
		t.Fatalf("reading a damaged chunk: %v, want an error matching h5core.ErrFormat", err)
	}
}

// TestDirectChunkH5py writes a compressed dataset with h5py and checks
// ChunkInfo and ReadDirectChunk against h5py's get_chunk_info_by_coord and
// read_direct_chunk, for a written chunk and one never written.
func TestDirectChunkH5py(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.h5")
	out := interop.H5Py(t, fmt.Sprintf(`
path = %q
with h5py.File(path, "w") as f:
    d = f.create_dataset("x", (100, 60), dtype="i4", chunks=(10, 20), compression="gzip", maxshape=(None, 60))
    d[:50] = np.arange(50*60).reshape(50, 60)
with h5py.File(path, "r") as f:
    d = f["x"]
    i = d.id.get_chunk_info_by_coord((30, 40))
    m, b = d.id.read_direct_chunk((30, 40))
    print(i.byte_offset, i.size, i.filter_mask, m, b.hex())
`, path))
	var addr, size uint64
	var mask, mask2 uint32
	var hex string
	if _, err := fmt.Sscan(out, &addr, &size, &mask, &mask2, &hex); err != nil {
		t.Fatalf("h5py printed %q: %v", out, err)
	}
	f, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("x")
	if err != nil {
		t.Fatal(err)
	}
	info, err := d.ChunkInfo([]uint64{35, 45})
	if err != nil {
		t.Fatal(err)
	}
	if info.Addr != addr || info.Size != size || info.FilterMask != mask || info.Offset[0] != 30 || info.Offset[1] != 40 {
		t.Fatalf("ChunkInfo = %+v; h5py: offset (30, 40), byte_offset %d, size %d, mask %d", info, addr, size, mask)
	}
	b, m, err := d.ReadDirectChunk([]uint64{30, 40})
	if err != nil || m != mask2 || fmt.Sprintf("%x", b) != hex {
		t.Fatalf("ReadDirectChunk = %x, %d, %v; h5py read %s, mask %d", b, m, err, hex, mask2)
	}
	if info, err := d.ChunkInfo([]uint64{90, 0}); err != nil || info.Size != 0 || info.Addr != h5core.UndefinedAddr {
		t.Fatalf("ChunkInfo of a chunk never written = %+v, %v; want size 0, undefined address", info, err)
	}
	if _, _, err := d.ReadDirectChunk([]uint64{90, 0}); !errors.Is(err, h5file.ErrNotFound) {
		t.Fatalf("ReadDirectChunk of a chunk never written: %v, want ErrNotFound", err)
	}
	if _, err := d.ChunkInfo([]uint64{100, 0}); !errors.Is(err, h5file.ErrShape) {
		t.Fatalf("ChunkInfo outside the shape: %v, want ErrShape", err)
	}
}
