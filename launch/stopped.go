package launch

import (
	"fmt"
	"os"
	"os/signal"
	"time"
)

// A rank stopped by a signal (SIGSTOP, or SIGTSTP/SIGTTIN/SIGTTOU) is alive
// to wait(2) but will never answer its peers: without help they would wait
// for it until their own deadlines. The launcher watches the ranks' state
// (/proc on Linux, sysctl on macOS) and, once a rank has stayed stopped for
// stoppedAfter, ends the job as for a dead rank: every other rank's blocked
// operation fails with a *comm.RankError naming it, and the stopped rank
// is killed (SIGKILL ends a stopped process too) once only stopped ranks
// are left, or at the end of the grace period.
//
// It looks when a rank stops, not only at the next poll: the kernel sends
// the launcher SIGCHLD when a child stops or continues (stopSignals), and
// a timer looks again when a stop has lasted stoppedAfter. The poll is
// what remains for a rank that is not the launcher's child. So a stopped
// rank is named about stoppedAfter after its stop, where polling alone
// took up to stoppedAfter plus a poll plus the load's delays.
//
// A debugger's stop shows as 't' (tracing stop), not 'T', and is left
// alone. A short stop (a SIGSTOP/SIGCONT pair within stoppedAfter) is
// left alone too. So is a stop the launcher may have slept through: when
// it was not scheduled for maxLookGap (it was stopped itself, as a Slurm
// suspend stops every process of the job, or starved), every count
// starts again, so ranks continued with it are not taken for stopped.
const (
	stoppedPoll  = 200 * time.Millisecond
	stoppedAfter = 500 * time.Millisecond
	maxLookGap   = time.Second
	// minLookGap bounds how often SIGCHLDs make the watcher read every
	// rank's state: a thousand ranks exiting send a thousand.
	minLookGap = 20 * time.Millisecond
)

// stoppedHow is the launcher's and the peers' description of a stopped rank.
var stoppedHow = fmt.Sprintf("is stopped (SIGSTOP or another stop signal: process state T) for over %v", stoppedAfter)

// stopWatch decides, from the ranks' states seen at given times, which
// ranks have stayed stopped for after; it does no I/O, so tests drive it
// with made-up times.
type stopWatch struct {
	after time.Duration
	since []time.Time // when each rank was first seen stopped; zero: running
	told  []bool
	last  time.Time // the previous look
}

func newStopWatch(n int, after time.Duration) *stopWatch {
	return &stopWatch{after: after, since: make([]time.Time, n), told: make([]bool, n)}
}

// look records the states seen at now (state(i) is rank i's letter) and
// returns the ranks to report, once each, and when a stop now counted will
// have lasted long enough (zero when none is pending).
func (w *stopWatch) look(now time.Time, state func(i int) byte) (report []int, next time.Time) {
	slept := !w.last.IsZero() && now.Sub(w.last) > maxLookGap
	w.last = now
	for i := range w.since {
		if w.told[i] {
			continue
		}
		if state(i) != 'T' {
			w.since[i] = time.Time{}
			continue
		}
		if w.since[i].IsZero() || slept {
			w.since[i] = now
		}
		due := w.since[i].Add(w.after)
		if !now.Before(due) {
			w.told[i] = true
			report = append(report, i)
			continue
		}
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	return report, next
}

// watchStopped reports on the returned channel, once each, the ranks that
// stayed stopped for stoppedAfter. stop ends the watcher; Wait calls it on
// return. procState (procstate_*.go) reads a rank's state: /proc on Linux,
// sysctl on macOS; elsewhere (Windows, which has no stop signal) it knows
// none and the watcher reports nothing.
func (r *Running) watchStopped() (stopped <-chan int, stop func()) {
	ch := make(chan int, len(r.ranks))
	done := make(chan struct{})
	finished := make(chan struct{})
	pids := make([]int, len(r.ranks))
	for i, rk := range r.ranks {
		if rk.remote == nil && rk.cmd.Process != nil {
			pids[i] = rk.cmd.Process.Pid
		}
	}
	state := func(i int) byte {
		if pids[i] == 0 || r.ranks[i].reaped.Load() {
			return 0 // not the launcher's child, or gone: no /proc to read
		}
		return procState(pids[i])
	}
	chld := make(chan os.Signal, 1)
	if len(stopSignals) > 0 {
		signal.Notify(chld, stopSignals...)
	}
	go func() {
		defer close(finished)
		defer signal.Stop(chld)
		t := time.NewTicker(stoppedPoll)
		defer t.Stop()
		again := time.NewTimer(time.Hour)
		again.Stop()
		defer again.Stop()
		w := newStopWatch(len(pids), stoppedAfter)
		retry := true // look at once: a rank may have stopped before Wait
		again.Reset(0)
		for {
			select {
			case <-done:
				return
			case <-chld:
				if wait := minLookGap - time.Since(w.last); wait > 0 {
					again.Reset(wait) // a burst of SIGCHLDs: look once after it
					continue
				}
				// A multi-threaded rank may not show 'T' yet when the
				// signal comes: look again shortly too.
				retry = true
			case <-t.C:
			case <-again.C:
			}
			now := time.Now()
			report, next := w.look(now, state)
			for _, i := range report {
				ch <- i // buffered for every rank: never blocks
			}
			if retry && (next.IsZero() || next.Sub(now) > minLookGap) {
				next = now.Add(minLookGap)
			}
			retry = false
			if !next.IsZero() {
				again.Reset(next.Sub(now))
			}
		}
	}()
	return ch, func() {
		close(done)
		<-finished
	}
}

// onStopped ends the job because rank id is stopped, unless it has exited
// meanwhile: the first cause if there is none yet, the other ranks told,
// the grace period armed (armKill is Wait's).
func (r *Running) onStopped(id int, result **JobError, armKill func(time.Duration)) {
	if r.ranks[id].exited {
		return
	}
	r.log.Warn("rank is stopped: ending the job", "rank", id)
	if *result == nil {
		*result = &JobError{Kind: ErrRankFailed, Rank: id, Code: 128 + int(sigStop), How: stoppedHow}
	}
	r.rv.notifyFailed(id, stoppedHow)
	armKill(r.job.Grace)
}
