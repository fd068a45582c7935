package launch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gorun-hpc/gorun/launch"
)

// Run a command as a job (of one rank here, so the output is ordered),
// each line tagged with its rank.
// Every rank finds GORUN_RANK, GORUN_SIZE and the rest in its environment;
// a Go program reads them with comm.Init.
func ExampleRun() {
	job := launch.Job{
		Size:      1,
		Path:      "/bin/sh",
		Args:      []string{"-c", `echo "rank $GORUN_RANK of $GORUN_SIZE"`},
		TagOutput: true,
	}
	if err := launch.Run(context.Background(), job); err != nil {
		fmt.Println(err)
	}
	// Output: [0] rank 0 of 1
}

// A failed rank ends the job; the error says which rank and how, and
// ExitCode gives the status a launcher should exit with.
func ExampleJobError() {
	job := launch.Job{
		Size:   3,
		Path:   "/bin/sh",
		Args:   []string{"-c", `[ "$GORUN_RANK" = 2 ] && exit 3; sleep 60`},
		Stderr: os.Stdout,
		Grace:  100 * time.Millisecond, // the sleeping ranks need no time to report
	}
	err := launch.Run(context.Background(), job)
	var je *launch.JobError
	if errors.As(err, &je) && errors.Is(err, launch.ErrRankFailed) {
		fmt.Printf("%v; exit status %d\n", err, launch.ExitCode(err))
	}
	// Output: rank 2 exited with code 3; exit status 3
}

// Resolve builds a Go package once (the way gorun -n 4 ./examples/hello
// does) and Start/Wait run it; ForwardSignals passes Ctrl-C on to the ranks.
func ExampleStart() {
	ctx := context.Background()
	prog, err := launch.Resolve(ctx, "./examples/hello", os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer prog.Cleanup()
	running, err := launch.Start(ctx, launch.Job{Size: 4, Path: prog.Path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	stop := running.ForwardSignals()
	defer stop()
	if err := running.Wait(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gorun:", err)
		os.Exit(launch.ExitCode(err))
	}
}

// ExitCode is the status a launcher exits with: 0 on success, the failed
// rank's code (or 128+signal, or 124 on timeout), 1 for other errors.
func ExampleExitCode() {
	fmt.Println(launch.ExitCode(nil))
	fmt.Println(launch.ExitCode(&launch.JobError{Kind: launch.ErrRankFailed, Rank: 1, Code: 3, How: "exited with code 3"}))
	fmt.Println(launch.ExitCode(fmt.Errorf("gorun: %w", &launch.JobError{Kind: launch.ErrTimeout, Rank: -1, Code: launch.TimeoutExitCode})))
	fmt.Println(launch.ExitCode(errors.New("go build failed")))
	// Output:
	// 0
	// 3
	// 124
	// 1
}

// TotalSlots is how many ranks a host list takes: gorun -H h1:4,h2:4
// runs up to 8.
func ExampleTotalSlots() {
	hosts, err := launch.ParseHosts("node1:4,node2:2,node1:2")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hosts, launch.TotalSlots(hosts))
	// Output: [{node1 6} {node2 2}] 8
}

// ReadHostfile reads an Open MPI hostfile (gorun --hostfile).
func ExampleReadHostfile() {
	dir, err := os.MkdirTemp("", "launch-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hosts")
	os.WriteFile(path, []byte("# three nodes\nnode1 slots=4\nnode2 slots=2 max_slots=8\n\nnode3\n"), 0o644)
	hosts, err := launch.ReadHostfile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hosts, launch.TotalSlots(hosts))
	// Output: [{node1 4} {node2 2} {node3 1}] 7
}

// Signal ends a running job: the ranks get the signal, and the job's
// error and exit code say so.
func ExampleRunning_Signal() {
	ctx := context.Background()
	r, err := launch.Start(ctx, launch.Job{Size: 2, Path: "/bin/sleep", Args: []string{"60"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	r.Signal(syscall.SIGTERM)
	err = r.Wait(ctx)
	fmt.Println(errors.Is(err, launch.ErrInterrupted), launch.ExitCode(err))
	fmt.Println(err)
	// Output:
	// true 143
	// interrupted by SIGTERM, forwarded to every rank
}

// Agent is the remote half of gorun -H: the gorun binary runs it when
// started over ssh as `gorun --agent`, and exits with the rank's status.
// (Starting it by hand does nothing useful: it reads the rank's
// description from the launcher on stdin.)
func ExampleAgent() {
	if len(os.Args) == 2 && os.Args[1] == "--agent" {
		os.Exit(launch.Agent(os.Stdin, os.Stdout, os.Stderr))
	}
}
