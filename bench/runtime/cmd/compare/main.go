// Command compare runs bench/runtime/osu under gorun (shared memory
// between ranks on the host, and forced TCP) and the same measurements in
// C (bench/runtime/osuc, built with mpicc) under Open MPI (its default,
// shared memory, and TCP), alternating the four in every repeat; it takes
// medians over -runs repeats and prints markdown tables of times and
// ratios, with the load average beside them. When the ranks are no more
// than the cores, gorun's ranks are pinned one per core with taskset, as
// Open MPI pins its ranks by default.
//
//	go run ./bench/runtime/cmd/compare -runs 5 [-quick] [-ranks 2,4,8] [-only latency,barrier]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

type key struct {
	bench string
	size  int
	ranks int
}

type result struct {
	Bench string  `json:"bench"`
	Size  int     `json:"size"`
	Ranks int     `json:"ranks"`
	Usec  float64 `json:"usec"`
}

// only is -only: the benchmarks to run on gorun's side.
var only string

const (
	cfgGo    = iota // gorun, default transport (shared memory on one host)
	cfgGoTCP        // gorun, GORUN_TRANSPORT=tcp
	cfgTCP          // Open MPI, --mca btl tcp,self
	cfgDef          // Open MPI's default (vader shared memory)
	nCfg
)

// ompiEnv: every rank is on this host, so Open MPI's TCP (its btl and
// its runtime's oob) stays on loopback, as gorun's TCP does; left to
// itself it also binds to any bridge a network-namespace test has up at
// the time, and fails when the bridge goes away mid-run.
var ompiEnv = []string{"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
	"OMPI_MCA_btl_tcp_if_include=lo", "OMPI_MCA_oob_tcp_if_include=lo"}

func main() {
	runs := flag.Int("runs", 5, "repeats per configuration; the median is reported")
	quick := flag.Bool("quick", false, "few iterations per benchmark")
	ranksFlag := flag.String("ranks", "2,4", "comma-separated rank counts")
	flag.StringVar(&only, "only", "", "comma-separated benchmarks gorun's side runs (osu -only); Open MPI's side runs all, the tables show these")
	flag.Parse()
	if err := run(*runs, *quick, *ranksFlag); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(1)
	}
}

func build(dir, pkg string) (string, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s (run from the repo root): %w", pkg, err)
	}
	return out, nil
}

func run(runs int, quick bool, ranksFlag string) error {
	dir, err := os.MkdirTemp("", "gorun-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	gorun, err := build(dir, "./cmd/gorun")
	if err != nil {
		return err
	}
	osu, err := build(dir, "./bench/runtime/osu")
	if err != nil {
		return err
	}
	hello, err := build(dir, "./examples/hello")
	if err != nil {
		return err
	}
	osuc := filepath.Join(dir, "osuc")
	if out, err := exec.Command("mpicc", "-O2", "-o", osuc, "bench/runtime/osuc/osu.c").CombinedOutput(); err != nil {
		return fmt.Errorf("mpicc bench/runtime/osuc/osu.c (needs libopenmpi-dev): %v\n%s", err, out)
	}
	var ranks []int
	for _, s := range strings.Split(ranksFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-ranks %q: %w", ranksFlag, err)
		}
		ranks = append(ranks, n)
	}
	samples := map[key]*[nCfg][]float64{}
	loads := map[int][]string{}
	var order []key
	add := func(k key, cfg int, v float64) {
		if only != "" && !slices.Contains(strings.Split(only, ","), k.bench) {
			return
		}
		s, ok := samples[k]
		if !ok {
			s = &[nCfg][]float64{}
			samples[k] = s
			order = append(order, k)
		}
		s[cfg] = append(s[cfg], v)
	}
	var extra []string
	if quick {
		extra = []string{"-quick"}
	}
	goExtra := extra
	if only != "" {
		goExtra = append(slices.Clone(extra), "-only", only)
	}
	for _, n := range ranks {
		ns := strconv.Itoa(n)
		// Open MPI binds each rank to a core of its own when they are no
		// more than the cores (its default for 2 ranks); gorun's ranks
		// get the same binding here, with taskset.
		rank := append([]string{osu}, goExtra...)
		if n <= runtime.NumCPU() {
			rank = []string{"sh", "-c", fmt.Sprintf(`exec taskset -c $((GORUN_RANK %% %d)) "$0" "$@"`, runtime.NumCPU()), osu}
			rank = append(rank, goExtra...)
		}
		cmds := [nCfg][]string{
			cfgGo: append([]string{gorun, "-n", ns}, rank...),
			// -x: gorun passes no GORUN_* variable of its own environment
			// to the ranks (launch/env.go), so "env GORUN_TRANSPORT=tcp
			// gorun" measured shared memory in this column before.
			cfgGoTCP: append([]string{gorun, "-x", "GORUN_TRANSPORT=tcp", "-n", ns}, rank...),
			cfgTCP:   append([]string{"mpiexec", "--oversubscribe", "--mca", "btl", "tcp,self", "-n", ns, osuc}, extra...),
			cfgDef:   append([]string{"mpiexec", "--oversubscribe", "-n", ns, osuc}, extra...),
		}
		for r := 0; r < runs; r++ {
			loads[n] = append(loads[n], loadavg())
			for cfg, argv := range cmds {
				out, _, err := runCmd(argv)
				if err != nil {
					return err
				}
				sc := bufio.NewScanner(bytes.NewReader(out))
				for sc.Scan() {
					var res result
					if json.Unmarshal(sc.Bytes(), &res) != nil || res.Bench == "" {
						continue
					}
					add(key{res.Bench, res.Size, res.Ranks}, cfg, res.Usec)
				}
			}
			// Startup: a trivial job's wall time.
			k := key{"startup", 0, n}
			for cfg, argv := range [][]string{
				{gorun, "-n", ns, hello},
				{gorun, "-x", "GORUN_TRANSPORT=tcp", "-n", ns, hello},
				{"mpiexec", "--oversubscribe", "--mca", "btl", "tcp,self", "-n", ns, "/bin/true"},
				{"mpiexec", "--oversubscribe", "-n", ns, "/bin/true"},
			} {
				_, d, err := runCmd(argv)
				if err != nil {
					return err
				}
				add(k, cfg, float64(d.Microseconds()))
			}
		}
	}
	fmt.Println("Load average (1 min) at the start of each repeat:")
	for _, n := range ranks {
		fmt.Printf("- %d ranks: %s\n", n, strings.Join(loads[n], ", "))
	}
	fmt.Println()
	fmt.Println("Issue 16's same-host targets (gorun over shared memory against Open MPI's default, vader shared memory):")
	fmt.Println()
	fmt.Println("| benchmark | size | ranks | gorun-shm µs | OMPI-default µs | ratio | target | met |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---|")
	for _, t := range targets {
		for _, k := range order {
			if k.bench != t.bench || k.size != t.size || !slices.Contains(t.ranks, k.ranks) {
				continue
			}
			s := samples[k]
			g, d := median(s[cfgGo]), median(s[cfgDef])
			met := "yes"
			if g/d > t.max {
				met = "no"
			}
			fmt.Printf("| %s | %s | %d | %.2f | %.2f | %.2f | %.1f | %s |\n", k.bench, sizeStr(k.size), k.ranks, g, d, g/d, t.max, met)
		}
	}
	fmt.Println()
	fmt.Println("All measurements:")
	fmt.Println()
	fmt.Println("| benchmark | size | ranks | gorun-shm µs | gorun-TCP µs | OMPI-TCP µs | OMPI-default µs | shm/OMPI-default | TCP/OMPI-TCP |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range order {
		s := samples[k]
		g, gt, t, d := median(s[cfgGo]), median(s[cfgGoTCP]), median(s[cfgTCP]), median(s[cfgDef])
		fmt.Printf("| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
			k.bench, sizeStr(k.size), k.ranks, g, gt, t, d, g/d, gt/t)
	}
	return nil
}

// targets are issue 16's same-host goals: gorun over shared memory at most
// max times Open MPI's default.
var targets = []struct {
	bench string
	size  int
	ranks []int
	max   float64
}{
	{"latency", 8, []int{2}, 3},
	{"bandwidth", 1 << 20, []int{2}, 1},
	{"barrier", 0, []int{2, 4, 8}, 3},
	{"allreduce", 8, []int{4, 8}, 2},
	{"allreduce", 1 << 20, []int{4, 8}, 1},
}

// loadavg is the 1-minute load average, as uptime prints it.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func runCmd(argv []string) ([]byte, time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), ompiEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	err := cmd.Run()
	d := time.Since(t0)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, errb.String())
	}
	return out.Bytes(), d, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sizeStr(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
