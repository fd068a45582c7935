package launch

import (
	"syscall"
	"time"
)

// Keeping a job going after a rank dies (Job.KeepGoing, gorun
// --enable-recovery; Open MPI 5's --with-ft ulfm). The ranks are told
// (GORUN_RECOVER=1) that their world outlives a death, so a rank's end
// breaks only the communicators it was in and the survivors go on with
// comm's Shrink. The launcher then does two things differently, both
// here: it does not kill the survivors after the grace period, and it
// tells them of every rank that fails, not only of the first (the
// survivors' failure detector, which their agreement relies on, must
// hear of every death; ARCHITECTURE.md, decision 19). The job's result
// still names the first rank that failed, and its exit status is that
// rank's, so a job that lost a rank never exits 0.

// failKill is the grace-period kill armed when a rank fails: Wait's
// armKill, or nothing when the job keeps going. An Abort, a timeout or a
// signal still ends every rank.
func (r *Running) failKill(armKill func(time.Duration)) func(time.Duration) {
	if r.job.KeepGoing {
		return func(time.Duration) {}
	}
	return armKill
}

// tellSurvivors tells the ranks still running of a rank that failed,
// when the job keeps going: every failure, not only the one Wait reports
// (a later one is otherwise not announced, since the job is ending). A
// rank that is stopped is killed, alone (stoppedKill).
func (r *Running) tellSurvivors(rank, code int, how string, plain bool) {
	if r.job.KeepGoing {
		r.rv.notifyExited(rank, code, how, plain)
	}
}

// stoppedKill is what ends a stopped rank's part in the job: Wait's
// armKill, or, when the job keeps going, a SIGKILL to that rank alone.
// The survivors have been told it failed; it must not wake up and send.
func (r *Running) stoppedKill(id int, armKill func(time.Duration)) func(time.Duration) {
	if !r.job.KeepGoing {
		return armKill
	}
	return func(time.Duration) {
		if err := r.ranks[id].signalGroup(syscall.SIGKILL); err != nil {
			r.log.Warn("could not kill a stopped rank", "rank", id, "err", err)
		}
	}
}
