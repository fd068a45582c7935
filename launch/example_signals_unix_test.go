//go:build unix

package launch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/gorun-hpc/gorun/launch"
)

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
