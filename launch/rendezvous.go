package launch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/gorun-hpc/gorun/comm"
)

// rvEvent is what the job loop needs from a rendezvous event.
type rvEvent struct {
	abort      bool
	cause      bool // rank fails because rank code failed first
	departed   bool // rank's control connection ended: no more events from it
	rank, code int
	msg        string
}

// rendezvous runs comm's rendezvous service for one job: the ranks register
// their addresses with it, it tells them about failures, and it passes
// their Abort requests on to the job loop.
type rendezvous struct {
	job    comm.JobInfo
	addr   string
	svc    *comm.Rendezvous
	cancel context.CancelFunc
	served chan struct{}
	evs    chan rvEvent
	once   sync.Once
	log    *slog.Logger
}

// startRendezvous listens on bind (host or host:port; "" = loopback, port
// chosen by the kernel) and serves with a fresh job id and secret.
func startRendezvous(ctx context.Context, size int, bind string, log *slog.Logger) (*rendezvous, error) {
	host := "127.0.0.1"
	if bind != "" {
		host = bind
		if h, _, err := net.SplitHostPort(bind); err == nil {
			host = h
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, fmt.Errorf("launch: rendezvous listener on %s: %w (check --bind)", host, err)
	}
	secret := make([]byte, 32)
	id := make([]byte, 8)
	rand.Read(secret)
	rand.Read(id)
	job := comm.JobInfo{ID: "gorun-" + hex.EncodeToString(id), Secret: secret, Size: size}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &rendezvous{
		job:    job,
		addr:   ln.Addr().String(),
		svc:    comm.NewRendezvous(ln, job, log),
		cancel: cancel,
		served: make(chan struct{}),
		evs:    make(chan rvEvent, 3*size+1),
		log:    log,
	}
	go func() {
		defer close(r.served)
		if err := r.svc.Serve(sctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, net.ErrClosed) {
			log.Warn("rendezvous service stopped", "err", err)
		}
	}()
	go r.translate(sctx)
	log.Debug("rendezvous listening", "addr", r.addr, "job", job.ID)
	return r, nil
}

// translate turns comm's events into the loop's; it ends with the service.
func (r *rendezvous) translate(ctx context.Context) {
	src := r.svc.Events()
	for {
		select {
		case ev, ok := <-src:
			if !ok {
				return
			}
			switch ev.Kind {
			case comm.EventAbort:
				select {
				case r.evs <- rvEvent{abort: true, rank: ev.Rank, code: ev.Code, msg: ev.Msg}:
				case <-ctx.Done():
					return
				}
			case comm.EventCause:
				select {
				case r.evs <- rvEvent{cause: true, rank: ev.Rank, code: ev.Code}:
				case <-ctx.Done():
					return
				}
			case comm.EventDeparted:
				select {
				case r.evs <- rvEvent{departed: true, rank: ev.Rank}:
				case <-ctx.Done():
					return
				}
			case comm.EventGoodbye:
				r.log.Debug("rank said goodbye", "rank", ev.Rank)
			}
		case <-ctx.Done():
			return
		}
	}
}

// env is rank's GORUN_* environment.
func (r *rendezvous) env(rank int) []string { return comm.JobEnv(r.job, rank, r.addr) }

func (r *rendezvous) events() <-chan rvEvent { return r.evs }

// notifyFailed tells every connected rank that rank failed, so their
// blocked operations return an error naming it.
func (r *rendezvous) notifyFailed(rank int, how string) { r.svc.NotifyFailed(rank, how) }

// close stops the service and waits for it.
func (r *rendezvous) close() {
	r.once.Do(func() {
		r.cancel()
		_ = r.svc.Close()
		<-r.served
	})
}
