// Command compare runs bench/runtime/osu under gorun and bench/runtime/osu.py
// under Open MPI (TCP and default transports), takes medians over -runs
// repeats, and prints a markdown table of times and ratios.
//
//	go run ./bench/runtime/cmd/compare -runs 5 [-quick] [-ranks 2,4]
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

const (
	cfgGo = iota
	cfgTCP
	cfgDef
	nCfg
)

var ompiEnv = []string{"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"}

func main() {
	runs := flag.Int("runs", 5, "repeats per configuration; the median is reported")
	quick := flag.Bool("quick", false, "few iterations per benchmark")
	ranksFlag := flag.String("ranks", "2,4", "comma-separated rank counts")
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
	var ranks []int
	for _, s := range strings.Split(ranksFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-ranks %q: %w", ranksFlag, err)
		}
		ranks = append(ranks, n)
	}
	samples := map[key]*[nCfg][]float64{}
	var order []key
	add := func(k key, cfg int, v float64) {
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
	for _, n := range ranks {
		ns := strconv.Itoa(n)
		cmds := [nCfg][]string{
			cfgGo:  append([]string{gorun, "-n", ns, osu}, extra...),
			cfgTCP: append([]string{"mpiexec", "--oversubscribe", "--mca", "btl", "tcp,self", "-n", ns, "/usr/bin/python3", "bench/runtime/osu.py"}, extra...),
			cfgDef: append([]string{"mpiexec", "--oversubscribe", "-n", ns, "/usr/bin/python3", "bench/runtime/osu.py"}, extra...),
		}
		for r := 0; r < runs; r++ {
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
	fmt.Println("| benchmark | size | ranks | gorun µs | OMPI-TCP µs | OMPI-default µs | gorun/TCP | gorun/default |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range order {
		s := samples[k]
		g, t, d := median(s[cfgGo]), median(s[cfgTCP]), median(s[cfgDef])
		fmt.Printf("| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
			k.bench, sizeStr(k.size), k.ranks, g, t, d, g/t, g/d)
	}
	return nil
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
