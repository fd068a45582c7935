package launch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// isTerminal reports whether f is a character device (a terminal, or
// /dev/null, which is as well copied).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Wait runs the job to its end and returns nil when every rank exited 0,
// or a *JobError naming the first cause otherwise. Cancelling ctx ends the
// job like a second SIGINT: every rank is killed at once.
//
// Order of events on a failure: the failed rank is reported to every other
// rank through the rendezvous at once, the others get Grace to print their
// errors and exit, then the rest are killed (SIGKILL to each process
// group). Wait returns only after every rank has been reaped and its
// output written.
func (r *Running) Wait(ctx context.Context) error {
	if r.waited {
		return errors.New("launch: Wait called twice")
	}
	r.waited = true
	defer r.rv.close()

	var (
		result   *JobError
		killC    <-chan time.Time // when the rest get SIGKILL
		timeoutC <-chan time.Time
		signals  int
		// killedAll: gorun has SIGKILLed the remaining ranks itself.
		killedAll bool
	)
	if r.job.Timeout > 0 {
		t := time.NewTimer(r.job.Timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	armKill := func(after time.Duration) {
		if killC == nil {
			killC = time.After(after)
		}
	}
	// exited and causeOf are for naming the first cause at the end (see
	// firstCause): how each failed rank ended, and which rank each
	// follower said it failed because of.
	exited := map[int]exitRecord{}
	r.causeOf = map[int]int{}
	r.departed = map[int]bool{}
	r.panicked = map[int]bool{}
	stopped, stopWatch := r.watchStopped() // stopped.go
	stoppedRanks := map[int]bool{}
	defer stopWatch()
	armFail := r.failKill(armKill) // keepgoing.go: no kill when the job keeps going
	alive := len(r.ranks)
	for alive > 0 {
		if !killedAll && alive == r.countAlive(stoppedRanks) {
			// Only stopped ranks are left: they will print nothing, so
			// the grace period has nothing to wait for.
			killedAll = true
			r.log.Debug("only stopped ranks are left: killing them", "alive", alive)
			r.signalAlive(syscall.SIGKILL)
		}
		select {
		case ex := <-r.exits:
			alive--
			r.ranks[ex.rank].exited = true
			how, code := ex.describe()
			crash := r.panicHow(ex.rank, code, how) // panic.go
			plain := crash == how                   // not a panic or fatal error
			how = crash
			r.log.Debug("rank exited", "rank", ex.rank, "how", how, "after", time.Since(r.start))
			if ex.success() {
				// Kept for firstCause: a rank that others failed
				// because of may have closed early and exited 0.
				exited[ex.rank] = exitRecord{how: how}
				if result == nil && alive > 0 && r.leftWithoutClose(ex.rank, &result, armFail) {
					exited[ex.rank] = exitRecord{how: noCloseHow}
				}
				continue
			}
			exited[ex.rank] = exitRecord{code: code, how: how, killedByUs: killedAll && code == 128+int(syscall.SIGKILL)}
			r.tellSurvivors(ex.rank, code, how, plain)
			if _, ok := r.causeOf[ex.rank]; result == nil && !ok && code > 0 && code < 128 {
				// A plain nonzero exit is often a follower's, whose
				// report of the rank it failed because of may still be
				// on its way: read its control connection to the end.
				if r.awaitDeparted(ex.rank, &result) {
					armKill(r.job.Grace)
				}
			}
			if result != nil {
				// Peers of a killed rank often fail first (they see its
				// connection drop and exit 1) and are reaped before it.
				// A rank killed by a signal that gorun did not send, reaped
				// within the grace period, is the better first cause.
				if !killedAll && result.Kind == ErrRankFailed && result.Code < 128 && code >= 128 && result.Rank != ex.rank {
					result = &JobError{Kind: ErrRankFailed, Rank: ex.rank, Code: code, How: how}
					r.rv.notifyFailed(ex.rank, how)
				}
				continue
			}
			result = &JobError{Kind: ErrRankFailed, Rank: ex.rank, Code: code, How: how}
			if c, ok := r.causeOf[ex.rank]; ok {
				// A follower: tell the others about the rank it failed
				// because of, the one they should name.
				r.rv.notifyFailed(c, fmt.Sprintf("failed (rank %d failed because of it and %s)", ex.rank, how))
			} else {
				r.rv.notifyExited(ex.rank, code, how, plain)
			}
			armFail(r.job.Grace)

		case ev := <-r.rv.events():
			if r.onEvent(ev, &result) {
				armKill(r.job.Grace)
			}

		case id := <-stopped:
			stoppedRanks[id] = true
			r.onStopped(id, &result, r.stoppedKill(id, armKill)) // keepgoing.go

		case <-timeoutC:
			timeoutC = nil
			if result != nil {
				continue
			}
			result = &JobError{Kind: ErrTimeout, Rank: -1, Code: TimeoutExitCode,
				How: fmt.Sprintf("timed out after %v; every rank was sent SIGQUIT for its goroutine stacks", r.job.Timeout)}
			r.signalAlive(syscall.SIGQUIT)
			armKill(r.job.StackWait)

		case sig := <-r.sigs:
			signals++
			if result == nil {
				result = &JobError{Kind: ErrInterrupted, Rank: -1, Code: 128 + int(sig),
					How: fmt.Sprintf("interrupted by %s, forwarded to every rank", signalName(sig))}
			}
			if signals > 1 {
				r.signalAlive(syscall.SIGKILL)
				continue
			}
			r.signalAlive(sig)
			if sig == syscall.SIGQUIT {
				armKill(r.job.StackWait) // the ranks are printing their stacks
			} else {
				armKill(r.job.Grace)
			}

		case <-killC:
			killC = nil
			killedAll = true
			r.log.Debug("grace period over: killing the remaining ranks", "alive", alive)
			r.signalAlive(syscall.SIGKILL)

		case <-ctx.Done():
			if result == nil {
				result = &JobError{Kind: ErrInterrupted, Rank: -1, Code: 128 + int(syscall.SIGKILL),
					How: fmt.Sprintf("ended by its caller: %v", context.Cause(ctx))}
			}
			r.signalAlive(syscall.SIGKILL)
			ctx = context.Background() // kill once, then reap
		}
	}
	// An Abort request read only after its rank's exit still names the cause.
	for drained := false; !drained; {
		select {
		case ev := <-r.rv.events():
			r.onEvent(ev, &result)
		default:
			drained = true
		}
	}
	result = r.firstCause(result, exited)
	// The ranks are gone; whatever they started in their process groups
	// goes too, and with it the last holders of the output pipes.
	for _, rk := range r.ranks {
		_ = rk.signalGroup(syscall.SIGKILL)
		if rk.group != nil { // nil: started by its host's agent (node.go)
			rk.group.release()
		}
	}
	removeSegments(r.rv.job.Secret, r.rv.job.ID, nil, r.log) // shmclean.go: what ranks killed in setup left
	if r.stdin != nil {
		_ = r.stdin.Close()
	}
	r.out.drain(2 * time.Second)
	r.closeFiles()
	r.reportIOStats() // iostats.go: after the ranks' own output
	if result != nil {
		return result
	}
	return nil
}

// signalAlive sends sig to the process group of every rank not yet reaped.
// countAlive counts the ranks of set that have not exited.
func (r *Running) countAlive(set map[int]bool) int {
	n := 0
	for id := range set {
		if !r.ranks[id].exited {
			n++
		}
	}
	return n
}

func (r *Running) signalAlive(sig syscall.Signal) {
	for _, rk := range r.ranks {
		if rk.exited {
			continue
		}
		if err := rk.signalGroup(sig); err != nil {
			r.log.Warn("could not signal rank", "err", err)
		}
	}
}

// noCloseHow is how a rank ended that exited 0 without closing its
// communicator while other ranks still ran.
const noCloseHow = "exited 0 without closing its communicator (Comm.Close)"

// leftWithoutClose handles a rank that exited 0 while others still run:
// if it used comm (registered with the rendezvous) and never said goodbye,
// the ranks that wait for a message from it, and had no stream from it to
// see end, would wait forever. They are told it failed, and the job fails
// naming it (exit status 1), as mpiexec aborts a job whose process exits
// without MPI_Finalize, even when the others then end cleanly. It reports
// whether so.
func (r *Running) leftWithoutClose(rank int, result **JobError, armKill func(time.Duration)) bool {
	if reg, _ := r.rv.svc.Farewell(rank); !reg || r.panicked[rank] {
		return false // never called comm.Init: nobody waits for it
	}
	if r.awaitDeparted(rank, result) {
		armKill(r.job.Grace)
	}
	if _, bye := r.rv.svc.Farewell(rank); bye || *result != nil {
		return false
	}
	r.log.Debug("rank exited 0 without closing its communicator", "rank", rank)
	r.rv.notifyFailed(rank, noCloseHow)
	*result = &JobError{Kind: ErrRankFailed, Rank: rank, Code: 1, How: noCloseHow}
	armKill(r.job.Grace)
	return true
}

// departWait bounds awaitDeparted: an exited process's connection ends at
// once, unless a child it left behind holds the socket. It is generous
// because the end is seen through the server's events: when 1024 ranks
// exit together on 2 loaded cores, a rank that had closed its
// communicator was once reported as exiting without Close after 1 s
// (multihost TestScale1024 in CI, beside another package's tests).
const departWait = 5 * time.Second

// awaitDeparted handles rendezvous events until rank's control connection
// has ended (every report it sent has then been read), at most departWait.
// It reports whether an event ended the job (see onEvent).
func (r *Running) awaitDeparted(rank int, result **JobError) bool {
	t := time.NewTimer(departWait)
	defer t.Stop()
	ending := false
	for !r.departed[rank] {
		select {
		case ev := <-r.rv.events():
			ending = r.onEvent(ev, result) || ending
		case <-t.C:
			return ending
		}
	}
	return ending
}

// onEvent handles a rendezvous event; it reports whether the job is now
// ending because of it.
func (r *Running) onEvent(ev rendezvous.Event, result **JobError) bool {
	switch ev.Kind {
	case rendezvous.EventDeparted:
		r.departed[ev.Rank] = true
		return false
	case rendezvous.EventCause:
		if _, ok := r.causeOf[ev.Rank]; !ok {
			r.causeOf[ev.Rank] = ev.Code
		}
		return false
	case rendezvous.EventPanicked:
		r.panicked[ev.Rank] = true // its exit says the rest (panic.go)
		return false
	case rendezvous.EventGoodbye:
		r.log.Debug("rank said goodbye", "rank", ev.Rank)
		return false
	case rendezvous.EventAbort:
	default:
		return false
	}
	how := fmt.Sprintf("called Abort(%d)", ev.Code)
	// The aborting rank may exit before its request is read: then its exit
	// came first, and the Abort says better what happened.
	cur := *result
	sameRank := cur != nil && errors.Is(cur.Kind, ErrRankFailed) && cur.Rank == ev.Rank
	if cur == nil || sameRank {
		*result = &JobError{Kind: ErrAborted, Rank: ev.Rank, Code: ev.Code, How: how}
	}
	if !sameRank {
		r.rv.notifyFailed(ev.Rank, how)
	}
	return true
}

// exitRecord is how a rank that failed ended.
type exitRecord struct {
	code       int
	how        string
	killedByUs bool // SIGKILLed by gorun at the end of the grace period
}

// firstCause follows the ranks' own reports from the rank reaped first to
// the rank that failed first. A rank that fails because a peer failed
// (it saw the peer's connection drop, or was told) reports that peer to
// the rendezvous before its program sees the error; it usually exits 1,
// and may be reaped before the peer that caused it, which exited with its
// own code. The report chain ends at a rank that reported no cause, or
// whose end is unknown or was gorun's own SIGKILL.
func (r *Running) firstCause(result *JobError, exited map[int]exitRecord) *JobError {
	if result == nil || result.Kind != ErrRankFailed {
		return result
	}
	root := result.Rank
	for range len(r.ranks) {
		c, ok := r.causeOf[root]
		if !ok {
			break
		}
		e, ok := exited[c]
		if !ok || e.killedByUs {
			break
		}
		if e.code == 0 {
			// c ended cleanly while root still needed it (it closed
			// its communicator early, or exited without it): root's
			// failure stays the job's, with c named.
			why := "ended early, with exit code 0,"
			if e.how == noCloseHow {
				why = noCloseHow + ","
			}
			how := fmt.Sprintf("%s (it failed because rank %d %s while it still needed it)", exited[root].how, c, why)
			return &JobError{Kind: ErrRankFailed, Rank: root, Code: exited[root].code, How: how}
		}
		root = c
	}
	if root == result.Rank {
		return result
	}
	e := exited[root]
	return &JobError{Kind: ErrRankFailed, Rank: root, Code: e.code, How: e.how}
}
