package comm

import (
	"context"
	"fmt"
	"sync"
)

// Hosts numbers the hosts of c's ranks: Hosts()[r] is the host of rank r,
// and ranks with the same number share a host (their streams go through
// shared memory unless TCP is forced). Hosts are numbered in order of
// their lowest rank, so rank 0's host is 0. A rank's host is the address it
// listens on for its peers, from the job's address table, which every rank
// holds: all ranks agree on the numbering without exchanging a message.
// The slice is shared: do not modify it.
func (c *Comm) Hosts() []int {
	if c.hosts == nil { // a communicator made before hosts were wired
		return hostsOf(c.w, c.members)
	}
	return c.hosts()
}

// hostsFunc is c's lazily computed host numbering, shared with the
// communicators that have c's members.
func (c *Comm) hostsFunc() func() []int {
	if c.hosts != nil {
		return c.hosts
	}
	w, members := c.w, c.members
	return sync.OnceValue(func() []int { return hostsOf(w, members) })
}

func hostsOf(w *world, members []int) []int {
	out := make([]int, len(members))
	ids := map[string]int{}
	for i, m := range members {
		h := hostOf(w.addrs[m])
		id, ok := ids[h]
		if !ok {
			id = len(ids)
			ids[h] = id
		}
		out[i] = id
	}
	return out
}

// NewLocalHosts is NewLocal with ranks spread over pretend hosts: rank i
// listens on the loopback address 127.0.0.(1+host[i]), so ranks of
// different hosts talk over TCP, ranks of one host through shared memory,
// and Hosts reports the layout: for tests of host-aware code (node
// leaders) on one machine. Linux only (other systems answer on 127.0.0.1
// alone). Close every returned communicator when done.
func NewLocalHosts(ctx context.Context, host []int) ([]*Comm, error) {
	for i, h := range host {
		if h < 0 || h > 253 {
			return nil, fmt.Errorf("comm: NewLocalHosts: rank %d's host %d is outside 0..253: %w", i, h, ErrArgument)
		}
	}
	cs, _, err := newLocalJob(ctx, len(host), false, func(i int) string { return fmt.Sprintf("127.0.0.%d", 1+host[i]) })
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		c.w.lostWait.Store(0)
	}
	return cs, nil
}
