package launch

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// The test binary doubles as the rank program: with LAUNCH_TEST_HELPER set
// it runs helperMain instead of the tests, so no build is needed.
func TestMain(m *testing.M) {
	if mode := os.Getenv("LAUNCH_TEST_HELPER"); mode == "fakessh" {
		// Stands in for `ssh HOST -- gorun --agent`: the agent, here.
		os.Exit(Agent(os.Stdin, os.Stdout, os.Stderr))
	} else if mode != "" {
		os.Exit(helperMain(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func helperMain(mode string, args []string) int {
	rank, _ := strconv.Atoi(os.Getenv("GORUN_RANK"))
	size, _ := strconv.Atoi(os.Getenv("GORUN_SIZE"))
	arg := func(i int) int {
		if i >= len(args) {
			return -1
		}
		v, _ := strconv.Atoi(args[i])
		return v
	}
	switch mode {
	case "hello":
		fmt.Printf("hello from rank %d of %d\n", rank, size)
		return 0
	case "exit": // exit RANK CODE: that rank exits with CODE, the others wait
		if rank == arg(0) {
			fmt.Fprintf(os.Stderr, "rank %d exiting with %d\n", rank, arg(1))
			return arg(1)
		}
		time.Sleep(time.Hour)
	case "shmleave": // every rank leaves a segment of its job in /dev/shm, says its name, and is SIGKILLed (shmclean_linux_test.go)
		return shmLeave()
	case "kill": // kill RANK: that rank kills itself with SIGKILL
		if rank == arg(0) {
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Kill() // SIGKILL on Unix, TerminateProcess on Windows
			}
		}
		time.Sleep(time.Hour)
	case "commexit": // commexit RANK CODE: after a barrier that rank exits with CODE; rank i waits for rank i+1
		ctx := context.Background()
		c, err := comm.Init(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := collectives.Barrier(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if rank == arg(0) {
			return arg(1)
		}
		_, err = c.Recv(ctx, (rank+1)%size, 0, make([]byte, 1))
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", rank, err)
		return 1
	case "commquit": // commquit RANK: that rank exits 0 right after Init, no Close, having sent nothing; rank i waits for rank i+1
		ctx := context.Background()
		c, err := comm.Init(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if rank == arg(0) {
			return 0
		}
		_, err = c.Recv(ctx, (rank+1)%size, 0, make([]byte, 1))
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", rank, err)
		return 1
	case "commleave": // commleave RANK: after a barrier that rank closes and exits 0; rank i waits for rank i+1
		ctx := context.Background()
		c, err := comm.Init(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := collectives.Barrier(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if rank == arg(0) {
			c.Close()
			return 0
		}
		_, err = c.Recv(ctx, (rank+1)%size, 0, make([]byte, 1))
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", rank, err)
		c.Close()
		return 1
	case "commtwodie": // commtwodie: ranks 2 and 3 SIGKILL themselves right after Init, the others Agree (keepgoing_unix_test.go)
		return commTwoDie(rank)
	case "commshrink": // commshrink RANK [stop]: after a barrier that rank SIGKILLs (SIGSTOPs) itself, the others Shrink (keepgoing_test.go)
		return commShrink(rank, arg(0), len(args) > 1 && args[1] == "stop")
	case "launcher": // launcher: runs a job of 2 "commsleep" ranks, Pdeathsig off (lifeline_test.go)
		return lifelineLauncher()
	case "commstop": // commstop VICTIM: after a barrier print "ready RANK PID"; the others wait for VICTIM, which sleeps
		ctx := context.Background()
		c, err := comm.Init(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := collectives.Barrier(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Printf("ready %d %d\n", rank, os.Getpid())
		if rank == arg(0) {
			time.Sleep(time.Hour)
		}
		_, err = c.Recv(ctx, arg(0), 0, make([]byte, 1))
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", rank, err)
		return 1
	case "commsleep": // after Init and a barrier, print "ready PID" and sleep
		return commSleep()
	case "sleep":
		time.Sleep(time.Hour)
	case "stdin":
		n, err := io.Copy(os.Stdout, os.Stdin)
		fmt.Fprintf(os.Stderr, "rank %d read %d bytes, err %v\n", rank, n, err)
		return 0
	case "env":
		for _, name := range args {
			fmt.Printf("%d %s=%s\n", rank, name, os.Getenv(name))
		}
		return 0
	}
	return 99
}

// helperJob is a job whose ranks run helperMain(mode, args).
func helperJob(t *testing.T, n int, mode string, args ...string) Job {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Job{
		Size:  n,
		Path:  exe,
		Args:  args,
		Env:   append(os.Environ(), "LAUNCH_TEST_HELPER="+mode),
		Grace: 500 * time.Millisecond,
	}
}
