package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// buildTools builds gorun and the Go side of the parallel and memory
// cases (paropen) into dir/bin; run from the repository's root.
func buildTools(dir string) (string, error) {
	bin := filepath.Join(dir, "bin")
	for pkg, out := range map[string]string{"./cmd/gorun": "gorun", "./bench/open/paropen": "paropen"} {
		if b, err := exec.Command("go", "build", "-o", filepath.Join(bin, out), pkg).CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s (run from the repository's root): %v\n%s", pkg, err, b)
		}
	}
	return bin, nil
}

// parallel times one open + one dataset read per rank + close of tenk.h5
// at each rank count: gorun (TCP between ranks, rank 0's metadata server)
// against h5py's mpio driver under Open MPI's mpiexec (libhdf5: every
// rank reads the metadata it needs from the file), alternating.
func parallel(dir, bin, py, script, ranksFlag string, runs, reps int, rw bool) error {
	path := filepath.Join(dir, "tenk.h5")
	mode, what := []string{}, ""
	if rw {
		// Mode r+: nothing changes, Close flushes (decision 42: no walk
		// of the file at open).
		mode, what = []string{"rw"}, " r+"
	}
	fmt.Printf("Parallel open%s of tenk.h5 + each rank reads a dataset of its own + close (load %s):\n\n", what, loadavg())
	fmt.Println("| ranks | gorun (TCP, rank 0 serves metadata) | h5py mpio (Open MPI) | gorun / h5py |")
	fmt.Println("|---|---|---|---|")
	env := append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	for _, rs := range strings.Split(ranksFlag, ",") {
		n, err := strconv.Atoi(rs)
		if err != nil {
			return fmt.Errorf("-ranks %q: %w", ranksFlag, err)
		}
		var g, p []time.Duration
		for range runs {
			d, err := secs(env, append([]string{filepath.Join(bin, "gorun"), "-n", rs, filepath.Join(bin, "paropen"), "par", path, strconv.Itoa(reps)}, mode...)...)
			if err != nil {
				return err
			}
			g = append(g, d)
			d, err = secs(env, append([]string{"mpiexec", "--oversubscribe", "-n", rs, py, script, "par", path, strconv.Itoa(reps)}, mode...)...)
			if err != nil {
				return err
			}
			p = append(p, d)
		}
		mg, mp := median(g), median(p)
		fmt.Printf("| %d | %s | %s | %.2fx |\n", n, ms(mg), ms(mp), float64(mg)/float64(mp))
	}
	fmt.Println()
	return nil
}

// memory reports the peak RSS (VmHWM; h5py: ru_maxrss) of one process
// doing open + list of wide.h5's 100k members, and one read of a 1 GiB
// dataset whole, Go and h5py alternating, medians.
func memory(dir, bin, py, script string, runs int) error {
	if out, err := exec.Command(py, script, "makebig", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("h5py makebig: %v\n%s", err, out)
	}
	fmt.Printf("Peak RSS, one process (load %s):\n\n", loadavg())
	fmt.Println("| case | gorun | h5py (libhdf5) | gorun / h5py |")
	fmt.Println("|---|---|---|---|")
	for _, c := range []struct{ name, op, file string }{
		{"open + list 100k members", "list", "wide.h5"},
		{"read 1 GiB (float64 /x whole)", "read", "big.h5"},
	} {
		path := filepath.Join(dir, c.file)
		var g, p []int64
		for range runs {
			k, err := kib(filepath.Join(bin, "paropen"), "mem", c.op, path)
			if err != nil {
				return err
			}
			g = append(g, k)
			k, err = kib(py, script, "mem", c.op, path)
			if err != nil {
				return err
			}
			p = append(p, k)
		}
		mg, mp := medianInt(g), medianInt(p)
		fmt.Printf("| %s | %.1f MiB | %.1f MiB | %.2fx |\n", c.name, float64(mg)/1024, float64(mp)/1024, float64(mg)/float64(mp))
	}
	fmt.Println()
	return nil
}

// parallelMemory reports every rank's peak RSS (VmHWM) of a parallel
// open of wide.h5 (100k datasets in /g) + a list of /g + a read of one
// dataset of the rank's own + close, at 4 ranks: gorun (rank 0 serves
// metadata) against h5py's mpio driver under mpiexec, alternating; per
// rank, the median over runs.
func parallelMemory(dir, bin, py, script string, runs int) error {
	const n = 4
	path := filepath.Join(dir, "wide.h5")
	env := append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	g, p := make([][]int64, n), make([][]int64, n)
	for range runs {
		for _, side := range []struct {
			argv []string
			into [][]int64
		}{
			{[]string{filepath.Join(bin, "gorun"), "-n", strconv.Itoa(n), filepath.Join(bin, "paropen"), "parmem", path}, g},
			{[]string{"mpiexec", "--oversubscribe", "-n", strconv.Itoa(n), py, script, "parmem", path}, p},
		} {
			cmd := exec.Command(side.argv[0], side.argv[1:]...)
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				return fmt.Errorf("%s: %v", strings.Join(side.argv, " "), err)
			}
			f := strings.Fields(string(out))
			if len(f) != n {
				return fmt.Errorf("%s printed %q, want %d numbers", strings.Join(side.argv, " "), out, n)
			}
			for r, s := range f {
				k, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return fmt.Errorf("%s printed %q", strings.Join(side.argv, " "), out)
				}
				side.into[r] = append(side.into[r], k)
			}
		}
	}
	fmt.Printf("Peak RSS per rank, parallel open of wide.h5 + list 100k members + read one dataset per rank, %d ranks (load %s):\n\n", n, loadavg())
	fmt.Println("| rank | gorun (TCP/shared memory, rank 0 serves metadata) | h5py mpio (Open MPI) | gorun / h5py |")
	fmt.Println("|---|---|---|---|")
	for r := range n {
		mg, mp := medianInt(g[r]), medianInt(p[r])
		fmt.Printf("| %d | %.1f MiB | %.1f MiB | %.2fx |\n", r, float64(mg)/1024, float64(mp)/1024, float64(mg)/float64(mp))
	}
	fmt.Println()
	return nil
}

func secs(env []string, argv ...string) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return 0, fmt.Errorf("%s printed nothing", strings.Join(argv, " "))
	}
	s, err := strconv.ParseFloat(f[len(f)-1], 64)
	if err != nil {
		return 0, fmt.Errorf("%s printed %q", strings.Join(argv, " "), out)
	}
	return time.Duration(s * float64(time.Second)), nil
}

func kib(argv ...string) (int64, error) {
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		return 0, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
	}
	return strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
}

func medianInt(v []int64) int64 {
	s := append([]int64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
