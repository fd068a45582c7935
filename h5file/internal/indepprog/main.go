// Command indepprog is the program h5file's own-creation tests
// (File.Independent) run through the real gorun binary. Each mode prints
// lines the test parses.
//
//	indepprog own <file>            every rank creates its own objects (indeptest.Own), Flush, every rank uses all (indeptest.After), Close
//	indepprog collide <file>        an epoch of own creations, then one where rank 0 and the last rank create /dup: every rank prints its Flush error
//	indepprog crash <file> <victim> a flushed epoch, then own creations and writes; the victim rank (or "all") prints "pending" and waits to be killed, the others Flush
//	indepprog loop <file> <epochs>  each epoch every rank creates and writes its own dataset, then Flush; rank 0 prints "flushed k"
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/h5file/internal/indeptest"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: indepprog own|collide|crash|loop <file> ...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "indepprog:", err)
		os.Exit(2)
	}
	f, err := h5file.Create(os.Args[2], "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err == nil {
		switch os.Args[1] {
		case "own":
			err = own(f, c)
		case "collide":
			err = collide(f, c)
		case "crash":
			err = crash(f, c, os.Args[3:])
		case "loop":
			err = loop(f, c, os.Args[3:])
		default:
			err = fmt.Errorf("unknown mode %q", os.Args[1])
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Printf("ERR rank=%d collision=%v msg=%s\n", c.Rank(), errors.Is(err, h5file.ErrCollision), strconv.Quote(err.Error()))
		os.Exit(1)
	}
	fmt.Printf("ok rank=%d\n", c.Rank())
	c.Close()
}

func own(f *h5file.File, c *comm.Comm) error {
	if err := indeptest.Own(f, c.Rank(), c.Size()); err != nil {
		return err
	}
	if err := f.Flush(); err != nil {
		return err
	}
	return indeptest.After(f, c.Rank(), c.Size())
}

// epoch0 is the flushed state the collision and crash modes start from:
// a collective dataset /base, root attribute epoch = 0, and each rank's
// own dataset /r<rank> holding [rank, rank+1, rank+2].
func epoch0(f *h5file.File, c *comm.Comm) error {
	r := c.Rank()
	b, err := h5file.CreateDatasetOf[int64](f, "base", []uint64{uint64(c.Size())})
	if err != nil {
		return err
	}
	if err := b.WriteSel(h5file.S(h5file.Index(int64(r))), []int64{int64(r)}); err != nil {
		return err
	}
	if err := f.Attrs().Set("epoch", int64(0)); err != nil {
		return err
	}
	if _, err := f.Independent().CreateDatasetFrom(fmt.Sprintf("r%02d", r), []int64{int64(r), int64(r + 1), int64(r + 2)}); err != nil {
		return err
	}
	return f.Flush()
}

// collide: after epoch 0, rank 0 and the last rank create /dup alone
// (the others /e1r<rank>), and the root attribute epoch becomes 1
// (collectively). Flush must fail on every rank with the same collision;
// the file then holds epoch = 1 and none of epoch 1's own creations.
func collide(f *h5file.File, c *comm.Comm) error {
	if err := epoch0(f, c); err != nil {
		return err
	}
	r, n := c.Rank(), c.Size()
	name := fmt.Sprintf("e1r%02d", r)
	if r == 0 || r == n-1 {
		name = "dup"
	}
	if _, err := f.Independent().CreateDatasetFrom(name, []int64{int64(r)}); err != nil {
		return err
	}
	if err := f.Attrs().Set("epoch", int64(1)); err != nil {
		return err
	}
	err := f.Flush()
	if err == nil {
		return fmt.Errorf("flush succeeded; want a collision on /dup")
	}
	fmt.Printf("FLUSH rank=%d collision=%v msg=%s\n", r, errors.Is(err, h5file.ErrCollision), strconv.Quote(err.Error()))
	return nil
}

// crash: after epoch 0, every rank creates group /e1r<rank> with an
// attribute and a dataset, writes it, and prints "pending <rank> <pid>".
// The victim (a rank, or "all") then waits to be killed; the others go
// on to Flush, which fails when the victim dies.
func crash(f *h5file.File, c *comm.Comm, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("crash <file> <victim rank|all>")
	}
	if err := epoch0(f, c); err != nil {
		return err
	}
	r := c.Rank()
	g, err := f.Independent().CreateGroup(fmt.Sprintf("e1r%02d", r))
	if err != nil {
		return err
	}
	if err := g.Attrs().Set("rank", int64(r)); err != nil {
		return err
	}
	d, err := g.CreateDataset("d", h5file.Int64, []uint64{1000})
	if err != nil {
		return err
	}
	v := make([]int64, 1000)
	for i := range v {
		v[i] = int64(r*1000 + i)
	}
	if err := d.Write(v); err != nil {
		return err
	}
	if err := f.Attrs().Set("epoch", int64(1)); err != nil {
		return err
	}
	fmt.Printf("pending %d %d\n", r, os.Getpid())
	if args[0] == "all" || args[0] == strconv.Itoa(r) {
		// Wait for the test's SIGKILL (SIGUSR1 never comes; the channel
		// keeps the wait from looking like a deadlock to the runtime).
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGUSR1)
		<-ch
	}
	return f.Flush()
}

// loop: epoch k (from 0) has every rank create /e<k>/r<rank> (k%50+1
// elements, element i = k*1000 + rank*100 + i) and /e<k>/z<rank> (the
// same, gzip-compressed) alone, and the root
// attribute epoch = k set collectively; then Flush, after which rank 0
// prints "flushed k".
func loop(f *h5file.File, c *comm.Comm, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("loop <file> <epochs>")
	}
	epochs, _ := strconv.Atoi(args[0])
	r := c.Rank()
	fmt.Printf("pid %d %d\n", r, os.Getpid())
	for k := range epochs {
		v := make([]int64, k%50+1)
		for i := range v {
			v[i] = int64(k*1000 + r*100 + i)
		}
		if _, err := f.Independent().CreateDatasetFrom(fmt.Sprintf("e%04d/r%02d", k, r), v); err != nil {
			return err
		}
		// The same values compressed: a collective write inside the merge.
		if _, err := f.Independent().CreateDatasetFrom(fmt.Sprintf("e%04d/z%02d", k, r), v, h5file.Gzip(1), h5file.Chunks(uint64(min(8, len(v))))); err != nil {
			return err
		}
		if err := f.Attrs().Set("epoch", int64(k)); err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		if r == 0 {
			fmt.Printf("flushed %d\n", k)
		}
	}
	return nil
}
