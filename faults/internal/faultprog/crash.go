package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// crash is the write loop of the crash-consistency test. Every step k
// creates dataset s<k> (a metadata change), grows the chunked dataset
// /ext to k+1 rows (Resize: new chunks, a changed chunk index), every rank
// writes its slab of s<k>, of row k of /data and of row k of /ext (raw
// data), the root attribute "step" becomes k, and the file is flushed;
// after Flush returns rank 0 prints "flushed k".
// The attribute is the step counter that tells a kill after the superblock
// of flush k was written (the file says k) from one before (k-1).
//
// Values: element i of rank r's slab at step k is k*1e6 + r*per + i.
func crash(ctx context.Context, c *comm.Comm, args []string) error {
	if len(args) != 3 && len(args) != 4 {
		return fmt.Errorf("crash <file> <steps> <per-rank> [latest]")
	}
	opts := []h5file.Option{h5file.WithComm(c), h5file.WithContext(ctx)}
	if len(args) == 4 && args[3] == "latest" {
		opts = append(opts, h5file.WithLibver(h5file.LibverLatest))
	}
	steps, _ := strconv.Atoi(args[1])
	per, _ := strconv.Atoi(args[2])
	n, r := c.Size(), c.Rank()
	fmt.Printf("pid %d %d\n", r, os.Getpid())
	f, err := h5file.Create(args[0], "w", opts...)
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int64](f, "data", []uint64{uint64(steps), uint64(n * per)})
	if err != nil {
		return err
	}
	ext, err := h5file.CreateDatasetOf[int64](f, "ext", []uint64{0, uint64(n * per)},
		h5file.MaxShape(h5file.Unlimited, uint64(n*per)), h5file.Chunks(1, uint64(n*per)))
	if err != nil {
		return err
	}
	if err := f.Attrs().Set("step", int64(-1)); err != nil {
		return err
	}
	if err := f.Flush(); err != nil {
		return err
	}
	if r == 0 {
		fmt.Println("flushed -1")
	}
	v := make([]int64, per)
	lo := int64(r * per)
	for k := range steps {
		for i := range v {
			v[i] = int64(k)*1e6 + lo + int64(i)
		}
		s, err := h5file.CreateDatasetOf[int64](f, fmt.Sprintf("s%04d", k), []uint64{uint64(n * per)})
		if err != nil {
			return err
		}
		if err := s.WriteSel(h5file.S(h5file.Range(lo, lo+int64(per))), v); err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Index(int64(k)), h5file.Range(lo, lo+int64(per))), v); err != nil {
			return err
		}
		if err := ext.Resize(uint64(k+1), uint64(n*per)); err != nil {
			return err
		}
		if err := ext.WriteSel(h5file.S(h5file.Index(int64(k)), h5file.Range(lo, lo+int64(per))), v); err != nil {
			return err
		}
		if err := f.Attrs().Set("step", int64(k)); err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		if r == 0 {
			fmt.Printf("flushed %d\n", k)
		}
	}
	return f.Close()
}
