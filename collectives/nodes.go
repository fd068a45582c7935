package collectives

import (
	"github.com/gorun-hpc/gorun/comm"
)

// Node leaders: in a job that spans hosts with several ranks on some host,
// Barrier, Bcast, Reduce and Allreduce run in two levels. Ranks of one
// host meet at their host's leader through shared memory, and only the
// leaders talk across hosts, so each message crosses between hosts once
// per host instead of once per rank. On one host, or with one rank per
// host, the flat algorithms run unchanged. Every message still carries the
// call's header, so the mismatch checks see every rank's call as before.

// nodes is one call's two-level layout.
type nodes struct {
	leaders []int // one rank per host: its leader
	local   []int // the ranks of this rank's host, its leader first
	lead    int   // this rank's position in leaders, or -1
}

// useNodes reports whether hosts (the host of each rank) make a two-level
// collective worth it: more than one host, and more than one rank on some
// host.
func useNodes(hosts []int) bool {
	seen := map[int]bool{}
	dup := false
	for _, h := range hosts {
		if seen[h] {
			dup = true
		}
		seen[h] = true
	}
	return dup && len(seen) > 1
}

// layout returns rank's two-level layout over hosts. The leader of a host
// is its lowest rank, except on root's host (root >= 0), where it is root,
// so a rooted collective starts or ends at the root without an extra hop.
// Leaders are ordered by host number, so root's leader may be anywhere.
func layout(hosts []int, rank, root int) nodes {
	nh := 0
	for _, h := range hosts {
		nh = max(nh, h+1)
	}
	leader := make([]int, nh)
	for i := range leader {
		leader[i] = -1
	}
	for r, h := range hosts {
		if leader[h] < 0 {
			leader[h] = r
		}
	}
	if root >= 0 {
		leader[hosts[root]] = root
	}
	n := nodes{lead: -1}
	for _, l := range leader {
		if l < 0 {
			continue
		}
		if l == rank {
			n.lead = len(n.leaders)
		}
		n.leaders = append(n.leaders, l)
	}
	me := hosts[rank]
	n.local = append(n.local, leader[me])
	for r, h := range hosts {
		if h == me && r != leader[me] {
			n.local = append(n.local, r)
		}
	}
	return n
}

// nodesFor is the layout of this call, or nil when the flat algorithm
// should run.
func (cl *call) nodesFor(root int) *nodes {
	if cl.size < 3 {
		return nil
	}
	hosts := cl.c.Hosts()
	if !useNodes(hosts) {
		return nil
	}
	n := layout(hosts, cl.rank, root)
	return &n
}

// pos is rank's position in group, or -1.
func pos(group []int, rank int) int {
	for i, r := range group {
		if r == rank {
			return i
		}
	}
	return -1
}

// barrierNodes: the ranks of a host check in with their leader, the
// leaders run the dissemination barrier among themselves, and each leader
// releases its host.
func (cl *call) barrierNodes(n *nodes) error {
	if s, err := cl.hostSeg(n.local); err != nil || s != nil {
		if err != nil {
			return err
		}
		return cl.barrierNodesSeg(s, n)
	}
	if n.local[0] != cl.rank {
		if err := cl.send(n.local[0], nil); err != nil {
			return err
		}
		return cl.recv(n.local[0], nil)
	}
	for _, r := range n.local[1:] {
		if err := cl.recv(r, nil); err != nil {
			return err
		}
	}
	p, v := len(n.leaders), n.lead
	for k := 1; k < p; k <<= 1 {
		if err := cl.sendrecv(n.leaders[(v+k)%p], nil, n.leaders[(v-k+p)%p], nil); err != nil {
			return err
		}
	}
	for _, r := range n.local[1:] {
		if err := cl.send(r, nil); err != nil {
			return err
		}
	}
	return nil
}

// bcastGroup is a binomial broadcast over group (ranks of the call) from
// group[root]; the caller is in group.
func (cl *call) bcastGroup(group []int, root int, buf []byte) error {
	p := len(group)
	v := (pos(group, cl.rank) - root + p) % p
	mask := 1
	for mask < p {
		if v&mask != 0 {
			if err := cl.recv(group[(v-mask+root)%p], buf); err != nil {
				return err
			}
			break
		}
		mask <<= 1
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if v+mask < p {
			if err := cl.send(group[(v+mask+root)%p], buf); err != nil {
				return err
			}
		}
	}
	return nil
}

// bcastNodes: root's data goes to every host's leader (root leads its
// own host), then each leader broadcasts on its host.
func (cl *call) bcastNodes(n *nodes, buf []byte, root int) error {
	if n.lead >= 0 {
		if err := cl.bcastGroup(n.leaders, pos(n.leaders, root), buf); err != nil {
			return err
		}
	}
	return cl.bcastGroup(n.local, 0, buf)
}

// reduceGroup is a binomial reduction over group to group[root] of a
// commutative op: acc holds this rank's operand and, at group[root], ends
// holding the result.
func reduceGroup[T comm.Number](cl *call, group []int, root int, acc []T, op Op[T]) error {
	p := len(group)
	v := (pos(group, cl.rank) - root + p) % p
	var tmp []T
	for mask := 1; mask < p; mask <<= 1 {
		if v&mask != 0 {
			return cl.send(group[(v-mask+root)%p], asBytes(acc))
		}
		if src := v | mask; src < p {
			if tmp == nil {
				var free func()
				tmp, free = scratchBuf[T](len(acc))
				defer free()
			}
			if err := cl.recv(group[(src+root)%p], asBytes(tmp)); err != nil {
				return err
			}
			op.apply(acc, acc, tmp)
		}
	}
	return nil
}

// reduceNodes reduces a commutative op on each host to its leader, then
// over the leaders to root (root leads its host). acc holds this rank's
// operand; on root it ends holding the result.
func reduceNodes[T comm.Number](cl *call, n *nodes, acc []T, op Op[T], root int) error {
	if err := reduceGroup(cl, n.local, 0, acc, op); err != nil {
		return err
	}
	if n.lead < 0 {
		return nil
	}
	return reduceGroup(cl, n.leaders, pos(n.leaders, root), acc, op)
}

// allreduceNodes: reduce on each host to its leader, allreduce over the
// leaders (recursive doubling, so every leader gets the same bits), and
// broadcast on each host.
func allreduceNodes[T comm.Number](cl *call, n *nodes, acc []T, op Op[T]) error {
	if s, err := cl.hostSeg(n.local); err != nil {
		return err
	} else if s != nil {
		if ok, err := allreduceNodesSeg(cl, s, n, acc, op); ok {
			return err
		}
	}
	if err := reduceGroup(cl, n.local, 0, acc, op); err != nil {
		return err
	}
	if n.lead >= 0 {
		if err := allreduceGroup(cl, n.leaders, acc, op); err != nil {
			return err
		}
	}
	return cl.bcastGroup(n.local, 0, asBytes(acc))
}

// allreduceGroup is allreduceRecursiveDoubling over the ranks of group.
func allreduceGroup[T comm.Number](cl *call, group []int, acc []T, op Op[T]) error {
	p, r, n := len(group), pos(group, cl.rank), len(acc)
	pof2 := 1
	for pof2*2 <= p {
		pof2 *= 2
	}
	rem := p - pof2
	tmp, free := scratchBuf[T](n)
	defer free()
	newrank := r - rem
	if r < 2*rem {
		if r%2 == 0 {
			if err := cl.send(group[r+1], asBytes(acc)); err != nil {
				return err
			}
			newrank = -1
		} else {
			if err := cl.recv(group[r-1], asBytes(tmp)); err != nil {
				return err
			}
			op.apply(acc, tmp, acc)
			newrank = r / 2
		}
	}
	if newrank >= 0 {
		for mask := 1; mask < pof2; mask <<= 1 {
			nd := newrank ^ mask
			dst := nd + rem
			if nd < rem {
				dst = nd*2 + 1
			}
			if err := cl.sendrecv(group[dst], asBytes(acc), group[dst], asBytes(tmp)); err != nil {
				return err
			}
			if dst < r {
				op.apply(acc, tmp, acc)
			} else {
				op.apply(acc, acc, tmp)
			}
		}
	}
	if r < 2*rem {
		if r%2 == 1 {
			return cl.send(group[r-1], asBytes(acc))
		}
		return cl.recv(group[r+1], asBytes(acc))
	}
	return nil
}
