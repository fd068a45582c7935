package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/h5file/internal/indeptest"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestIndependentRanks: at 1, 2 and 4 in-process ranks (and 4 with
// WithSmallWriteBatching) each rank creates
// its own group, datasets (every layout, empty ones, strings, fill
// values) and attributes alone, writes their data before the flush; after
// it every rank reads every rank's objects and uses them collectively,
// and h5py checks every value.
func TestIndependentRanks(t *testing.T) {
	for _, tc := range []struct {
		n     int
		batch bool
	}{{1, false}, {2, false}, {4, false}, {4, true}} {
		n := tc.n
		name := fmt.Sprint(n)
		opts := []h5file.Option{}
		if tc.batch { // the owners' small writes go through rank 0 at the flush
			name += "-batched"
			opts = append(opts, h5file.WithSmallWriteBatching())
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "own.h5")
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := h5file.Create(path, "w", append(opts, h5file.WithComm(c), h5file.WithContext(ctx))...)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := indeptest.Own(f, c.Rank(), n); err != nil {
					return err
				}
				if err := f.Flush(); err != nil {
					return err
				}
				if err := indeptest.After(f, c.Rank(), n); err != nil {
					return err
				}
				return f.Close()
			}))
			interop.H5Py(t, indeptest.H5Py+fmt.Sprintf("\ncheck(h5py.File(%q, 'r'), %d)\n", path, n))
		})
	}
}

// TestIndependentSerial: a file without a communicator takes the same
// calls; the creations wait for the flush there too.
func TestIndependentSerial(t *testing.T) {
	path := filepath.Join(t.TempDir(), "own.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	if err := indeptest.Own(f, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := indeptest.After(f, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	interop.H5Py(t, indeptest.H5Py+fmt.Sprintf("\ncheck(h5py.File(%q, 'r'), 1)\n", path))
}

// TestIndependentCollision: ranks 1 and 3 of 4 create /dup in one epoch.
// Every rank's Flush fails with the same *CollisionError naming both
// ranks and the path; no rank's own creations of the epoch are applied
// (rank 0's /mine neither), the collective part of the flush is written,
// and the file goes on: the next epoch's own creations work, and h5py
// reads the file.
func TestIndependentCollision(t *testing.T) {
	const n = 4
	path := filepath.Join(t.TempDir(), "dup.h5")
	msgs := make([]string, n)
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		in := f.Independent()
		var mine *h5file.PendingDataset
		switch r {
		case 0:
			mine, err = in.CreateDatasetFrom("mine", []int32{1, 2})
		case 1, 3:
			mine, err = in.CreateDatasetFrom("dup", []int32{int32(r)})
		}
		if err != nil {
			return err
		}
		if _, err := h5file.CreateDatasetOf[int32](f, "collective", []uint64{1}); err != nil {
			return err
		}
		err = f.Flush()
		var ce *h5file.CollisionError
		if !errors.As(err, &ce) || !errors.Is(err, h5file.ErrCollision) || ce.Ranks != [2]int{1, 3} || ce.Path != "/dup" {
			return fmt.Errorf("Flush: %v; want a collision of ranks 1 and 3 on /dup", err)
		}
		msgs[r] = err.Error()
		if mine != nil {
			if _, err := mine.Dataset(); !errors.Is(err, h5file.ErrCollision) {
				return fmt.Errorf("Dataset() after the collision: %v", err)
			}
		}
		if f.Contains("dup") || f.Contains("mine") || !f.Contains("collective") {
			return fmt.Errorf("after the collision: dup %v, mine %v, collective %v", f.Contains("dup"), f.Contains("mine"), f.Contains("collective"))
		}
		// A name the file holds is a collision with the file, found at once
		// on the rank that tries it.
		if _, err := in.CreateGroup("collective"); !errors.Is(err, h5file.ErrExists) {
			return fmt.Errorf("CreateGroup of a name the file holds: %v", err)
		}
		// The next epoch, with names of their own.
		if _, err := in.CreateDatasetFrom(fmt.Sprintf("dup%d", r), []int32{int32(r)}); err != nil {
			return err
		}
		return f.Close()
	}))
	for r := 1; r < n; r++ {
		if msgs[r] != msgs[0] {
			t.Errorf("rank %d's error differs from rank 0's:\n%s\n%s", r, msgs[r], msgs[0])
		}
	}
	if !strings.Contains(msgs[0], "ranks 1 and 3 both created /dup") {
		t.Errorf("error %q does not name the ranks and the path", msgs[0])
	}
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
assert sorted(f.keys()) == ['collective', 'dup0', 'dup1', 'dup2', 'dup3'], list(f.keys())
for r in range(4):
    assert f['dup%%d' %% r][()].tolist() == [r]
`, path))
}

// TestIndependentCollisionWithCollective: a rank's own creation of a
// name that a collective call made in the same epoch is a collision with
// the file, on every rank.
func TestIndependentCollisionWithCollective(t *testing.T) {
	const n = 3
	path := filepath.Join(t.TempDir(), "dup.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		if c.Rank() == 2 {
			if _, err := f.Independent().CreateGroup("g"); err != nil {
				return err
			}
		}
		if _, err := f.CreateGroup("g"); err != nil {
			return err
		}
		err = f.Flush()
		var ce *h5file.CollisionError
		if !errors.As(err, &ce) || ce.Ranks != [2]int{2, -1} || !errors.Is(err, h5file.ErrExists) {
			return fmt.Errorf("Flush: %v; want rank 2's collision with the file", err)
		}
		return f.Close()
	}))
}

// TestIndependentExistingFile: 4 ranks open a file h5file wrote before
// (mode r+, objects loaded lazily, ranks > 0 reading rank 0's copy of the
// metadata) and each creates a dataset of its own inside an existing
// group and sets an attribute of its own on an existing dataset; a
// LibverLatest file takes the Own scenario too.
func TestIndependentExistingFile(t *testing.T) {
	const n = 4
	path := filepath.Join(t.TempDir(), "old.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := f.CreateDatasetFrom(fmt.Sprintf("old/d%02d", i), []int32{int32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		in := f.Independent()
		if _, err := in.CreateDatasetFrom(fmt.Sprintf("old/r%d", r), []int64{int64(r)}); err != nil {
			return err
		}
		if err := in.Attrs(fmt.Sprintf("old/d%02d", r)).Set("touched_by", int64(r)); err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		for q := range n {
			d, err := f.Dataset(fmt.Sprintf("old/r%d", q))
			if err != nil {
				return err
			}
			if v, err := h5file.ReadAll[int64](d); err != nil || v[0] != int64(q) {
				return fmt.Errorf("old/r%d = %v, %v", q, v, err)
			}
			dd, err := f.Dataset(fmt.Sprintf("old/d%02d", q))
			if err != nil {
				return err
			}
			if v, err := h5file.AttrValue[int64](dd, "touched_by"); err != nil || v != int64(q) {
				return fmt.Errorf("old/d%02d@touched_by = %v, %v", q, v, err)
			}
		}
		return f.Close()
	}))
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
assert len(f['old']) == 24
for r in range(4):
    assert f['old/r%%d' %% r][()].tolist() == [r]
    assert f['old/d%%02d' %% r].attrs['touched_by'] == r
`, path))

	latest := filepath.Join(t.TempDir(), "latest.h5")
	noErrors(t, h5file.RunRanks(t, 2, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(latest, "w", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithLibver(h5file.LibverLatest), h5file.WithTrackOrder())
		if err != nil {
			return err
		}
		defer f.Close()
		if err := indeptest.Own(f, c.Rank(), 2); err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		if err := indeptest.After(f, c.Rank(), 2); err != nil {
			return err
		}
		return f.Close()
	}))
	interop.H5Py(t, indeptest.H5Py+fmt.Sprintf("\ncheck(h5py.File(%q, 'r'), 2)\n", latest))
}

// TestIndependentHeldBytes: data written to a pending dataset is held on
// its rank (HeldBytes counts it, a copy: the caller may reuse its
// buffer) until the flush, where it goes to the file; a large write then
// goes straight to the dataset.
func TestIndependentHeldBytes(t *testing.T) {
	const n, elems = 2, 1 << 20 // 8 MiB of float64 a rank
	path := filepath.Join(t.TempDir(), "held.h5")
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		defer f.Close()
		in := f.Independent()
		d, err := in.CreateDataset(fmt.Sprintf("big%d", r), h5file.Float64, []uint64{2 * elems})
		if err != nil {
			return err
		}
		buf := make([]float64, elems)
		for i := range buf {
			buf[i] = float64(r*elems + i)
		}
		if err := d.WriteSel(h5file.S(h5file.Range(0, elems)), buf); err != nil {
			return err
		}
		for i := range buf {
			buf[i] = -1 // the held copy must not see this
		}
		if got := in.HeldBytes(); got != 8*elems {
			return fmt.Errorf("HeldBytes = %d, want %d", got, 8*elems)
		}
		if err := f.Flush(); err != nil {
			return err
		}
		if got := in.HeldBytes(); got != 0 {
			return fmt.Errorf("HeldBytes after the flush = %d", got)
		}
		for i := range buf {
			buf[i] = float64(r*elems + elems + i)
		}
		if err := d.WriteSel(h5file.S(h5file.Range(elems, 2*elems)), buf); err != nil {
			return err
		}
		return f.Close()
	}))
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
for r in range(2):
    v = f['big%%d' %% r][()]
    assert (v == r*%d + np.arange(2*%d)).all(), r
`, path, 1<<20, 1<<20))
}

// TestIndependentCallerErrors: what a rank gets wrong alone is refused at
// the call, on that rank, with a clear error, and leaves nothing behind.
func TestIndependentCallerErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "errs.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.CreateGroup("held"); err != nil {
		t.Fatal(err)
	}
	in := f.Independent()
	d, err := in.CreateDataset("g/d", h5file.Int32, []uint64{3})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		call func() error
	}{
		{"a name the file holds", h5file.ErrExists, func() error { _, err := in.CreateGroup("held"); return err }},
		{"a name this rank created", h5file.ErrExists, func() error { _, err := in.CreateGroup("g/d"); return err }},
		{"an intermediate this rank created", h5file.ErrExists, func() error { _, err := in.CreateGroup("g"); return err }},
		{"inside this rank's dataset", h5file.ErrType, func() error { _, err := in.CreateGroup("g/d/x"); return err }},
		{"the root", h5file.ErrExists, func() error { _, err := in.CreateGroup("/"); return err }},
		{"a bad chunk shape", nil, func() error {
			_, err := in.CreateDataset("bad", h5file.Int32, []uint64{4}, h5file.Chunks(8))
			return err
		}},
		{"a write of the wrong length", h5file.ErrShape, func() error { return d.Write([]int32{1, 2}) }},
		{"a selection outside", h5file.ErrShape, func() error { return d.WriteSel(h5file.S(h5file.Range(2, 5)), []int32{1, 2, 3}) }},
		{"data that does not fit its shape", h5file.ErrShape, func() error {
			_, err := in.CreateDatasetFrom("from", []int32{1, 2, 3}, h5file.WithShape(2))
			return err
		}},
		{"an attribute of nothing", h5file.ErrNotFound, func() error { return in.Attrs("nothing").Set("a", 1) }},
		{"an empty dataset's data", h5file.ErrShape, func() error {
			e, err := in.CreateDataset("empty", h5file.Int32, nil, h5file.Empty())
			if err != nil {
				return nil
			}
			return e.Write([]int32{1})
		}},
	} {
		err := tc.call()
		if err == nil || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s: %v; want an error matching %v", tc.name, err, tc.err)
		}
	}
	// The failed CreateDatasetFrom left no claim: the name is free.
	if _, err := in.CreateDatasetFrom("from", []int32{1, 2}); err != nil {
		t.Errorf("the name of a failed create is still taken: %v", err)
	}
	// The same attribute twice in an epoch: the last value wins.
	if err := in.Attrs("held").Set("v", int64(1)); err != nil {
		t.Fatal(err)
	}
	if err := in.Attrs("held").Set("v", int64(2)); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	g, _ := f.Group("held")
	if v, err := h5file.AttrValue[int64](g, "v"); err != nil || v != 2 {
		t.Errorf("held@v = %d, %v; want 2", v, err)
	}
	if !f.Contains("from") || f.Contains("bad") {
		t.Errorf("after the flush: from %v, bad %v", f.Contains("from"), f.Contains("bad"))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err = ro.Independent().CreateGroup("x"); !errors.Is(err, h5file.ErrReadOnly) {
		t.Errorf("a read-only file: %v", err)
	}
}
