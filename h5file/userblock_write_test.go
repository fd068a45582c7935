package h5file_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestUserBlockFilesModified opens libhdf5's files with a user block of
// 512 bytes (version 0 superblock) and 4096 bytes (version 3) for
// appending, adds an attribute and contiguous and chunked (gzip,
// extensible) datasets, appends to a chunked dataset, rewrites part of a
// gzip-compressed and of a contiguous one, and has h5py, h5dump and h5file read old and new values right; the user
// block's bytes stay as they were.
func TestUserBlockFilesModified(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		base int
	}{{"userblock_512.h5", 512}, {"userblock_4096.h5", 4096}} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			copyFile(t, filepath.Join("../testdata/libhdf5/features", c.name), p)
			before, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := h5file.Open(p, "a")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.CreateDatasetFrom("added", []int16{4, 5, 6}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.CreateDatasetFrom("added_gz", []int32{1, 2, 3, 4, 5, 6, 7}, h5file.Chunks(3), h5file.Gzip(4)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.CreateDatasetFrom("added_ext", []int64{7, 8, 9, 10, 11}, h5file.Chunks(2), h5file.MaxShape(h5file.Unlimited)); err != nil {
				t.Fatal(err)
			}
			if err := f.Attrs().Set("note", "changed by gorun"); err != nil {
				t.Fatal(err)
			}
			grow, err := f.Dataset("grow")
			if err != nil {
				t.Fatal(err)
			}
			if err := grow.Resize(12); err != nil {
				t.Fatal(err)
			}
			if err := grow.WriteSel(h5file.S(h5file.Range(9, 12)), []int16{90, 91, 92}); err != nil {
				t.Fatal(err)
			}
			chunked, err := f.Dataset("chunked")
			if err != nil {
				t.Fatal(err)
			}
			if err := chunked.WriteSel(h5file.S(h5file.Range(0, 3)), []float64{-1, -2, -3}); err != nil {
				t.Fatal(err)
			}
			contig, err := f.Dataset("contig")
			if err != nil {
				t.Fatal(err)
			}
			if err := contig.WriteSel(h5file.S(h5file.Index(1)), []int32{40, 50, 60, 70}); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}

			after, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after[:c.base], before[:c.base]) {
				t.Errorf("user block of %d bytes changed", c.base)
			}

			out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
assert f.userblock_size == %d, f.userblock_size
assert list(f['added'][()]) == [4, 5, 6], f['added'][()]
assert list(f['added_gz'][()]) == [1, 2, 3, 4, 5, 6, 7], f['added_gz'][()]
assert f['added_gz'].compression == 'gzip'
assert list(f['added_ext'][()]) == [7, 8, 9, 10, 11], f['added_ext'][()]
assert f.attrs['note'] == 'changed by gorun', f.attrs['note']
assert list(f['grow'][()]) == list(range(9)) + [90, 91, 92], f['grow'][()]
assert list(f['chunked'][()]) == [-1, -2, -3] + list(range(3, 20)), f['chunked'][()]
assert f['contig'][()].tolist() == [[0, 1, 2, 3], [40, 50, 60, 70], [8, 9, 10, 11]], f['contig'][()]
assert list(f['g/strings'][()]) == [b'a', b'bb'], f['g/strings'][()]
assert f['g'].attrs['s'] == 'user block', f['g'].attrs['s']
print('ok')
`, p, c.base))
			if strings.TrimSpace(out) != "ok" {
				t.Errorf("h5py: %q", out)
			}
			dump, code := interop.H5Dump(t, p)
			if code != 0 {
				t.Fatalf("h5dump %s: exit %d\n%s", p, code, dump)
			}
			for _, want := range []string{"90, 91, 92", "-1, -2, -3", "40, 50, 60, 70", `"changed by gorun"`} {
				if !strings.Contains(dump, want) {
					t.Errorf("h5dump lacks %q:\n%s", want, dump)
				}
			}

			g, err := h5file.Open(p, "r")
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			d, err := g.Dataset("grow")
			if err != nil {
				t.Fatal(err)
			}
			got := make([]int16, 12)
			if err := d.Read(got); err != nil {
				t.Fatal(err)
			}
			if want := []int16{0, 1, 2, 3, 4, 5, 6, 7, 8, 90, 91, 92}; !slices.Equal(got, want) {
				t.Errorf("h5file reads grow as %v, want %v", got, want)
			}
		})
	}
}

// TestParallelUserBlockAppend: 4 ranks open a file with a 4096-byte user
// block for appending, each writes its element of the grown chunked
// dataset, its row of a new contiguous one and its chunk of a new gzip
// one (a collective write); h5py reads them after the untouched user block.
func TestParallelUserBlockAppend(t *testing.T) {
	const n = 4
	p := filepath.Join(t.TempDir(), "ub.h5")
	copyFile(t, "../testdata/libhdf5/features/userblock_4096.h5", p)
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(p, "a", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		grow, err := f.Dataset("grow")
		if err != nil {
			return err
		}
		if err := grow.Resize(9 + n); err != nil {
			return err
		}
		if err := grow.WriteSel(h5file.S(h5file.Index(9+r)), []int16{int16(90 + r)}); err != nil {
			return err
		}
		rows, err := f.CreateDataset("rows", h5file.Int32, []uint64{n, 2})
		if err != nil {
			return err
		}
		if err := rows.WriteSel(h5file.S(h5file.Index(r)), []int32{int32(10 * r), int32(10*r + 1)}); err != nil {
			return err
		}
		gz, err := f.CreateDataset("gz", h5file.Float64, []uint64{2 * n}, h5file.Chunks(2), h5file.Gzip(4))
		if err != nil {
			return err
		}
		if err := gz.Collective().WriteSel(h5file.S(h5file.Range(2*r, 2*r+2)), []float64{float64(r), float64(r) + 0.5}); err != nil {
			return err
		}
		return f.Close()
	}))
	after, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after[:4096], before[:4096]) {
		t.Error("user block changed")
	}
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
assert f.userblock_size == 4096
assert list(f['grow'][()]) == list(range(9)) + [90, 91, 92, 93], f['grow'][()]
assert f['rows'][()].tolist() == [[0, 1], [10, 11], [20, 21], [30, 31]], f['rows'][()]
assert list(f['gz'][()]) == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5], f['gz'][()]
assert list(f['chunked'][()]) == list(range(20)), f['chunked'][()]
print('ok')
`, p))
	if strings.TrimSpace(out) != "ok" {
		t.Errorf("h5py: %q", out)
	}
	if dump, code := interop.H5Dump(t, p); code != 0 {
		t.Fatalf("h5dump %s: exit %d\n%s", p, code, dump)
	}
}
