package collectives

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// Waiting in a segment. A rank polls the words it waits for: without
// yielding for a while when the job's ranks on this host have a core each,
// yielding the CPU between polls otherwise (comm.PollTimes, the streams'
// policy), and after the poll time it parks on its bell, a futex word of
// its slot: it sets its sleeping flag, and whoever publishes what it may
// wait for bumps the bell and wakes it if the flag is set. Sequentially
// consistent atomics order the two sides (the sleeper sets its flag then
// looks; the publisher publishes then looks at the flag), so a wake-up is
// never lost. A parked rank is also woken by a goroutine that watches the
// call's context and comm's failure notices, and wakes by itself every
// segParkMax to look at comm.Broken (a revocation). So a rank killed while
// others wait for it, a cancelled context or a mismatch found anywhere
// ends the wait.

// segCheckEvery: a polling rank looks at its context, the broken flag and
// comm's state once every this many polls.
const segCheckEvery = 64

// wait waits until ready reports true, or returns the error ready, the
// context, comm or the segment gives. ready(deep): deep polls, one in
// segCheckEvery while hot and every one after, also look for the peers'
// mismatches.
func (s *shmSeg) wait(cl *call, ready func(deep bool) (bool, error)) error {
	var start time.Time
	hot := s.hot > 0
	for i := 1; ; i++ {
		deep := !hot || i%segCheckEvery == 0
		ok, err := ready(deep)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if !deep {
			// Back to back while hot: a runtime.Gosched per poll took
			// the scheduler's locks and read the clock (its timers) every
			// time, a third of a waiting rank's CPU, and delayed noticing
			// the arrival it waited for (comm's pacer does the same).
			continue
		}
		if err := s.interrupted(cl); err != nil {
			return err
		}
		if start.IsZero() {
			start = time.Now()
		} else if d := time.Since(start); d > s.spin {
			break
		} else if d > s.hot {
			hot = false
		}
		if !hot {
			osYield()
		}
		runtime.Gosched()
	}
	return s.park(cl, ready)
}

// park sleeps on this rank's bell until ready, or an error.
func (s *shmSeg) park(cl *call, ready func(deep bool) (bool, error)) error {
	me := s.slots[s.rank]
	stop := make(chan struct{})
	defer close(stop)
	watching := false
	for {
		me.sleep.Store(1)
		bell := me.bell.Load()
		ok, err := ready(true)
		if err == nil && !ok {
			err = s.interrupted(cl)
		}
		if err != nil || ok {
			me.sleep.Store(0)
			return err
		}
		if !watching {
			watching = true
			go s.watch(cl.ctx, cl.user, stop) // not cl: it is reused once the call ends
		}
		futexWait(me.bell, bell, segParkMax)
		me.sleep.Store(0)
	}
}

// watch rings this rank's bell when the call's context ends or comm hears
// of a failure, until stop closes.
func (s *shmSeg) watch(ctx context.Context, c *comm.Comm, stop <-chan struct{}) {
	for {
		down, news := c.FailureNotices()
		select {
		case <-stop:
			return
		case <-ctx.Done():
		case <-down:
		case <-news:
		}
		s.ring(s.rank)
		select {
		case <-stop:
			return
		case <-down:
			return // for good: the parked rank finds comm broken
		case <-ctx.Done():
			return
		default:
		}
	}
}

// ring wakes rank r if it sleeps on its bell.
func (s *shmSeg) ring(r int) {
	sl := s.slots[r]
	if sl.sleep.Load() != 0 {
		sl.bell.Add(1)
		futexWake(sl.bell)
	}
}

// interrupted is the error that ends a wait early: the context ended, comm
// broke (revoked, a member died, the job failed), or a peer broke the
// segment (then its revocation or failure notice is on the way).
func (s *shmSeg) interrupted(cl *call) error {
	if err := cl.ctx.Err(); err != nil {
		return s.fail(cl, cl.waitedSeg(err))
	}
	if err := cl.user.Broken(); err != nil {
		return s.fail(cl, err)
	}
	if err := s.departed(cl); err != nil {
		return s.fail(cl, err)
	}
	if s.broken.Load() == 0 {
		return nil
	}
	deadline := time.Now().Add(segBrokenGrace)
	for time.Now().Before(deadline) {
		if err := cl.user.Broken(); err != nil {
			return s.fail(cl, err)
		}
		if err := s.departed(cl); err != nil {
			return s.fail(cl, err)
		}
		if err := cl.ctx.Err(); err != nil {
			return s.fail(cl, cl.waitedSeg(err))
		}
		time.Sleep(time.Millisecond) // a bounded wait for the breaker's notice, not synchronisation
	}
	return s.fail(cl, fmt.Errorf("a peer left this collective after an error (its reason did not arrive): %w", comm.ErrRevoked))
}

// fail ends this rank's call with err: it marks the segment broken and
// wakes every parked peer, then reports err as a failed call does
// (revoking the communicator unless comm already ended it).
func (s *shmSeg) fail(cl *call, err error) error {
	s.breakAll()
	return cl.fail(err)
}

// breakAll marks the segment broken and wakes every rank parked in it.
func (s *shmSeg) breakAll() {
	if s.broken.Swap(1) != 0 {
		return
	}
	for r := range s.slots {
		if r != s.rank {
			s.ring(r)
		}
	}
}

// segBreak breaks the segment of cl's communicator, if it has one: the
// call failed on the message path, so peers waiting in the segment must
// not wait for this rank.
func (cl *call) segBreak() {
	if s := cl.st.segment(); s != nil {
		s.breakAll()
	}
}

// waitedSeg explains a context that ended while waiting in the segment.
func (cl *call) waitedSeg(err error) error {
	return fmt.Errorf("waiting in shared memory for the other ranks of %s (one of them has not reached it, or is stuck before it: look at what they are doing, e.g. gorun --timeout dumps every rank's goroutines): %w", cl.name(), err)
}

// departed returns the error of a peer that closed its communicator (a
// clean goodbye, which is no failure: comm's failure notices do not
// tell it) without arriving at this rank's epoch: it never will, and a
// receive from it would fail the same way. A peer that arrived and then
// left is no reason: the arrival is read after the departure, which
// happened after it.
func (s *shmSeg) departed(cl *call) error {
	if cl.user.Departures() == 0 {
		return nil
	}
	e := s.epoch
	for q := range s.slots {
		if q == s.rank {
			continue
		}
		err := cl.user.Departed(s.peer(q))
		if err == nil {
			continue
		}
		if pe := uint32(s.slots[q].arrive.Load() >> 32); int32(pe-e) < 0 {
			return err
		}
	}
	return nil
}
