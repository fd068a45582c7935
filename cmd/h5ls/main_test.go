package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestMatchesH5ls lists files written by h5file and by h5py and compares
// with libhdf5's `h5ls -r`.
func TestMatchesH5ls(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.h5")
	f, err := h5file.Create(ours, "w")
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { _, err := f.CreateDatasetFrom("test", []int32{0, 1, 2, 3}); return err },
		func() error { _, err := f.RequireGroup("a/b/c"); return err },
		func() error { _, err := f.CreateDatasetFrom("a/scalar", 1.5); return err },
		func() error {
			_, err := h5file.CreateDatasetOf[int16](f, "a/b/grow", []uint64{0, 3}, h5file.MaxShape(h5file.Unlimited, 3), h5file.Chunks(4, 3))
			return err
		},
		func() error {
			_, err := h5file.CreateDatasetOf[int16](f, "a/b/bounded", []uint64{2, 3}, h5file.MaxShape(4, 3))
			return err
		},
		func() error { _, err := f.CreateDatasetFrom("a/strings", []string{"x", "y"}); return err },
		func() error { return f.SoftLink("a/link", "/test") },
		// The types of issue 13, as libhdf5's h5ls -d prints them.
		func() error {
			_, err := f.CreateDatasetFrom("t/f16", []float32{0.1, -2.5, 65504}, h5file.WithDtype(h5file.Float16))
			return err
		},
		func() error { _, err := f.CreateDatasetFrom("t/c64", []complex64{1 + 2i, -0.5i}); return err },
		func() error { _, err := f.CreateDatasetFrom("t/c128", complex(1.0/3, 1e300)); return err },
		func() error {
			_, err := f.CreateDatasetFrom("t/opaque", [][]byte{{0xde, 0xad}, {0, 1}}, h5file.WithDtype(h5file.Opaque(2, "tag")))
			return err
		},
		func() error {
			_, err := f.CreateDatasetFrom("t/bits", []uint32{1, 0xdeadbeef}, h5file.WithDtype(h5file.Bitfield(4)))
			return err
		},
		func() error { _, err := f.CreateDataset("t/empty", h5file.Int8, nil, h5file.Empty()); return err },
	}
	for i := 0; i < 12; i++ {
		steps = append(steps, func() error { _, err := f.CreateGroup(fmt.Sprintf("many/g%02d", i)); return err })
	}
	steps = append([]func() error{func() error { _, err := f.CreateGroup("many"); return err }}, steps...)
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "h5py.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
f['a'] = np.arange(3); f['s'] = 3.0; f.create_group('g/h'); f['g/x'] = np.zeros((2, 3), 'f4')
f.create_dataset('u', (0, 3), maxshape=(None, 3), dtype='i2', chunks=(8, 3))
f['g/str'] = ['a']; f.create_dataset('e', shape=(0,), dtype='f4')
f['g/h/sl'] = h5py.SoftLink('/a')
f['g/h/hard'] = f['g/x']
f['g/ext'] = h5py.ExternalLink('other.h5', '/x/y')
`, theirs))
	for _, path := range []string{ours, theirs, "../../testdata/libhdf5/extlink/earliest_extlink.h5"} {
		want, code := interop.H5Ls(t, "-r", path)
		if code != 0 {
			t.Fatalf("h5ls -r %s: exit %d\n%s", path, code, want)
		}
		var got bytes.Buffer
		if err := list(&got, path, options{}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want {
			t.Errorf("%s:\n--- ours\n%s--- h5ls -r\n%s", filepath.Base(path), got.String(), want)
		}
		want, code = interop.H5Ls(t, "-d", "-r", path)
		if code != 0 {
			t.Fatalf("h5ls -d -r %s: exit %d\n%s", path, code, want)
		}
		got.Reset()
		if err := list(&got, path, options{data: true}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want {
			t.Errorf("%s:\n--- ours -d\n%s--- h5ls -d -r\n%s", filepath.Base(path), got.String(), want)
		}
	}
	var typed bytes.Buffer
	if err := list(&typed, ours, options{types: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(typed.Bytes(), []byte("/test                    Dataset {4} i32le\n")) {
		t.Errorf("-t output:\n%s", typed.String())
	}
}
