package comm

import (
	"context"
	"fmt"
	"slices"
)

// Shrink is ULFM's MPIX_Comm_shrink: the survivors of c agree (Agree) on
// which of its ranks have died or left, and each gets a new communicator
// of the others, in c's order, in a new context. Every live member calls
// it (collective), typically after an operation on c failed with a
// *RankError; it works on a broken c, and on a whole one (then nobody is
// missing and the result is a Dup). Ranks that die after the agreement
// are in the new communicator: its next operation fails, and Shrink
// again.
//
// Only a world that recovers (Config.Recover, gorun --enable-recovery)
// outlives a death; in another, Shrink returns the failure.
func (c *Comm) Shrink(ctx context.Context) (*Comm, error) {
	d, n, err := c.agree(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("comm: Shrink: %w", err)
	}
	nc := &Comm{w: c.w, id: deriveID(c.id, n, fmt.Sprintf("shrink%v", d.failed)), rank: -1}
	for r, wr := range c.members {
		if slices.Contains(d.failed, r) {
			continue
		}
		if r == c.rank {
			nc.rank = len(nc.members)
		}
		nc.members = append(nc.members, wr)
	}
	if nc.rank < 0 { // agree refuses a decision that names this rank
		return nil, fmt.Errorf("comm: Shrink: rank %d was counted as failed: %w", c.rank, ErrRankFailed)
	}
	return nc, nil
}

// NewLocalRecover is NewLocal for a job that recovers from failed ranks
// (Config.Recover): a rank that vanishes breaks the communicators it is in,
// and the others go on through Shrink. Its rendezvous tells the ranks of
// one whose connection to it ended without a goodbye, as gorun's launcher
// tells them of a rank whose process ended.
func NewLocalRecover(ctx context.Context, n int) ([]*Comm, error) {
	cs, _, err := newLocalJob(ctx, n, true, nil)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		c.w.lostWait.Store(0)
	}
	return cs, nil
}
