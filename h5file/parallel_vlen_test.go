package h5file

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/internal/interop"
)

func writeVlen(d *Dataset, sel Selection, data any) error { return d.WriteVlen(sel, data) }

// TestVlenFromEveryRank: variable-length strings written from every rank,
// different data per rank (libhdf5 cannot do this), into contiguous,
// chunked, chunked+gzip and compact datasets; h5py reads every string.
func TestVlenFromEveryRank(t *testing.T) {
	const n, per = 4, 3
	path := filepath.Join(t.TempDir(), "vlen.h5")
	str := func(r, i int) string { return strings.Repeat(fmt.Sprintf("r%d.%d ", r, i), r*i) }
	errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		var ds []*Dataset
		for _, o := range [][]DatasetOption{nil, {Chunks(2)}, {Chunks(5), Gzip(4), Shuffle()}, {Compact()}} {
			d, err := CreateDatasetOf[string](f, fmt.Sprintf("s%d", len(ds)), []uint64{n * per}, o...)
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		r := c.Rank()
		mine := make([]string, per)
		for i := range mine {
			mine[i] = str(r, i)
		}
		for _, d := range ds {
			if err := writeVlen(d, S(Range(int64(r*per), int64(r*per+per))), mine); err != nil {
				return err
			}
		}
		// A rank with nothing to write still takes part.
		d := ds[0]
		sel, data := S(Range(0, 0)), []string{}
		if r == n-1 {
			sel, data = S(Index(0)), []string{"last rank wrote this"}
		}
		if err := writeVlen(d, sel, data); err != nil {
			return err
		}
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	if out, code := interop.H5Dump(t, path); code != 0 {
		t.Fatalf("h5dump exit %d\n%s", code, out)
	}
	var want []string
	for r := range n {
		for i := range per {
			want = append(want, fmt.Sprintf("%q", str(r, i)))
		}
	}
	first := append([]string{`"last rank wrote this"`}, want[1:]...)
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
for k in ['s0', 's1', 's2', 's3']:
    print(k, [s.decode() for s in f[k][()]])`, path))
	exp := ""
	for k := range 4 {
		w := want
		if k == 0 {
			w = first
		}
		exp += fmt.Sprintf("s%d [%s]\n", k, strings.ReplaceAll(strings.Join(w, ", "), `"`, `'`))
	}
	if out != exp {
		t.Fatalf("h5py:\n%s\nwant:\n%s", out, exp)
	}
}

// TestVlenEncodeErrorOnOneRank: a rank whose data cannot be encoded makes
// every rank fail, none hangs, nothing is written.
func TestVlenEncodeErrorOnOneRank(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vlenerr.h5")
	errs := runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := CreateDatasetOf[string](f, "s", []uint64{3})
		if err != nil {
			return err
		}
		var data any = []string{"ok"}
		if c.Rank() == 1 {
			data = []float64{1}
		}
		return writeVlen(d, S(Index(int64(c.Rank()))), data)
	})
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "rank 1 could not encode") && r != 1 {
			t.Errorf("rank %d: %v", r, err)
		}
	}
	// A selection outside the dataset on one rank: every rank fails.
	errs = runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := CreateDatasetOf[string](f, "s", []uint64{3})
		if err != nil {
			return err
		}
		i := int64(c.Rank())
		if i == 2 {
			i = 7
		}
		return writeVlen(d, S(Index(i)), []string{"x"})
	})
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "rank 2 could not") && r != 2 {
			t.Errorf("rank %d: %v", r, err)
		}
	}
}

// TestCompactFromEveryRank: compact data lives in the object header, so a
// parallel write to it is collective like vlen data: every rank applies
// every rank's part in rank order.
func TestCompactFromEveryRank(t *testing.T) {
	const n = 4
	path := filepath.Join(t.TempDir(), "compact.h5")
	errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[int32](f, "c", []uint64{2 * n}, Compact())
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		if err := writeVlen(d, S(Range(2*r, 2*r+2)), []int32{int32(r), int32(-r)}); err != nil {
			return err
		}
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	out := interop.H5Py(t, fmt.Sprintf("print(h5py.File(%q, 'r')['c'][()].tolist())", path))
	if out != "[0, 0, 1, -1, 2, -2, 3, -3]\n" {
		t.Fatalf("h5py: %q", out)
	}
}

// FuzzPatchRefs: element bytes from another rank never make the patch
// panic or write outside the buffer.
func FuzzPatchRefs(f *testing.F) {
	f.Add([]byte{1, 2, 3}, uint8(16), uint8(2))
	f.Fuzz(func(t *testing.T, buf []byte, size, nrefs uint8) {
		if size < 16 {
			size = 16
		}
		refs := make([]h5core.VlenRef, nrefs)
		_ = patchRefs(buf, uint64(size), []uint64{0, uint64(size) - 16}, refs)
	})
}
