package comm

import (
	"fmt"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// ctlClient is a rank's control connection to the rendezvous: the reports
// it sends (Abort, the rank it fails because of, its goodbye) and the
// notices it reads (failures, Aborts, ranks that left).
type ctlClient struct {
	conn *rendezvous.Conn
	done chan struct{} // closed when watch returns
}

func (k *ctlClient) abort(code int) { _ = k.conn.Abort(code) }

// cause reports that this rank fails because rank failed.
func (k *ctlClient) cause(rank int) { _ = k.conn.Cause(rank) }

// close says goodbye and waits for the notice reader to end: dialed are
// the ranks that got a goodbye frame on this rank's streams; cause, if
// any, is the rank this one failed because of (see world.leftCause),
// passed on to the others as the goodbye frame passes it. A rank whose
// Close runs while it panics says that instead: it failed.
func (k *ctlClient) close(dialed []int, cause *RankError, panicking bool) {
	switch {
	case panicking:
		_ = k.conn.Panicked()
	case cause != nil:
		_ = k.conn.Goodbye(dialed, cause.Rank, cause.How)
	default:
		_ = k.conn.Goodbye(dialed, -1, "")
	}
	<-k.done
}

// watch turns the rendezvous' notices into engine failures until the
// connection ends.
func (k *ctlClient) watch(w *world) {
	defer close(k.done)
	for {
		m, err := k.conn.Next()
		if err != nil {
			if !w.closed.Load() {
				w.eng.fail(fmt.Errorf("comm: lost the launcher's rendezvous connection (%v): the job is ending: %w", err, ErrAborted))
			}
			return
		}
		switch m.Type {
		case rendezvous.TypeFailed:
			re := &RankError{Rank: m.Rank, How: m.Text}
			// A notice with a Code may be a follower's (see
			// rendezvous.TypeFailed); the others name the first cause.
			if m.Code == 0 || w.lostWait.Load() <= 0 {
				w.rankFailed(re)
				continue
			}
			// A plain nonzero exit is often a follower's: the notice of
			// the rank it failed because of may be right behind. Wait for
			// it aside, so this reader goes on reading notices. Added
			// before close's wg.Wait: close waits for this reader first.
			w.wg.Add(1)
			go func() {
				defer w.wg.Done()
				w.awaitVerdict(re.Rank)
				w.rankFailed(re)
			}()
		case rendezvous.TypeAbort:
			w.eng.fail(fmt.Errorf("comm: rank %d aborted the job with code %d: %w", m.Rank, m.Code, ErrAborted))
		case rendezvous.TypeLeft:
			w.peerLeft(m)
		}
	}
}
