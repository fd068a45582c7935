package comm_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
)

// Stats is the process's I/O statistics recorder when the job asked for
// them (gorun --iostats, or GORUN_IOSTATS=FILE under srun or alone); nil
// otherwise, and then nothing records anything.
func ExampleComm_Stats() {
	c, err := comm.Init(context.Background()) // no GORUN_IOSTATS here
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Println(c.Stats() == nil)
	// Output: true
}
