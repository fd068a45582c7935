package slurmtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/interop"
	"github.com/gorun-hpc/gorun/internal/netns"
)

// The tests of this file run a real three-node Slurm: slurmctld and one
// slurmd per network-namespace host (internal/netns), so tasks of one
// step run on different "hosts" with their own addresses and host names,
// and a host can die under a running job.

// multiNode builds the 3-node cluster and its Slurm, or skips (fails under
// CI=true) where that cannot work.
func multiNode(t *testing.T) (*netns.Cluster, *netns.Slurm) {
	t.Helper()
	if why := netns.SlurmAvailable(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("a multi-node Slurm is needed under CI (root, ip, sshd, slurm and munge; .ci/run installs them): %s", why)
		}
		t.Skip("multi-node Slurm: " + why)
	}
	c := netns.New(t, 3)
	return c, c.StartSlurm(t)
}

// slurmRun runs a Slurm client command against s with a deadline: a hang
// is a failure with the daemons' logs, never a stuck test.
func slurmRun(t *testing.T, s *netns.Slurm, limit time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	out, err := s.Command(ctx, name, args...).CombinedOutput()
	if ctx.Err() != nil {
		s.DumpLogs(t)
		t.Fatalf("%s %v did not finish in %v:\n%s", name, args, limit, out)
	}
	return string(out), err
}

// TestMultiNodeSrun: srun starts 6 tasks over 3 nodes, 2 per node, with no
// gorun; they find each other across hosts, pass a token around, and
// write one HDF5 file that h5py reads whole.
func TestMultiNodeSrun(t *testing.T) {
	_, s := multiNode(t)
	ring := build(t, "./multihost/internal/ringprog")
	prog := build(t, "./examples/parallel_test")
	out, err := slurmRun(t, s, 2*time.Minute, "srun", "-N3", "-n6", "--overcommit", ring, "-rounds", "30")
	if err != nil {
		s.DumpLogs(t)
		t.Fatalf("srun -N3 -n6 ringprog: %v\n%s", err, out)
	}
	// Slurm's default block distribution: tasks 0,1 on h1, 2,3 on h2, 4,5
	// on h3; ringprog prints its host name (each host has its own).
	for r, host := range []string{"h1", "h1", "h2", "h2", "h3", "h3"} {
		if !hasLine(out, fmt.Sprintf("rank %d of 6 on ", r), fmt.Sprintf("(%s) done", host)) {
			t.Errorf("no line says rank %d of 6 ran on %s:\n%s", r, host, out)
		}
	}
	file := filepath.Join(t.TempDir(), "parallel_test.hdf5")
	if out, err := slurmRun(t, s, 2*time.Minute, "srun", "-N3", "-n6", "--overcommit", prog, file); err != nil {
		t.Fatalf("srun -N3 -n6 parallel_test: %v\n%s", err, out)
	}
	got := interop.H5Py(t, fmt.Sprintf("print(list(h5py.File(%q, 'r')['test'][...]))", file))
	if want := "[0, 1, 2, 3, 4, 5]\n"; got != want {
		t.Errorf("h5py reads %q, want %q", got, want)
	}
}

// TestMultiNodeSbatch: a batch script over 3 nodes runs two steps with
// srun; sbatch --wait returns the script's status.
func TestMultiNodeSbatch(t *testing.T) {
	_, s := multiNode(t)
	ring := build(t, "./multihost/internal/ringprog")
	prog := build(t, "./examples/parallel_test")
	dir := t.TempDir()
	file := filepath.Join(dir, "parallel_test.hdf5")
	script := filepath.Join(dir, "job.sh")
	text := fmt.Sprintf("#!/bin/sh\n#SBATCH -N 3\n#SBATCH -n 6\n#SBATCH --overcommit\nset -e\nhostname\nsrun %s -rounds 30\nsrun %s %s\necho job done\n", ring, prog, file)
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "job.out")
	out, err := slurmRun(t, s, 3*time.Minute, "sbatch", "--wait", "-o", outFile, "-D", dir, script)
	jobOut, _ := os.ReadFile(outFile)
	if err != nil {
		s.DumpLogs(t)
		t.Fatalf("sbatch --wait: %v\n%s\njob output:\n%s", err, out, jobOut)
	}
	for _, want := range []string{"h1\n", "rank 5 of 6 on ", "(h3) done", "job done"} {
		if !bytes.Contains(jobOut, []byte(want)) {
			t.Errorf("job output lacks %q:\n%s", want, jobOut)
		}
	}
	got := interop.H5Py(t, fmt.Sprintf("print(list(h5py.File(%q, 'r')['test'][...]))", file))
	if want := "[0, 1, 2, 3, 4, 5]\n"; got != want {
		t.Errorf("h5py reads %q, want %q", got, want)
	}
}

// TestMultiNodeRanksKilled: both tasks on h3 are killed under a running
// 6-task srun step; the survivors end with errors naming a lost rank of
// h3's, and srun ends.
func TestMultiNodeRanksKilled(t *testing.T) {
	c, s := multiNode(t)
	ring := build(t, "./multihost/internal/ringprog")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := s.Command(ctx, "srun", "-N3", "-n6", "--overcommit", ring)
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
		t.Fatalf("the step never got going:\n%s", errBuf.String())
	}
	if n := c.KillProcs(2, "ringprog"); n != 2 {
		t.Errorf("killed %d ringprog processes on h3, want 2", n)
	}
	t0 := time.Now()
	err = cmd.Wait()
	took := time.Since(t0)
	t.Logf("srun ended %v after h3's ranks died: %v\n%s", took.Round(time.Millisecond), err, errBuf.String())
	if ctx.Err() != nil {
		s.DumpLogs(t)
		t.Fatal("srun hung after h3's ranks died")
	}
	if err == nil {
		t.Fatal("srun succeeded although two ranks were killed")
	}
	out := errBuf.String()
	if !regexp.MustCompile(`ringprog: rank [0-3] .*rank [45] failed`).MatchString(out) {
		t.Errorf("no survivor's error names rank 4 or 5:\n%s", out)
	}
	if took > time.Minute {
		t.Errorf("took %v to end the step, want under a minute", took)
	}
}

// TestMultiNodeNodeDies: node h3 dies under a running batch job of 6 tasks
// (every process on it killed, as a crash, or its link cut with its
// processes left running, as a pulled cable or a hung kernel); the job
// ends (Slurm declares h3 down), and before that the surviving tasks'
// errors name the lost ranks 4 and 5, instead of hanging in a receive.
// srun is run from a batch script: an srun that made its own allocation
// waits forever for a dead node's tasks (Slurm 22.05 only logs "Node
// failure"), but a job step is ended with its job.
func TestMultiNodeNodeDies(t *testing.T) {
	cases := []struct {
		name string
		kill func(c *netns.Cluster) error
		// want matches some survivor's error.
		want string
	}{
		{"crash", func(c *netns.Cluster) error { c.KillHost(2); return nil }, `ringprog: rank [0-3] .*rank [45] failed`},
		{"link down", func(c *netns.Cluster) error { return c.LinkDown(2) }, `ringprog: rank [0-3] .*host h3 .*ranks 4,5 on it are lost`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := multiNode(t)
			ring := build(t, "./multihost/internal/ringprog")
			dir := t.TempDir()
			script := filepath.Join(dir, "job.sh")
			if err := os.WriteFile(script, []byte("#!/bin/sh\nsrun "+ring+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			outFile := filepath.Join(dir, "job.out")
			out, err := slurmRun(t, s, time.Minute, "sbatch", "--parsable", "-N3", "-n6", "--overcommit", "-o", outFile, "-D", dir, script)
			if err != nil {
				t.Fatalf("sbatch: %v\n%s", err, out)
			}
			id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
			if !waitFile(outFile, "round 20", 2*time.Minute) {
				jobOut, _ := os.ReadFile(outFile)
				s.DumpLogs(t)
				t.Fatalf("job %s never got going (state %s); its output:\n%s", id, s.JobState(id), jobOut)
			}
			if err := tc.kill(c); err != nil {
				t.Fatal(err)
			}
			// The job has ended when no task survives on h1 and h2 and
			// Slurm has ended it (sbatch --wait may miss the end of a job
			// that lost a node: it polls, and waits on).
			t0 := time.Now()
			state := ""
			for time.Since(t0) < 2*time.Minute {
				state = s.JobState(id)
				if len(c.Procs(0, "ringprog"))+len(c.Procs(1, "ringprog")) == 0 && state != "RUNNING" && state != "PENDING" {
					break
				}
				time.Sleep(200 * time.Millisecond) // polling daemons and /proc: no event to wait on
			}
			took := time.Since(t0)
			jobOut, _ := os.ReadFile(outFile)
			t.Logf("job %s is %s %v after h3 died; its output:\n%s", id, state, took.Round(time.Millisecond), jobOut)
			if left := len(c.Procs(0, "ringprog")) + len(c.Procs(1, "ringprog")); left > 0 {
				s.DumpLogs(t)
				t.Fatalf("%d tasks on h1 and h2 still run 2 minutes after h3 died", left)
			}
			if state == "RUNNING" || state == "PENDING" || state == "COMPLETED" {
				t.Errorf("job state %q after h3 died, want it ended and failed", state)
			}
			if !regexp.MustCompile(tc.want).Match(jobOut) {
				t.Errorf("no survivor's error matches %q", tc.want)
			}
			if took > 90*time.Second {
				t.Errorf("took %v to end the job, want under 90 s", took)
			}
		})
	}
}

// waitFile polls path (written by a daemon on another host: there is no
// event to wait on) until it holds a line starting with prefix, at most
// limit.
func waitFile(path, prefix string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, prefix) {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// hasLine reports whether some line of out starts with prefix and ends
// with suffix.
func hasLine(out, prefix, suffix string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) && strings.HasSuffix(line, suffix) {
			return true
		}
	}
	return false
}

// waitLine reads r until a line starting with prefix (true) or EOF; after
// a match the rest of r is drained in the background so the writer never
// blocks.
func waitLine(r io.Reader, prefix string) bool {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			go io.Copy(io.Discard, r)
			return true
		}
	}
	return false
}
