// Package ranktest runs the ranks of a parallel test inside one test
// process: n communicators joined over loopback TCP (comm.NewLocal), one
// goroutine each. Packages above comm (h5file, netcdf) share it, so their
// parallel tests start ranks one way.
package ranktest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// Run runs body on n in-process ranks and returns each rank's error. A
// rank whose body returns keeps its communicator open until every rank is
// done, as a process would; the ranks share a 2-minute deadline, so a
// hung collective fails the test instead of hanging it.
func Run(t testing.TB, n int, body func(ctx context.Context, c *comm.Comm) error) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	comms, err := comm.NewLocal(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range comms {
			c.Close()
		}
	}()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Go(func() { errs[r] = body(ctx, c) })
	}
	wg.Wait()
	return errs
}
