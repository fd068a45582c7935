package slurmtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/interop"
)

// needSlurm skips (or under CI fails) unless srun is installed and the
// controller answers.
func needSlurm(t *testing.T) {
	t.Helper()
	err := exec.Command("sinfo", "-h").Run()
	if _, lerr := exec.LookPath("srun"); lerr != nil {
		err = lerr
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Slurm is needed under CI (.ci/slurm-setup.sh starts it): %v", err)
		}
		t.Skipf("no running Slurm (.ci/slurm-setup.sh starts one): %v", err)
	}
}

func build(t *testing.T, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// srun runs srun with a deadline generous for a loaded machine; a hang is
// a failure, never a stuck test.
func srun(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "srun", append([]string{"-Q", "--overcommit", "--kill-on-bad-exit=0"}, args...)...) // -Q: no "job queued" lines mixed with the ranks' output when the node is busy
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("srun %v did not finish in 2 minutes:\n%s", args, out)
	}
	return string(out), err
}

// TestSrunSeed is the README's cluster example: srun starts the seed's
// program with no gorun, and libhdf5's h5dump and h5py read the one file
// every task wrote.
func TestSrunSeed(t *testing.T) {
	needSlurm(t)
	prog := build(t, "./examples/parallel_test")
	golden, err := os.ReadFile("../testdata/seed/parallel_test.h5dump.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 4, 8} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			dir := t.TempDir()
			if out, err := srun(t, dir, nil, "-n", fmt.Sprint(n), prog); err != nil {
				t.Fatalf("srun -n %d: %v\n%s", n, err, out)
			}
			path := filepath.Join(dir, "parallel_test.hdf5")
			raw, code := interop.H5Dump(t, path)
			if code != 0 {
				t.Fatalf("h5dump exit %d:\n%s", code, raw)
			}
			dump := strings.Replace(raw, path, "/tmp/parallel_test.hdf5", 1)
			vals := make([]string, n)
			for i := range vals {
				vals[i] = fmt.Sprint(i)
			}
			if want := "(0): " + strings.Join(vals, ", ") + "\n"; !strings.Contains(dump, want) {
				t.Errorf("h5dump lacks %q:\n%s", want, dump)
			}
			if n == 4 && dump != string(golden) {
				t.Errorf("h5dump differs from the seed's:\n%s\nwant:\n%s", dump, golden)
			}
			got := interop.H5Py(t, fmt.Sprintf("d = h5py.File(%q, 'r')['test']\nprint(d.dtype.str, d.shape, list(d[...]))", path))
			if want := fmt.Sprintf("<i4 (%d,) [%s]\n", n, strings.Join(vals, ", ")); got != want {
				t.Errorf("h5py read %q, want %q", got, want)
			}
		})
	}
}

// TestSrunKeyFile: with a per-user key file (GORUN_SLURM_KEY_FILE, mode
// 0600) mixed into the derived secret, the tasks still meet and write the
// file; a key file others can read is refused by every task.
func TestSrunKeyFile(t *testing.T) {
	needSlurm(t)
	prog := build(t, "./examples/parallel_test")
	key := filepath.Join(t.TempDir(), "slurm.key")
	if err := os.WriteFile(key, []byte("not a secret, a test key"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out, err := srun(t, dir, []string{"GORUN_SLURM_KEY_FILE=" + key}, "-n", "2", prog); err != nil {
		t.Fatalf("srun -n 2 with a key file: %v\n%s", err, out)
	}
	if _, code := interop.H5Dump(t, filepath.Join(dir, "parallel_test.hdf5")); code != 0 {
		t.Fatalf("h5dump exit %d", code)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := srun(t, t.TempDir(), []string{"GORUN_SLURM_KEY_FILE=" + key}, "-n", "2", prog)
	if err == nil || !strings.Contains(out, "chmod 600") {
		t.Fatalf("srun with a world-readable key file: %v\n%s", err, out)
	}
}

// TestSrunTaskFails: one task exits 3 after Init; srun fails, and the other
// tasks, blocked in a Barrier, get an error naming rank 2 instead of
// hanging.
func TestSrunTaskFails(t *testing.T) {
	needSlurm(t)
	prog := build(t, "./slurmtest/internal/failrank")
	out, err := srun(t, t.TempDir(), []string{"FAIL_RANK=2"}, "-n", "4", prog)
	if err == nil {
		t.Fatalf("srun succeeded although task 2 exited 3:\n%s", out)
	}
	for _, r := range []int{0, 1, 3} {
		if !strings.Contains(out, fmt.Sprintf("rank %d: ", r)) || !strings.Contains(out, "rank 2") {
			t.Errorf("rank %d did not report rank 2's failure:\n%s", r, out)
		}
	}
}

// TestSlurmNoRendezvous: a task that Slurm's variables call rank 1 of 2,
// started alone, finds no rank 0 to meet and fails with a clear error
// within the bootstrap deadline, instead of running as a job of size 1.
func TestSlurmNoRendezvous(t *testing.T) {
	prog := build(t, "./slurmtest/internal/failrank")
	// Rank 1 alone finds no rank 0; rank 0 alone serves but nobody registers.
	for _, rank := range []string{"1", "0"} {
		t.Run("rank="+rank, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, prog)
			cmd.Env = append(os.Environ(), "SLURM_NTASKS=2", "SLURM_PROCID="+rank, "SLURM_STEP_ID=0",
				fmt.Sprintf("SLURM_JOB_ID=%d", 900000+os.Getpid()%9999), "SLURM_STEP_NODELIST=127.0.0.1",
				"GORUN_BOOTSTRAP_TIMEOUT=2s")
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err == nil || strings.Contains(string(out), "of 1 started") {
				t.Fatalf("a lone srun task ran: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "rendezvous") || time.Since(start) > 30*time.Second {
				t.Fatalf("want a rendezvous error within the 2 s deadline, got after %v:\n%s", time.Since(start), out)
			}
		})
	}
}
