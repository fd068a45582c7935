package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// dataCorpus is every libhdf5-made file of testdata (both format
// families, external links, the feature files of testdata/gen/features.py).
func dataCorpus(t *testing.T) []string {
	var files []string
	for _, pat := range []string{"*.h5", "extlink/*.h5", "features/*.h5", "dimscales/*.h5"} {
		m, _ := filepath.Glob(filepath.Join("../../testdata/libhdf5", pat))
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("corpus incomplete: %d files", len(files))
	}
	return files
}

// goldenName is the file under testdata/h5ls holding libhdf5's
// `h5ls -d -r` output for a corpus file.
func goldenName(path string) string {
	rel, _ := filepath.Rel("../../testdata/libhdf5", path)
	return filepath.Join("../../testdata/h5ls", strings.ReplaceAll(strings.TrimSuffix(rel, ".h5"), "/", "_")+".txt")
}

// TestDataGolden: `h5ls -d` of every corpus file prints what libhdf5's
// `h5ls -d -r` printed (golden files under testdata/h5ls, written from
// the real tool by go test -run TestDataMatchesH5ls -update).
func TestDataGolden(t *testing.T) {
	for _, path := range dataCorpus(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(goldenName(path))
			if err != nil {
				t.Fatalf("%v (go test -run TestDataMatchesH5ls -update writes it)", err)
			}
			var got bytes.Buffer
			if err := list(&got, path, options{data: true}); err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("--- ours\n%s--- %s\n%s", got.String(), goldenName(path), want)
			}
		})
	}
}

// TestDataMatchesH5ls compares `h5ls -d` with libhdf5's `h5ls -d -r` run
// now, on the corpus and on a file h5file writes; -update rewrites the
// golden files from it.
func TestDataMatchesH5ls(t *testing.T) {
	// libhdf5 looks for external data files in the working directory
	// unless told: here, beside the file that names them.
	t.Setenv("HDF5_EXTFILE_PREFIX", "${ORIGIN}")
	for _, path := range dataCorpus(t) {
		want, code := interop.H5Ls(t, "-d", "-r", path)
		if code != 0 {
			t.Fatalf("h5ls -d -r %s: exit %d\n%s", path, code, want)
		}
		if *interop.Update {
			if err := os.MkdirAll("../../testdata/h5ls", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(goldenName(path), []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var got bytes.Buffer
		if err := list(&got, path, options{data: true}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want {
			t.Errorf("%s:\n--- ours\n%s--- h5ls -d -r\n%s", path, got.String(), want)
		}
	}
}

// TestUnreadableListed: an object h5file cannot read (a dataset of
// VAX-ordered floats) is listed with the reason; asked for data, h5ls fails.
func TestUnreadableListed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dtype.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
f['a'] = np.arange(2)
f['t'] = np.float64(2.5)
f.close()
b = open(%q, 'rb').read()
i = b.index(bytes([0x11, 0x20, 0x3f, 0, 8, 0, 0, 0]))  # the one float64 type: make it VAX-ordered
open(%q, 'wb').write(b[:i+1] + bytes([0x61]) + b[i+2:])
`, path, path, path))
	var got bytes.Buffer
	if err := list(&got, path, options{}); err != nil {
		t.Fatalf("listing without data: %v", err)
	}
	if !strings.Contains(got.String(), "\n/t                       Unreadable (") || !strings.Contains(got.String(), "VAX") {
		t.Errorf("listing:\n%s", got.String())
	}
	got.Reset()
	err := list(&got, path, options{data: true})
	if !errors.Is(err, h5core.ErrUnsupported) || !strings.Contains(got.String(), "         0, 1\n") {
		t.Errorf("with -d: %v\n%s", err, got.String())
	}
}
