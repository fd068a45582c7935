package lifeline_test

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/gorun-hpc/gorun/internal/lifeline"
)

// A launcher gives a rank its lifeline before starting it, keeps the write
// end while the rank lives, and closes it once the rank is reaped. The
// rank (comm.Init does this) calls Watch.
func ExampleGive() {
	cmd := exec.Command(os.Args[0]) // the rank's program
	w, closeRead, err := lifeline.Give(cmd)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	closeRead() // the rank has its own copy now
	// ... the job runs; if this process dies, the kernel closes w ...
	_ = cmd.Wait()
	if w != nil { // nil on Windows, where a job object does this
		w.Close()
	}
}

// A rank started by gorun watches its lifeline; outside gorun, Watch does
// nothing.
func ExampleWatch() {
	if err := lifeline.Watch(); err != nil {
		fmt.Println(err)
	}
	// Output:
}
