// Command flushprog is the shared-file-system test's job: the ranks (one
// per host) create one HDF5 file on a network mount, then for each of
// -steps steps every rank writes its block of row s of dataset "data"
// (value s*1000000 + column) and the same block of a new dataset
// "step<s>", and the file is flushed; rank 0 prints
// "flushed s" and waits for a line on its stdin (the test reading the file
// from another host) before the ranks go on. The last step closes the file
// instead of flushing it and prints "closed". The file's path is -path
// with {host} replaced by the rank's host name (GORUN_HOST): each host
// reaches the shared directory through its own mount point.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

func main() {
	tpl := flag.String("path", "", "file path; {host} is replaced by the rank's host name")
	steps := flag.Int("steps", 3, "rows written, each followed by a flush (the last by Close)")
	block := flag.Int("block", 4096, "int32 values per rank and row")
	flag.Parse()
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flushprog:", err)
		os.Exit(1)
	}
	if err := run(ctx, c, strings.ReplaceAll(*tpl, "{host}", os.Getenv("GORUN_HOST")), *steps, *block); err != nil {
		fmt.Fprintf(os.Stderr, "flushprog: rank %d: %v\n", c.Rank(), err)
		c.Abort(1)
	}
	c.Close()
}

func run(ctx context.Context, c *comm.Comm, path string, steps, block int) error {
	r, n := c.Rank(), c.Size()
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int32](f, "data", []uint64{uint64(steps), uint64(n * block)})
	if err != nil {
		return err
	}
	in := bufio.NewReader(os.Stdin)
	for s := range steps {
		vals := make([]int32, block)
		for j := range vals {
			vals[j] = int32(s*1000000 + r*block + j)
		}
		sel := h5file.S(h5file.Index(int64(s)), h5file.Range(int64(r*block), int64((r+1)*block)))
		if err := d.WriteSel(sel, vals); err != nil {
			return err
		}
		// A dataset per step grows the file, so a reader must see its new
		// size too, not only new bytes within the old one.
		g, err := h5file.CreateDatasetOf[int32](f, fmt.Sprintf("step%d", s), []uint64{uint64(n * block)})
		if err != nil {
			return err
		}
		if err := g.WriteSel(h5file.S(h5file.Range(int64(r*block), int64((r+1)*block))), vals); err != nil {
			return err
		}
		last := s == steps-1
		if last {
			err = f.Close()
		} else {
			err = f.Flush()
		}
		if err != nil {
			return err
		}
		if r == 0 {
			if last {
				fmt.Println("closed")
			} else {
				fmt.Printf("flushed %d\n", s)
			}
			if _, err := in.ReadString('\n'); err != nil {
				return fmt.Errorf("waiting for the reader: %w", err)
			}
		}
		if err := collectives.Barrier(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
