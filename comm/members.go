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
	"slices"
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
	w    *world
	ml   *memberlist.Memberlist
	host string
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
	conf.Delegate = m // NodeMeta: this rank's host name travels with its node
	ml, err := memberlist.Create(conf)
	if err != nil {
		return fmt.Errorf("comm: rank %d: start memberlist on %s: %v: %w", w.rank, bind, err, ErrBootstrap)
	}
	m.ml = ml
	// Join along a binary tree of ranks: each rank joins its parent (which
	// joined before it passed its address on) and passes its own address
	// to its two children. Every rank exchanges with at most three others
	// and gossip spreads the membership, where an all-to-all exchange and
	// a join of every node would cost N^2 connections (docs/SCALING.md).
	mc := &Comm{w: w, id: deriveID(c.id, 0, "memberlist"), members: c.members, rank: c.rank}
	if r := c.rank; r > 0 {
		b, _, err := mc.RecvBytes(ctx, (r-1)/2, 0)
		if err != nil {
			_ = ml.Shutdown()
			return fmt.Errorf("comm: rank %d: memberlist address from rank %d: %w", w.rank, (r-1)/2, err)
		}
		if _, err := ml.Join([]string{string(b)}); err != nil {
			_ = ml.Shutdown()
			return fmt.Errorf("comm: rank %d: join the job's memberlist at rank %d (%s): %v: %w", w.rank, (r-1)/2, b, err, ErrBootstrap)
		}
		if err := mc.Send(ctx, (r-1)/2, 1, nil); err != nil { // joined: the parent may go on
			_ = ml.Shutdown()
			return fmt.Errorf("comm: rank %d: memberlist join acknowledgement to rank %d: %w", w.rank, (r-1)/2, err)
		}
	}
	me := []byte(ml.LocalNode().Address())
	var children []int
	for _, child := range []int{2*c.rank + 1, 2*c.rank + 2} {
		if child < c.Size() {
			children = append(children, child)
			if err := mc.Send(ctx, child, 0, me); err != nil {
				_ = ml.Shutdown()
				return fmt.Errorf("comm: rank %d: memberlist address to rank %d: %w", w.rank, child, err)
			}
		}
	}
	// Wait until the children have joined (each says so once it has): a rank that returned from Init
	// at once could finish its work, leave and shut its node down before
	// a child's join reached it (seen with 2 ranks of a short program).
	for _, child := range children {
		if _, _, err := mc.RecvBytes(ctx, child, 1); err != nil {
			_ = ml.Shutdown()
			return fmt.Errorf("comm: rank %d: memberlist join of rank %d: %w", w.rank, child, err)
		}
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

// NodeMeta, NotifyMsg, GetBroadcasts, LocalState and MergeRemoteState
// make members a memberlist.Delegate: only NodeMeta says something, this
// rank's host name (GORUN_HOST), which names the host in the error when
// its node is declared dead.
func (m *members) NodeMeta(limit int) []byte {
	if len(m.host) > limit {
		return []byte(m.host[:limit])
	}
	return []byte(m.host)
}
func (m *members) NotifyMsg([]byte)                           {}
func (m *members) GetBroadcasts(overhead, limit int) [][]byte { return nil }
func (m *members) LocalState(join bool) []byte                { return nil }
func (m *members) MergeRemoteState(buf []byte, join bool)     {}

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
	go m.judge(r, n.Addr.String(), slices.Clone(n.Meta))
}

// judge decides whether dead rank r's host is gone. A rank that ended on a
// host that is up refuses connections: then it said goodbye, or the
// launcher and its closed sockets report it; nothing to add. A dial that
// times out or is answered by a rank that no longer speaks memberlist
// means the host dropped off the network or hangs: every rank on it has
// failed.
func (m *members) judge(r int, ip string, meta []byte) {
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
	// The dead node's metadata names its host; its ranks are those whose
	// listeners share its address (the rendezvous' table).
	host := string(meta)
	var ranks []string
	var lost []int
	for i, a := range m.w.addrs {
		if h, _, err := net.SplitHostPort(a); err == nil && h == ip {
			ranks = append(ranks, strconv.Itoa(i))
			lost = append(lost, i)
		}
	}
	how := fmt.Sprintf("host %s (%s) stopped answering: memberlist declared it dead; ranks %s on it are lost", host, ip, strings.Join(ranks, ","))
	m.w.log.Warn("comm: "+how, "rank", m.w.rank)
	if m.w.eng.recovers { // every rank on the host is dead; the world goes on
		for _, i := range lost {
			if i != m.w.rank {
				m.w.rankFailed(&RankError{Rank: i, Op: "memberlist", How: how})
			}
		}
		return
	}
	m.w.reportCause(r)
	m.w.eng.fail(&RankError{Rank: r, Op: "memberlist", How: how})
}
