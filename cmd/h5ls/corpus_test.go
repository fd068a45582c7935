package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestCorpusMatchesH5ls lists the libhdf5-written corpus (both format
// families: symbol-table and link-message groups, dense links, every
// layout-4 chunk index) and compares with libhdf5's `h5ls -r`.
func TestCorpusMatchesH5ls(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/libhdf5/*.h5")
	feat, _ := filepath.Glob("../../testdata/libhdf5/features/*.h5")
	files = append(files, feat...)
	if len(files) == 0 {
		t.Fatal("no corpus in testdata/libhdf5")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, code := interop.H5Ls(t, "-r", path)
			if code != 0 {
				t.Fatalf("h5ls -r %s: exit %d\n%s", path, code, want)
			}
			var got bytes.Buffer
			if err := list(&got, path, options{}); err != nil {
				t.Fatal(err)
			}
			if got.String() != want {
				t.Errorf("--- ours\n%s--- h5ls -r\n%s", got.String(), want)
			}
		})
	}
}
