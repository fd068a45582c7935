package launch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/gorun-hpc/gorun/launch"
)

// Resolve turns a program argument into an executable: a name found in
// $PATH or an existing file runs as it is; a directory or a .go file is
// a Go package, built first (see ExampleStart).
func ExampleResolve() {
	ctx := context.Background()
	p, err := launch.Resolve(ctx, "sh", os.Stderr)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(p.Path), filepath.IsAbs(p.Path), p.Built)
	_, err = launch.Resolve(ctx, "./no/such/program", os.Stderr)
	fmt.Println(err != nil)
	// Output:
	// sh true false
	// true
}

// Cleanup removes an executable built into a temporary directory; for a
// program that was not built it does nothing, so callers always defer
// it.
func ExampleProgram_Cleanup() {
	dir, err := os.MkdirTemp("", "launch-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "step.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"step on rank $GORUN_RANK\"\n"), 0o755)

	ctx := context.Background()
	p, err := launch.Resolve(ctx, script, os.Stderr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Cleanup()
	if err := launch.Run(ctx, launch.Job{Size: 1, Path: p.Path}); err != nil {
		fmt.Println(err)
	}
	fmt.Println(p.Cleanup())
	_, err = os.Stat(script)
	fmt.Println(err == nil)
	// Output:
	// step on rank 0
	// <nil>
	// true
}

// Wait runs a started job to its end: nil when every rank exited 0, a
// *JobError naming the first failure otherwise.
func ExampleRunning_Wait() {
	ctx := context.Background()
	for _, script := range []string{`exit 0`, `exit $((GORUN_RANK + 4))`} {
		r, err := launch.Start(ctx, launch.Job{Size: 1, Path: "/bin/sh", Args: []string{"-c", script}})
		if err != nil {
			fmt.Println(err)
			return
		}
		err = r.Wait(ctx)
		fmt.Println(err, launch.ExitCode(err))
	}
	// Output:
	// <nil> 0
	// rank 0 exited with code 4 4
}

// ForwardSignals passes the signals this process gets (Ctrl-C, a batch
// system's SIGTERM) on to every rank until stop is called: here the
// process signals itself.
func ExampleRunning_ForwardSignals() {
	ctx := context.Background()
	r, err := launch.Start(ctx, launch.Job{Size: 2, Path: "/bin/sleep", Args: []string{"60"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	stop := r.ForwardSignals()
	defer stop()
	syscall.Kill(os.Getpid(), syscall.SIGTERM) // as a batch system would
	err = r.Wait(ctx)
	fmt.Println(errors.Is(err, launch.ErrInterrupted), launch.ExitCode(err))
	// Output: true 143
}

// JobError's Unwrap gives its kind, so errors.Is tells a failed rank
// from a timeout or an interrupt.
func ExampleJobError_Unwrap() {
	for _, err := range []error{
		&launch.JobError{Kind: launch.ErrRankFailed, Rank: 2, Code: 3, How: "exited with code 3"},
		fmt.Errorf("gorun: %w", &launch.JobError{Kind: launch.ErrTimeout, Rank: -1, Code: launch.TimeoutExitCode, How: "timed out"}),
	} {
		fmt.Println(errors.Is(err, launch.ErrRankFailed), errors.Is(err, launch.ErrTimeout))
	}
	// Output:
	// true false
	// false true
}

// Error says which rank ended the job and how.
func ExampleJobError_Error() {
	job := launch.Job{Size: 2, Path: "/bin/sh", Args: []string{"-c", `[ "$GORUN_RANK" = 1 ] && kill -9 $$; exit 0`}}
	err := launch.Run(context.Background(), job)
	fmt.Println(err)
	// Output: rank 1 killed by signal 9 (SIGKILL)
}

// ParseHosts reads -H's host list: name:slots, or one slot per name;
// a host named twice adds its slots up.
func ExampleParseHosts() {
	for _, s := range []string{"node1:4,node2:4", "a,b,a", "node1:0"} {
		hosts, err := launch.ParseHosts(s)
		fmt.Println(hosts, err != nil)
	}
	// Output:
	// [{node1 4} {node2 4}] false
	// [{a 2} {b 1}] false
	// [] true
}

// ParseMapBy reads --map-by; MapBy prints as gorun spells it.
func ExampleParseMapBy() {
	for _, s := range []string{"slot", "node", "core", "socket"} {
		m, err := launch.ParseMapBy(s)
		fmt.Println(s, m, err != nil)
	}
	// Output:
	// slot slot false
	// node node false
	// core slot false
	// socket slot true
}

// MapBy's String is the --map-by value that selects it.
func ExampleMapBy_String() {
	fmt.Println(launch.MapBySlot, launch.MapByNode)
	// Output: slot node
}

// Slots is how many ranks a host list takes under a mapping; PerNode
// overrides each host's slots, as Open MPI's --npernode.
func ExampleMapping_Slots() {
	hosts := []launch.Host{{Name: "n1", Slots: 4}, {Name: "n2", Slots: 2}}
	fmt.Println(launch.Mapping{}.Slots(hosts))
	fmt.Println(launch.Mapping{By: launch.MapByNode}.Slots(hosts))
	fmt.Println(launch.Mapping{PerNode: 1}.Slots(hosts))
	// Output:
	// 6
	// 6
	// 2
}

// ParseBindTo reads --bind-to; BindTo prints as gorun spells it.
func ExampleParseBindTo() {
	for _, s := range []string{"none", "core", "hwthread", "socket"} {
		b, err := launch.ParseBindTo(s)
		fmt.Println(s, b, err != nil)
	}
	// Output:
	// none none false
	// core core false
	// hwthread hwthread false
	// socket none true
}

// BindTo's String is the --bind-to value that selects it.
func ExampleBindTo_String() {
	fmt.Println(launch.BindNone, launch.BindCore, launch.BindHWThread)
	// Output: none core hwthread
}

// ParseOutputFilename reads --output-filename: a directory, made
// absolute, and ":nocopy" to keep the output off the terminal.
func ExampleParseOutputFilename() {
	a, _ := launch.ParseOutputFilename("/scratch/run7")
	b, _ := launch.ParseOutputFilename("/scratch/run8:nocopy")
	c, _ := launch.ParseOutputFilename("logs")
	wd, _ := os.Getwd()
	fmt.Println(a.Dir, a.NoCopy)
	fmt.Println(b.Dir, b.NoCopy)
	fmt.Println(c.Dir == filepath.Join(wd, "logs"))
	// Output:
	// /scratch/run7 false
	// /scratch/run8 true
	// true
}

// ParseRemoteVia reads --launcher (Open MPI's rsh and Slurm's name are
// accepted too); RemoteVia prints as gorun spells it.
func ExampleParseRemoteVia() {
	for _, s := range []string{"ssh", "srun", "rsh", "slurm", "pbs"} {
		v, err := launch.ParseRemoteVia(s)
		fmt.Println(s, v, err != nil)
	}
	// Output:
	// ssh ssh false
	// srun srun false
	// rsh ssh false
	// slurm srun false
	// pbs ssh true
}

// RemoteVia's String is the --launcher value that selects it.
func ExampleRemoteVia_String() {
	fmt.Println(launch.RemoteSSH, launch.RemoteSrun)
	// Output: ssh srun
}
