package slurmtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// inAllocation runs `salloc ARGS -- gorun GORUNARGS` in dir and returns
// its stdout (gorun's ranks' output) and stderr; a hang fails the test.
// gorun runs as from an ssh login to this host: SSH_CONNECTION names
// addresses of no host here, which srun passes on to every step.
func inAllocation(t *testing.T, dir string, salloc []string, gorun ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "salloc", append(append(salloc, "--"), gorun...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SSH_CONNECTION=203.0.113.9 50000 203.0.113.10 22")
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("salloc %q did not finish in 2 minutes:\n%s%s", salloc, o.String(), e.String())
	}
	return o.String(), e.String(), err
}

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	sort.Strings(l)
	return l
}

// TestSallocGorun is `salloc -n 2 gorun ./hello` as a user types it: gorun
// without -n starts one rank per allocated task, on the allocated node,
// directly (the node is this host) or, with --launcher srun, in one job
// step of the allocation for the node's ranks, which Slurm tracks; sbatch
// runs the same.
func TestSallocGorun(t *testing.T) {
	needSlurm(t)
	gorun := build(t, "./cmd/gorun")
	hello := build(t, "./examples/hello")
	want := []string{"hello from rank 0 of 2", "hello from rank 1 of 2"}

	t.Run("salloc -n 2 gorun hello", func(t *testing.T) {
		out, errOut, err := inAllocation(t, t.TempDir(), []string{"-n", "2"}, gorun, hello)
		if got := sortedLines(out); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%v: ranks said %q, want %q\n%s", err, got, want, errOut)
		}
	})
	t.Run("srun: one step for the node's ranks", func(t *testing.T) {
		out, errOut, err := inAllocation(t, t.TempDir(), []string{"-n", "2"}, gorun, "--launcher", "srun", "sh", "-c",
			`echo "$GORUN_RANK job=$SLURM_JOB_ID step=$SLURM_STEP_ID"`)
		got := sortedLines(out)
		if err != nil || len(got) != 2 {
			t.Fatalf("%v: %q\n%s", err, got, errOut)
		}
		var job [2]string
		var step [2]int
		for i, l := range got {
			var r int
			if _, err := fmt.Sscanf(l, "%d job=%s step=%d", &r, &job[i], &step[i]); err != nil || r != i {
				t.Fatalf("line %q: want RANK job=ID step=N from a task of a job step: %v", l, err)
			}
		}
		// Both ranks are on this node: one step starts them both
		// (decision 40), not a step per rank.
		if job[0] != job[1] || job[0] == "" || step[0] != step[1] {
			t.Errorf("ranks not in one step of one job: %q", got)
		}
	})
	t.Run("srun steps, comm", func(t *testing.T) {
		out, errOut, err := inAllocation(t, t.TempDir(), []string{"-n", "2"}, gorun, "--launcher", "srun", hello)
		if got := sortedLines(out); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%v: ranks said %q, want %q\n%s", err, got, want, errOut)
		}
	})
	t.Run("-n beyond the allocation", func(t *testing.T) {
		_, errOut, err := inAllocation(t, t.TempDir(), []string{"-n", "2"}, gorun, "-n", "3", hello)
		if err == nil || !strings.Contains(errOut, "--oversubscribe") {
			t.Fatalf("3 ranks in an allocation of 2: %v, want a failure naming --oversubscribe\n%s", err, errOut)
		}
	})
	t.Run("srun -n1 gorun -n 3: the step is gorun's place, not its allocation", func(t *testing.T) {
		out, err := srun(t, t.TempDir(), nil, "-n", "1", gorun, "-n", "3", hello)
		want3 := []string{"hello from rank 0 of 3", "hello from rank 1 of 3", "hello from rank 2 of 3"}
		if got := sortedLines(out); err != nil || !reflect.DeepEqual(got, want3) {
			t.Fatalf("%v: ranks said %q, want %q", err, got, want3)
		}
	})
	t.Run("sbatch", func(t *testing.T) {
		dir := t.TempDir()
		script := filepath.Join(dir, "job.sh")
		if err := os.WriteFile(script, []byte("#!/bin/sh\nexec "+gorun+" "+hello+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		outFile := filepath.Join(dir, "out.txt")
		cmd := exec.CommandContext(ctx, "sbatch", "--wait", "-n", "2", "-o", outFile, script)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sbatch: %v\n%s", err, b)
		}
		b, err := os.ReadFile(outFile)
		if got := sortedLines(string(b)); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%v: the batch job's ranks said %q, want %q", err, got, want)
		}
	})
}
