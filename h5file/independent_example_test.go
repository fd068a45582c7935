package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// The case libhdf5 forbids (h5py#1007): each rank creates a group and a
// dataset of its own, of its own size, without the other ranks making
// the same calls. The next Flush (collective, as always) puts every rank's
// objects into the file, in rank order, on every rank.
func ExampleFile_Independent() {
	path := tempPath("own.h5")
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		r := c.Rank()
		g, err := f.Independent().CreateGroup(fmt.Sprintf("rank%d", r))
		if err != nil {
			return err
		}
		if err := g.Attrs().Set("rank", int64(r)); err != nil {
			return err
		}
		// r+1 particles: a shape only this rank knows.
		d, err := g.CreateDataset("x", h5file.Float64, []uint64{uint64(r + 1)})
		if err != nil {
			return err
		}
		x := make([]float64, r+1)
		for i := range x {
			x[i] = float64(10*r + i)
		}
		if err := d.Write(x); err != nil { // held until the flush
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		// Every rank now sees every rank's objects.
		if r == 0 {
			for q := range c.Size() {
				d, err := f.Dataset(fmt.Sprintf("rank%d/x", q))
				if err != nil {
					return err
				}
				v, err := h5file.ReadAll[float64](d)
				if err != nil {
					return err
				}
				fmt.Println(d.Name(), v)
			}
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	// Output:
	// /rank0/x [0]
	// /rank1/x [10 11]
	// /rank2/x [20 21 22]
	// <nil>
}

// Two ranks that create the same name get, every rank of them, the same
// error naming both; none of that epoch's own creations are applied, and
// the file goes on.
func ExampleCollisionError() {
	path := tempPath("collide.h5")
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		if c.Rank() != 1 { // ranks 0 and 2
			if _, err := f.Independent().CreateGroup("results"); err != nil {
				return err
			}
		}
		err = f.Flush()
		var ce *h5file.CollisionError
		if c.Rank() == 0 && errors.As(err, &ce) {
			fmt.Println(ce.Path, ce.Ranks, errors.Is(err, h5file.ErrCollision))
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	// Output:
	// /results [0 2] true
	// <nil>
}

// A rank creates a dataset inside a group another rank creates in the
// same epoch, and sets an attribute on an object the file already holds.
func ExamplePendingGroup_CreateDataset() {
	path := tempPath("nested.h5")
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		in := f.Independent()
		if c.Rank() == 0 {
			g, err := in.CreateGroup("diagnostics")
			if err != nil {
				return err
			}
			if _, err := g.CreateDatasetFrom("energy", []float64{1.5}); err != nil {
				return err
			}
		} else {
			if _, err := in.CreateDatasetFrom("diagnostics/momentum", []float64{0.25, 0.5}); err != nil {
				return err
			}
			if err := in.Attrs("/").Set("written_by", "rank 1"); err != nil {
				return err
			}
		}
		return f.Close() // Close merges too
	})
	fmt.Println(errors.Join(errs...))
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	g, _ := f.Group("diagnostics")
	keys, _ := g.Keys()
	by, _ := h5file.AttrValue[string](f, "written_by")
	fmt.Println(keys, by)
	// Output:
	// <nil>
	// [energy momentum] rank 1
}

// Before the flush a pending dataset is this rank's alone: its data is
// held in memory (HeldBytes) and Dataset says ErrPending; after the flush
// it is the dataset in the file, and writes go straight to it.
func ExamplePendingDataset_Dataset() {
	path := tempPath("pending.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	in := f.Independent()
	d, err := in.CreateDataset("v", h5file.Int32, []uint64{4})
	if err != nil {
		log.Fatal(err)
	}
	if err := d.WriteSel(h5file.S(h5file.Range(0, 2)), []int32{1, 2}); err != nil {
		log.Fatal(err)
	}
	_, err = d.Dataset()
	fmt.Println(in.HeldBytes(), errors.Is(err, h5file.ErrPending))
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := d.WriteSel(h5file.S(h5file.Range(2, 4)), []int32{3, 4}); err != nil { // the dataset's own write now
		log.Fatal(err)
	}
	ds, err := d.Dataset()
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[int32](ds)
	fmt.Println(in.HeldBytes(), v)
	// Output:
	// 8 true
	// 0 [1 2 3 4]
}

// Attributes of a pending object, typed explicitly.
func ExamplePendingAttrs_SetTyped() {
	path := tempPath("typed.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	g, err := f.Independent().CreateGroup("g")
	if err != nil {
		log.Fatal(err)
	}
	if err := g.Attrs().SetTyped("origin", []float32{0, 1, 2}, h5file.Float32, []uint64{3}); err != nil {
		log.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	gr, _ := g.Group()
	v, _ := h5file.AttrValue[[]float32](gr, "origin")
	fmt.Println(gr.Name(), v)
	// Output:
	// /g [0 1 2]
}

// A rank's own compressed dataset, its data given at creation: held until
// the flush, where every rank takes part in writing it (compressed chunks
// are written collectively) without a call of its own.
func ExampleIndependent_CreateDatasetFrom() {
	path := tempPath("own_gzip.h5")
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		if c.Rank() == 1 {
			v := []int64{1, 2, 3, 4, 5, 6}
			if _, err := f.Independent().CreateDatasetFrom("rank1/series", v, h5file.Gzip(4), h5file.Chunks(3)); err != nil {
				return err
			}
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.Dataset("rank1/series")
	v, _ := h5file.ReadAll[int64](d)
	fmt.Println(d.Compression(), d.Chunks(), v)
	// Output:
	// <nil>
	// gzip [3] [1 2 3 4 5 6]
}

// Attributes a rank sets alone on an object every rank made together.
func ExampleIndependent_Attrs() {
	path := tempPath("own_attrs.h5")
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.CreateGroup("run"); err != nil { // collective
			return err
		}
		// Each rank records its own timing, under a name of its own.
		if err := f.Independent().Attrs("run").Set(fmt.Sprintf("seconds_rank%d", c.Rank()), float64(c.Rank())+0.5); err != nil {
			return err
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	g, _ := f.Group("run")
	for _, name := range g.Attrs().Names() {
		v, _ := h5file.AttrValue[float64](g, name)
		fmt.Println(name, v)
	}
	// Output:
	// <nil>
	// seconds_rank0 0.5
	// seconds_rank1 1.5
	// seconds_rank2 2.5
}
