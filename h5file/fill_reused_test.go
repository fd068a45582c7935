package h5file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// reusedFillCase fills f's free list with old bytes (a flushed group,
// then a deleted dataset of nonzero values, flushed), then creates
// datasets whose storage lands in that space and writes one element of
// each (rank 0 only, in a parallel file: the others take part with empty
// selections). Every other element must read as the fill value, 0, as
// libhdf5 reads never-written elements; before the fix they read the old
// metadata and values.
func reusedFillCase(f *File, rank int) error {
	if _, err := f.Root().CreateGroup("a"); err != nil {
		return err
	}
	old, err := CreateDatasetOf[int64](f.Root(), "old", []uint64{64})
	if err != nil {
		return err
	}
	vals := make([]int64, 64)
	for i := range vals {
		vals[i] = -1
	}
	if rank == 0 {
		err = old.WriteSel(S(Range(0, 64)), vals)
	} else {
		err = old.WriteSel(S(Range(0, 0)), []int64{})
	}
	if err != nil {
		return err
	}
	if err := f.Flush(); err != nil {
		return err
	}
	if err := f.Root().Delete("old"); err != nil {
		return err
	}
	if err := f.Flush(); err != nil { // its space is free after this flush
		return err
	}
	mk := []struct {
		name string
		opts []DatasetOption
	}{
		{"contig", nil},
		{"chunked", []DatasetOption{Chunks(4), MaxShape(Unlimited)}},
	}
	for _, m := range mk {
		d, err := CreateDatasetOf[int64](f.Root(), m.name, []uint64{8}, m.opts...)
		if err != nil {
			return err
		}
		sel := S(Range(0, 1))
		data := []int64{7}
		if rank != 0 {
			sel, data = S(Range(0, 0)), []int64{}
		}
		if err := d.WriteSel(sel, data); err != nil {
			return err
		}
	}
	// A resize that allocates chunks in freed space too.
	d, err := f.Root().Dataset("chunked")
	if err != nil {
		return err
	}
	if err := d.Resize(40); err != nil {
		return err
	}
	for _, name := range []string{"contig", "chunked"} {
		d, err := f.Root().Dataset(name)
		if err != nil {
			return err
		}
		n := d.Shape()[0]
		got := make([]int64, n)
		if err := d.Read(got); err != nil {
			return err
		}
		want := make([]int64, n)
		want[0] = 7
		if !slices.Equal(got, want) {
			return fmt.Errorf("rank %d: %s reads %v, want %v (never-written elements must read as the fill value)", rank, name, got, want)
		}
	}
	return nil
}

// TestReusedSpaceReadsFill: storage placed in freed space reads as the
// fill value where nothing was written, serially and on 3 ranks, in our
// reader and in h5py.
func TestReusedSpaceReadsFill(t *testing.T) {
	dir := t.TempDir()
	// The smallest case: a flushed group's old metadata under a new
	// contiguous dataset (it read [7 8 1 128]).
	small, err := Create(filepath.Join(dir, "small.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if _, err := small.Root().CreateGroup("a"); err != nil {
		t.Fatal(err)
	}
	if err := small.Flush(); err != nil {
		t.Fatal(err)
	}
	x, err := CreateDatasetOf[int64](small.Root(), "x", []uint64{4})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.WriteSel(S(Range(0, 1)), []int64{7}); err != nil {
		t.Fatal(err)
	}
	got := make([]int64, 4)
	if err := x.Read(got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{7, 0, 0, 0}) {
		t.Errorf("contiguous dataset in a flushed group's old space reads %v, want [7 0 0 0]", got)
	}

	serial := filepath.Join(dir, "serial.h5")
	f, err := Create(serial, "w")
	if err != nil {
		t.Fatal(err)
	}
	if err := reusedFillCase(f, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	par := filepath.Join(dir, "parallel.h5")
	errs := runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(par, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		if err := reusedFillCase(f, c.Rank()); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	out := interop.H5Py(t, fmt.Sprintf(`
for p in [%q, %q]:
    f = h5py.File(p, 'r')
    for name, n in [('contig', 8), ('chunked', 40)]:
        want = np.zeros(n, dtype='i8'); want[0] = 7
        assert (f[name][()] == want).all(), (p, name, f[name][()])
print('ok')
`, serial, par))
	if strings.TrimSpace(out) != "ok" {
		t.Fatalf("h5py: %s", out)
	}
}
