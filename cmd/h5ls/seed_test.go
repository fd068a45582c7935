package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestSeedListing: `h5ls -d` of the seed's file (dataset test, 4 int32
// 0..3, as examples/parallel_test writes it) prints
// testdata/seed/parallel_test.h5ls.txt, which is what libhdf5's
// `h5ls -d -r` prints and what README.md shows under its first command.
func TestSeedListing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parallel_test.hdf5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[int32](f, "test", []uint64{4})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write([]int32{0, 1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../testdata/seed/parallel_test.h5ls.txt")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := list(&got, path, options{data: true}); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("h5ls -d:\n%s\nwant:\n%s", got.String(), want)
	}
	if real, code := interop.H5Ls(t, "-d", "-r", path); code != 0 || real != string(want) {
		t.Errorf("libhdf5's h5ls -d -r (exit %d):\n%s\nwant:\n%s", code, real, want)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "go run ./cmd/h5ls -d parallel_test.hdf5") || !strings.Contains(string(readme), "```\n"+string(want)+"```\n") {
		t.Error("README.md's first command and the listing under it no longer match cmd/h5ls -d")
	}
}
