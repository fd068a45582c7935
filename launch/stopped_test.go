//go:build unix

package launch

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoppedRankEndsJob stops one rank of a job of plain processes: Wait
// ends the job, names the rank and says it is stopped.
func TestStoppedRankEndsJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := Start(ctx, Job{Size: 3, Path: "/bin/sleep", Args: []string{"60"}, Grace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(r.ranks[2].cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = r.Wait(ctx)
	var je *JobError
	if !errors.As(err, &je) || je.Rank != 2 || !errors.Is(err, ErrRankFailed) || !strings.Contains(je.How, "is stopped") {
		t.Fatalf("Wait: %v, want rank 2 reported as stopped", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the job ended only by the test's deadline")
	}
	t.Logf("%v after %v (exit code %d)", err, time.Since(start), ExitCode(err))
}

// TestOnlyStoppedLeftKilledAtOnce: once every rank but a stopped one has
// exited, nothing is left to print an error, so the stopped rank is
// killed at once instead of at the end of the grace period (an hour
// here: the job would outlive the test's deadline).
func TestOnlyStoppedLeftKilledAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Rank 0 exits 0 at once, rank 1 sleeps until it is stopped.
	r, err := Start(ctx, Job{Size: 2, Path: "/bin/sh", Args: []string{"-c", `[ "$GORUN_RANK" = 0 ] || exec sleep 60`}, Grace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(r.ranks[1].cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	err = r.Wait(ctx)
	var je *JobError
	if !errors.As(err, &je) || je.Rank != 1 || !strings.Contains(je.How, "is stopped") {
		t.Fatalf("Wait: %v, want rank 1 reported as stopped", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the stopped rank was left to the grace period")
	}
}
