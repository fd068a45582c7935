package comm

import (
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/internal/jobauth"
)

var (
	// ErrRankFailed is matched by a *RankError: a peer died or vanished.
	ErrRankFailed = errors.New("comm: rank failed")
	// ErrRevoked: a member revoked the communicator (a mismatched
	// collective, a failure); the error text says who and why.
	ErrRevoked = errors.New("comm: communicator revoked")
	// ErrAborted: some rank called Abort; the job is ending.
	ErrAborted = errors.New("comm: job aborted")
	// ErrClosed: the communicator was closed; create a new one.
	ErrClosed = errors.New("comm: communicator closed")
	// ErrTruncate: the message was longer than the receive buffers.
	ErrTruncate = errors.New("comm: message truncated")
	// ErrAuth: a peer failed the job-secret handshake.
	ErrAuth = jobauth.ErrAuth
	// ErrBootstrap: the environment or rendezvous did not give a job.
	ErrBootstrap = errors.New("comm: bootstrap failed")
	// ErrArgument: a bad rank, tag or buffer from the caller.
	ErrArgument = errors.New("comm: bad argument")
)

// RankError says which world rank failed, in which operation, and how.
type RankError struct {
	Rank int    // world rank
	Op   string // the operation that noticed
	How  string // "exited with code 3", "connection lost", ...
	// recovering: the world outlives it (Config.Recover); say how to go on.
	recovering bool
	// left: the rank closed its communicator cleanly; nothing failed, but
	// the receive waiting for it can never be matched.
	left bool
}

// Error names the rank, the operation that noticed and how the rank
// failed, and says whether the job can go on (Shrink) or not.
func (e *RankError) Error() string {
	op := e.Op
	if op == "" {
		op = "comm"
	}
	if e.left {
		return fmt.Sprintf("%s: rank %d %s: no message will come from it (did it finish early, or do the ranks disagree on who sends what?)", op, e.Rank, e.How)
	}
	if e.recovering {
		return fmt.Sprintf("%s: rank %d failed (%s); every communicator with it is broken: Shrink one to go on with the survivors", op, e.Rank, e.How)
	}
	return fmt.Sprintf("%s: rank %d failed (%s); the job cannot continue, see the launcher's report for its cause", op, e.Rank, e.How)
}

// Is makes errors.Is(err, ErrRankFailed) true.
func (e *RankError) Is(t error) bool { return t == ErrRankFailed }

type revokedError struct {
	by  int
	msg string
}

func (e *revokedError) Error() string {
	return fmt.Sprintf("comm: communicator revoked by rank %d: %s", e.by, e.msg)
}
func (e *revokedError) Is(t error) bool { return t == ErrRevoked }
