package comm

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/memberlist"
)

// Membership of a multi-host job. On one host the launcher's wait and TCP
// EOF find a dead rank at once; a host that hangs or drops off the network
// closes nothing, and its ranks' peers would wait on silent sockets.
// Every rank of a job that spans several hosts (gorun sets
// GORUN_MEMBERLIST=1 and GORUN_HOST to the rank's host name) therefore
// runs a hashicorp/memberlist node that probes the others over UDP with
// timings tuned for jobs, and turns a node declared dead into the same
// failure a lost connection raises: a *RankError, here naming the host and
// every rank on it.

// Memberlist timings: a silent node is suspected after one probe timeout
// and declared dead SuspicionMult*log10(n) probe intervals later (bounded
// by SuspicionMaxTimeoutMult times that), about 1-3 s for small jobs.
const (
	memberProbeInterval = 200 * time.Millisecond
	memberProbeTimeout  = 500 * time.Millisecond
	memberSuspicionMult = 2
	// memberCheckDial bounds the dial that tells a host that is gone from a
	// rank that merely ended (see judge).
	memberCheckDial = time.Second
)

// members is one rank's memberlist node.
type members struct {
	w     *world
	ml    *memberlist.Memberlist
	host  string
	hosts []string // GORUN_HOST of every rank, from the exchange
}

// memberKey derives the job's 32-byte memberlist key (AES-256-GCM) from
// the job secret, so only the job's ranks can join or read its gossip.
func memberKey(secret []byte, jobID string) ([]byte, error) {
	return hkdf.Key(sha256.New, secret, []byte(jobID), "gorun/memberlist/v1", 32)
}

// startMembers starts c's memberlist node when the job asks for one,
// exchanges node addresses over c (a private context) and joins every
// other rank. It returns when this rank has joined.
func startMembers(ctx context.Context, c *Comm, cfg Config) error {
	if !cfg.memberlist || c.Size() < 2 {
		return nil
	}
	w := c.w
	key, err := memberKey(w.secret, w.jobID)
	if err != nil {
		return fmt.Errorf("comm: memberlist key: %w", err)
	}
	bind, _, err := net.SplitHostPort(w.ln.Addr().String())
	if err != nil {
		return fmt.Errorf("comm: memberlist address: %w", err)
	}
	m := &members{w: w, host: cfg.host}
	if m.host == "" {
		m.host, _ = os.Hostname()
	}
	conf := memberlist.DefaultLANConfig()
	conf.Name = fmt.Sprintf("%s-r%d", w.jobID, w.rank)
	conf.BindAddr = bind
	conf.BindPort = 0 // the kernel's choice; exchanged below
	conf.AdvertiseAddr = bind
	conf.SecretKey = key
	conf.ProbeInterval = memberProbeInterval
	conf.ProbeTimeout = memberProbeTimeout
	conf.SuspicionMult = memberSuspicionMult
	conf.GossipInterval = 100 * time.Millisecond
	conf.TCPTimeout = 2 * time.Second
	conf.Events = m
	conf.Logger = log.New(io.Discard, "", 0)
	if cfg.memberlistLog {
		conf.Logger = log.New(os.Stderr, fmt.Sprintf("rank %d memberlist: ", w.rank), log.Lmicroseconds)
	}
	ml, err := memberlist.Create(conf)
	if err != nil {
		return fmt.Errorf("comm: rank %d: start memberlist on %s: %v: %w", w.rank, bind, err, ErrBootstrap)
	}
	m.ml = ml
	// Every rank tells every other its node address and host name.
	mc := &Comm{w: w, id: deriveID(c.id, 0, "memberlist"), members: c.members, rank: c.rank}
	me := ml.LocalNode().Address() + " " + m.host
	for r := range c.Size() {
		if r != c.rank {
			if err := mc.Send(ctx, r, 0, []byte(me)); err != nil {
				_ = ml.Shutdown()
				return fmt.Errorf("comm: rank %d: memberlist address exchange: %w", w.rank, err)
			}
		}
	}
	m.hosts = make([]string, c.Size())
	m.hosts[c.rank] = m.host
	var addrs []string
	for r := range c.Size() {
		if r == c.rank {
			continue
		}
		b, _, err := mc.RecvBytes(ctx, r, 0)
		if err != nil {
			_ = ml.Shutdown()
			return fmt.Errorf("comm: rank %d: memberlist address exchange: %w", w.rank, err)
		}
		addr, host, _ := strings.Cut(string(b), " ")
		addrs = append(addrs, addr)
		m.hosts[r] = host
	}
	if _, err := ml.Join(addrs); err != nil {
		_ = ml.Shutdown()
		return fmt.Errorf("comm: rank %d: join the job's memberlist: %v: %w", w.rank, err, ErrBootstrap)
	}
	go m.leaveOnClose()
	return nil
}

// leaveOnClose leaves the memberlist when the world communicator closes,
// so the others see a departure, not a death.
func (m *members) leaveOnClose() {
	<-m.w.done
	_ = m.ml.Leave(500 * time.Millisecond)
	_ = m.ml.Shutdown()
}

// NotifyJoin, NotifyLeave and NotifyUpdate make members a
// memberlist.EventDelegate.
func (m *members) NotifyJoin(*memberlist.Node)   {}
func (m *members) NotifyUpdate(*memberlist.Node) {}

// NotifyLeave sees nodes that left (a rank that closed: fine) and nodes
// declared dead; judge tells which.
func (m *members) NotifyLeave(n *memberlist.Node) {
	// n.State is not updated by memberlist (v0.7) before this call, so a
	// departure and a death look alike here: judge tells them apart.
	if m.w.closed.Load() {
		return
	}
	i := strings.LastIndex(n.Name, "-r")
	r, err := strconv.Atoi(n.Name[i+2:])
	if i < 0 || err != nil || r < 0 || r >= m.w.size || r == m.w.rank {
		return
	}
	go m.judge(r, n.Addr.String())
}

// judge decides whether dead rank r's host is gone. A rank that ended on a
// host that is up refuses connections: then it said goodbye, or the
// launcher and its closed sockets report it; nothing to add. A dial that
// times out or is answered by a rank that no longer speaks memberlist
// means the host dropped off the network or hangs: every rank on it has
// failed.
func (m *members) judge(r int, ip string) {
	for try := 0; ; try++ {
		c, err := net.DialTimeout("tcp", m.w.addrs[r], memberCheckDial)
		if err != nil {
			if connRefused(err) { // refused_*.go
				return // the rank ended; its host is up
			}
			break // no answer: the host is gone or hangs
		}
		c.Close()
		if try == 1 {
			break // answered by a kernel, not by memberlist: the rank hangs
		}
		// A rank that left as it closes keeps its listener a moment longer.
		time.Sleep(300 * time.Millisecond)
	}
	if m.w.closed.Load() {
		return
	}
	host := m.hosts[r]
	var ranks []string
	for i, h := range m.hosts {
		if h == host {
			ranks = append(ranks, strconv.Itoa(i))
		}
	}
	how := fmt.Sprintf("host %s (%s) stopped answering: memberlist declared it dead; ranks %s on it are lost", host, ip, strings.Join(ranks, ","))
	m.w.log.Warn("comm: "+how, "rank", m.w.rank)
	if m.w.eng.recovers { // every rank on the host is dead; the world goes on
		for i, h := range m.hosts {
			if h == host && i != m.w.rank {
				m.w.rankFailed(&RankError{Rank: i, Op: "memberlist", How: how})
			}
		}
		return
	}
	m.w.reportCause(r)
	m.w.eng.fail(&RankError{Rank: r, Op: "memberlist", How: how})
}
