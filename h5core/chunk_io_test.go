package h5core

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPartialChunkWrite does the Go of dset[1:4, ::2] = x on a filtered
// chunked dataset, read-modify-write per chunk, and checks with h5py.
func TestPartialChunkWrite(t *testing.T) {
	needH5py(t)
	f := NewFile()
	d, err := f.Root().CreateDataset("d", DatasetSpec{Type: Int32LE, Shape: []uint64{5, 6}, Chunk: []uint64{2, 4},
		Filters: H5pyFilters(4, true, 5, true), Fill: int32s(-1)})
	if err != nil {
		t.Fatal(err)
	}
	sel := Hyperslab{Start: []uint64{1, 0}, Stride: []uint64{1, 2}, Count: []uint64{3, 3}}
	var x []int32
	for i := int32(0); i < 9; i++ {
		x = append(x, 100+i)
	}
	mem := int32s(x...)
	path := writeFile(t, f, func(w *os.File) {
		err := ChunkRuns(d.Shape(), d.ChunkShape(), 4, sel, func(coords []uint64, runs []Run) error {
			buf, err := d.ReadChunk(w, coords)
			if err != nil {
				return err
			}
			for _, r := range runs {
				copy(buf[r.Off:r.Off+r.Len], mem[r.MemOff:r.MemOff+r.Len])
			}
			return d.WriteChunk(w, coords, buf)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
d = h5py.File(sys.argv[1], 'r')['d']
print(d[...].tolist())
`, path).CombinedOutput()
	want := "[[-1, -1, -1, -1, -1, -1], [100, -1, 101, -1, 102, -1], [103, -1, 104, -1, 105, -1], [106, -1, 107, -1, 108, -1], [-1, -1, -1, -1, -1, -1]]"
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py: %v\n%s\nwant %s", err, out, want)
	}
	// Read back through ReadChunk too.
	r, _ := os.Open(path)
	defer r.Close()
	st, _ := r.Stat()
	f2, err := Open(r, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	buf, err := mustDataset(t, f2.Root(), "d").ReadChunk(r, []uint64{2, 0})
	if err != nil || string(buf[:4]) != string(int32s(103)) {
		t.Fatalf("ReadChunk: %v %v", err, buf[:4])
	}
}
