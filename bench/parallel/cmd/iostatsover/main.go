// Command iostatsover measures what gorun --iostats costs on
// bench/parallel's cases: each case runs under gorun without and with
// --iostats, alternating run by run in the same invocation (off, on, on,
// off, ...: each side comes first in half the pairs). The table
// gives, per side, the median of gopar's time (the slowest rank's, from a
// barrier before create to after close, after an untimed warm-up in the
// same processes; each process's time is the median of -reps such runs)
// and the median of the job's CPU time (every rank's user
// and system time, from gorun's rusage, which includes the ranks it
// waited for: the warm-up and, with --iostats, the report at the end are
// in it), the median of the ratios of adjacent on/off pairs (which saw
// about the same load), and the load (/proc/loadavg) before and after.
//
//	go run ./bench/parallel/cmd/iostatsover -runs 9
//
// -control runs both sides without --iostats: the harness's own noise
// and order bias, the floor any on/off ratio is read against. On the
// 2-core VM of bench/parallel/RESULTS.md an A/A pair ratio stays within
// 1% of 1 only at a load average below ~6 and with -runs 41 for the
// meta case (15-20 ms a run); at a load of 7-11 it moves by 5-10%, more
// than the 3% being measured.
//
// Run it from the repository root (it builds ./cmd/gorun and
// ./bench/parallel/gopar).
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
	"slices"
	"strconv"
	"strings"

	"github.com/gorun-hpc/gorun/bench/parallel"
)

// kase is one configuration: gopar's arguments and the ranks.
type kase struct {
	name  string
	ranks int
	args  []string
}

var cases = []kase{
	{"write 256 MiB, independent", 4, []string{"-case", "write", "-bytes", "268435456"}},
	{"write 256 MiB, collective", 4, []string{"-case", "write", "-bytes", "268435456", "-coll"}},
	{"meta: 1000 datasets (16,) i4", 4, []string{"-case", "meta"}},
	{"vpic: 5 steps, 262144 particles/rank", 4, []string{"-case", "vpic", "-particles", "262144"}},
	{"gzip 64 MiB, collective", 4, []string{"-case", "gzip", "-bytes", "67108864"}},
	{"tiles 64 MiB, collective (two-phase)", 4, []string{"-case", "tiles", "-bytes", "67108864", "-coll"}},
}

func main() {
	runs := flag.Int("runs", 9, "runs per side and case (medians are reported)")
	only := flag.String("cases", "", "comma-separated case name prefixes to run (default: all)")
	dir := flag.String("dir", os.TempDir(), "directory for the benchmark files")
	md := flag.String("md", "", "also write the table to this file")
	control := flag.Bool("control", false, "A/A control: both sides run without --iostats (the harness's own noise and order bias)")
	reps := flag.Int("reps", 5, "timed runs per process after its warm-up (gopar -reps): each process's time is their median")
	prebuilt := flag.String("bin", "", "directory holding gorun and gopar already built (go build -o DIR/ ./cmd/gorun ./bench/parallel/gopar), so the build is not timed or run under /work/bench-run's lock")
	flag.Parse()
	if err := run(*runs, *reps, *only, *dir, *md, *control, *prebuilt); err != nil {
		fmt.Fprintln(os.Stderr, "iostatsover:", err)
		os.Exit(1)
	}
}

func run(runs, reps int, only, dir, md string, control bool, prebuilt string) error {
	bin, err := os.MkdirTemp("", "gorun-iostatsover")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	gorun, gopar := filepath.Join(bin, "gorun"), filepath.Join(bin, "gopar")
	if prebuilt != "" {
		gorun, gopar = filepath.Join(prebuilt, "gorun"), filepath.Join(prebuilt, "gopar")
	} else {
		for pkg, out := range map[string]string{"./cmd/gorun": gorun, "./bench/parallel/gopar": gopar} {
			if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
				return fmt.Errorf("go build %s (run from the repo root): %v\n%s", pkg, err, b)
			}
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "| case | ranks | time off | time on | on/off (pairs) | CPU off | CPU on | CPU on/off (pairs) | runs | load before | load after |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, c := range cases {
		if only != "" && !slices.ContainsFunc(strings.Split(only, ","), func(p string) bool { return strings.HasPrefix(c.name, p) }) {
			continue
		}
		before := load()
		var secs, cpus [2][]float64
		for i := range 2 * runs {
			// off, on, on, off, ...: each side runs first in half the
			// pairs, so a cost of coming first or second (the previous
			// run's file still being unlinked, the launcher's report just
			// written) falls on both sides alike.
			on := i%2 == 1 != (i/2%2 == 1)
			argv := []string{"-n", strconv.Itoa(c.ranks)}
			if on && !control {
				argv = append(argv, "--iostats-json", filepath.Join(bin, "r.json"))
			}
			argv = append(argv, gopar, "-dir", dir, "-reps", strconv.Itoa(reps))
			argv = append(argv, c.args...)
			s, cpu, err := runOnce(gorun, argv)
			if err != nil {
				return fmt.Errorf("%s: %v", c.name, err)
			}
			secs[b2i(on)] = append(secs[b2i(on)], s)
			cpus[b2i(on)] = append(cpus[b2i(on)], cpu)
		}
		name := c.name
		if control {
			name = "A/A control (both off): " + name
		}
		line := fmt.Sprintf("| %s | %d | %.1f ms | %.1f ms | %.3f | %.0f ms | %.0f ms | %.3f | %d+%d | %s | %s |\n", name, c.ranks,
			1e3*median(secs[0]), 1e3*median(secs[1]), pairRatio(secs), 1e3*median(cpus[0]), 1e3*median(cpus[1]), pairRatio(cpus), runs, runs, before, load())
		fmt.Fprint(os.Stderr, line)
		b.WriteString(line)
	}
	os.Stdout.Write(b.Bytes())
	if md != "" {
		return os.WriteFile(md, b.Bytes(), 0o644)
	}
	return nil
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// pairRatio is the median of on[i]/off[i]: each pair ran one after the
// other.
func pairRatio(v [2][]float64) float64 {
	var r []float64
	for i := range min(len(v[0]), len(v[1])) {
		r = append(r, v[1][i]/v[0][i])
	}
	return median(r)
}

// runOnce runs gorun argv and returns gopar's time and the job's CPU
// seconds.
func runOnce(gorun string, argv []string) (float64, float64, error) {
	cmd := exec.Command(gorun, argv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var res parallel.Result
		if json.Unmarshal(sc.Bytes(), &res) == nil && res.Case != "" {
			if res.Err != "" {
				return 0, 0, fmt.Errorf("%s", res.Err)
			}
			cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
			return res.Seconds, cpu, nil
		}
	}
	if err == nil {
		err = fmt.Errorf("no result line")
	}
	return 0, 0, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// load is the 1-, 5- and 15-minute load averages.
func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
