package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/netns"
)

// TestBetweenHosts is the between-hosts benchmark of issue 16: 8 B
// ping-pong latency and 1 MiB ping-pong between two network-namespace
// hosts (internal/netns: a veth pair each, a bridge between), gorun (its
// TCP transport, started over ssh with -H; unbound, and with --bind-to
// core as Open MPI binds by default) beside Open MPI over TCP
// (`mpirun --mca btl tcp,self` with a hostfile, started over the same
// ssh), alternating, medians of GORUN_BENCH_RUNS runs (default 5). It
// prints a markdown table for RESULTS.md. It needs root and Open MPI, so
// it runs only when GORUN_BENCH_HOSTS=1:
//
//	GORUN_BENCH_HOSTS=1 go test ./bench/runtime -run TestBetweenHosts -v
//
// With GORUN_BENCH_HOSTS=quick it runs each side once in -quick mode:
// a check that both sides start and report, not a measurement.
func TestBetweenHosts(t *testing.T) {
	mode := os.Getenv("GORUN_BENCH_HOSTS")
	if mode == "" {
		t.Skip("set GORUN_BENCH_HOSTS=1 to run (root, Open MPI, mpi4py)")
	}
	if why := netns.Available(); why != "" {
		t.Fatal(why)
	}
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Fatal("Open MPI's mpirun is needed (apt-get install openmpi-bin python3-mpi4py)")
	}
	runs := 5
	if n, err := fmt.Sscan(os.Getenv("GORUN_BENCH_RUNS"), &runs); n != 1 || err != nil {
		runs = 5
	}
	var extra []string
	if mode == "quick" {
		runs, extra = 1, []string{"-quick"}
	}
	dir := t.TempDir()
	for _, p := range []string{"../../cmd/gorun", "./osu"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, filepath.Base(p)), p).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", p, err, out)
		}
	}
	osuPy, err := filepath.Abs("osu.py")
	if err != nil {
		t.Fatal(err)
	}
	c := netns.New(t, 2)
	hostfile := filepath.Join(dir, "hosts")
	if err := os.WriteFile(hostfile, []byte("h1 slots=1\nh2 slots=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	subnet := strings.TrimSuffix(c.Gateway, ".1") + ".0/24"
	sides := []struct {
		name string
		argv []string
	}{
		{"gorun", append([]string{filepath.Join(dir, "gorun"), "--ssh", strings.Join(c.SSH, " "), "-H", "h1:1,h2:1",
			filepath.Join(dir, "osu")}, extra...)},
		{"ompi-tcp", append([]string{mpirun, "--allow-run-as-root", "--hostfile", hostfile, "-n", "2",
			"--mca", "plm_rsh_agent", strings.Join(c.SSH, " "),
			"--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", subnet, "--mca", "oob_tcp_if_include", subnet,
			"--mca", "pml", "ob1", "-x", "PATH", "/usr/bin/python3", osuPy}, extra...)},
	}
	// Open MPI polls its sockets without sleeping; on a machine busier than
	// its cores that loses the CPU to other processes for whole time slices.
	// mpi_yield_when_idle makes it yield while it polls, as it does by itself
	// when it knows a node is oversubscribed: a second Open MPI column.
	ompiYield := append([]string{}, sides[1].argv...)
	ompiYield = slices.Insert(ompiYield, 1, "--mca", "mpi_yield_when_idle", "1")
	sides = append(sides, struct {
		name string
		argv []string
	}{"ompi-tcp-yield", ompiYield})
	// Open MPI binds each rank to a core by default (--bind-to core for 2
	// ranks: core 0 of each host, and the netns hosts share this machine's
	// CPUs, so both ranks share CPU 0); gorun binds nothing unless asked.
	// A second gorun column with --bind-to core is the like-for-like one,
	// as compare pins gorun's ranks on one host.
	bound := append([]string{}, sides[0].argv...)
	bound = slices.Insert(bound, 1, "--bind-to", "core")
	sides = append(sides, struct {
		name string
		argv []string
	}{"gorun-bound", bound})
	// GORUN_BENCH_BASELINE=DIR adds gorun built from another checkout (an
	// A/B test of a change), GORUN_BENCH_SIDES=gorun,baseline picks sides,
	// GORUN_BENCH_ONLY=latency,bandwidth the benchmarks osu runs.
	if base := os.Getenv("GORUN_BENCH_BASELINE"); base != "" {
		bdir := filepath.Join(dir, "baseline")
		for _, p := range []string{"cmd/gorun", "bench/runtime/osu"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(bdir, filepath.Base(p)), "./"+p)
			cmd.Dir = base
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("build %s in %s: %v\n%s", p, base, err, out)
			}
		}
		sides = append(sides, struct {
			name string
			argv []string
		}{"baseline", append([]string{filepath.Join(bdir, "gorun"), "--ssh", strings.Join(c.SSH, " "), "-H", "h1:1,h2:1",
			filepath.Join(bdir, "osu")}, extra...)})
		sides = append(sides, struct {
			name string
			argv []string
		}{"baseline-bound", append([]string{filepath.Join(bdir, "gorun"), "--bind-to", "core", "--ssh", strings.Join(c.SSH, " "), "-H", "h1:1,h2:1",
			filepath.Join(bdir, "osu")}, extra...)})
	}
	for i := range sides {
		if only := os.Getenv("GORUN_BENCH_ONLY"); only != "" {
			sides[i].argv = append(sides[i].argv, "-only", only)
		}
		// Percentiles of single round trips (after the timed loop that
		// gives the mean): the tails.
		sides[i].argv = append(sides[i].argv, "-p50")
	}
	if pick := os.Getenv("GORUN_BENCH_SIDES"); pick != "" {
		sides = slices.DeleteFunc(sides, func(s struct {
			name string
			argv []string
		}) bool {
			return !slices.Contains(strings.Split(pick, ","), s.name)
		})
	}
	type key struct{ side, bench string }
	got := map[key][]float64{}
	var loads []string
	for run := range runs {
		for _, s := range sides {
			loads = append(loads, loadLine())
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			out, err := exec.CommandContext(ctx, s.argv[0], s.argv[1:]...).CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("run %d, %s: %v\n%s", run, s.name, err, out)
			}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				var r struct {
					Bench string  `json:"bench"`
					Size  int     `json:"size"`
					Usec  float64 `json:"usec"`
				}
				if json.Unmarshal(sc.Bytes(), &r) != nil {
					continue
				}
				if (r.Bench == "latency" && r.Size == 8) || (r.Bench == "bandwidth" && r.Size == 1<<20) ||
					slices.Contains([]string{"latency-p50", "latency-p90", "latency-p99", "bandwidth-p50", "bandwidth-p90", "bandwidth-p99"}, r.Bench) {
					got[key{s.name, r.Bench}] = append(got[key{s.name, r.Bench}], r.Usec)
				}
			}
		}
	}
	if os.Getenv("GORUN_BENCH_SIDES") != "" {
		for k, v := range got {
			t.Logf("%s %s: median %.1f of %v", k.side, k.bench, median(v), v)
		}
		t.Logf("load before each run: %s", strings.Join(loads, "; "))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| benchmark | size | gorun µs | gorun bound µs | OMPI-TCP µs | OMPI-TCP yield µs | gorun/OMPI | gorun/OMPI yield | bound/OMPI yield |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, bench := range []struct{ name, size string }{{"latency", "8 B"}, {"bandwidth", "1 MiB"}} {
		g, gb, o, y := got[key{"gorun", bench.name}], got[key{"gorun-bound", bench.name}], got[key{"ompi-tcp", bench.name}], got[key{"ompi-tcp-yield", bench.name}]
		if len(g) != runs || len(gb) != runs || len(o) != runs || len(y) != runs {
			t.Fatalf("%s: %d and %d gorun, %d and %d Open MPI results, want %d each", bench.name, len(g), len(gb), len(o), len(y), runs)
		}
		gm, gbm, om, ym := median(g), median(gb), median(o), median(y)
		fmt.Fprintf(&b, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |\n", bench.name, bench.size, gm, gbm, om, ym, gm/om, gm/ym, gbm/ym)
		t.Logf("%s: gorun %v, gorun bound %v, Open MPI %v, Open MPI yielding %v", bench.name, g, gb, o, y)
	}
	fmt.Fprintf(&b, "\nSingle timed round trips (one-way for latency), medians over the runs:\n\n| side | 8 B p50 µs | p90 | p99 | 1 MiB p50 µs | p90 | p99 |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range sides {
		if len(got[key{s.name, "latency-p50"}]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s |", s.name)
		for _, bench := range []string{"latency-p50", "latency-p90", "latency-p99", "bandwidth-p50", "bandwidth-p90", "bandwidth-p99"} {
			fmt.Fprintf(&b, " %.1f |", median(got[key{s.name, bench}]))
		}
		fmt.Fprintln(&b)
	}
	t.Logf("load before each run: %s", strings.Join(loads, "; "))
	t.Logf("medians of %d alternating runs:\n%s", runs, b.String())
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func loadLine() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
