package comm

import (
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// Refused connections: a connection that fails the job-secret handshake,
// claims a rank outside the job, or claims a rank that is already
// connected is dropped. Any local user can open connections to a rank's
// port, so one warning per connection would let a stranger flood the job's
// log: the first refusal is logged in full, later ones are counted and
// summarised at most once per refusalInterval.

// refusalInterval is the shortest time between two refusal warnings.
const refusalInterval = 10 * time.Second

// maxRefusalHosts bounds the remote hosts a summary names.
const maxRefusalHosts = 8

// refusals rate-limits the warnings about refused connections. Its timer
// (see note) logs the last summary when refusals stop coming; close stops
// it.
type refusals struct {
	log      *slog.Logger
	interval time.Duration

	mu     sync.Mutex
	last   time.Time // when the last warning was logged
	n      int       // refusals since then, not logged yet
	hosts  []string  // their distinct remote hosts, at most maxRefusalHosts
	timer  *time.Timer
	closed bool
}

// note records one refused connection from remote, why it was refused,
// and its details (slog key-value pairs). It logs at once when no warning
// went out in the last interval, else counts it for the next summary.
func (r *refusals) note(remote net.Addr, why string, args ...any) {
	host := "?"
	if remote != nil {
		host = remote.String()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	now := time.Now()
	if r.n == 0 && (r.last.IsZero() || now.Sub(r.last) >= r.interval) {
		r.last = now
		r.log.Warn(why, append([]any{"remote", remote.String()}, args...)...)
		return
	}
	r.n++
	if !slices.Contains(r.hosts, host) && len(r.hosts) < maxRefusalHosts {
		r.hosts = append(r.hosts, host)
	}
	if r.timer == nil {
		r.timer = time.AfterFunc(r.interval-now.Sub(r.last), r.flush)
	}
}

// flush logs the summary of the refusals counted since the last warning.
func (r *refusals) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	if r.closed || r.n == 0 {
		return
	}
	r.log.Warn(fmt.Sprintf("comm: %d more refused connections from %s (not this job's ranks, or a rank already connected; one warning per %v)",
		r.n, strings.Join(r.hosts, ", "), r.interval), "refused", r.n)
	r.last = time.Now()
	r.n = 0
	r.hosts = nil
}

// close stops the summary timer; refusals after it are not logged.
func (r *refusals) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
}
