package slurmtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/netns"
)

// TestMultiNodeSallocGorun: inside an allocation of 3 nodes and 6 tasks,
// gorun with no -n and no host list starts one rank per allocated task on
// the allocated nodes (SLURM_JOB_NODELIST, SLURM_TASKS_PER_NODE), as
// mpirun does: from salloc on a login node (h1, whose hosts file names
// the nodes) and from a batch script. Under salloc an srun on PATH that
// logs each call counts the job steps: one per other node (h2, h3), each
// starting that node's two ranks (decision 40), not one per rank.
func TestMultiNodeSallocGorun(t *testing.T) {
	gorun := build(t, "./cmd/gorun")
	c, s := multiNode(t)
	ring := build(t, "./multihost/internal/ringprog")
	check := func(t *testing.T, out string) {
		t.Helper()
		for r, host := range []string{"h1", "h1", "h2", "h2", "h3", "h3"} {
			if !hasLine(out, fmt.Sprintf("rank %d of 6 on ", r), fmt.Sprintf("(%s) done", host)) {
				t.Errorf("no line says rank %d of 6 ran on %s:\n%s", r, host, out)
			}
		}
	}
	t.Run("salloc", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := c.Command(ctx, 0, "salloc", "-N3", "-n6", "--overcommit", gorun, ring, "-rounds", "30")
		log := stepLog(t)
		cmd.Env = append(s.Env(), "PATH="+filepath.Dir(log)+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			s.DumpLogs(t)
			t.Fatalf("salloc gorun hung:\n%s", out)
		}
		if err != nil {
			s.DumpLogs(t)
			t.Fatalf("salloc -N3 -n6 gorun ringprog: %v\n%s", err, out)
		}
		check(t, string(out))
		b, _ := os.ReadFile(log)
		steps := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(steps) != 2 || !strings.Contains(string(b), "-w h2 ") || !strings.Contains(string(b), "-w h3 ") {
			t.Errorf("gorun started %d job steps for the ranks on h2 and h3, want one per node:\n%s", len(steps), b)
		}
	})
	t.Run("sbatch", func(t *testing.T) {
		dir := t.TempDir()
		script := filepath.Join(dir, "job.sh")
		if err := os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\n%s %s -rounds 30\n", gorun, ring)), 0o755); err != nil {
			t.Fatal(err)
		}
		outFile := filepath.Join(dir, "job.out")
		out, err := slurmRun(t, s, 3*time.Minute, "sbatch", "--wait", "-N3", "-n6", "--overcommit", "-o", outFile, "-D", dir, script)
		jobOut, _ := os.ReadFile(outFile)
		if err != nil {
			s.DumpLogs(t)
			t.Fatalf("sbatch --wait gorun: %v\n%s\njob output:\n%s", err, out, jobOut)
		}
		check(t, strings.TrimSpace(string(jobOut)))
	})
}

// stepLog writes an srun that logs its arguments to the returned file, one
// line per call, and runs the real srun; its directory goes first on PATH.
func stepLog(t *testing.T) string {
	t.Helper()
	real, err := exec.LookPath("srun")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // the job's user reads it (root here)
		t.Fatal(err)
	}
	log := filepath.Join(dir, "steps")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %s\nexec %s \"$@\"\n", log, real)
	if err := os.WriteFile(filepath.Join(dir, "srun"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return log
}

// TestMultiNodeSallocNodeDies: gorun in an allocation of 3 nodes; h3 is
// cut off the network mid-job (crashed, or its link down). gorun must end
// within a bound, naming h3's ranks 4 and 5, although Slurm's own view of
// the node (and any srun gorun started for it) lags behind.
func TestMultiNodeSallocNodeDies(t *testing.T) {
	cases := []struct {
		name string
		kill func(c *netns.Cluster) error
		want string
	}{
		{"crash", func(c *netns.Cluster) error { c.KillHost(2); return nil }, `rank [45]`},
		{"link down", func(c *netns.Cluster) error { return c.LinkDown(2) }, `host h3 .*ranks 4,5`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gorun := build(t, "./cmd/gorun")
			c, s := multiNode(t)
			ring := build(t, "./multihost/internal/ringprog")
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := c.Command(ctx, 0, "salloc", "-N3", "-n6", "--overcommit", gorun, ring)
			cmd.Env = s.Env()
			var errBuf netns.SyncBuffer
			cmd.Stderr = &errBuf
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !waitLine(stdout, "round 20") {
				_ = cmd.Wait()
				s.DumpLogs(t)
				t.Fatalf("the job never got going:\n%s", errBuf.String())
			}
			if err := tc.kill(c); err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			err = cmd.Wait()
			took := time.Since(t0)
			t.Logf("salloc gorun ended %v after h3 died: %v\n%s", took.Round(time.Millisecond), err, errBuf.String())
			if ctx.Err() != nil {
				s.DumpLogs(t)
				t.Fatal("salloc gorun hung after h3 died")
			}
			if err == nil {
				t.Fatal("the job succeeded although h3 died")
			}
			if !regexp.MustCompile(tc.want).MatchString(errBuf.String()) {
				t.Errorf("no error matches %q", tc.want)
			}
			if took > time.Minute {
				t.Errorf("took %v to end, want under a minute", took)
			}
		})
	}
}
