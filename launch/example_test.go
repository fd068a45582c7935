package launch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
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
