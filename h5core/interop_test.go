package h5core

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool skips (or, under CI, fails) when an interop tool is missing.
func needTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if err := exec.Command(name, args...).Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not available: %v", name, err)
	}
}

func needH5dump(t *testing.T) { needTool(t, "h5dump", "--version") }

func needH5py(t *testing.T) { needTool(t, "/usr/bin/python3", "-c", "import h5py") }

// writeFile flushes f into a new file in a temp dir; data writes raw data
// first through the same *os.File.
func writeFile(t *testing.T, f *File, data func(w *os.File)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if data != nil {
		data(w)
	}
	if err := f.Flush(w); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return path
}

func h5dump(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("h5dump", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func int32s(vals ...int32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, vals)
	return b.Bytes()
}

func TestSeedH5dump(t *testing.T) {
	needH5dump(t)
	f := NewFile()
	d, err := f.Root().CreateDataset("test", DatasetSpec{Type: Int32LE, Shape: []uint64{4}})
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, f, func(w *os.File) {
		addr, _ := d.DataAddr()
		w.WriteAt(int32s(0, 1, 2, 3), int64(addr))
	})
	got := h5dump(t, path)
	want, err := os.ReadFile("../testdata/seed/parallel_test.h5dump.txt")
	if err != nil {
		t.Fatal(err)
	}
	got = strings.Replace(got, path, "/tmp/parallel_test.hdf5", 1)
	if got != string(want) {
		t.Errorf("h5dump output differs:\n%s\nwant:\n%s", got, want)
	}
}

type discard struct{}

func (discard) WriteAt(b []byte, off int64) (int, error) { return len(b), nil }

// TestSeedFourRanks plays the seed's parallel program with four models in
// one process: every rank makes the same calls, writes its own element at
// the address its own model computed, and only rank 0 writes metadata.
func TestSeedFourRanks(t *testing.T) {
	needH5dump(t)
	path := filepath.Join(t.TempDir(), "parallel_test.hdf5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const n = 4
	var files [n]*File
	for rank := 0; rank < n; rank++ {
		f := NewFile()
		d, err := f.Root().CreateDataset("test", DatasetSpec{Type: Int32LE, Shape: []uint64{n}})
		if err != nil {
			t.Fatal(err)
		}
		addr, _ := d.DataAddr()
		w.WriteAt(int32s(int32(rank)), int64(addr)+4*int64(rank))
		files[rank] = f
	}
	for rank, f := range files {
		var sink io.WriterAt = discard{}
		if rank == 0 {
			sink = w
		}
		if err := f.Flush(sink); err != nil {
			t.Fatal(err)
		}
		if f.EOF() != files[0].EOF() {
			t.Fatalf("rank %d EOF %d, rank 0 %d", rank, f.EOF(), files[0].EOF())
		}
	}
	got := strings.Replace(h5dump(t, path), path, "/tmp/parallel_test.hdf5", 1)
	want, _ := os.ReadFile("../testdata/seed/parallel_test.h5dump.txt")
	if got != string(want) {
		t.Errorf("h5dump:\n%s\nwant:\n%s", got, want)
	}
}
