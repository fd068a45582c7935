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

	"github.com/gorun-hpc/gorun/rendezvous"
)

// jobServer runs the rendezvous service of one job: the ranks register
// their addresses with it, it tells them about failures, and it passes
// their Abort requests, failure causes and goodbyes to Wait as events.
type jobServer struct {
	job    rendezvous.Job
	addr   string
	svc    *rendezvous.Server
	cancel context.CancelFunc
	served chan struct{}
	once   sync.Once
}

// startRendezvous listens on bind (host or host:port; "" = loopback, port
// chosen by the kernel) and serves with a fresh job id and secret.
func startRendezvous(ctx context.Context, size int, bind string, log *slog.Logger) (*jobServer, error) {
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
	job := rendezvous.Job{ID: "gorun-" + hex.EncodeToString(id), Secret: secret, Size: size}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &jobServer{
		job:    job,
		addr:   ln.Addr().String(),
		svc:    rendezvous.NewServer(ln, job, log),
		cancel: cancel,
		served: make(chan struct{}),
	}
	go func() {
		defer close(r.served)
		if err := r.svc.Serve(sctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, net.ErrClosed) {
			log.Warn("rendezvous service stopped", "err", err)
		}
	}()
	log.Debug("rendezvous listening", "addr", r.addr, "job", job.ID)
	return r, nil
}

// env is rank's place in the job, for its environment.
func (r *jobServer) env(rank int) rendezvous.Env {
	return rendezvous.Env{Rank: rank, Size: r.job.Size, Addr: r.addr, JobID: r.job.ID, Secret: r.job.Secret}
}

func (r *jobServer) events() <-chan rendezvous.Event { return r.svc.Events() }

// notifyFailed tells every connected rank that rank failed, so their
// blocked operations return an error naming it.
func (r *jobServer) notifyFailed(rank int, how string) { r.svc.NotifyFailed(rank, how) }

// notifyExited is notifyFailed for a rank that exited with code, which, if
// plain (not a signal's, not a Go crash's), may be a follower's.
func (r *jobServer) notifyExited(rank, code int, how string, plain bool) {
	if plain {
		r.svc.NotifyExited(rank, code, how)
		return
	}
	r.svc.NotifyFailed(rank, how)
}

// close stops the service and waits for it.
func (r *jobServer) close() {
	r.once.Do(func() {
		r.cancel()
		_ = r.svc.Close()
		<-r.served
	})
}
