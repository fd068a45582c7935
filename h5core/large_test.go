package h5core

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargerThan4GiB puts a 5 GiB contiguous dataset first, so the
// metadata lands above 4 GiB, and reads the file back with our reader and
// h5py. The file is sparse: only the last bytes of data are written.
func TestLargerThan4GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a sparse 5 GiB file")
	}
	path := filepath.Join(t.TempDir(), "big.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const n = 5<<30 + 8
	f := NewFile()
	d, err := f.Root().CreateDataset("big", DatasetSpec{Type: Uint8LE, Shape: []uint64{n}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Root().CreateDataset("after", DatasetSpec{Type: Int32LE, Shape: []uint64{4}, Chunk: []uint64{2}})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := d.DataAddr()
	if _, err := w.WriteAt([]byte{1, 2, 3, 4, 5, 6, 7, 8}, int64(addr+n-8)); err != nil {
		t.Skipf("filesystem cannot hold a sparse 5 GiB file: %v", err)
	}
	writeAll(t, w, c, int32s(10, 11, 12, 13))
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := c.Chunk([]uint64{2}); rec.Addr < 1<<32 || c.Addr() < 1<<32 {
		t.Fatalf("chunk at %d, header at %d: not above 4 GiB", rec.Addr, c.Addr())
	}
	st, _ := w.Stat()
	f2, err := Open(w, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if s := mustDataset(t, f2.Root(), "big").Shape(); s[0] != n {
		t.Fatalf("shape %v", s)
	}
	needH5py(t)
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
print(list(f['big'][-3:]), list(f['after'][:]))
`, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "[6, 7, 8] [10, 11, 12, 13]" {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
}
