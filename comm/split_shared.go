package comm

import (
	"context"
	"fmt"
	"net"
)

// SplitShared returns the communicator of the members of c on this rank's
// host, ordered by rank in c (MPI_Comm_split_type with
// MPI_COMM_TYPE_SHARED): a node-local communicator for per-host work such
// as one writer per node or shared buffers. Like Dup it is collective
// (every member calls it, in the same order as its other Splits and Dups
// of c) but sends nothing: every rank already knows each peer's listening
// address from the job's address table, and ranks listen on the address
// their host uses to reach the launcher, so equal hosts in that table are
// one host (as Open MPI groups by node name).
func (c *Comm) SplitShared(ctx context.Context) (*Comm, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("comm: SplitShared: %w", err)
	}
	if err := c.brokenErr(); err != nil {
		return nil, fmt.Errorf("comm: SplitShared: %w", err)
	}
	n := c.splits.Add(1)
	mine := c.hostOfMember(c.rank)
	nc := &Comm{w: c.w, id: deriveID(c.id, n, "shared/"+mine)}
	for r := range c.members {
		if c.hostOfMember(r) == mine {
			if r == c.rank {
				nc.rank = len(nc.members)
			}
			nc.members = append(nc.members, c.members[r])
		}
	}
	return nc, nil
}

// hostOfMember is the host of c's rank r as the job's address table names
// it (the address it listens on, without the port).
func (c *Comm) hostOfMember(r int) string {
	a := c.w.addrs[c.members[r]]
	if h, _, err := net.SplitHostPort(a); err == nil {
		return h
	}
	return a
}
