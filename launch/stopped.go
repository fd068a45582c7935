package launch

import (
	"fmt"
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
// A debugger's stop shows as 't' (tracing stop), not 'T', and is left
// alone. A short stop (a SIGSTOP/SIGCONT pair within stoppedAfter) is
// left alone too.
const (
	stoppedPoll  = 200 * time.Millisecond
	stoppedAfter = time.Second
)

// stoppedHow is the launcher's and the peers' description of a stopped rank.
var stoppedHow = fmt.Sprintf("is stopped (SIGSTOP or another stop signal: process state T) for over %v", stoppedAfter)

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
		if rk.cmd.Process != nil {
			pids[i] = rk.cmd.Process.Pid
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(stoppedPoll)
		defer t.Stop()
		since := make([]time.Time, len(pids))
		told := make([]bool, len(pids))
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				for i, pid := range pids {
					if told[i] || pid == 0 {
						continue
					}
					if procState(pid) != 'T' {
						since[i] = time.Time{}
						continue
					}
					if since[i].IsZero() {
						since[i] = now
					} else if now.Sub(since[i]) >= stoppedAfter {
						told[i] = true
						ch <- i // buffered for every rank: never blocks
					}
				}
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
