package collectives

import (
	"fmt"
)

// Synchronisation through the segment. Every rank makes the same
// synchronisations for the same calls, so a rank's epoch names one
// synchronisation of one call on every rank; its arrival word holds the
// epoch and the call's sequence number, which is how a waiter tells a
// peer in the same synchronisation from one that reached that epoch in
// another call (a mismatch). Up to segFlatMax ranks, each rank publishes
// its arrival and waits for everyone's; above, a tree of segFanout
// children per rank gathers arrivals to rank 0, and releases spread back
// down, each rank waking only its parent or its children.

// sync is one synchronisation of cl's call: it returns once every rank
// reached it. first: the call's first, where the peers' announced
// descriptions are compared with this call's. combine, if set, runs (tree
// only) for each child once it arrived, before this rank arrives: the
// small Allreduce folds the child's buffer into its own there.
func (s *shmSeg) sync(cl *call, first bool, combine func(child int)) error {
	if first {
		defer func() { s.prev = cl.seq }()
	}
	s.epoch++
	e := s.epoch
	me := s.slots[s.rank]
	arrival := uint64(e)<<32 | uint64(uint32(cl.seq))
	if s.p <= segFlatMax {
		me.arrive.Store(arrival)
		for q := range s.p {
			if q != s.rank {
				s.ring(q)
			}
		}
		// Every poll looks at every peer not seen yet (not only up to
		// the first missing one): a peer that arrived shows a mismatch
		// (comparePast) even while another is still away.
		var seen uint64 = 1 << s.rank
		all := uint64(1)<<s.p - 1
		return s.wait(cl, func(deep bool) (bool, error) {
			for q := range s.p {
				if seen&(1<<q) != 0 {
					continue
				}
				ok, err := s.arrivedAt(cl, q, e, first, deep)
				if err != nil {
					return false, err
				}
				if ok {
					seen |= 1 << q
				}
			}
			return seen == all, nil
		})
	}
	lo, hi := s.rank*segFanout+1, min(s.rank*segFanout+segFanout+1, s.p)
	var seen, all uint64 // children arrived, all children
	if hi > lo {
		all = 1<<(hi-lo) - 1
	}
	err := s.wait(cl, func(deep bool) (bool, error) {
		for q := lo; q < hi; q++ {
			if seen&(1<<(q-lo)) != 0 {
				continue
			}
			ok, err := s.arrivedAt(cl, q, e, first, deep)
			if err != nil {
				return false, err
			}
			if ok {
				seen |= 1 << (q - lo)
				if combine != nil {
					combine(q)
				}
			}
		}
		return seen == all, nil
	})
	if err != nil {
		return err
	}
	me.arrive.Store(arrival)
	if s.rank > 0 {
		parent := (s.rank - 1) / segFanout
		s.ring(parent)
		if err := s.wait(cl, func(deep bool) (bool, error) { return s.releasedBy(cl, parent, e, deep) }); err != nil {
			return err
		}
	}
	me.release.Store(uint64(e))
	for q := lo; q < hi; q++ {
		s.ring(q)
	}
	return nil
}

// arrivedAt reports whether rank q arrived at epoch e of cl's call, or the
// mismatch its slot shows. first: also compare q's announced description.
// deep: if q has not arrived, look at why (notThere); a poll that is not
// deep reads q's arrival word alone, the one cache line q writes to
// arrive, and leaves the lines q writes to announce its calls alone (a
// waiter reading them at every poll took them from q while q wrote its
// announcement, on the path of every call).
func (s *shmSeg) arrivedAt(cl *call, q int, e uint32, first, deep bool) (bool, error) {
	sl := s.slots[q]
	var last uint64
	if deep {
		last = sl.last.Load() // before the arrival: see notThere
	}
	a := sl.arrive.Load()
	pe, pseq := uint32(a>>32), uint32(a)
	if int32(pe-e) < 0 {
		if !deep {
			return false, nil
		}
		return false, s.notThere(cl, q, last)
	}
	if pe == e {
		if pseq != uint32(cl.seq) {
			return false, s.mismatch(cl, q, "it met the other ranks in shared memory in another call")
		}
		if first {
			if d, ok := s.announced(q, cl.seq); ok && d != cl.d {
				return false, cl.segMismatch(s.peer(q), d, cl.seq)
			}
			if err := s.comparePast(cl, q); err != nil {
				return false, err
			}
		}
	}
	// An epoch past e: q saw this rank arrive at e, and checked it.
	return true, nil
}

// releasedBy reports whether rank q, this rank's parent in the tree,
// released epoch e, or (deep) the mismatch its slot shows.
func (s *shmSeg) releasedBy(cl *call, q int, e uint32, deep bool) (bool, error) {
	sl := s.slots[q]
	var last uint64
	if deep {
		last = sl.last.Load()
	}
	if int32(uint32(sl.release.Load())-e) >= 0 {
		return true, nil
	}
	if !deep {
		return false, nil
	}
	return false, s.notThere(cl, q, last)
}

// notThere looks at why rank q has not reached this rank's synchronisation
// yet: a different call announced at this call's sequence number, or a
// later call announced (last, read before the arrival or release that was
// missing: q publishes those before announcing its next call), is a
// mismatch; otherwise q is just not there yet.
func (s *shmSeg) notThere(cl *call, q int, last uint64) error {
	if d, ok := s.announced(q, cl.seq); ok && d != cl.d {
		return cl.segMismatch(s.peer(q), d, cl.seq)
	}
	if last > cl.seq {
		return s.mismatch(cl, q, fmt.Sprintf("it went on to call #%d without meeting the other ranks in this call", last))
	}
	return nil
}

// mismatch reports q's current call (its latest announcement) as the
// mismatching one, with detail.
func (s *shmSeg) mismatch(cl *call, q int, detail string) error {
	last := s.slots[q].last.Load()
	d, ok := s.announced(q, cl.seq)
	seq := cl.seq
	if !ok {
		d, ok = s.announced(q, last)
		seq = last
	}
	if !ok {
		d = desc{op: cl.d.op, root: -1, count: -1}
	}
	err := cl.mismatch(s.peer(q), header{desc: d, seq: seq}, detail)
	s.breakAll()
	return err
}

// segMismatch reports that rank q announced d as its call seq.
func (cl *call) segMismatch(q int, d desc, seq uint64) error {
	detail := ""
	if seq == cl.seq {
		detail = mismatchDetail(cl.d, d)
	}
	return cl.mismatch(q, header{desc: d, seq: seq}, detail)
}

// comparePast compares rank q's announcements of the calls since this
// rank's previous call through the segment (at most segAnnounced-1 of
// them) with this rank's own: calls that only send (the roots of Bcasts
// with different roots) leave no other trace a later call through the
// segment would see. q has arrived at cl's call, so it announced them all.
func (s *shmSeg) comparePast(cl *call, q int) error {
	from := max(s.prev+1, cl.seq-min(cl.seq, segAnnounced-1))
	for m := from; m < cl.seq; m++ {
		mine, ok := s.announced(s.rank, m)
		if !ok {
			continue // before the segment existed
		}
		if theirs, ok := s.announced(q, m); ok && theirs != mine {
			return cl.mismatchAt(s.peer(q), m, mine, theirs)
		}
	}
	return nil
}
