// Command nbc measures the calls of issue 16 the way bench/runtime's osu
// measures the blocking ones: Sendrecv around a ring, Ibarrier and
// Iallreduce (started and waited for), and how much of a 1 MiB Iallreduce
// hides behind computation. Rank 0 prints one JSON line per result; nbc.py
// measures the same with mpi4py.
//
//	go run ./cmd/gorun -n 4 ./bench/mpiapi/nbc [-quick]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

type result struct {
	Bench string  `json:"bench"`
	Size  int     `json:"size"`
	Ranks int     `json:"ranks"`
	Usec  float64 `json:"usec"`
}

func iters(size int, quick bool) (warm, n int) {
	switch {
	case quick:
		return 2, 5
	case size >= 1<<20:
		return 5, 50
	}
	return 100, 1000
}

func main() {
	quick := flag.Bool("quick", false, "few iterations, for tests")
	flag.Parse()
	if err := run(*quick); err != nil {
		fmt.Fprintf(os.Stderr, "nbc: %v\n", err)
		os.Exit(1)
	}
}

func run(quick bool) error {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	p, r := c.Size(), c.Rank()
	emit := func(bench string, size int, d time.Duration, n int) {
		if r == 0 {
			b, _ := json.Marshal(result{bench, size, p, float64(d.Microseconds()) / float64(n)})
			fmt.Println(string(b))
		}
	}
	timed := func(size int, f func() error) (time.Duration, int, error) {
		warm, n := iters(size, quick)
		for range warm {
			if err := f(); err != nil {
				return 0, 0, err
			}
		}
		if err := collectives.Barrier(ctx, c); err != nil {
			return 0, 0, err
		}
		t0 := time.Now()
		for range n {
			if err := f(); err != nil {
				return 0, 0, err
			}
		}
		return time.Since(t0), n, nil
	}
	for _, size := range []int{8, 1 << 20} {
		send, recv := make([]float64, size/8), make([]float64, size/8)
		right, left := (r+1)%p, (r+p-1)%p
		d, n, err := timed(size, func() error {
			_, err := comm.SendrecvSlice(ctx, c, right, 0, send, left, 0, recv)
			return err
		})
		if err != nil {
			return err
		}
		emit("sendrecv", size, d, n)
		d, n, err = timed(size, func() error {
			_, err := collectives.Iallreduce(ctx, c, send, recv, collectives.Sum[float64]()).Wait(ctx)
			return err
		})
		if err != nil {
			return err
		}
		emit("iallreduce", size, d, n)
	}
	d, n, err := timed(8, func() error { _, err := collectives.Ibarrier(ctx, c).Wait(ctx); return err })
	if err != nil {
		return err
	}
	emit("ibarrier", 0, d, n)
	// Overlap: a 1 MiB Iallreduce beside compute of about the same length
	// as the blocking Allreduce. overlap = (allreduce + compute - both) /
	// min(allreduce, compute): 1 is a fully hidden reduction, 0 none.
	send, recv := make([]float64, 1<<17), make([]float64, 1<<17)
	ar, n, err := timed(1<<20, func() error { return collectives.Allreduce(ctx, c, send, recv, collectives.Sum[float64]()) })
	if err != nil {
		return err
	}
	per := ar / time.Duration(n)
	work := make([]float64, 1<<16)
	spin := func() {
		for t0 := time.Now(); time.Since(t0) < per; {
			for i := range work {
				work[i] = work[i]*0.5 + 1
			}
		}
	}
	cp, _, _ := timed(1<<20, func() error { spin(); return nil })
	both, n, err := timed(1<<20, func() error {
		req := collectives.Iallreduce(ctx, c, send, recv, collectives.Sum[float64]())
		spin()
		_, err := req.Wait(ctx)
		return err
	})
	if err != nil {
		return err
	}
	emit("allreduce+compute", 1<<20, ar+cp, n)
	emit("iallreduce||compute", 1<<20, both, n)
	return nil
}
