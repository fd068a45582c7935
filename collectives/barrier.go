package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// Barrier returns once every member of c has called it. It uses the
// dissemination algorithm: ceil(log2 p) rounds in which rank r signals
// r+2^k and waits for r-2^k, for any p (MPICH's choice too). In a job
// over several hosts the ranks of a host meet at its leader first
// (nodes.go).
func Barrier(ctx context.Context, c *comm.Comm) error {
	cl, err := begin(ctx, c, desc{op: opBarrier, root: -1, count: -1}, 0)
	if err != nil {
		return err
	}
	return cl.end(cl.barrier())
}

func (cl *call) barrier() error {
	if s, err := cl.seg(); err != nil || s != nil {
		if err != nil {
			return err
		}
		return s.barrier(cl)
	}
	if n := cl.nodesFor(-1); n != nil {
		return cl.barrierNodes(n)
	}
	p, r := cl.size, cl.rank
	for k := 1; k < p; k <<= 1 {
		if err := cl.sendrecv((r+k)%p, nil, (r-k+p)%p, nil); err != nil {
			return err
		}
	}
	return nil
}
