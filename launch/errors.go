package launch

import (
	"errors"
	"fmt"
	"syscall"
)

// Sentinels for errors.Is on a *JobError's Kind.
var (
	// ErrRankFailed: a rank exited nonzero or was killed by a signal.
	ErrRankFailed = errors.New("rank failed")
	// ErrAborted: a rank called comm's Abort.
	ErrAborted = errors.New("job aborted")
	// ErrTimeout: the job ran longer than Job.Timeout.
	ErrTimeout = errors.New("job timed out")
	// ErrInterrupted: the job was ended by a signal to the launcher or by
	// the caller's context.
	ErrInterrupted = errors.New("job interrupted")
)

// TimeoutExitCode is the exit status of a job that ran out of time, the
// same as timeout(1)'s.
const TimeoutExitCode = 124

// JobError says why a job did not succeed and which exit code the
// launcher should return. The first cause wins: ranks that fail because
// another rank failed first are not reported here.
type JobError struct {
	Kind error  // ErrRankFailed, ErrAborted, ErrTimeout or ErrInterrupted
	Rank int    // the rank that caused it; -1 for a timeout or interrupt
	Code int    // exit code for the launcher: the rank's code, 128+signal, 124 for a timeout
	How  string // "exited with code 3", "killed by signal 9", "called Abort(7)", ...
}

// Error says which rank ended the job and how ("rank 2 exited with
// code 3"), or why it ended without one (a timeout, a signal).
func (e *JobError) Error() string {
	if e.Rank >= 0 {
		return fmt.Sprintf("rank %d %s", e.Rank, e.How)
	}
	return e.How
}

// Unwrap lets errors.Is(err, launch.ErrTimeout) and friends work.
func (e *JobError) Unwrap() error { return e.Kind }

// ExitCode maps the outcome of Run or Wait to a process exit status:
// 0 for nil, the JobError's Code, and 1 for any other error (a program that
// could not be built or started).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var je *JobError
	if errors.As(err, &je) {
		return je.Code
	}
	return 1
}

// signalName gives "SIGTERM" style names for the signals a user meets.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGBUS:
		return "SIGBUS"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	}
	return fmt.Sprintf("signal %d", int(s))
}
