package comm

import (
	"runtime"
	"time"
)

// pacer paces a polling loop (a receive polling a ring, a side waiting
// for the other's counter): it decides, after each poll that found
// nothing, whether to poll again at once, to let this process' other
// goroutines run first, to give the CPU to other processes too, or to
// stop polling and block.
//
// While hot, it polls back to back and lets other goroutines run only
// every hotBatch polls: a runtime.Gosched takes the scheduler's locks and
// costs about as much as the rest of a small message's receive, so one per
// poll delayed every arrival by it (issue 16's 8 B latency). A goroutine
// of this process that needs the P (an Irecv's completion, the stream's
// pump) waits at most one batch, a microsecond or two. After hot, or from
// the start when hot is zero (ranks outnumber cores, see pollPolicy),
// every poll yields to other processes (sched_yield), as Open MPI does
// when oversubscribed.
type pacer struct {
	spin, hot time.Duration
	start     time.Time
	n         int
	cold      bool
}

// hotBatch is how many back-to-back polls a hot pacer makes between
// looks at the clock and yields to other goroutines.
const hotBatch = 64

func newPacer(spin, hot time.Duration) pacer {
	return pacer{spin: spin, hot: hot, cold: hot <= 0}
}

// next is called after a poll found nothing; false means the spin time is
// up and the caller blocks.
func (p *pacer) next() bool {
	p.n++
	if !p.cold && p.n%hotBatch != 0 {
		return true
	}
	if p.start.IsZero() {
		p.start = time.Now()
	} else if d := time.Since(p.start); d > p.spin {
		return false
	} else if d > p.hot {
		p.cold = true
	}
	if p.cold {
		osYield()
	}
	runtime.Gosched()
	return true
}

// forever is a spin time for a loop that only a condition ends.
const forever = time.Duration(1<<63 - 1)
