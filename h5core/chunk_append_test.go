package h5core

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync/atomic"
	"testing"
)

// countingFile counts the bytes read and written through it.
type countingFile struct {
	f             *os.File
	read, written atomic.Int64
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) {
	c.read.Add(int64(len(p)))
	return c.f.ReadAt(p, off)
}

func (c *countingFile) WriteAt(p []byte, off int64) (int, error) {
	c.written.Add(int64(len(p)))
	return c.f.WriteAt(p, off)
}

// appendOnce opens path, grows /x by one row of chunks, writes the row and
// flushes, and returns the metadata bytes read and written (the row's
// own bytes left out).
func appendOnce(t *testing.T, path string) (read, written int64) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	cf := &countingFile{f: fh}
	f, err := Open(cf, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	d := mustDataset(t, f.Root(), "x")
	n := d.Shape()[0]
	if err := d.Resize([]uint64{n + 1, 6}); err != nil {
		t.Fatal(err)
	}
	var row int64
	for _, c := range [][]uint64{{n, 0}, {n, 3}} {
		r, ok, err := d.Chunk(c)
		if err != nil || !ok {
			t.Fatalf("chunk %v after Resize: %v, %v", c, ok, err)
		}
		if _, err := cf.WriteAt(make([]byte, 12), int64(r.Addr)); err != nil {
			t.Fatal(err)
		}
		row += 12
	}
	if err := f.Flush(cf); err != nil {
		t.Fatal(err)
	}
	if d.rewriteIndex {
		t.Errorf("the append at row %d rewrote the whole index", n)
	}
	return cf.read.Load(), cf.written.Load() - row
}

// TestAppendCostFlat: appending a row of chunks to a file of 1000 rows
// reads and writes about as much metadata as appending to a file of 10
// (the chunk index is neither read nor written whole), and the result
// is a file h5py reads right.
func TestAppendCostFlat(t *testing.T) {
	cost := map[int][2]int64{}
	for _, rows := range []int{10, 1000} {
		path := h5pyFile(t, fmt.Sprintf(`
import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], 'w')
x = f.create_dataset('x', shape=(%d, 6), maxshape=(None, 6), chunks=(1, 3), dtype='<i4')
x[:] = 7
`, rows))
		var r, w []int64
		for range 3 {
			rd, wr := appendOnce(t, path)
			r, w = append(r, rd), append(w, wr)
		}
		cost[rows] = [2]int64{slices.Max(r), slices.Max(w)}
		out := h5pyRun(t, `
import h5py, sys
x = h5py.File(sys.argv[1], 'r')['x'][:]
print(x.shape, int((x[:-3] == 7).sum()), int((x[-3:] == 0).sum()))
`, path)
		if want := fmt.Sprintf("(%d, 6) %d 18\n", rows+3, rows*6); out != want {
			t.Errorf("%d rows: h5py read %q, want %q", rows, out, want)
		}
	}
	small, large := cost[10], cost[1000]
	t.Logf("metadata bytes per append, read/written: 10 rows %d/%d, 1000 rows %d/%d", small[0], small[1], large[0], large[1])
	for i, what := range []string{"read", "written"} {
		if large[i] > 2*small[i]+8192 {
			t.Errorf("appending to 1000 rows %s %d metadata bytes, to 10 rows %d: the cost grows with the file", what, large[i], small[i])
		}
	}
}

// h5pyRun runs a Python script with h5py on path and returns its output.
func h5pyRun(t *testing.T, script, path string) string {
	t.Helper()
	needH5py(t)
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	return string(out)
}
