// Command osu measures gorun's runtime the way the OSU micro-benchmarks
// measure MPI: ping-pong latency and bandwidth, barrier, and bcast,
// allgather and allreduce at 8 B, 64 KiB and 1 MiB per rank. Rank 0 prints
// one JSON line per result so bench/runtime can set them beside mpi4py.
//
//	go run ./cmd/gorun -n 2 ./bench/runtime/osu [-quick]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
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

var sizes = []int{8, 64 << 10, 1 << 20}

// p50: -p50.
var p50 *bool

// selected is the benchmarks -only names; nil runs them all.
var selected map[string]bool

func want(bench string) bool { return selected == nil || selected[bench] }

// scale multiplies the timed iterations (-scale), for profiling.
var scale = 1

func iters(size int, quick bool) (warm, n int) {
	warm, n = baseIters(size, quick)
	return warm, n * scale
}

func baseIters(size int, quick bool) (warm, n int) {
	switch {
	case quick:
		return 2, 5
	case size >= 1<<20:
		return 5, 50
	case size >= 64<<10:
		return 10, 200
	}
	return 100, 2000
}

func main() {
	quick := flag.Bool("quick", false, "few iterations, for tests")
	prof := flag.String("cpuprofile", "", "write each rank's CPU profile to `prefix`.<rank>")
	p50 = flag.Bool("p50", false, "also report the median of single timed round trips (latency-p50)")
	only := flag.String("only", "", "comma-separated benchmarks to run (latency, bandwidth, barrier, bcast, allgather, allreduce); all if empty")
	flag.IntVar(&scale, "scale", 1, "multiply the timed iterations by this (for profiling)")
	flag.Parse()
	if *only != "" {
		selected = map[string]bool{}
		for _, b := range strings.Split(*only, ",") {
			selected[strings.TrimSpace(b)] = true
		}
	}
	if *prof != "" {
		f, err := os.Create(*prof + "." + os.Getenv("GORUN_RANK"))
		if err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*quick); err != nil {
		fmt.Fprintf(os.Stderr, "osu: %v\n", err)
		pprof.StopCPUProfile()
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
	emit := func(bench string, size int, d time.Duration, n int) {
		if c.Rank() == 0 {
			b, _ := json.Marshal(result{bench, size, c.Size(), float64(d.Nanoseconds()) / 1e3 / float64(n)})
			fmt.Println(string(b))
		}
	}
	// timed runs warm warmups then n timed calls of f, fenced by barriers.
	timed := func(size int, f func() error) (time.Duration, int, error) {
		warm, n := iters(size, quick)
		for i := 0; i < warm; i++ {
			if err := f(); err != nil {
				return 0, 0, err
			}
		}
		if err := collectives.Barrier(ctx, c); err != nil {
			return 0, 0, err
		}
		t0 := time.Now()
		for i := 0; i < n; i++ {
			if err := f(); err != nil {
				return 0, 0, err
			}
		}
		return time.Since(t0), n, nil
	}
	if c.Size() >= 2 {
		for _, p := range []struct {
			name string
			size int
		}{{"latency", 8}, {"bandwidth", 1 << 20}} {
			if !want(p.name) {
				continue
			}
			buf := make([]byte, p.size)
			me := c.Rank()
			pingPong := func() error {
				switch me {
				case 0:
					if err := c.Send(ctx, 1, 1, buf); err != nil {
						return err
					}
					_, err := c.Recv(ctx, 1, 1, buf)
					return err
				case 1:
					if _, err := c.Recv(ctx, 0, 1, buf); err != nil {
						return err
					}
					return c.Send(ctx, 0, 1, buf)
				}
				return nil
			}
			d, n, err := timed(p.size, pingPong)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if p.name == "latency" { // one-way latency, OSU style
				emit(p.name, p.size, d/2, n)
				if *p50 {
					// The median round trip over single timed ones: robust
					// to a loaded machine's preemptions, for A/B tests.
					ts := make([]time.Duration, n)
					for i := range ts {
						t0 := time.Now()
						if err := pingPong(); err != nil {
							return fmt.Errorf("%s: %w", p.name, err)
						}
						ts[i] = time.Since(t0)
					}
					slices.Sort(ts)
					emit("latency-p50", p.size, ts[n/2]/2, 1)
					emit("latency-p90", p.size, ts[n*9/10]/2, 1)
					emit("latency-p99", p.size, ts[n*99/100]/2, 1)
					emit("latency-max", p.size, ts[n-1]/2, 1)
					var sum time.Duration
					for _, t := range ts[n*99/100:] {
						sum += t
					}
					emit("latency-top1pct-share", p.size, sum*1000/ts[n/2]/time.Duration(n), 1000)
				}
			} else { // MB/s expressed as time per round trip
				emit(p.name, p.size, d, n)
				if *p50 {
					// As for latency: single timed round trips, their
					// median, 90th and 99th percentiles.
					ts := make([]time.Duration, n)
					for i := range ts {
						t0 := time.Now()
						if err := pingPong(); err != nil {
							return fmt.Errorf("%s: %w", p.name, err)
						}
						ts[i] = time.Since(t0)
					}
					slices.Sort(ts)
					emit("bandwidth-p50", p.size, ts[n/2], 1)
					emit("bandwidth-p90", p.size, ts[n*9/10], 1)
					emit("bandwidth-p99", p.size, ts[n*99/100], 1)
				}
			}
		}
	}
	if want("barrier") {
		d, n, err := timed(8, func() error { return collectives.Barrier(ctx, c) })
		if err != nil {
			return fmt.Errorf("barrier: %w", err)
		}
		emit("barrier", 0, d, n)
	}
	for _, size := range sizes {
		cnt := size / 8
		send := make([]float64, cnt)
		recv := make([]float64, cnt*c.Size())
		red := make([]float64, cnt)
		for _, b := range []struct {
			name string
			f    func() error
		}{
			{"bcast", func() error { return collectives.Bcast(ctx, c, send, 0) }},
			{"allgather", func() error { return collectives.Allgather(ctx, c, send, recv) }},
			{"allreduce", func() error { return collectives.Allreduce(ctx, c, send, red, collectives.Sum[float64]()) }},
		} {
			if !want(b.name) {
				continue
			}
			d, n, err := timed(size, b.f)
			if err != nil {
				return fmt.Errorf("%s %d: %w", b.name, size, err)
			}
			emit(b.name, size, d, n)
		}
	}
	return nil
}
