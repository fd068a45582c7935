package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// A program that forgets WithComm: every rank creates the same file on
// its own and writes its own values. Without file locking the ranks
// overwrote each other in turn and every reader saw a mix, with no
// error. Now one rank creates the file and every other is told to pass
// h5file.WithComm, whether it came while the first held the file or
// after it closed it.

const forgotN = 100_000

func init() {
	Register(Scenario{Name: "forgot_comm", Run: forgotComm, Verify: `
x = f['x'][()]
w = int(x[0]) // 1000000
assert x.shape == (100000,) and (x == w * 1000000 + np.arange(100000)).all(), 'values of more than one rank'
`})
}

func forgotComm(ctx context.Context, c *comm.Comm, path string) error {
	var outcome string
	if err := writeAlone(path, c.Rank()); err != nil {
		outcome = err.Error()
	}
	all, err := collectives.AllgatherValue(ctx, c, outcome)
	if err != nil {
		return err
	}
	created := 0
	for r, msg := range all {
		switch {
		case msg == "":
			created++
		case !strings.Contains(msg, "h5file.WithComm(c)"):
			return fmt.Errorf("rank %d failed without saying to pass WithComm: %s", r, msg)
		}
	}
	if created != 1 {
		return fmt.Errorf("%d of %d ranks created the file on their own; want one, the others told to pass WithComm", created, c.Size())
	}
	return nil
}

// writeAlone is the serial program each rank runs.
func writeAlone(path string, rank int) error {
	f, err := h5file.Create(path, "w")
	if err != nil {
		return err
	}
	v := make([]int64, forgotN)
	for i := range v {
		v[i] = int64(rank)*1_000_000 + int64(i)
	}
	if _, err := f.CreateDatasetFrom("x", v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
