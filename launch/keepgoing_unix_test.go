//go:build unix

package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// commShrink is the rank program of TestKeepGoing: after a barrier, rank
// victim kills itself; the others shrink the world and meet in a barrier
// of the survivors.
func commShrink(rank, victim int, stop bool) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer c.Close()
	// The victim may die while a peer still waits for its last barrier
	// message: that barrier fails with the death, and the peer shrinks too.
	if err := collectives.Barrier(ctx, c); err != nil && !errors.Is(err, comm.ErrRankFailed) {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if rank == victim {
		sig := syscall.SIGKILL
		if stop {
			sig = syscall.SIGSTOP
		}
		_ = syscall.Kill(os.Getpid(), sig)
		time.Sleep(time.Hour)
	}
	nc, err := c.Shrink(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", rank, err)
		return 1
	}
	if err := collectives.Barrier(ctx, nc); err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: barrier of the survivors: %v\n", rank, err)
		return 1
	}
	fmt.Printf("rank %d is rank %d of %d\n", rank, nc.Rank(), nc.Size())
	return 0
}

// TestKeepGoing: with KeepGoing, rank 2 of 4 dies by SIGKILL (or is
// stopped, and then killed alone) and the other three shrink and finish;
// the job still fails, naming rank 2, with its exit status. Without
// KeepGoing the survivors cannot shrink (their world ends at the death)
// and the job ends as before.
func TestKeepGoing(t *testing.T) {
	for _, tc := range []struct {
		keep, stop bool
		code       int
	}{
		{true, false, 128 + int(syscall.SIGKILL)},
		{false, false, 128 + int(syscall.SIGKILL)},
		{true, true, 128 + int(syscall.SIGSTOP)},
	} {
		t.Run(fmt.Sprintf("keep=%v/stop=%v", tc.keep, tc.stop), func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := []string{"2"}
			if tc.stop {
				args = append(args, "stop")
			}
			job := helperJob(t, 4, "commshrink", args...)
			job.KeepGoing = tc.keep
			job.Stdout, job.Stderr = &out, &errOut
			job.Timeout = 3 * time.Minute // a hang is a failure, reported with stacks
			err := Run(context.Background(), job)
			t.Logf("job: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
			var je *JobError
			if !errors.As(err, &je) || je.Rank != 2 || !errors.Is(err, ErrRankFailed) || ExitCode(err) != tc.code {
				t.Fatalf("job: %v (exit %d), want rank 2 failed, exit %d", err, ExitCode(err), tc.code)
			}
			n := strings.Count(out.String(), " of 3\n")
			if tc.keep && n != 3 {
				t.Fatalf("%d survivors finished, want 3", n)
			}
			if !tc.keep && n != 0 {
				t.Fatalf("without KeepGoing %d ranks shrank", n)
			}
		})
	}
}

// commTwoDie is the rank program of TestKeepGoingTellsEveryDeath: ranks 2
// and 3 die before sending anything to anyone, so only the launcher can
// tell the others of them; ranks 0 and 1 agree on who is gone.
func commTwoDie(rank int) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // failure path only
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer c.Close()
	if rank >= 2 {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Hour)
	}
	_, failed, err := c.Agree(ctx, true)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", rank, err)
		return 1
	}
	fmt.Printf("rank %d: failed %v\n", rank, failed)
	return 0
}

// TestKeepGoingTellsEveryDeath: two ranks die without a word to anyone.
// The launcher of a job that keeps going tells the survivors of both, not
// only of the first (which is all a job that ends needs): without the
// second notice rank 0 would wait for rank 3's flag forever.
func TestKeepGoingTellsEveryDeath(t *testing.T) {
	var out, errOut bytes.Buffer
	job := helperJob(t, 4, "commtwodie")
	job.KeepGoing = true
	job.Stdout, job.Stderr = &out, &errOut
	job.Timeout = 3 * time.Minute
	err := Run(context.Background(), job)
	t.Logf("job: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	var je *JobError
	if !errors.As(err, &je) || (je.Rank != 2 && je.Rank != 3) || ExitCode(err) != 128+int(syscall.SIGKILL) {
		t.Fatalf("job: %v (exit %d), want rank 2 or 3 killed by SIGKILL", err, ExitCode(err))
	}
	for r := range 2 {
		if want := fmt.Sprintf("rank %d: failed [2 3]\n", r); !strings.Contains(out.String(), want) {
			t.Fatalf("stdout lacks %q", want)
		}
	}
}
