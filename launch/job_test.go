package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	sort.Strings(lines)
	return lines
}

func TestRunHello(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8, 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var out bytes.Buffer
			job := helperJob(t, n, "hello")
			job.Stdout = &out
			if err := Run(context.Background(), job); err != nil {
				t.Fatalf("Run: %v", err)
			}
			var want []string
			for r := range n {
				want = append(want, fmt.Sprintf("hello from rank %d of %d", r, n))
			}
			sort.Strings(want)
			if got := sortedLines(out.String()); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("output %q, want %q", got, want)
			}
		})
	}
}

func TestRunTagOutput(t *testing.T) {
	var out bytes.Buffer
	job := helperJob(t, 3, "hello")
	job.Stdout = &out
	job.TagOutput = true
	if err := Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	for r := range 3 {
		line := fmt.Sprintf("[%d] hello from rank %d of 3\n", r, r)
		if !strings.Contains(out.String(), line) {
			t.Errorf("output %q lacks %q", out.String(), line)
		}
	}
}

func TestRunFailures(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		args     []string
		wantKind error
		wantRank int
		wantCode int
		wantHow  string
	}{
		{"exit code", "exit", []string{"2", "3"}, ErrRankFailed, 2, 3, "exited with code 3"},
		{"sigkill", "kill", []string{"1"}, ErrRankFailed, 1, 137, "killed by signal 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			job := helperJob(t, 4, tt.mode, tt.args...)
			job.Stderr = &stderr
			start := time.Now()
			err := Run(context.Background(), job)
			var je *JobError
			if !errors.As(err, &je) {
				t.Fatalf("Run = %v, want a *JobError", err)
			}
			if !errors.Is(err, tt.wantKind) || je.Rank != tt.wantRank || je.Code != tt.wantCode ||
				!strings.Contains(je.How, tt.wantHow) || ExitCode(err) != tt.wantCode {
				t.Errorf("Run = %#v (%v), want kind %v rank %d code %d how %q", je, err, tt.wantKind, tt.wantRank, tt.wantCode, tt.wantHow)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("job took %v to end after a failure", d)
			}
		})
	}
}

// TestFirstCauseFromReports: rank 2 exits 3 while every other rank waits
// for its right neighbour, so ranks 1, 0 and 3 fail because of it (some
// through another follower) and exit 1, often before rank 2 is reaped.
// Gorun must name rank 2 and exit 3 every time: the followers' own reports
// (comm's "cause" control message) say who failed first.
func TestFirstCauseFromReports(t *testing.T) {
	trials := 30
	if testing.Short() {
		trials = 5
	}
	for i := range trials {
		job := helperJob(t, 4, "commexit", "2", "3")
		var stderr bytes.Buffer
		job.Stderr = &stderr
		err := Run(context.Background(), job)
		var je *JobError
		if !errors.As(err, &je) || je.Rank != 2 || je.Code != 3 || ExitCode(err) != 3 {
			t.Fatalf("trial %d: Run = %v, want rank 2 exited with code 3\n%s", i, err, stderr.String())
		}
	}
}

// TestFirstCauseLeftEarly: rank 2 closes its communicator and exits 0
// while rank 1 waits for it; ranks 1, 0 and 3 fail (rank 1 because of rank
// 2, the others through a follower's goodbye). Gorun reports a follower's
// exit code 1, as mpiexec would, and names rank 2 as the reason.
func TestFirstCauseLeftEarly(t *testing.T) {
	trials := 10
	if testing.Short() {
		trials = 3
	}
	for i := range trials {
		job := helperJob(t, 4, "commleave", "2")
		job.Timeout = 2 * time.Minute // a hang fails the trial, with stacks
		// Under -race a process that exits 0 sleeps 1 s first
		// (GORACE atexit_sleep_ms), longer than the helpers' grace.
		job.Env = append(job.Env, "GORACE=atexit_sleep_ms=0")
		var stderr bytes.Buffer
		job.Stderr = &stderr
		err := Run(context.Background(), job)
		var je *JobError
		if !errors.As(err, &je) || je.Rank == 2 || je.Code != 1 || !strings.Contains(je.How, "rank 2 ended early") {
			t.Fatalf("trial %d: Run = %v, want a follower's exit 1 naming rank 2\n%s", i, err, stderr.String())
		}
	}
}

// TestExitWithoutClose: rank 2 exits 0 without closing its communicator
// while rank 1 waits for a message from it (no rank has a stream from it
// whose end would tell):
// gorun must tell the others, not leave rank 1 waiting forever, and the
// job fails naming rank 2 (exit status 1, as mpiexec's for an exit without
// MPI_Finalize).
func TestExitWithoutClose(t *testing.T) {
	for i := range 3 {
		job := helperJob(t, 4, "commquit", "2")
		job.Timeout = time.Minute // a hang fails the trial, with stacks
		job.Env = append(job.Env, "GORACE=atexit_sleep_ms=0")
		var stderr bytes.Buffer
		job.Stderr = &stderr
		err := Run(context.Background(), job)
		var je *JobError
		if !errors.As(err, &je) || je.Rank != 2 || je.Code != 1 || !strings.Contains(je.How, "exited 0 without closing its communicator") {
			t.Fatalf("trial %d: Run = %v, want exit status 1 naming rank 2's exit without Close\n%s", i, err, stderr.String())
		}
	}
}

func TestRunTimeoutDumpsStacks(t *testing.T) {
	var stderr bytes.Buffer
	job := helperJob(t, 3, "sleep")
	job.Stderr = &stderr
	job.TagOutput = true
	job.Timeout = 5 * time.Second    // every rank must have started its Go runtime, also on a loaded machine
	job.StackWait = 10 * time.Second // ends early: the ranks exit after dumping
	err := Run(context.Background(), job)
	if !errors.Is(err, ErrTimeout) || ExitCode(err) != TimeoutExitCode {
		t.Fatalf("Run = %v, want ErrTimeout with code %d", err, TimeoutExitCode)
	}
	for r := range 3 {
		// SIGQUIT prints at crash level: "goroutine 1 gp=0x... m=nil [sleep]:".
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] goroutine 1 (gp=\S+ m=\S+ )?\[`, r))
		if !re.MatchString(stderr.String()) {
			t.Errorf("stderr lacks rank %d's goroutine 1 stack:\n%s", r, trim(stderr.String()))
		}
	}
}

func TestRunStdinToRankZero(t *testing.T) {
	var out, stderr bytes.Buffer
	job := helperJob(t, 3, "stdin")
	job.Stdin = strings.NewReader("to rank zero\n")
	job.Stdout, job.Stderr = &out, &stderr
	job.TagOutput = true
	if err := Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if out.String() != "[0] to rank zero\n" {
		t.Errorf("stdout %q, want only rank 0 echoing its stdin", out.String())
	}
	for r := 1; r < 3; r++ {
		if want := fmt.Sprintf("[%d] rank %d read 0 bytes", r, r); !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
}

func TestRunExtraEnv(t *testing.T) {
	var out bytes.Buffer
	job := helperJob(t, 2, "env", "FOO", "GORUN_SIZE", "GORUN_BIND")
	job.Stdout = &out
	job.Extra = []string{"FOO=bar baz"}
	job.Env = append(job.Env, "FOO=base", "GORUN_SIZE=77")
	if err := Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	for r := range 2 {
		for _, want := range []string{"FOO=bar baz", "GORUN_SIZE=2", "GORUN_BIND="} {
			if line := fmt.Sprintf("%d %s\n", r, want); !strings.Contains(out.String(), line) {
				t.Errorf("output %q lacks %q", out.String(), line)
			}
		}
	}
}

func TestSignalForwarded(t *testing.T) {
	job := helperJob(t, 4, "sleep")
	running, err := Start(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	running.Signal(syscall.SIGTERM)
	err = running.Wait(context.Background())
	if !errors.Is(err, ErrInterrupted) || ExitCode(err) != 128+15 {
		t.Fatalf("Wait = %v, want ErrInterrupted with code 143", err)
	}
}

func TestContextCancelKills(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	running, err := Start(ctx, helperJob(t, 2, "sleep"))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := running.Wait(ctx); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Wait = %v, want ErrInterrupted", err)
	}
}

func TestStartErrors(t *testing.T) {
	for _, job := range []Job{{Size: 0, Path: "/bin/true"}, {Size: 1}, {Size: 2, Path: "/nonexistent/prog"}} {
		if _, err := Start(context.Background(), job); err == nil {
			t.Errorf("Start(%+v) succeeded", job)
		}
	}
}

// TestStrayChildKilled: a rank that leaves a child behind holding its
// stdout does not keep the job (or the child) alive.
func TestStrayChildKilled(t *testing.T) {
	var out bytes.Buffer
	job := Job{Size: 2, Path: "/bin/sh", Args: []string{"-c", "sleep 600 & echo started $!"}, Stdout: &out}
	start := time.Now()
	if err := Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("job took %v", d)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var pid int
		if _, err := fmt.Sscanf(line, "started %d", &pid); err != nil {
			t.Fatalf("output %q", out.String())
		}
		// SIGKILL is delivered asynchronously: poll, with a deadline that
		// only a real leak reaches.
		deadline := time.Now().Add(10 * time.Second)
		for processAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if processAlive(pid) {
			t.Errorf("stray child %d still alive", pid)
		}
	}
}
