package main

import (
	"context"
	"errors"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Ranks that make different metadata calls: every rank must fail with an
// error naming the operation and the ranks (never a hang), and the file
// must stay as it was at the last flush (h5dump opens it; the diverging
// objects are not in it).

const mismatchVerify = `
assert (f['good'][()] == np.arange(n)).all(), f['good'][()]
assert 'x' not in f and 'd' not in f and 'title' not in f.attrs, list(f)
`

func init() {
	for _, s := range []struct {
		name, want string
		body       func(f *h5file.File, rank int) error
	}{
		{"mismatch_group", `rank 1 called CreateGroup("/x") but rank`, func(f *h5file.File, rank int) error {
			// The seed page's example of the rule: if rank == 1: f.create_group('x')
			if rank == 1 {
				_, err := f.CreateGroup("x")
				return err
			}
			return nil
		}},
		{"mismatch_shape", `rank 1 called CreateDataset("/d", f64le, [9]) but rank`, func(f *h5file.File, rank int) error {
			shape := uint64(8)
			if rank == 1 {
				shape = 9
			}
			_, err := h5file.CreateDatasetOf[float64](f, "d", []uint64{shape})
			return err
		}},
		{"mismatch_attr", `rank 1 called SetAttr("/@title", vlen-string, [], value#`, func(f *h5file.File, rank int) error {
			v := "same"
			if rank == 1 {
				v = "different"
			}
			return f.Attrs().Set("title", v)
		}},
		{"mismatch_noflush", `rank 1 called Close but rank`, func(f *h5file.File, rank int) error {
			if rank == 1 {
				return nil
			}
			return f.Flush()
		}},
	} {
		Register(Scenario{Name: s.name, WantErr: s.want, MinRanks: 2, Verify: mismatchVerify,
			Run: func(ctx context.Context, c *comm.Comm, path string) error {
				f, err := create(ctx, c, path)
				if err != nil {
					return err
				}
				d, err := h5file.CreateDatasetOf[int32](f, "good", []uint64{uint64(c.Size())})
				if err != nil {
					return err
				}
				if err := d.WriteSel(h5file.S(h5file.Index(int64(c.Rank()))), []int32{int32(c.Rank())}); err != nil {
					return err
				}
				if err := f.Flush(); err != nil {
					return err
				}
				err = s.body(f, c.Rank())
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err == nil {
					return errors.New("the ranks disagreed and nobody noticed")
				}
				return err
			}})
	}
}

func init() {
	// A rank that leaves without closing the file: the others must not
	// wait for it forever (comm reports the rank gone).
	// Rank 1 leaves cleanly; every other rank fails naming it.
	Register(Scenario{Name: "mismatch_noclose", WantErr: "rank 1", MinRanks: 2, Leavers: []int{1},
		Verify: `
assert (f['good'][()] == np.arange(n)).all(), f['good'][()]
`, Run: func(ctx context.Context, c *comm.Comm, path string) error {
			f, err := create(ctx, c, path)
			if err != nil {
				return err
			}
			d, err := h5file.CreateDatasetOf[int32](f, "good", []uint64{uint64(c.Size())})
			if err != nil {
				return err
			}
			if err := d.WriteSel(h5file.S(h5file.Index(int64(c.Rank()))), []int32{int32(c.Rank())}); err != nil {
				return err
			}
			if err := f.Flush(); err != nil {
				return err
			}
			if c.Rank() == 1 {
				return nil
			}
			return f.Close()
		}})
}
