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

// RecordLocalStats gives in-process ranks the recorders gorun --iostats
// gives a job's processes: tests and benchmarks of the layers above
// measure what the report costs them, and read each rank's figures.
func ExampleRecordLocalStats() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 2)
	if err != nil {
		panic(err)
	}
	comm.RecordLocalStats(cs)
	for _, c := range cs {
		fmt.Println(c.Rank(), c.Stats() != nil, c.Stats().Rank())
	}
	for _, c := range cs {
		c.Close()
	}
	// Output:
	// 0 true 0
	// 1 true 1
}
