package comm

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// JobInfo identifies a job: its id, its secret and its number of ranks.
type JobInfo struct {
	ID     string
	Secret []byte
	Size   int
}

// JobEnv is the GORUN_* environment that tells rank its place in job.
func JobEnv(job JobInfo, rank int, rendezvousAddr string) []string {
	return []string{
		"GORUN_RANK=" + strconv.Itoa(rank),
		"GORUN_SIZE=" + strconv.Itoa(job.Size),
		"GORUN_RENDEZVOUS=" + rendezvousAddr,
		"GORUN_JOBID=" + job.ID,
		"GORUN_SECRET=" + hex.EncodeToString(job.Secret),
	}
}

// EventKind says what a rank told the rendezvous service.
type EventKind int

const (
	EventAbort   EventKind = iota + 1 // a rank called Abort(Code)
	EventGoodbye                      // a rank closed its world communicator
	EventCause                        // a rank fails because rank Code failed first
	// EventDeparted: a rank's control connection ended (its process
	// exited, or it closed); every event of that rank came before it.
	EventDeparted
)

// RendezvousEvent is something a rank told the launcher.
type RendezvousEvent struct {
	Kind EventKind
	Rank int
	Code int
	Msg  string
}

// ctlMsg is the control protocol between ranks and the rendezvous, one
// length-prefixed msgpack value per message.
type ctlMsg struct {
	T     string   `msgpack:"t"` // reg, table, failed, abort, bye, cause, left
	Addr  string   `msgpack:"a,omitempty"`
	Addrs []string `msgpack:"as,omitempty"`
	Ranks []int    `msgpack:"rs,omitempty"` // bye, left: the ranks the leaver said goodbye to on their streams
	Rank  int      `msgpack:"r,omitempty"`
	Code  int      `msgpack:"c,omitempty"`
	Msg   string   `msgpack:"m,omitempty"`
}

const maxCtlMsg = 1 << 20

func writeCtl(w io.Writer, m ctlMsg) error {
	b, err := msgpack.Marshal(&m)
	if err != nil {
		return err
	}
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(len(b)))
	_, err = w.Write(append(l[:], b...))
	return err
}

func readCtl(r io.Reader) (ctlMsg, error) {
	var l [4]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return ctlMsg{}, err
	}
	n := binary.LittleEndian.Uint32(l[:])
	if n > maxCtlMsg {
		return ctlMsg{}, fmt.Errorf("comm: control message of %d bytes is over the %d limit", n, maxCtlMsg)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return ctlMsg{}, err
	}
	m, err := decodeCtl(b)
	if err != nil {
		return ctlMsg{}, fmt.Errorf("comm: bad control message: %w", err)
	}
	return m, nil
}

// Rendezvous is the service ranks register with: it hands out the address
// table once every rank has registered, tells ranks about failures, and
// passes their Abort requests and goodbyes to the launcher.
type Rendezvous struct {
	ln     net.Listener
	job    JobInfo
	log    *slog.Logger
	events chan RendezvousEvent

	mu     sync.Mutex
	conns  map[int]net.Conn
	addrs  []string
	nreg   int
	sent   bool
	closed bool
	wg     sync.WaitGroup

	// Without a launcher (srun) nobody watches the processes: a control
	// connection lost without a goodbye is then reported as a failure.
	reportLoss bool
	byes       int
	allBye     chan struct{}
	saidBye    map[int]bool
}

// NewRendezvous serves job on ln once Serve is called.
func NewRendezvous(ln net.Listener, job JobInfo, logger *slog.Logger) *Rendezvous {
	if logger == nil {
		logger = slog.Default()
	}
	return &Rendezvous{ln: ln, job: job, log: logger, events: make(chan RendezvousEvent, 3*job.Size+8),
		conns: map[int]net.Conn{}, addrs: make([]string, job.Size), allBye: make(chan struct{}), saidBye: map[int]bool{}}
}

// Events delivers Abort requests and goodbyes from ranks.
func (r *Rendezvous) Events() <-chan RendezvousEvent { return r.events }

// Serve accepts ranks until ctx ends or Close is called.
func (r *Rendezvous) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { r.Close() })
	defer stop()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			r.wg.Wait()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		r.wg.Add(1)
		go r.handle(c)
	}
}

func (r *Rendezvous) handle(c net.Conn) {
	defer r.wg.Done()
	defer c.Close()
	rk, err := handshakeAccept(c, r.job.Secret, r.job.ID)
	if err != nil {
		r.log.Warn("gorun rendezvous: dropped a connection that failed the job-secret handshake", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	rank := int(rk)
	m, err := readCtl(c)
	if err != nil || m.T != "reg" || rank >= r.job.Size {
		r.log.Warn("gorun rendezvous: bad registration", "rank", rank, "err", err)
		return
	}
	r.mu.Lock()
	if r.closed || r.conns[rank] != nil {
		r.mu.Unlock()
		return
	}
	r.conns[rank] = c
	r.addrs[rank] = m.Addr
	r.nreg++
	if r.nreg == r.job.Size && !r.sent {
		r.sent = true
		for _, pc := range r.conns {
			_ = writeCtl(pc, ctlMsg{T: "table", Addrs: r.addrs})
		}
	}
	r.mu.Unlock()
	defer r.emit(RendezvousEvent{Kind: EventDeparted, Rank: rank})
	said := false
	for {
		m, err := readCtl(c)
		if err != nil {
			r.mu.Lock()
			closed := r.closed
			r.mu.Unlock()
			if r.reportLoss && !said && !closed {
				r.NotifyFailed(rank, lostRendezvous)
				r.depart()
			}
			return
		}
		switch m.T {
		case "abort":
			r.emit(RendezvousEvent{Kind: EventAbort, Rank: rank, Code: m.Code, Msg: m.Msg})
			r.broadcast(ctlMsg{T: "abort", Rank: rank, Code: m.Code, Msg: m.Msg})
		case "cause":
			if m.Rank >= 0 && m.Rank < r.job.Size && m.Rank != rank {
				r.emit(RendezvousEvent{Kind: EventCause, Rank: rank, Code: m.Rank})
			}
		case "bye":
			said = true
			r.mu.Lock()
			r.saidBye[rank] = true
			r.mu.Unlock()
			r.emit(RendezvousEvent{Kind: EventGoodbye, Rank: rank})
			// The ranks it never sent to have no stream to see its
			// goodbye on: they learn here (a receive from it must fail,
			// not wait forever).
			r.broadcastExcept(rank, ctlMsg{T: "left", Rank: rank, Ranks: m.Ranks, Code: m.Code, Msg: m.Msg})
			r.depart()
		}
	}
}

func (r *Rendezvous) emit(ev RendezvousEvent) {
	select {
	case r.events <- ev:
	default:
		r.log.Warn("gorun rendezvous: event dropped, nobody reads Events", "rank", ev.Rank)
	}
}

func (r *Rendezvous) broadcastExcept(rank int, m ctlMsg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, c := range r.conns {
		if k != rank {
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_ = writeCtl(c, m)
			_ = c.SetWriteDeadline(time.Time{})
		}
	}
}

func (r *Rendezvous) broadcast(m ctlMsg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = writeCtl(c, m)
	}
}

// NotifyFailed tells every connected rank that rank failed and how, so
// their blocked operations return a *RankError naming it.
func (r *Rendezvous) NotifyFailed(rank int, how string) {
	r.broadcast(ctlMsg{T: "failed", Rank: rank, Msg: how})
}

// Farewell reports whether rank registered (it called comm.Init) and
// whether it has said goodbye (closed its world communicator). A launcher
// asks when the rank exits 0: one that registered and never said goodbye
// left without Close, and ranks waiting for it would wait forever (MPI's
// launchers treat an exit without MPI_Finalize as an error too). Ask after
// EventDeparted: its goodbye, if any, was read before.
func (r *Rendezvous) Farewell(rank int) (registered, saidBye bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns[rank] != nil, r.saidBye[rank]
}

// Close stops the service and drops every rank's control connection.
func (r *Rendezvous) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	for _, c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	err := r.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// lostRendezvous is the self-hosted rendezvous' notice for a rank whose
// control connection ended without a goodbye.
const lostRendezvous = "connection to the rendezvous lost"

// ctlClient is a rank's control connection to the rendezvous.
type ctlClient struct {
	mu   sync.Mutex
	c    net.Conn
	done chan struct{}
}

func (k *ctlClient) abort(code int, msg string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_ = writeCtl(k.c, ctlMsg{T: "abort", Code: code, Msg: msg})
}

// cause reports that this rank fails because rank failed (EventCause).
// The write is bounded: a launcher that does not read must not hold up the
// failing rank.
func (k *ctlClient) cause(rank int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_ = k.c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	_ = writeCtl(k.c, ctlMsg{T: "cause", Rank: rank})
	_ = k.c.SetWriteDeadline(time.Time{})
}

// close says goodbye: dialed are the ranks that got a goodbye frame on
// this rank's streams; cause, if any, is the rank this one failed because
// of (see world.leftCause), passed on to the others as the goodbye frame
// passes it.
func (k *ctlClient) close(dialed []int, cause *RankError) {
	k.mu.Lock()
	m := ctlMsg{T: "bye", Ranks: dialed}
	if cause != nil {
		m.Code, m.Msg = cause.Rank+1, cause.How
	}
	_ = writeCtl(k.c, m)
	k.c.Close()
	k.mu.Unlock()
	<-k.done
}

// watch turns the rendezvous' notices into engine failures until the
// connection ends.
func (k *ctlClient) watch(w *world) {
	defer close(k.done)
	for {
		m, err := readCtl(k.c)
		if err != nil {
			if !w.closed.Load() {
				w.eng.fail(fmt.Errorf("comm: lost the launcher's rendezvous connection (%v): the job is ending: %w", err, ErrAborted))
			}
			return
		}
		switch m.T {
		case "failed":
			re := &RankError{Rank: m.Rank, How: m.Msg}
			if !weakNotice(m.Msg) || w.lostWait.Load() <= 0 {
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
		case "abort":
			w.eng.fail(fmt.Errorf("comm: rank %d aborted the job with code %d: %w", m.Rank, m.Code, ErrAborted))
		case "left":
			w.peerLeft(m)
		}
	}
}

// weakNotice reports whether a launcher's failure notice says only that a
// rank exited with a plain nonzero code (or left the self-hosted
// rendezvous): what a rank that failed because of another does, unlike a
// signal, an Abort or a launcher that already named the first cause. (A
// remote rank's signal comes as code 128+N: not weak.)
func weakNotice(how string) bool {
	var code int
	if n, _ := fmt.Sscanf(how, "exited with code %d", &code); n == 1 {
		return code > 0 && code < 128
	}
	return how == lostRendezvous
}

// depart counts a rank that said goodbye or was lost; when all have,
// a self-hosted rendezvous may stop.
func (r *Rendezvous) depart() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byes++; r.byes == r.job.Size {
		close(r.allBye)
	}
}
