package collectives

import "github.com/gorun-hpc/gorun/comm"

// The node-leader algorithms' first and last stage through a host
// segment of the communicator's ranks on each host (nodes.go, decision
// 34): a host's ranks synchronise in memory, its leader (index 0 of the
// segment: the host's lowest rank) talks to the other leaders with
// messages in between, and a second synchronisation lets the host go.

// leaderBarrier is the leaders' dissemination barrier.
func (cl *call) leaderBarrier(n *nodes) error {
	p, v := len(n.leaders), n.lead
	for k := 1; k < p; k <<= 1 {
		if err := cl.sendrecv(n.leaders[(v+k)%p], nil, n.leaders[(v-k+p)%p], nil); err != nil {
			return err
		}
	}
	return nil
}

// barrierNodesSeg: all of the host arrive, the leader meets the other
// leaders, all of the host arrive again (the others wait for the leader).
func (cl *call) barrierNodesSeg(s *shmSeg, n *nodes) error {
	if err := s.sync(cl, true, nil); err != nil {
		return err
	}
	if n.lead >= 0 {
		if err := cl.leaderBarrier(n); err != nil {
			return err
		}
	}
	return s.sync(cl, false, nil)
}

// allreduceNodesSeg, for a commutative op and a vector that fits the small
// buffers: the host's operands meet in the segment and the leader combines
// them (flat, in index order; in the tree each parent folds its
// children's), the leaders allreduce with messages, and the leader's
// result goes back through its small buffer. handled false: the vector is
// too large, run the message path.
func allreduceNodesSeg[T comm.Number](cl *call, s *shmSeg, n *nodes, acc []T, op Op[T]) (handled bool, err error) {
	b := asBytes(acc)
	if len(b) > s.smallMax {
		return false, nil
	}
	e := s.epoch + 1
	mine := fromBytes[T](s.small(s.rank, e)[:len(b)])
	copy(mine, acc)
	var combine func(child int)
	if s.p > segFlatMax {
		combine = func(child int) { op.apply(mine, mine, fromBytes[T](s.small(child, e)[:len(b)])) }
	}
	if err := s.sync(cl, true, combine); err != nil {
		return true, err
	}
	if n.lead >= 0 {
		copy(acc, mine)
		if s.p <= segFlatMax {
			copy(acc, fromBytes[T](s.small(0, e)[:len(b)]))
			for q := 1; q < s.p; q++ {
				op.apply(acc, acc, fromBytes[T](s.small(q, e)[:len(b)]))
			}
		}
		if err := allreduceGroup(cl, n.leaders, acc, op); err != nil {
			return true, err
		}
		copy(fromBytes[T](s.small(s.rank, e+1)[:len(b)]), acc)
	}
	if err := s.sync(cl, false, nil); err != nil {
		return true, err
	}
	if n.lead < 0 {
		copy(acc, fromBytes[T](s.small(0, e+1)[:len(b)]))
	}
	return true, nil
}
