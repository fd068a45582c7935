//go:build unix

package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// TestStopWatch drives the decision with made-up times: a rank is
// reported once it has been seen stopped for the whole delay, once; a
// short stop, a debugger's 't' and a stop the watcher may have slept
// through are not.
func TestStopWatch(t *testing.T) {
	const after = 500 * time.Millisecond
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	type look struct {
		at     time.Duration
		states string // one letter per rank
		report []int
		next   time.Duration // -1: none pending
	}
	for _, tc := range []struct {
		name  string
		looks []look
	}{
		{"stopped for the delay", []look{
			{0, "SS", nil, -1},
			{ms(10), "ST", nil, ms(510)},
			{ms(200), "ST", nil, ms(510)},
			{ms(510), "ST", []int{1}, -1},
			{ms(700), "ST", nil, -1}, // once
		}},
		{"continued in time", []look{
			{0, "T", nil, ms(500)},
			{ms(300), "S", nil, -1},
			{ms(400), "T", nil, ms(900)},
			{ms(800), "R", nil, -1},
		}},
		{"tracing stop", []look{{0, "t", nil, -1}, {ms(900), "t", nil, -1}}},
		{"gone", []look{{0, "\x00", nil, -1}, {ms(900), "\x00", nil, -1}}},
		{"two ranks, the earlier first", []look{
			{0, "TS", nil, ms(500)},
			{ms(100), "TT", nil, ms(500)},
			{ms(500), "TT", []int{0}, ms(600)},
			{ms(600), "TT", []int{1}, -1},
		}},
		{"the watcher slept (a suspended job)", []look{
			{0, "T", nil, ms(500)},
			{ms(5000), "T", nil, ms(5500)}, // not looked for 5 s: count again
			{ms(5200), "R", nil, -1},
		}},
	} {
		w := newStopWatch(len(tc.looks[0].states), after)
		base := time.Unix(1000, 0)
		for _, l := range tc.looks {
			report, next := w.look(base.Add(l.at), func(i int) byte { return l.states[i] })
			wantNext := time.Time{}
			if l.next >= 0 {
				wantNext = base.Add(l.next)
			}
			if !reflect.DeepEqual(report, l.report) || !next.Equal(wantNext) {
				t.Errorf("%s, at %v: report %v next %v; want %v %v", tc.name, l.at, report, next.Sub(base), l.report, l.next)
			}
		}
	}
}

// lineClock is a writer that notes when each line arrived.
type lineClock struct {
	mu    sync.Mutex
	lines []string
	at    []time.Time
	buf   []byte
}

func (c *lineClock) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	for {
		i := bytes.IndexByte(c.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		c.lines = append(c.lines, string(c.buf[:i]))
		c.at = append(c.at, time.Now())
		c.buf = c.buf[i+1:]
	}
}

func (c *lineClock) snapshot() ([]string, []time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...), append([]time.Time(nil), c.at...)
}

// TestStoppedRankNamedQuickly stops one rank of a job of Go ranks that
// wait for it, and times SIGSTOP -> the moment every other rank's blocked
// Recv has failed naming it (its error line reached the launcher), over
// several trials. Each must be within 1.5 s. The median must be under
// 1 s: a launcher that only polls and waits a second before it believes
// a stop cannot meet that (the old one took 1.0-1.2 s at best).
func TestStoppedRankNamedQuickly(t *testing.T) {
	trials := 5
	const n, limit, medianLimit = 3, 1500 * time.Millisecond, time.Second
	var took []time.Duration
	for trial := range trials {
		victim := trial % n
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, errs := &lineClock{}, &lineClock{}
		job := helperJob(t, n, "commstop", strconv.Itoa(victim))
		job.Stdout, job.Stderr, job.Grace = out, errs, 20*time.Second
		r, err := Start(ctx, job)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { waited <- r.Wait(ctx) }() // as gorun does: Wait from the start
		pid := 0
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			lines, _ := out.snapshot()
			ready := 0
			for _, l := range lines {
				var rk, p int
				if _, err := fmt.Sscanf(l, "ready %d %d", &rk, &p); err == nil {
					ready++
					if rk == victim {
						pid = p
					}
				}
			}
			if ready == n {
				break
			}
		}
		if pid == 0 {
			cancel()
			<-waited
			t.Fatalf("trial %d: the ranks did not all start", trial)
		}
		stoppedAt := time.Now()
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		err = <-waited
		cancel()
		var je *JobError
		if !errors.As(err, &je) || je.Rank != victim || !strings.Contains(je.How, "is stopped") {
			t.Fatalf("trial %d: Wait: %v, want rank %d reported as stopped", trial, err, victim)
		}
		lines, at := errs.snapshot()
		var worst time.Duration
		named := 0
		for i, l := range lines {
			if strings.HasPrefix(l, "rank ") && strings.Contains(l, fmt.Sprintf("rank %d", victim)) {
				named++
				worst = max(worst, at[i].Sub(stoppedAt))
			}
		}
		if named != n-1 {
			t.Fatalf("trial %d: %d of %d peers named rank %d:\n%s", trial, named, n-1, victim, strings.Join(lines, "\n"))
		}
		took = append(took, worst)
	}
	sorted := slices.Clone(took)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	t.Logf("SIGSTOP -> every peer failed naming the stopped rank, %d trials: %v (median %v)", trials, took, median)
	if sorted[len(sorted)-1] > limit {
		t.Errorf("slowest %v, want every trial within %v", sorted[len(sorted)-1], limit)
	}
	if median >= medianLimit {
		t.Errorf("median %v, want under %v", median, medianLimit)
	}
}
