package collectives

import (
	"sync"
	"time"
)

// watchlist starts the watchdog (watchdog.go) of calls that have waited
// probeAfter, without a timer per call: arming and stopping a runtime
// timer was a seventh of a two-rank Barrier's CPU on the shared-memory
// path, where the whole call takes about a microsecond. Calls join an
// intrusive list when they begin and leave it when they finish (a lock
// and four pointer writes, no allocation); one goroutine, running only
// while the list is not empty, looks at the oldest calls every
// probeAfter/4 and starts the watchdog of those past probeAfter. A
// watchdog so starts between probeAfter and 1.25 probeAfter after its
// call began, which the watchdog's purpose (a mismatch reported while a
// person still watches) does not notice. Time is the scanner's: a call
// notes the count of its ticks when it joins, so joining reads no clock
// (time.Now was a twentieth of a two-rank Barrier's CPU).
type watchlist struct {
	mu         sync.Mutex
	head, tail *call // oldest first: calls join at the tail
	running    bool
	tick       uint64 // the scanner's ticks so far, every probeAfter/watchTicks
}

// watchTicks is how many scanner ticks make probeAfter. A call that
// joined during tick t is due at tick t+watchTicks+1: between probeAfter
// and (1+1/watchTicks) probeAfter after it joined.
const watchTicks = 4

var watched watchlist

// add puts cl at the tail and starts the scanning goroutine if needed.
func (w *watchlist) add(cl *call) {
	w.mu.Lock()
	cl.began = w.tick
	cl.wprev, cl.wnext = w.tail, nil
	if w.tail != nil {
		w.tail.wnext = cl
	} else {
		w.head = cl
	}
	w.tail = cl
	cl.inList = true
	if !w.running {
		w.running = true
		go w.scan()
	}
	w.mu.Unlock()
}

// remove takes cl out of the list if the scanner has not taken it yet,
// and reports whether it had not.
func (w *watchlist) remove(cl *call) bool {
	w.mu.Lock()
	in := cl.inList
	if in {
		w.unlink(cl)
	}
	w.mu.Unlock()
	return in
}

func (w *watchlist) unlink(cl *call) {
	if cl.wprev != nil {
		cl.wprev.wnext = cl.wnext
	} else {
		w.head = cl.wnext
	}
	if cl.wnext != nil {
		cl.wnext.wprev = cl.wprev
	} else {
		w.tail = cl.wprev
	}
	cl.wprev, cl.wnext, cl.inList = nil, nil, false
}

// scan runs while calls are in the list. The list is in order of begin
// times, so it stops at the first call younger than probeAfter.
func (w *watchlist) scan() {
	tick := time.NewTicker(probeAfter / watchTicks)
	defer tick.Stop()
	var due []*call
	for range tick.C {
		w.mu.Lock()
		w.tick++
		for cl := w.head; cl != nil && w.tick-cl.began > watchTicks; cl = w.head {
			w.unlink(cl)
			due = append(due, cl)
		}
		if w.head == nil && len(due) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		for i, cl := range due {
			go cl.startProber()
			due[i] = nil
		}
		due = due[:0]
	}
}
